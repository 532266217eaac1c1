/**
 * DMC hopper (facts of dm_control `suite/hopper.xml`): a planar one-legged hopper. Torso capsule (radius 0.0653,
 * z −0.05…0.2) with a nose, at z = 1 on a free planar root (rootx, rootz slides, rooty hinge; no damping,
 * armature or stiffness); pelvis (0.065), thigh (0.04, 0.33 m), calf (0.03, 0.32 m) and foot (0.04, x −0.08…0.17)
 * capsules on hinges about y with damping 0.05 and armature 0.2: waist ±30°, hip −170°…10°, knee 5°…150°,
 * ankle ±45°. Touch sensors (spheres r 0.05) at the toe and heel. Motors with gears 30, 40, 30, 10, ctrl in
 * [−1, 1]. 0.005 s Euler steps; DMC's control step is 0.02 s (4 physics steps).
 * Sensors: the centre-of-mass velocity (`torso_subtreelinvel`, as in current dm_control), touch at toe and heel.
 * Cameras, light and materials are visual only and left out.
 */

/** Hinges in qpos order (after rootx, rootz, rooty), ranges in degrees. */
export const HOPPER_JOINTS = [
  { name: "waist", range: [-30, 30] },
  { name: "hip", range: [-170, 10] },
  { name: "knee", range: [5, 150] },
  { name: "ankle", range: [-45, 45] },
] as const;

const range = (i: number) => HOPPER_JOINTS[i]?.range.join(" ");

export const DMC_HOPPER_XML = `<mujoco model="dmc-hopper">
  <option timestep="0.005"/>
  <default>
    <default class="hopper">
      <joint type="hinge" axis="0 1 0" limited="true" damping="0.05" armature="0.2"/>
      <geom type="capsule"/>
      <site type="sphere" size="0.05"/>
    </default>
    <default class="root">
      <joint limited="false" damping="0" armature="0" stiffness="0"/>
    </default>
    <motor ctrlrange="-1 1" ctrllimited="true"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" conaffinity="1" pos="48 0 0" size="50 1.25 0.2"/>
    <body name="torso" pos="0 0 1" childclass="hopper">
      <joint name="rootx" type="slide" axis="1 0 0" class="root"/>
      <joint name="rootz" type="slide" axis="0 0 1" class="root"/>
      <joint name="rooty" type="hinge" axis="0 1 0" class="root"/>
      <geom name="torso" fromto="0 0 -0.05 0 0 0.2" size="0.0653"/>
      <geom name="nose" fromto="0.08 0 0.13 0.15 0 0.14" size="0.03"/>
      <body name="pelvis" pos="0 0 -0.05">
        <joint name="waist" range="${range(0)}"/>
        <geom name="pelvis" fromto="0 0 0 0 0 -0.15" size="0.065"/>
        <body name="thigh" pos="0 0 -0.2">
          <joint name="hip" range="${range(1)}"/>
          <geom name="thigh" fromto="0 0 0 0 0 -0.33" size="0.04"/>
          <body name="calf" pos="0 0 -0.33">
            <joint name="knee" range="${range(2)}"/>
            <geom name="calf" fromto="0 0 0 0 0 -0.32" size="0.03"/>
            <body name="foot" pos="0 0 -0.32">
              <joint name="ankle" range="${range(3)}"/>
              <geom name="foot" fromto="-0.08 0 0 0.17 0 0" size="0.04"/>
              <site name="touch_toe" pos="0.17 0 0"/>
              <site name="touch_heel" pos="-0.08 0 0"/>
            </body>
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <sensor>
    <subtreelinvel name="torso_subtreelinvel" body="torso"/>
    <touch name="touch_toe" site="touch_toe"/>
    <touch name="touch_heel" site="touch_heel"/>
  </sensor>
  <actuator>
    <motor name="waist" joint="waist" gear="30"/>
    <motor name="hip" joint="hip" gear="40"/>
    <motor name="knee" joint="knee" gear="30"/>
    <motor name="ankle" joint="ankle" gear="10"/>
  </actuator>
</mujoco>
`;
