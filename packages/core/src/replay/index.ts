export * from "./multi-task.js";
export * from "./n-step.js";
export * from "./prioritized.js";
export * from "./replay-buffer.js";
export * from "./sum-tree.js";
