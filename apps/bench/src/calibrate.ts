/**
 * `pnpm bench calibrate [suite …]`: measure the per-algorithm speeds that `pnpm bench list`
 * estimates suite durations from. For every (algorithm, env, widths) a suite uses and
 * `benchmarks/speeds.json` lacks, one short run (one seed, a few hundred updates past a short
 * warm-up, one evaluation) goes through the normal executor — the same worker processes, backend and
 * IPC as a real suite — and its phase timings become that pair's speeds.
 *
 * On a task set the run is the algorithm's own epochs (QMP Algorithm 4): it lasts to the end of the
 * first epoch with gradient updates — every task's buffer at its minimum, then one epoch — so it
 * times collection, updates and two evaluations; `--steps` does not apply there. An on-policy
 * learner's run is `--steps` rounded up to whole rollouts, so it times at least one update; a
 * learner that waits `learningStarts` steps before its first update runs `--steps` past the wait.
 */
import path from "node:path";
import { multiTaskStepsToFirstUpdate } from "@qscape/core";
import type { ResultsDb } from "./db/index.js";
import { executeSuite } from "./executor.js";
import type { Progress } from "./progress.js";
import { type ScheduleOf, type SpeedsFile, speedsFromResults } from "./speeds.js";
import { configOn, expandRuns, isTaskSet, parseSuite, protocolOf, type Suite } from "./suite.js";

export interface CalibrationOptions {
  /** Env steps per single-env calibration run (off-policy updates start after a quarter of them). */
  steps: number;
  workers: number;
  /** Measure again pairs `speeds.json` already has. */
  fresh: boolean;
  checkpointRoot: string;
  progress: Progress;
  stop: AbortSignal;
}

/** The short suites that measure what `suites` need and `known` lacks: one per (suite, env). */
export function calibrationSuites(
  suites: Suite[],
  known: SpeedsFile | null,
  opts: { steps: number; fresh: boolean; scheduleOf?: ScheduleOf },
) {
  // An entry whose run saw no update (an on-policy rollout or a multi-task epoch longer than the
  // run) is measured again.
  const measured = (known?.entries ?? []).filter((e) => e.updateSeconds > 0);
  const have = new Set(opts.fresh ? [] : measured.map((e) => `${e.algo}|${e.env}|${e.hidden.join("x")}`));
  const planned = new Set<string>();
  const out: Suite[] = [];
  for (const suite of suites) {
    for (const env of suite.envs) {
      const multiTask = isTaskSet(env.id);
      // Each run must reach an update: an on-policy learner's first full rollout, a multi-task
      // algorithm's first epoch with updates. One whose entry gives no epoch cannot be priced: not measured either.
      const stepsOf = new Map(
        suite.algorithms.map((a) => {
          const schedule = opts.scheduleOf?.(suite, a, env) ?? {};
          if (multiTask) return [a, schedule.epoch ? multiTaskStepsToFirstUpdate(schedule.epoch) : null] as const;
          // A learner that waits before its first update runs `steps` past that wait.
          const steps = opts.steps + (schedule.learningStarts ?? 0);
          const rollout = schedule.rolloutSteps;
          return [a, rollout ? Math.ceil(steps / rollout) * rollout : steps] as const;
        }),
      );
      const algos = suite.algorithms.filter((a) => {
        const key = `${a.algo}|${env.id}|${suite.hidden.join("x")}`;
        if (have.has(key) || planned.has(key) || stepsOf.get(a) == null) return false;
        planned.add(key);
        return true;
      });
      if (algos.length === 0) continue;
      const steps = Math.max(...algos.map((a) => stepsOf.get(a) ?? 0));
      const warmup = multiTask ? 0 : Math.min(suite.budget.warmupSteps, Math.floor(steps / 4));
      out.push(
        parseSuite(
          {
            // The budget is in the name: the calibration store refuses to change a stored suite's
            // protocol, and a pair measured again (a longer run: a rollout, an epoch) is a new suite.
            name: `calibrate-${suite.name}-${env.id.replace(/[^a-zA-Z0-9]+/g, "-").toLowerCase()}-${steps}`,
            description: `speeds of ${suite.name}'s algorithms on ${env.id}`,
            estimatedMinutes: 1,
            // One entry per algorithm id: its speed stands for every label of it in the suite.
            algorithms: algos.map((a) => ({ algo: a.algo, config: configOn(a, env) })),
            envs: [{ ...env, algorithmConfig: {} }],
            seeds: [0],
            budget: { envSteps: steps, warmupSteps: warmup, updatesPerStep: suite.budget.updatesPerStep },
            evaluation: { every: steps, episodes: Math.min(suite.evaluation.episodes, 3) },
            hidden: suite.hidden,
            plugins: suite.plugins,
          },
          "calibration suite",
        ),
      );
    }
  }
  return out;
}

/** Run the calibration suites into `db`; returns the speeds of every finished calibration run in it. */
export async function calibrate(db: ResultsDb, suites: Suite[], backend: string, opts: CalibrationOptions) {
  let failed = 0;
  for (const suite of suites) {
    if (opts.stop.aborted) break;
    db.ensureSuite(suite.name, { description: suite.description, protocol: protocolOf(suite, backend) });
    const summary = await executeSuite(db, suite, expandRuns(suite), {
      workers: opts.workers,
      checkpointRoot: path.join(opts.checkpointRoot, suite.name),
      checkpointEvery: suite.budget.envSteps,
      progress: opts.progress,
      stop: opts.stop,
    });
    failed += summary.failed.length;
    if (summary.storeError !== null) throw new Error(`the calibration store refused a write: ${summary.storeError}`);
  }
  return { speeds: speedsFromResults(db), failed };
}
