import type { SuiteDefinition } from "../apps/bench/src/suite.js";

/**
 * SAVO paper, large discrete action spaces (Figure 8, MineWorld and RecSim): every learner acts in
 * the item-representation space and its proposals are snapped to the nearest item (1-NN), so TD3
 * here is "TD3 + 1-NN" and Wolpertinger searches k nearest items. Paper budget 10M env steps,
 * 10 seeds; this suite uses the official code's one update per env step. Far beyond 2 CPU cores
 * (years): shrink with --steps/--seeds, or run on more machines.
 */
export default {
  name: "savo-discrete",
  description:
    "SAVO vs TD3+1-NN, Wolpertinger (k-NN) and Ensemble on MineWorld and RecSim (10k items), 10M steps, 10 seeds",
  estimatedMinutes: 1_500_000,
  algorithms: [{ algo: "savo" }, { algo: "td3" }, { algo: "wolpertinger" }, { algo: "ensemble" }],
  envs: [
    { id: "MineWorld-v0", actionRepresentation: true },
    { id: "RecSim-v0", actionRepresentation: true },
  ],
  seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  budget: { envSteps: 10_000_000, warmupSteps: 10_000, updatesPerStep: 1 },
  evaluation: { every: 100_000, episodes: 64 },
  hidden: [256, 256],
  baseline: "td3",
} satisfies SuiteDefinition;
