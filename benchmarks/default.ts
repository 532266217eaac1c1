import type { SuiteDefinition } from "../apps/bench/src/suite.js";

/**
 * The suite `pnpm bench` runs with no arguments: small enough for ~10 minutes on 2 CPU cores, large
 * enough to show something true about proposal actors on a restricted action space.
 */
export default {
  name: "default",
  description: "TD3 vs DDPG on Pendulum (pipeline check while the method packages land)",
  estimatedMinutes: 10,
  algorithms: [{ algo: "td3" }, { algo: "ddpg" }],
  envs: [{ id: "Pendulum-v1", randomScore: -1200, referenceScore: -150 }],
  seeds: [0, 1, 2],
  budget: { envSteps: 6000, warmupSteps: 1000, updatesPerStep: 1 },
  evaluation: { every: 1000, episodes: 5 },
  hidden: [64, 64],
  baseline: "td3",
} satisfies SuiteDefinition;
