export * from "./agent.js";
export * from "./bench.js";
export * from "./config.js";
export * from "./networks.js";
