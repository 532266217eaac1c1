export * from "./agent.js";
export * from "./bench.js";
export * from "./chain.js";
export * from "./config.js";
export * from "./landscape.js";
export * from "./networks.js";
export * from "./sac-agent.js";
export * from "./sac-config.js";
