import type { SuiteDefinition } from "../apps/bench/src/suite.js";

/**
 * SAVO's checkable claims (Jain et al. 2024) at a budget 2 CPU cores can afford; the prediction for
 * each was written in docs/evidence/predictions.md before the first run.
 *
 * 1. Figure 8: SAVO beats TD3, Wolpertinger-style sampling and an actor ensemble on the restricted
 *    Inverted Pendulum (valid actions a union of small intervals, so Q(s, ·) has many local optima)
 *    and on MineWorld (a large discrete action set through 1-NN snapping).
 * 2. Figure 11c: at evaluation, the maximizer over all k actors (μM) beats the first actor μ alone
 *    — `savo-first-actor` trains exactly as `savo` and evaluates μ only.
 * 3. Figure 10: "− Approximation" (the successive actors ascend max{Q, τ} itself, no learned
 *    surrogate) hurts most on the discrete task.
 *
 * Scaled budget: 20k env steps (the paper: 2M MuJoCo / 10M MineWorld), 64-64 networks. SAVO's ε
 * noise schedule decays over the first quarter of the run, as the paper's 5×10⁵ of 2×10⁶ steps
 * (Table 2): kept at the paper's 5×10⁵ it would stay at full noise for the whole of this budget.
 */
const savoAtThisBudget = { epsilon: { start: 1, end: 0.01, decaySteps: 5000 } };

export default {
  name: "repro-savo",
  description:
    "SAVO vs TD3, Wolpertinger, Ensemble; μ-only evaluation and − Approximation: restricted Inverted Pendulum and MineWorld (20k steps)",
  estimatedMinutes: 120,
  algorithms: [
    { algo: "savo", config: savoAtThisBudget },
    { label: "savo-first-actor", algo: "savo", config: { ...savoAtThisBudget, inference: "firstActor" } },
    { label: "savo-exact", algo: "savo", config: { ...savoAtThisBudget, surrogate: "exact" } },
    { algo: "td3" },
    { algo: "wolpertinger" },
    { algo: "ensemble" },
  ],
  envs: [
    { id: "InvertedPendulumRestricted-v5", randomScore: 0, referenceScore: 1000 },
    { id: "MineWorld-v0", actionRepresentation: true },
  ],
  seeds: [0, 1, 2, 3, 4],
  budget: { envSteps: 20_000, warmupSteps: 1000, updatesPerStep: 1 },
  evaluation: { every: 2000, episodes: 5 },
  hidden: [64, 64],
  baseline: "td3",
} satisfies SuiteDefinition;
