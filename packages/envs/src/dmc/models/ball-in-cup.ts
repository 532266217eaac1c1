/**
 * DMC ball-in-cup (facts of dm_control `suite/ball_in_cup.xml`): a planar cup on x and z slides (damping 3,
 * stiffness 20) at (0, 0, 0.6), built from five capsules (radius 0.008) tracing a 0.1 m wide, 0.1 m deep cup
 * profile; a ball (sphere, radius 0.025) on x and z slides starting 0.4 m below the cup, tied to the cup's bottom
 * site by a string (spatial tendon limited to 0.3 m). The `target` box site (half-sizes 0.05 × 0.006 × 0.05)
 * fills the cup. Motors on the cup slides, gear 5, ctrl in [−1, 1]. 0.002 s Euler steps (MuJoCo's default);
 * DMC's control step is 0.02 s (10 physics steps).
 * Cameras, light, materials and the unused touch sensor are left out.
 */

/** Ball radius (part of the in-cup test). */
export const BALL_IN_CUP_BALL_RADIUS = 0.025;

/** Target box half-sizes in x and z. */
export const BALL_IN_CUP_TARGET_HALF_SIZE = [0.05, 0.05] as const;

export const DMC_BALL_IN_CUP_XML = `<mujoco model="dmc-ball-in-cup">
  <default>
    <motor ctrllimited="true" ctrlrange="-1 1" gear="5"/>
    <default class="cup">
      <joint type="slide" damping="3" stiffness="20"/>
      <geom type="capsule" size="0.008"/>
    </default>
  </default>
  <worldbody>
    <geom name="ground" type="plane" pos="0 0 0" size="0.6 0.2 10"/>
    <body name="cup" pos="0 0 0.6" childclass="cup">
      <joint name="cup_x" axis="1 0 0"/>
      <joint name="cup_z" axis="0 0 1"/>
      <geom name="cup_part_0" fromto="-0.05 0 0 -0.05 0 -0.075"/>
      <geom name="cup_part_1" fromto="-0.05 0 -0.075 -0.025 0 -0.1"/>
      <geom name="cup_part_2" fromto="-0.025 0 -0.1 0.025 0 -0.1"/>
      <geom name="cup_part_3" fromto="0.025 0 -0.1 0.05 0 -0.075"/>
      <geom name="cup_part_4" fromto="0.05 0 -0.075 0.05 0 0"/>
      <site name="cup" pos="0 0 -0.108" size="0.005"/>
      <site name="target" type="box" pos="0 0 -0.05" size="${BALL_IN_CUP_TARGET_HALF_SIZE[0]} 0.006 ${BALL_IN_CUP_TARGET_HALF_SIZE[1]}"/>
    </body>
    <body name="ball" pos="0 0 0.2">
      <joint name="ball_x" type="slide" axis="1 0 0"/>
      <joint name="ball_z" type="slide" axis="0 0 1"/>
      <geom name="ball" type="sphere" size="${BALL_IN_CUP_BALL_RADIUS}"/>
      <site name="ball" size="0.005"/>
    </body>
  </worldbody>
  <actuator>
    <motor name="x" joint="cup_x"/>
    <motor name="z" joint="cup_z"/>
  </actuator>
  <tendon>
    <spatial name="string" limited="true" range="0 0.3" width="0.003">
      <site site="ball"/>
      <site site="cup"/>
    </spatial>
  </tendon>
</mujoco>
`;
