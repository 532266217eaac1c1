export { ANT_XML } from "./ant.js";
export { HALF_CHEETAH_XML } from "./half-cheetah.js";
export { HOPPER_XML } from "./hopper.js";
export { HUMANOID_XML } from "./humanoid.js";
export { INVERTED_DOUBLE_PENDULUM_XML } from "./inverted-double-pendulum.js";
export { INVERTED_PENDULUM_XML } from "./inverted-pendulum.js";
export { REACHER_XML } from "./reacher.js";
export { SWIMMER_XML } from "./swimmer.js";
export { type Walker2dAssetVersion, walker2dXml } from "./walker2d.js";
