import type { SuiteDefinition } from "../apps/bench/src/suite.js";

/**
 * QMLE against the deterministic and stochastic actor-critics on DeepMind Control Suite tasks
 * (qmle.md §5–6; the paper's App. C compares with TD3 and SAC, and its headline claim is ≥ DDPG).
 * Three low-dimensional tasks (d = 1, 1, 2) at a small budget of 50k env steps, 3 seeds: a check
 * of the ordering at small scale, not the paper's 1M–10M-step curves.
 *
 * QMLE runs the paper's settings (m = 1000 acting / 100 + prior for targets, batch 256, one
 * update per 10 env steps on its own schedule, target copy every 2000 steps, ε = 0.1, PER) with
 * stream width = half the suite's hidden width, so its joint head is 256 wide like the critics'
 * layers and the streams are the paper's 128. The actor-critics update once per env step (the bench's updatesPerStep), so QMLE gets a
 * tenth of their gradient updates, as in the paper.
 *
 * Scores are normalised between a uniform-random policy (mean of 10 episodes, measured here) and
 * A3C after 10⁸ steps (Tassa et al. 2018, qmle.md §6.3), the level the paper says QMLE exceeds on
 * every task.
 *
 * Time on 2 CPU cores with 2 workers, from `pnpm --filter @qscape/qmle bench` (measured under
 * contention): QMLE ≈ 31 ms per env step (act over 1000 candidates ≈ 10 ms, plus a tenth of a
 * 0.15 s update), TD3 ≈ 13 ms. Per 50k-step run with evaluations: QMLE ≈ 28 min, TD3 ≈ 11; SAC
 * (≈ 16) and DDPG (≈ 8) are estimates relative to TD3, not measured. 4 algorithms × 3 tasks × 3
 * seeds ≈ 570 run-minutes / 2 workers ≈ 5 hours.
 */
export default {
  name: "qmle-dmc",
  description: "QMLE vs DDPG, TD3 and SAC on DMC cartpole swingup, pendulum swingup and finger spin (50k steps)",
  estimatedMinutes: 300,
  algorithms: [{ algo: "qmle" }, { algo: "ddpg" }, { algo: "td3" }, { algo: "sac" }],
  envs: [
    { id: "dmc/cartpole-swingup", randomScore: 26.4, referenceScore: 558.4 },
    { id: "dmc/pendulum-swingup", randomScore: 1.2, referenceScore: 48.6 },
    { id: "dmc/finger-spin", randomScore: 0.4, referenceScore: 129.4 },
  ],
  seeds: [0, 1, 2],
  budget: { envSteps: 50_000, warmupSteps: 1000, updatesPerStep: 1 },
  evaluation: { every: 10_000, episodes: 3 },
  hidden: [256, 256],
  baseline: "ddpg",
} satisfies SuiteDefinition;
