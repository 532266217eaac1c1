export * from "./async-vector-env.js";
export * from "./make-vec.js";
export * from "./sync-vector-env.js";
export * from "./vector-env.js";
