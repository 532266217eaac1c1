import type { SuiteDefinition } from "../apps/bench/src/suite.js";

/**
 * An investigation of `repro-smoothie`'s bandit result, where DDPG escaped the worse mode on 6/6 seeds
 * against the paper's "DDPG cannot escape the local optimum" (Nachum et al. 2018, §3 / §6.1). The
 * suspect: `repro-smoothie` gives every algorithm 500 uniform warm-up actions over [−2, 2], so the
 * critic is fitted on both modes before the first actor step; the paper's DDPG has no uniform
 * warm-up. Here the same bandit, algorithms and budget, with no warm-up: the first updates see only
 * what each policy's own exploration found. The prediction is in docs/evidence/predictions.md,
 * written before any run.
 */
export default {
  name: "smoothie-no-warmup",
  description: "Smoothie vs DDPG on the bimodal bandit started on the worse mode, without uniform warm-up (3k steps)",
  estimatedMinutes: 15,
  algorithms: [
    { algo: "smoothie" },
    { label: "smoothie-iw", algo: "smoothie", config: { initStd: 0.6, importanceWeights: true } },
    { algo: "ddpg" },
  ],
  envs: [{ id: "SmoothieBandit-v0", kwargs: { offset: 0.5, bound: 2 }, randomScore: 0, referenceScore: 1.5958 }],
  seeds: [0, 1, 2, 3, 4, 5],
  budget: { envSteps: 3000, warmupSteps: 0, updatesPerStep: 1 },
  evaluation: { every: 500, episodes: 1 },
  hidden: [64, 64],
  baseline: "ddpg",
} satisfies SuiteDefinition;
