export * from "./common/config.js";
export * from "./common/critic.js";
export * from "./common/spaces.js";
export * from "./td3/agent.js";
export * from "./td3/config.js";
export * from "./td3/networks.js";
