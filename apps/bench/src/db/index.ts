export * from "./results.js";
export * from "./types.js";
