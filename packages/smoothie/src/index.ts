export * from "./actions.js";
export * from "./agent.js";
export * from "./bench.js";
export * from "./config.js";
export * from "./hessian.js";
export * from "./networks.js";
