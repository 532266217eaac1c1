export * from "./agent.js";
export * from "./config.js";
export * from "./train.js";
export * from "./bench.js";
