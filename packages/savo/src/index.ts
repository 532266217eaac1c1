export * from "./agent.js";
export * from "./chain.js";
export * from "./config.js";
export * from "./landscape.js";
export * from "./networks.js";
