/**
 * Swimmer (Gymnasium `swimmer.xml` facts): three capsule links (length 1, r 0.1, density 1000) in a viscous
 * fluid (density 4000, viscosity 0.1), planar root (slide x, slide y, hinge z), two ±100° joints with gear 150,
 * RK4 at 0.01 s, no contacts.
 */
export const SWIMMER_XML = `<mujoco model="swimmer">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option density="4000" integrator="RK4" timestep="0.01" viscosity="0.1"/>
  <default>
    <geom conaffinity="0" condim="1" contype="0"/>
    <joint armature="0.1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 -0.1" size="40 40 0.1" condim="3"/>
    <body name="torso" pos="0 0 0">
      <geom type="capsule" fromto="1.5 0 0 0.5 0 0" size="0.1" density="1000"/>
      <joint name="slider1" type="slide" axis="1 0 0" pos="0 0 0" limited="false"/>
      <joint name="slider2" type="slide" axis="0 1 0" pos="0 0 0" limited="false"/>
      <joint name="free_body_rot" type="hinge" axis="0 0 1" pos="0 0 0" limited="false"/>
      <body name="mid" pos="0.5 0 0">
        <geom type="capsule" fromto="0 0 0 -1 0 0" size="0.1" density="1000"/>
        <joint name="motor1_rot" type="hinge" axis="0 0 1" pos="0 0 0" limited="true" range="-100 100"/>
        <body name="back" pos="-1 0 0">
          <geom type="capsule" fromto="0 0 0 -1 0 0" size="0.1" density="1000"/>
          <joint name="motor2_rot" type="hinge" axis="0 0 1" pos="0 0 0" limited="true" range="-100 100"/>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor joint="motor1_rot" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="motor2_rot" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`;
