export * from "./agent.js";
export * from "./bench.js";
export * from "./config.js";
export * from "./dnc.js";
export * from "./train.js";
export * from "./uds.js";
