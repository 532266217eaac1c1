/**
 * DMC cartpole (facts of dm_control `suite/cartpole.xml`, one pole): a 1 kg cart (box half-sizes 0.2 × 0.15 ×
 * 0.1) on a slider limited to ±1.8 m (damping 5e-4, soft limit solref 0.08 1), carrying a 1 m capsule pole
 * (radius 0.045, 0.1 kg) on a hinge about y (damping 2e-6). One motor on the slider, gear 10, ctrl in [−1, 1].
 * RK4 at 0.01 s, contacts disabled. The visual-only parts (floor, rails, cameras, materials) are left out.
 * The sensor reads the pole frame's z-axis: [xz, yz, zz] of its rotation matrix (DMC reads `xmat` directly).
 */
export const DMC_CARTPOLE_XML = `<mujoco model="dmc-cartpole">
  <option timestep="0.01" integrator="RK4">
    <flag contact="disable" energy="enable"/>
  </option>
  <worldbody>
    <body name="cart" pos="0 0 1">
      <joint name="slider" type="slide" axis="1 0 0" limited="true" range="-1.8 1.8" solreflimit="0.08 1" damping="5e-4"/>
      <geom name="cart" type="box" size="0.2 0.15 0.1" mass="1"/>
      <body name="pole_1">
        <joint name="hinge_1" type="hinge" axis="0 1 0" damping="2e-6"/>
        <geom name="pole_1" type="capsule" fromto="0 0 0 0 0 1" size="0.045" mass="0.1"/>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="slide" joint="slider" gear="10" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
  <sensor>
    <framezaxis name="pole_1_zaxis" objtype="xbody" objname="pole_1"/>
  </sensor>
</mujoco>
`;
