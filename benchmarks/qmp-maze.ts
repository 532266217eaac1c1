import type { SuiteDefinition } from "../apps/bench/src/suite.js";

/**
 * QMP on the 3-task LARGE maze (MazeLargeMT3-v0: T0, T4, T8 of the ten start/goal tasks; QMP
 * App. D D.2, the subset of App. E.4), against No-Sharing and the QMP-Uniform ablation.
 *
 * What it checks: Table D.2's Maze ordering at a scaled budget, QMP (H = 1) and QMP with the
 * H = 25 hold above No-Sharing (paper, final success: No-Sharing 57.9 %, QMP 72.9 %, QMP H = 25
 * 99.9 %; 10 tasks, 12 M env steps, 5 seeds, GPU), and QMP-Uniform (§5.7.4) below QMP. The score
 * is the mean success over the three tasks of each task's own deterministic policy π_i (§8), 10
 * episodes per task per evaluation; the report adds per-task success curves and the Q-switch's
 * selection frequencies (task × policy that acted, over training; §5.7.2's analysis).
 *
 * Scaled settings, the same for all four: 240k env steps over the tasks (80k per task, against
 * the paper's 1.2 M per task on ten tasks); Table D.4's Maze ratio (600 env and 100 gradient
 * steps per task per epoch, batch 256, lr 3e-4) with the minimum buffer at 3000; 2 × 256 ReLU
 * networks; log σ in [−5, 2] (see the package README's caveat on [−20, 2]). Absolute numbers will
 * not match the paper's (our point-mass dynamics, fewer steps, CPU); the claim checked is the
 * ordering.
 *
 * Time on 2 CPU cores (2 workers): ≈ 2 h, `pnpm bench list`'s figure from the speeds `pnpm bench
 * calibrate` measured on this task set with the native kernels (11–14 min per run: 133 epochs, 39k
 * gradient steps; an earlier hand estimate counted 400 epochs and said 14 h). Not run here. A smoke run,
 * `pnpm bench qmp-maze --seeds 2 --steps 1800` (one epoch per run, no updates yet, two
 * evaluations), took 2.5 min on the shared 2 cores; apps/bench/test/multitask.test.ts runs a
 * tiny-network suite of its own with updates, a SIGKILL and a resume.
 */
const scaled = {
  sac: { batchSize: 256, logStdMin: -5, logStdMax: 2 },
  envStepsPerUpdate: 600,
  gradStepsPerUpdate: 100,
  minBufferSize: 3000,
};

export default {
  name: "qmp-maze",
  description: "QMP, QMP H=25, No-Sharing, QMP-Uniform on MazeLargeMT3-v0 (mean success over 3 tasks, 240k steps)",
  estimatedMinutes: 120,
  algorithms: [
    { label: "qmp", algo: "qmp", config: scaled },
    { label: "qmp-h25", algo: "qmp-h", config: { ...scaled, holdSteps: 25 } },
    { label: "no-sharing", algo: "no-sharing", config: scaled },
    { label: "qmp-uniform", algo: "qmp-uniform", config: scaled },
  ],
  envs: [{ id: "MazeLargeMT3-v0" }],
  seeds: [0, 1, 2, 3, 4],
  // Multi-task runs: warm-up and updates per step give way to each algorithm's epoch (above).
  budget: { envSteps: 240_000, warmupSteps: 0 },
  evaluation: { every: 9_000, episodes: 10 },
  hidden: [256, 256],
  baseline: "no-sharing",
} satisfies SuiteDefinition;
