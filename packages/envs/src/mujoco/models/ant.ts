/**
 * Ant (Gymnasium `ant.xml` facts): a sphere torso (r 0.25) on a free joint at z 0.75 with four two-segment
 * legs (capsules r 0.08, density 5), hips ±30° about z, ankles 30°–70° in magnitude, RK4 at 0.01 s, gear 150.
 * 14 bodies including the world, so `cfrc_ext[1:]` has 13 × 6 = 78 entries.
 */
interface AntLeg {
  body: string;
  index: number;
  /** Signs of the leg's x and y direction from the torso centre. */
  sx: number;
  sy: number;
  ankleAxis: string;
  ankleRange: string;
}

const LEGS: readonly AntLeg[] = [
  { body: "front_left_leg", index: 1, sx: 1, sy: 1, ankleAxis: "-1 1 0", ankleRange: "30 70" },
  { body: "front_right_leg", index: 2, sx: -1, sy: 1, ankleAxis: "1 1 0", ankleRange: "-70 -30" },
  { body: "back_leg", index: 3, sx: -1, sy: -1, ankleAxis: "-1 1 0", ankleRange: "-70 -30" },
  { body: "right_back_leg", index: 4, sx: 1, sy: -1, ankleAxis: "1 1 0", ankleRange: "30 70" },
];

function leg({ body, index, sx, sy, ankleAxis, ankleRange }: AntLeg): string {
  const p = (length: number) => `${sx * length} ${sy * length} 0`;
  return `
      <body name="${body}" pos="0 0 0">
        <geom name="aux_${index}_geom" type="capsule" fromto="0 0 0 ${p(0.2)}" size="0.08"/>
        <body name="aux_${index}" pos="${p(0.2)}">
          <joint name="hip_${index}" type="hinge" axis="0 0 1" pos="0 0 0" range="-30 30"/>
          <geom name="leg_${index}_geom" type="capsule" fromto="0 0 0 ${p(0.2)}" size="0.08"/>
          <body pos="${p(0.2)}">
            <joint name="ankle_${index}" type="hinge" axis="${ankleAxis}" pos="0 0 0" range="${ankleRange}"/>
            <geom name="ankle_${index}_geom" type="capsule" fromto="0 0 0 ${p(0.4)}" size="0.08"/>
          </body>
        </body>
      </body>`;
}

const motor = (joint: string) => `\n    <motor joint="${joint}" gear="150" ctrllimited="true" ctrlrange="-1 1"/>`;

export const ANT_XML = `<mujoco model="ant">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option integrator="RK4" timestep="0.01"/>
  <default>
    <joint armature="1" damping="1" limited="true"/>
    <geom conaffinity="0" condim="3" density="5.0" friction="1 0.5 0.5" margin="0.01"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 0" size="40 40 40" conaffinity="1" condim="3"/>
    <body name="torso" pos="0 0 0.75">
      <geom name="torso_geom" type="sphere" pos="0 0 0" size="0.25"/>
      <joint name="root" type="free" pos="0 0 0" armature="0" damping="0" limited="false" margin="0.01"/>${LEGS.map(leg).join("")}
    </body>
  </worldbody>
  <actuator>${["hip_4", "ankle_4", "hip_1", "ankle_1", "hip_2", "ankle_2", "hip_3", "ankle_3"].map(motor).join("")}
  </actuator>
</mujoco>
`;
