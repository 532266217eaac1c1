export * from "./agent.js";
export * from "./bench.js";
export * from "./cdqn/index.js";
export * from "./config.js";
export * from "./errors.js";
export * from "./networks.js";
export * from "./representations/index.js";
export * from "./train.js";
