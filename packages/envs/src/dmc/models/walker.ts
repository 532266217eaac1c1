/**
 * DMC walker (facts of dm_control `suite/walker.xml`): a planar biped. Torso capsule (radius 0.07, half-length
 * 0.3) at z = 1.3 on a free planar root (rootz, rootx slides and rooty hinge, no damping or armature); per leg a
 * thigh (0.05, 0.225), leg (0.04, 0.25) and foot (0.05, 0.1, lying along x) capsule on hinges about −y with
 * damping 0.1, armature 0.01 and hard-ish limits (solimplimit 0 0.99 0.01): hip −20°…100°, knee −150°…0°,
 * ankle ±45°. Body geoms collide only with the floor (conaffinity 0), friction 0.7. Motors with gears 100, 50,
 * 20 per leg, ctrl in [−1, 1]. 0.0025 s Euler steps; DMC's control step is 0.025 s (10 physics steps).
 * Sensors: the centre-of-mass velocity (`torso_subtreelinvel`), then each body's x- and z-axis in world
 * coordinates (DMC reads `xmat` directly; framexaxis/framezaxis are its columns).
 * Cameras, light and materials are visual only and left out.
 */

/** Leg joints per side in qpos order (after rootz, rootx, rooty), ranges in degrees. */
export const WALKER_LEG_JOINTS = [
  { name: "hip", range: [-20, 100] },
  { name: "knee", range: [-150, 0] },
  { name: "ankle", range: [-45, 45] },
] as const;

/** Bodies in id order (DMC's `xmat[1:]`). */
export const WALKER_BODIES = [
  "torso",
  "right_thigh",
  "right_leg",
  "right_foot",
  "left_thigh",
  "left_leg",
  "left_foot",
] as const;

const range = (i: number) => WALKER_LEG_JOINTS[i]?.range.join(" ");

function leg(side: "right" | "left", y: string): string {
  return `<body name="${side}_thigh" pos="0 ${y} -0.3">
        <joint name="${side}_hip" range="${range(0)}"/>
        <geom name="${side}_thigh" pos="0 0 -0.225" size="0.05 0.225"/>
        <body name="${side}_leg" pos="0 0 -0.7">
          <joint name="${side}_knee" pos="0 0 0.25" range="${range(1)}"/>
          <geom name="${side}_leg" size="0.04 0.25"/>
          <body name="${side}_foot" pos="0.06 0 -0.25">
            <joint name="${side}_ankle" pos="-0.06 0 0" range="${range(2)}"/>
            <geom name="${side}_foot" zaxis="1 0 0" size="0.05 0.1"/>
          </body>
        </body>
      </body>`;
}

const frameSensors = WALKER_BODIES.map(
  (b) => `<framexaxis name="${b}_xaxis" objtype="xbody" objname="${b}"/>
    <framezaxis name="${b}_zaxis" objtype="xbody" objname="${b}"/>`,
).join("\n    ");

export const DMC_WALKER_XML = `<mujoco model="dmc-walker">
  <option timestep="0.0025"/>
  <default>
    <joint damping="0.1" armature="0.01" limited="true" solimplimit="0 0.99 0.01"/>
    <geom contype="1" conaffinity="0" friction="0.7 0.1 0.1"/>
    <motor ctrlrange="-1 1" ctrllimited="true"/>
    <default class="walker">
      <geom type="capsule"/>
      <joint axis="0 -1 0"/>
    </default>
  </default>
  <worldbody>
    <geom name="floor" type="plane" conaffinity="1" pos="248 0 0" size="250 0.8 0.2"/>
    <body name="torso" pos="0 0 1.3" childclass="walker">
      <joint name="rootz" axis="0 0 1" type="slide" limited="false" armature="0" damping="0"/>
      <joint name="rootx" axis="1 0 0" type="slide" limited="false" armature="0" damping="0"/>
      <joint name="rooty" axis="0 1 0" type="hinge" limited="false" armature="0" damping="0"/>
      <geom name="torso" size="0.07 0.3"/>
      ${leg("right", "-0.05")}
      ${leg("left", "0.05")}
    </body>
  </worldbody>
  <sensor>
    <subtreelinvel name="torso_subtreelinvel" body="torso"/>
    ${frameSensors}
  </sensor>
  <actuator>
    <motor name="right_hip" joint="right_hip" gear="100"/>
    <motor name="right_knee" joint="right_knee" gear="50"/>
    <motor name="right_ankle" joint="right_ankle" gear="20"/>
    <motor name="left_hip" joint="left_hip" gear="100"/>
    <motor name="left_knee" joint="left_knee" gear="50"/>
    <motor name="left_ankle" joint="left_ankle" gear="20"/>
  </actuator>
</mujoco>
`;
