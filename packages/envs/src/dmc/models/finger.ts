/**
 * DMC finger (facts of dm_control `suite/finger.xml`): a planar two-link finger and a free-spinning body in the
 * xz plane, no gravity. Proximal link at (−0.2, 0, 0.4): capsule 0.17 m (radius 0.03) on a hinge about −y limited
 * to ±110° with ref −90°; distal link 0.18 m below: capsule 0.16 m (0.028, not colliding) on a ±110° hinge, with
 * a colliding fingertip capsule (0.03) at its end and two touch sites either side of it. Both finger hinges have
 * damping 2.5. Spinner at (0.2, 0, 0.4): two capsules (0.04, half-length 0.09) 0.04 m apart on an unlimited
 * hinge (friction loss 0.1; damping 0.5, which DMC lowers to 0.03 for `spin`), with the `tip` site 0.13 m out.
 * Soft contacts (solimp 0 0.9 0.01, solref 0.02 1), elliptic cones, 200 solver iterations. Motors with gears 30
 * (proximal) and 15 (distal), ctrl in [−1, 1]. 0.01 s Euler steps; DMC's control step is 0.02 s (2 steps).
 * Sensors in DMC's order minus the target (which the task keeps itself, since DMC moves it in the model every
 * episode): joint positions, joint velocities, tip and spinner positions, touch top and bottom.
 * Cameras, light, materials and the target site are left out.
 */

/** Finger hinge range (degrees, both joints). */
export const FINGER_RANGE_DEGREES = 110;

/** Distance from the spinner's hinge to its tip (DMC: cap1's radius + half-length). */
export const FINGER_SPINNER_RADIUS = 0.13;

/** Spinner hinge position (x, z): the spinner body's origin. */
export const FINGER_HINGE_XZ = [0.2, 0.4] as const;

/** The finger MJCF with the spinner hinge's damping (0.5 in the file, 0.03 in DMC's spin task). */
export function fingerXml(hingeDamping: number): string {
  const r = FINGER_RANGE_DEGREES;
  const [hx, hz] = FINGER_HINGE_XZ;
  return `<mujoco model="dmc-finger">
  <option timestep="0.01" cone="elliptic" iterations="200">
    <flag gravity="disable"/>
  </option>
  <default>
    <geom solimp="0 0.9 0.01" solref="0.02 1"/>
    <joint type="hinge" axis="0 -1 0"/>
    <motor ctrllimited="true" ctrlrange="-1 1"/>
    <default class="finger">
      <joint damping="2.5" limited="true"/>
      <site type="ellipsoid" size="0.025 0.03 0.025"/>
    </default>
  </default>
  <worldbody>
    <geom name="ground" type="plane" pos="0 0 0" size="0.6 0.2 10"/>
    <body name="proximal" pos="-0.2 0 0.4" childclass="finger">
      <geom name="proximal_decoration" type="cylinder" fromto="0 -0.033 0 0 0.033 0" size="0.034"/>
      <joint name="proximal" range="-${r} ${r}" ref="-90"/>
      <geom name="proximal" type="capsule" size="0.03" fromto="0 0 0 0 0 -0.17"/>
      <body name="distal" pos="0 0 -0.18" childclass="finger">
        <joint name="distal" range="-${r} ${r}"/>
        <geom name="distal" type="capsule" size="0.028" fromto="0 0 0 0 0 -0.16" contype="0" conaffinity="0"/>
        <geom name="fingertip" type="capsule" size="0.03" fromto="0 0 -0.13 0 0 -0.161"/>
        <site name="touchtop" pos="0.01 0 -0.17"/>
        <site name="touchbottom" pos="-0.01 0 -0.17"/>
      </body>
    </body>
    <body name="spinner" pos="${hx} 0 ${hz}">
      <joint name="hinge" frictionloss="0.1" damping="${hingeDamping}"/>
      <geom name="cap1" type="capsule" size="0.04 0.09" pos="0.02 0 0"/>
      <geom name="cap2" type="capsule" size="0.04 0.09" pos="-0.02 0 0"/>
      <site name="tip" type="sphere" size="0.02" pos="0 0 ${FINGER_SPINNER_RADIUS}"/>
      <geom name="spinner_decoration" type="cylinder" fromto="0 -0.045 0 0 0.045 0" size="0.02"/>
    </body>
  </worldbody>
  <actuator>
    <motor name="proximal" joint="proximal" gear="30"/>
    <motor name="distal" joint="distal" gear="15"/>
  </actuator>
  <sensor>
    <jointpos name="proximal" joint="proximal"/>
    <jointpos name="distal" joint="distal"/>
    <jointvel name="proximal_velocity" joint="proximal"/>
    <jointvel name="distal_velocity" joint="distal"/>
    <jointvel name="hinge_velocity" joint="hinge"/>
    <framepos name="tip" objtype="site" objname="tip"/>
    <framepos name="spinner" objtype="xbody" objname="spinner"/>
    <touch name="touchtop" site="touchtop"/>
    <touch name="touchbottom" site="touchbottom"/>
  </sensor>
</mujoco>
`;
}
