import type { SuiteDefinition } from "../apps/bench/src/suite.js";

/**
 * SAVO paper, restricted locomotion (Figure 8, restricted panels): valid actions are a union of
 * hyperspheres; 2M env steps as in the official code (one update per env step), 10 seeds,
 * evaluation every 10k steps. Normalisation: the untrained policy (0) and the best algorithm's
 * final score (1), as the paper's profiles. On 2 CPU cores this is months of compute
 * (~12 ms per TD3 update at 256-256 on wasm+native, SAVO ~3×): run it on more machines, or
 * shrink it with --envs/--seeds/--steps.
 */
export default {
  name: "savo-restricted",
  description:
    "SAVO vs TD3, Wolpertinger, Ensemble, CEM, Greedy-AC/TD3 and SAC on restricted Hopper, Walker2d, IP, IDP (2M steps, 10 seeds)",
  estimatedMinutes: 96_000,
  algorithms: [
    { algo: "savo" },
    { algo: "td3" },
    { algo: "wolpertinger" },
    { algo: "ensemble" },
    { algo: "cem" },
    { algo: "greedy-ac" },
    { algo: "greedy-td3" },
    { algo: "sac" },
  ],
  envs: [
    { id: "HopperRestricted-v5" },
    { id: "Walker2dRestricted-v5" },
    { id: "InvertedPendulumRestricted-v5" },
    { id: "InvertedDoublePendulumRestricted-v5" },
  ],
  seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  budget: { envSteps: 2_000_000, warmupSteps: 10_000, updatesPerStep: 1 },
  evaluation: { every: 10_000, episodes: 50 },
  hidden: [256, 256],
  baseline: "td3",
} satisfies SuiteDefinition;
