/**
 * DMC pendulum (facts of dm_control `suite/pendulum.xml`): a 1 kg point-like bob (sphere, radius 0.05) 0.5 m out
 * on a massless rod, on a hinge about y at height 0.6 with damping 0.1; one motor, gear 1, ctrl in [−1, 1]
 * (too weak to lift the bob directly: it must be swung up). 0.02 s Euler steps, contacts disabled.
 * The sensor reads the pole frame's z-axis: [xz, yz, zz] of its rotation matrix (DMC reads `xmat`).
 * Floor, cameras, light and materials are visual only and left out.
 */
export const DMC_PENDULUM_XML = `<mujoco model="dmc-pendulum">
  <option timestep="0.02">
    <flag contact="disable" energy="enable"/>
  </option>
  <worldbody>
    <body name="pole" pos="0 0 0.6">
      <joint name="hinge" type="hinge" axis="0 1 0" damping="0.1"/>
      <geom name="pole" type="capsule" fromto="0 0 0 0 0 0.5" size="0.02" mass="0"/>
      <geom name="mass" type="sphere" pos="0 0 0.5" size="0.05" mass="1"/>
    </body>
  </worldbody>
  <actuator>
    <motor name="torque" joint="hinge" gear="1" ctrlrange="-1 1" ctrllimited="true"/>
  </actuator>
  <sensor>
    <framezaxis name="pole_zaxis" objtype="xbody" objname="pole"/>
  </sensor>
</mujoco>
`;
