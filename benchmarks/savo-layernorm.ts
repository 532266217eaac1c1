import type { SuiteDefinition } from "../apps/bench/src/suite.js";

/**
 * An investigation, not a claim of the paper: why SAVO does not beat TD3 in the default suite
 * (`Bandit2D-v0`, 10 seeds × 3000 steps). The trace in docs/evidence/savo-bandit2d-trace.md shows
 * SAVO's later actors reaching the better optimum, overshooting it and saturating tanh at a corner
 * of the action box. Two differences from the released code could matter:
 *
 * - `actorLayerNorm`: SAVO's released code puts LayerNorm on every actor layer, the output layer
 *   included (the paper does not mention it). Tested on SAVO and, as its control, on TD3.
 * - the ε schedule: the paper's decays over 5×10⁵ steps (Table 2), so a 3000-step run keeps full
 *   noise throughout; `savo-eps` decays it over this run's 2500 learning steps instead.
 *
 * Everything else is the default suite's. The predictions are in docs/evidence/predictions.md,
 * written before the first run. ≈ 12 min on 2 cores (`pnpm bench list`, from the measured speeds of td3 and savo).
 */
export default {
  name: "savo-layernorm",
  description:
    "Why SAVO does not win on Bandit2D-v0: TD3 and SAVO with and without the released code's actor LayerNorm, and SAVO with ε decayed within the run",
  algorithms: [
    { algo: "td3" },
    { algo: "savo" },
    { label: "td3-ln", algo: "td3", config: { actorLayerNorm: true } },
    { label: "savo-ln", algo: "savo", config: { actorLayerNorm: true } },
    { label: "savo-eps", algo: "savo", config: { epsilon: { start: 1, end: 0.01, decaySteps: 2500 } } },
  ],
  envs: [{ id: "Bandit2D-v0", randomScore: 0, referenceScore: 1 }],
  seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  budget: { envSteps: 3000, warmupSteps: 500, updatesPerStep: 1 },
  evaluation: { every: 250, episodes: 1 },
  hidden: [64, 64],
  baseline: "savo",
} satisfies SuiteDefinition;
