import type { SuiteDefinition } from "../apps/bench/src/suite.js";

/**
 * Smoothie's checkable claims (Nachum et al. 2018) at a budget 2 CPU cores can afford; the
 * prediction for each was written in docs/evidence/predictions.md before the first run.
 *
 * 1. §3 / §6.1, the synthetic bandit: "DDPG cannot escape the local optimum"; the smoothed critic
 *    "clearly points μ toward the better Gaussian". `SmoothieBandit-v0` with `offset: 0.5` puts the
 *    worse mode (r = 0.80) at a = 0, where every freshly initialised policy's mean starts (the
 *    paper's "policy mean initialised on the worse Gaussian"), the better one (r = 1.60) at 1.5;
 *    actions boxed to ±2 so DDPG's tanh head can reach it. Smoothie runs with the paper's defaults
 *    and as `smoothie-iw` (σ₀ = 0.6, importance weights 1/q(ã)), the variant that removes a learned
 *    critic's posterior-shrinkage bias (see the package README); neither was tuned here.
 * 2. §6.2, "competitively or better across all tasks … on Hopper the average reward is doubled"
 *    (vs DDPG): Hopper-v5 at 30k env steps with 64-64 networks, far below the paper's millions of
 *    steps — an early-learning check of the ordering, not of the final returns.
 *
 * Duration: `pnpm bench list` (from measured speeds, benchmarks/speeds.json).
 */
export default {
  name: "repro-smoothie",
  description:
    "Smoothie vs DDPG: bimodal bandit started on the worse mode (3k steps) and Hopper-v5 early learning (30k steps)",
  estimatedMinutes: 90,
  algorithms: [
    { algo: "smoothie" },
    { label: "smoothie-iw", algo: "smoothie", config: { initStd: 0.6, importanceWeights: true } },
    { algo: "ddpg" },
  ],
  envs: [
    {
      id: "SmoothieBandit-v0",
      kwargs: { offset: 0.5, bound: 2 },
      randomScore: 0,
      referenceScore: 1.5958,
      envSteps: 3000,
      warmupSteps: 500,
      evaluation: { every: 500, episodes: 1 },
    },
    // Normalised from the untrained policy (0) to the TD3 paper's Hopper at 30k steps (~1000).
    { id: "Hopper-v5", randomScore: 0, referenceScore: 1000 },
  ],
  seeds: [0, 1, 2, 3, 4, 5],
  budget: { envSteps: 30_000, warmupSteps: 5000, updatesPerStep: 1 },
  evaluation: { every: 5000, episodes: 5 },
  hidden: [64, 64],
  baseline: "ddpg",
} satisfies SuiteDefinition;
