export * from "./agent.js";
export * from "./bench.js";
export * from "./config.js";
export * from "./mixtures.js";
export * from "./train.js";
