export * from "./order-enforcing.js";
export * from "./passive-env-checker.js";
export * from "./time-limit.js";
export * from "./validate-step.js";
