/**
 * DMC cheetah (facts of dm_control `suite/cheetah.xml`): the planar half-cheetah, total mass scaled to 14 kg.
 * Torso capsule from x = −0.5 to 0.5 (radius 0.046) with a head capsule; back leg thigh/shin/foot and front leg
 * thigh/shin/foot capsules (radius 0.046) on hinges about y with per-joint stiffness and damping (armature 0.1);
 * the root is free in x, z and pitch (no damping, armature or stiffness). Geoms collide with friction 0.4, 0.1,
 * 0.1. Motors with gears 120, 90, 60 (back) and 90, 60, 30 (front), ctrl in [−1, 1]. 0.01 s Euler steps.
 * `torso_subtreelinvel` is the centre-of-mass velocity of the whole body (the reward's speed).
 * Cameras, light and materials are visual only and left out.
 */

/** Leg joints in qpos order (after rootx, rootz, rooty), ranges in degrees. */
export const CHEETAH_LEG_JOINTS = [
  { name: "bthigh", range: [-30, 60] },
  { name: "bshin", range: [-50, 50] },
  { name: "bfoot", range: [-230, 50] },
  { name: "fthigh", range: [-57, 0.4] },
  { name: "fshin", range: [-70, 50] },
  { name: "ffoot", range: [-28, 28] },
] as const;

const range = (i: number) => CHEETAH_LEG_JOINTS[i]?.range.join(" ");

export const DMC_CHEETAH_XML = `<mujoco model="dmc-cheetah">
  <compiler settotalmass="14"/>
  <option timestep="0.01"/>
  <default>
    <default class="cheetah">
      <joint type="hinge" axis="0 1 0" limited="true" damping="0.01" armature="0.1" stiffness="8"/>
      <geom contype="1" conaffinity="1" condim="3" friction="0.4 0.1 0.1"/>
    </default>
    <default class="root">
      <joint limited="false" damping="0" armature="0" stiffness="0"/>
    </default>
    <motor ctrllimited="true" ctrlrange="-1 1"/>
  </default>
  <worldbody>
    <geom name="ground" type="plane" conaffinity="1" pos="98 0 0" size="100 1.25 0.5"/>
    <body name="torso" pos="0 0 0.7" childclass="cheetah">
      <joint name="rootx" type="slide" axis="1 0 0" class="root"/>
      <joint name="rootz" type="slide" axis="0 0 1" class="root"/>
      <joint name="rooty" type="hinge" axis="0 1 0" class="root"/>
      <geom name="torso" type="capsule" fromto="-0.5 0 0 0.5 0 0" size="0.046"/>
      <geom name="head" type="capsule" pos="0.6 0 0.1" euler="0 50 0" size="0.046 0.15"/>
      <body name="bthigh" pos="-0.5 0 0">
        <joint name="bthigh" range="${range(0)}" stiffness="240" damping="6"/>
        <geom name="bthigh" type="capsule" pos="0.1 0 -0.13" euler="0 -218 0" size="0.046 0.145"/>
        <body name="bshin" pos="0.16 0 -0.25">
          <joint name="bshin" range="${range(1)}" stiffness="180" damping="4.5"/>
          <geom name="bshin" type="capsule" pos="-0.14 0 -0.07" euler="0 -116 0" size="0.046 0.15"/>
          <body name="bfoot" pos="-0.28 0 -0.14">
            <joint name="bfoot" range="${range(2)}" stiffness="120" damping="3"/>
            <geom name="bfoot" type="capsule" pos="0.03 0 -0.097" euler="0 -15 0" size="0.046 0.094"/>
          </body>
        </body>
      </body>
      <body name="fthigh" pos="0.5 0 0">
        <joint name="fthigh" range="${range(3)}" stiffness="180" damping="4.5"/>
        <geom name="fthigh" type="capsule" pos="-0.07 0 -0.12" euler="0 30 0" size="0.046 0.133"/>
        <body name="fshin" pos="-0.14 0 -0.24">
          <joint name="fshin" range="${range(4)}" stiffness="120" damping="3"/>
          <geom name="fshin" type="capsule" pos="0.065 0 -0.09" euler="0 -34 0" size="0.046 0.106"/>
          <body name="ffoot" pos="0.13 0 -0.18">
            <joint name="ffoot" range="${range(5)}" stiffness="60" damping="1.5"/>
            <geom name="ffoot" type="capsule" pos="0.045 0 -0.07" euler="0 -34 0" size="0.046 0.07"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="bthigh" joint="bthigh" gear="120"/>
    <motor name="bshin" joint="bshin" gear="90"/>
    <motor name="bfoot" joint="bfoot" gear="60"/>
    <motor name="fthigh" joint="fthigh" gear="90"/>
    <motor name="fshin" joint="fshin" gear="60"/>
    <motor name="ffoot" joint="ffoot" gear="30"/>
  </actuator>
  <sensor>
    <subtreelinvel name="torso_subtreelinvel" body="torso"/>
  </sensor>
</mujoco>
`;
