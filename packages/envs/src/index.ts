export * from "./checker.js";
export * from "./classic/index.js";
export * from "./env.js";
export * from "./errors.js";
export * from "./registry.js";
export * from "./spaces.js";
export * from "./wrappers/index.js";
export * from "./discrete/index.js";
