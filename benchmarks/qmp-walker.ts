import type { SuiteDefinition } from "../apps/bench/src/suite.js";

/**
 * QMP on the 4-task walker (Walker2dMT4-v0: forward, backward, balance under pushes, crawl under a
 * ceiling; QMP App. D D.4), against No-Sharing, with the H = 10 hold of Table D.2.
 *
 * What it checks: Table D.2's Walker ordering at a scaled budget, No-Sharing < QMP < QMP H = 10
 * (paper, final return: 3110 ± 220, 3205 ± 218, 3310 ± 203; 2 M env steps per task, 5 seeds, GPU).
 * The paper reports Walker as RETURN, and so does this suite: its score is the mean over the tasks of
 * π_i's deterministic return (10 episodes per task; the task set registers `score: "return"`), with
 * the per-task returns (`return/task<i>`) and survival rates (`success/task<i>`: reached step 1000
 * without falling or, crawling, touching the ceiling) stored beside it. The walker is Gymnasium's
 * Walker2d, not Lee et al.'s, and the rewards follow Lee et al.'s environments (envs'
 * `multitask/walker.ts`), so absolute returns will not match; the claim checked is the ordering.
 *
 * Scaled settings, the same for all three: 200k env steps over the tasks (50k per task, against the
 * paper's 2 M); Table D.4's Walker ratio (1000 env and 1500 gradient steps per task per epoch,
 * minimum buffer 2500 per task) and lr 3e-4; batch 256 (Table D.4 prints 2560, the released code
 * uses 32; see the spec's ambiguity #10: 256 is QMP's SAC default here); 2 × 256 ReLU networks;
 * log σ in [−5, 2] (the package README's caveat on [−20, 2]).
 *
 * Time on 2 CPU cores (2 workers): ≈ 12 h, `pnpm bench list`'s figure from the speeds `pnpm bench
 * calibrate` measured on this task set (≈ 20 ms per SAC gradient step × 288k per run, 80–100 min
 * per run; evaluation episodes were timed on untrained, short-lived walkers, so longer episodes
 * later in training add to it). Not run here.
 */
const scaled = {
  sac: { batchSize: 256, logStdMin: -5, logStdMax: 2 },
  envStepsPerUpdate: 1000,
  gradStepsPerUpdate: 1500,
  minBufferSize: 2500,
};

export default {
  name: "qmp-walker",
  description: "QMP, QMP H=10, No-Sharing on Walker2dMT4-v0 (mean return over 4 tasks, as Table D.2; 200k steps)",
  estimatedMinutes: 720,
  algorithms: [
    { label: "qmp", algo: "qmp", config: scaled },
    { label: "qmp-h10", algo: "qmp-h", config: { ...scaled, holdSteps: 10 } },
    { label: "no-sharing", algo: "no-sharing", config: scaled },
  ],
  envs: [{ id: "Walker2dMT4-v0" }],
  seeds: [0, 1, 2, 3, 4],
  // Multi-task runs: warm-up and updates per step give way to each algorithm's epoch (above).
  budget: { envSteps: 200_000, warmupSteps: 0 },
  evaluation: { every: 25_000, episodes: 10 },
  hidden: [256, 256],
  baseline: "no-sharing",
} satisfies SuiteDefinition;
