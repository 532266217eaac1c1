/**
 * Bench-only fixtures (`@qscape/testing`, private, never published): the PyTorch TD3 peer runner and the
 * TD3-shaped reference learner that `bench:core`, `bench:native` and `bench:baselines` measure.
 */
export * from "./td3-shaped-learner.js";
export * from "./torch-peer.js";
