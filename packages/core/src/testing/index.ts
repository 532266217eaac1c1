/** Fixtures for benchmarks and tests (`@qscape/core/testing`), shared by core and the optional packages. */
export * from "./td3-shaped-learner.js";
export * from "./torch-peer.js";
