export * from "./db/index.js";
export * from "./report/index.js";
export * from "./stats/index.js";
