import type { SuiteDefinition } from "../apps/bench/src/suite.js";

/**
 * AGILE (thesis Ch. 3 §3.6) on Dig Lava at a small budget: AGILE-PPO against Utility-Policy,
 * Mask-Output and Mask-Input-Output, every algorithm with the same env steps, seeds, evaluation
 * schedule and widths (hidden 64, Table B.4). The paper trains 8 × 10⁶ env steps; 60,000 here is
 * a smoke-scale comparison (see packages/agile/README.md for what it shows). Dig Lava has no
 * unseen actions (§B4.1): generalisation is over per-episode action sets, so the score is the
 * train-action return. PPO batch 16 × 128 = 2048 steps per update (the paper: 64 × 128). 5 seeds,
 * as the paper's Dig Lava runs.
 *
 * Time: ≈ 27 min on 2 cores, `pnpm bench list`'s figure from speeds `pnpm bench calibrate` measured
 * (one PPO update of 2048 steps: 4.5 s AGILE, 2.8 s Utility-Policy, 0.4–0.6 s the Mask baselines).
 */
export default {
  name: "agile-diglava",
  description: "AGILE-PPO vs Utility-Policy, Mask-Output, Mask-Input-Output on Dig Lava (60k steps)",
  estimatedMinutes: 27,
  algorithms: [
    { algo: "agile-ppo", config: { numEnvs: 16, numSteps: 128 } },
    { algo: "utility-policy", config: { numEnvs: 16, numSteps: 128 } },
    { algo: "mask-output", config: { numEnvs: 16, numSteps: 128 } },
    { algo: "mask-input-output", config: { numEnvs: 16, numSteps: 128 } },
  ],
  // Random play scores 0.067 (packages/envs/src/discrete/README.md); both digs offered, the best
  // return is ≈ 81.1.
  envs: [{ id: "DigLava-v0", randomScore: 0.067, referenceScore: 81.1 }],
  seeds: [0, 1, 2, 3, 4],
  budget: { envSteps: 60_000, warmupSteps: 0 },
  evaluation: { every: 10_000, episodes: 20 },
  hidden: [64, 64],
  baseline: "utility-policy",
} satisfies SuiteDefinition;
