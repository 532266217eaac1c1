import type { SuiteDefinition } from "../apps/bench/src/suite.js";

/**
 * The suite `pnpm bench` runs with no arguments: ~10 minutes on 2 CPU cores. SAVO against TD3 and
 * an equally sized actor ensemble (k = 3) on a restricted action space, where the valid actions
 * are a union of hyperspheres and gradient ascent on Q gets stuck, and on a one-step multimodal
 * bandit (a toy Q-landscape with separated optima). Small networks and short budgets: a smoke
 * test of the claim, not the paper's numbers (see `restricted-locomotion` for those).
 */
export default {
  name: "default",
  description: "TD3 vs SAVO vs Ensemble (k=3) on InvertedPendulumRestricted and a 2-D multimodal bandit",
  estimatedMinutes: 10,
  algorithms: [{ algo: "td3" }, { algo: "savo" }, { algo: "ensemble" }],
  envs: [{ id: "InvertedPendulumRestricted-v5", randomScore: 0, referenceScore: 1000 }, { id: "Bandit2D-v0" }],
  seeds: [0, 1, 2],
  budget: { envSteps: 4000, warmupSteps: 500, updatesPerStep: 1 },
  evaluation: { every: 500, episodes: 5 },
  hidden: [64, 64],
  baseline: "td3",
} satisfies SuiteDefinition;
