/**
 * DMC reacher (facts of dm_control `suite/reacher.xml`): a two-link planar arm in the xy plane at z = 0.01.
 * Arm capsule 0 → 0.12 m and hand capsule 0 → 0.1 m (radius 0.01), the hand joint 0.12 m along the arm and the
 * finger sphere (radius 0.01) 0.12 m along the hand; hinges about z with damping 0.01, the shoulder unlimited and
 * the wrist limited to ±160°; motors with gear 0.05, ctrl in [−1, 1]. Masses from geom volume at the default
 * density. 0.02 s Euler steps, contacts disabled.
 * The target is not a geom here: DMC moves and resizes the target geom in the model every episode, which the
 * adapter cannot do, and with contacts disabled the target has no physical effect, so the task keeps its
 * position and radius itself. Arena walls, cameras and materials are visual only and left out.
 */
export const REACHER_WRIST_RANGE_DEGREES = 160;

/** Radius of the fingertip sphere (part of the reward's distance threshold). */
export const REACHER_FINGER_RADIUS = 0.01;

export const DMC_REACHER_XML = `<mujoco model="dmc-reacher">
  <option timestep="0.02">
    <flag contact="disable"/>
  </option>
  <default>
    <joint type="hinge" axis="0 0 1" damping="0.01"/>
    <motor gear="0.05" ctrllimited="true" ctrlrange="-1 1"/>
  </default>
  <worldbody>
    <body name="arm" pos="0 0 0.01">
      <joint name="shoulder"/>
      <geom name="arm" type="capsule" fromto="0 0 0 0.12 0 0" size="0.01"/>
      <body name="hand" pos="0.12 0 0">
        <joint name="wrist" limited="true" range="-${REACHER_WRIST_RANGE_DEGREES} ${REACHER_WRIST_RANGE_DEGREES}"/>
        <geom name="hand" type="capsule" fromto="0 0 0 0.1 0 0" size="0.01"/>
        <body name="finger" pos="0.12 0 0">
          <geom name="finger" type="sphere" size="${REACHER_FINGER_RADIUS}"/>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="shoulder" joint="shoulder"/>
    <motor name="wrist" joint="wrist"/>
  </actuator>
</mujoco>
`;
