/**
 * DMC acrobot (facts of dm_control `suite/acrobot.xml`, Coulom's model): two 1 m capsule links of 1 kg each
 * (radius 0.05 upper, 0.049 lower) hanging from a passive shoulder at height 2, hinges about y with damping 0.05;
 * only the elbow is driven (gear 2, ctrl in [−1, 1]). The target is a 0.2 m sphere site at height 4, straight
 * above the shoulder at full reach; the `tip` site ends the lower link. RK4 at 0.01 s, constraints disabled.
 * Sensors: both links' z-axes ([xz, yz, zz] of their rotation matrices; DMC reads `xmat`).
 * Floor, cameras, light and materials are visual only and left out.
 */

/** Radius of the target sphere (the reward's distance bound). */
export const ACROBOT_TARGET_RADIUS = 0.2;

export const DMC_ACROBOT_XML = `<mujoco model="dmc-acrobot">
  <option timestep="0.01" integrator="RK4">
    <flag constraint="disable" energy="enable"/>
  </option>
  <default>
    <joint damping="0.05"/>
    <geom type="capsule" mass="1"/>
  </default>
  <worldbody>
    <site name="target" type="sphere" pos="0 0 4" size="${ACROBOT_TARGET_RADIUS}"/>
    <body name="upper_arm" pos="0 0 2">
      <joint name="shoulder" type="hinge" axis="0 1 0"/>
      <geom name="upper_arm" fromto="0 0 0 0 0 1" size="0.05"/>
      <body name="lower_arm" pos="0 0 1">
        <joint name="elbow" type="hinge" axis="0 1 0"/>
        <geom name="lower_arm" fromto="0 0 0 0 0 1" size="0.049"/>
        <site name="tip" pos="0 0 1" size="0.01"/>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="elbow" joint="elbow" gear="2" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
  <sensor>
    <framezaxis name="upper_arm_zaxis" objtype="xbody" objname="upper_arm"/>
    <framezaxis name="lower_arm_zaxis" objtype="xbody" objname="lower_arm"/>
  </sensor>
</mujoco>
`;
