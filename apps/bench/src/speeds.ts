/**
 * Measured speeds, and suite durations estimated from them.
 *
 * A suite's wall time is dominated by three per-algorithm costs that barely depend on the seed:
 * one gradient update (algorithm × network widths), one env step with its action choice
 * (algorithm × env), and one evaluation episode. `pnpm bench calibrate` measures them with short
 * runs of every (algorithm, env, widths) a suite uses, and `pnpm bench speeds <results.db>` takes
 * them from finished runs; both merge into `benchmarks/speeds.json`, which `pnpm bench list` and
 * the run-start estimate read. An estimate says how many of its pairs were measured; pairs that
 * were not fall back to the same algorithm's speed on another env, and only a suite with no
 * measured pair at all shows its author's guess (`estimatedMinutes`).
 *
 * On a task set (multi-task runs) the same three costs are kept per task-set env step (summed over
 * tasks), per gradient update, and per evaluation episode (one deterministic episode on every
 * learning task); the run's gradient updates follow the algorithm's epoch (`MultiTaskEpoch`), not
 * the suite's warm-up and updates per step; an on-policy learner's (PPO, AGILE) are one per rollout.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import { type MultiTaskEpoch, multiTaskGradientUpdates } from "@qscape/core";
import { z } from "zod";
import type { ResultsDb } from "./db/index.js";
import { budgetOf, isTaskSet, type Suite } from "./suite.js";

export const SpeedEntrySchema = z
  .object({
    algo: z.string().min(1),
    env: z.string().min(1),
    hidden: z.array(z.number().int().positive()).min(1),
    /** Seconds per gradient update. */
    updateSeconds: z.number().nonnegative(),
    /** Seconds per training env step, the action choice included. */
    stepSeconds: z.number().nonnegative(),
    /** Seconds per evaluation episode (at the measured policy's episode length). */
    evalEpisodeSeconds: z.number().nonnegative(),
    /** Env steps the measurement covers. */
    envSteps: z.number().int().positive(),
    backend: z.string(),
  })
  .strict();
export type SpeedEntry = z.infer<typeof SpeedEntrySchema>;

export const SpeedsFileSchema = z
  .object({
    /** The machine class the figures were measured on, e.g. "2 × AMD EPYC …, wasm+native". */
    machine: z.string(),
    measuredAt: z.string(),
    entries: z.array(SpeedEntrySchema),
  })
  .strict();
export type SpeedsFile = z.infer<typeof SpeedsFileSchema>;

/** Process start, imports and backend set-up, paid once per worker and run (measured: ~2–4 s). */
const RUN_OVERHEAD_SECONDS = 3;

const keyOf = (algo: string, env: string, hidden: readonly number[]) => `${algo}|${env}|${hidden.join("x")}`;

export function readSpeeds(file: string): SpeedsFile | null {
  if (!existsSync(file)) return null;
  const parsed = SpeedsFileSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success)
    throw new Error(
      `${file}: not a speeds file: ${parsed.error.issues[0]?.path.join(".")} ${parsed.error.issues[0]?.message}`,
    );
  return parsed.data;
}

/** Merge new measurements into the file (a newer measurement of the same pair replaces the old). */
export function writeSpeeds(file: string, entries: SpeedEntry[]): SpeedsFile {
  const old = readSpeeds(file);
  const merged = new Map((old?.entries ?? []).map((e) => [keyOf(e.algo, e.env, e.hidden), e]));
  for (const e of entries) merged.set(keyOf(e.algo, e.env, e.hidden), e);
  const backends = [...new Set([...merged.values()].map((e) => e.backend))].join(", ");
  const cpu = os.cpus()[0]?.model.trim() ?? "unknown CPU";
  const out: SpeedsFile = {
    machine: `${os.availableParallelism()} × ${cpu}, ${backends}`,
    measuredAt: new Date().toISOString().slice(0, 10),
    entries: [...merged.values()].sort((a, b) =>
      keyOf(a.algo, a.env, a.hidden).localeCompare(keyOf(b.algo, b.env, b.hidden)),
    ),
  };
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(out, null, 2)}\n`);
  renameSync(tmp, file);
  return out;
}

/**
 * Per (algorithm, env, widths) speeds from a results store's finished runs, pooled over seeds:
 * each phase's seconds over the counts it covers.
 */
export function speedsFromResults(db: ResultsDb): SpeedEntry[] {
  const pooled = new Map<
    string,
    {
      algo: string;
      env: string;
      hidden: number[];
      backend: string;
      t: Record<string, number>;
      n: Record<string, number>;
    }
  >();
  for (const suite of db.suiteNames()) {
    for (const run of db.listRuns(suite)) {
      if (run.status !== "finished") continue;
      const cfg = RunConfigSchema.safeParse(run.config);
      if (!cfg.success) continue;
      const { algo, hidden, budget, evaluation } = cfg.data;
      const steps = run.counters.envSteps ?? budget.envSteps;
      // Single-env runs count `updates`; multi-task runs their learners' `gradientUpdates`.
      const updates = run.counters.updates ?? run.counters.gradientUpdates ?? 0;
      const t = Object.fromEntries(db.timings(run.id).map((r) => [r.phase, r.seconds]));
      // Multi-task runs stored before their phases were timed hold whole epochs only: nothing to price with.
      if (t.env === undefined && t.act === undefined) continue;
      const evals = Math.floor(steps / evaluation.every) + 1;
      const key = keyOf(algo, run.env, hidden);
      const p = pooled.get(key) ?? {
        algo,
        env: run.env,
        hidden,
        backend: run.backend ?? "unknown",
        t: { update: 0, step: 0, eval: 0 },
        n: { update: 0, step: 0, eval: 0 },
      };
      p.t.update = (p.t.update ?? 0) + (t.update ?? 0);
      p.n.update = (p.n.update ?? 0) + updates;
      p.t.step = (p.t.step ?? 0) + (t.env ?? 0) + (t.act ?? 0);
      p.n.step = (p.n.step ?? 0) + steps;
      p.t.eval = (p.t.eval ?? 0) + (t.eval ?? 0);
      p.n.eval = (p.n.eval ?? 0) + evals * evaluation.episodes;
      pooled.set(key, p);
    }
  }
  const per = (t: number | undefined, n: number | undefined) => (n ? (t ?? 0) / n : 0);
  return [...pooled.values()].map((p) => ({
    algo: p.algo,
    env: p.env,
    hidden: p.hidden,
    updateSeconds: per(p.t.update, p.n.update),
    stepSeconds: per(p.t.step, p.n.step),
    evalEpisodeSeconds: per(p.t.eval, p.n.eval),
    envSteps: p.n.step ?? 0,
    backend: p.backend,
  }));
}

/** The parts of a stored run's config the estimate needs (the rest is the algorithm's own). */
const RunConfigSchema = z.object({
  algo: z.string(),
  hidden: z.array(z.number().int().positive()),
  budget: z.object({ envSteps: z.number().int().positive() }),
  evaluation: z.object({ every: z.number().int().positive(), episodes: z.number().int().positive() }),
});

export interface SuiteEstimate {
  /** Wall minutes with `workers` workers; null when no pair of the suite was measured. */
  minutes: number | null;
  /** (algorithm, env) pairs of the suite, and how each was priced. */
  pairs: number;
  measured: number;
  /** Priced from the same algorithm and widths on another env. */
  borrowed: number;
  unmeasured: string[];
}

/**
 * How a pair's runs update, when not by the suite's warm-up and updates per step: a multi-task
 * algorithm's epoch on a task set, or an on-policy learner's one update per rollout.
 */
export interface UpdateSchedule {
  epoch?: MultiTaskEpoch;
  rolloutSteps?: number;
  /** Env steps before the learner's first update (the loop calls none before). */
  learningStarts?: number;
}

/** A pair's schedule (`algorithms.ts` asks the entry); null when the entry does not say. */
export type ScheduleOf = (
  suite: Suite,
  algorithm: Suite["algorithms"][number],
  env: Suite["envs"][number],
) => UpdateSchedule | null;

/**
 * The updates of a run of `envSteps` steps: the epochs' on a task set, one per full rollout
 * on-policy (the loop updates at every multiple of the rollout), else one burst per step past the warm-up.
 */
export function updatesOfRun(
  schedule: UpdateSchedule,
  budget: { envSteps: number; warmupSteps: number; updatesPerStep: number },
): number {
  if (schedule.epoch) return multiTaskGradientUpdates(schedule.epoch, budget.envSteps);
  const starts = schedule.learningStarts ?? 0;
  if (schedule.rolloutSteps) {
    // Updates at every multiple k·r of the rollout with k·r ≥ learningStarts.
    const first = Math.max(1, Math.ceil(starts / schedule.rolloutSteps));
    return Math.max(0, Math.floor(budget.envSteps / schedule.rolloutSteps) - first + 1);
  }
  return Math.max(0, budget.envSteps - Math.max(budget.warmupSteps, starts)) * budget.updatesPerStep;
}

/**
 * Wall time of a suite from measured speeds, runs spread evenly over `workers` workers. A pair on a
 * task set is priced only with its algorithm's epoch (`scheduleOf`): without one its update count
 * is unknown and the pair counts as unmeasured.
 */
export function estimateSuite(
  suite: Suite,
  speeds: SpeedsFile | null,
  workers = 2,
  scheduleOf: ScheduleOf = () => null,
): SuiteEstimate {
  const entries = speeds?.entries ?? [];
  const exact = new Map(entries.map((e) => [keyOf(e.algo, e.env, e.hidden), e]));
  const byAlgo = (algo: string) => entries.filter((e) => e.algo === algo && sameWidths(e.hidden, suite.hidden));
  let seconds = 0;
  let measured = 0;
  let borrowed = 0;
  const unmeasured: string[] = [];
  const { updatesPerStep } = suite.budget;
  for (const env of suite.envs) {
    const { envSteps, warmupSteps } = budgetOf(suite, env);
    const evaluation = env.evaluation ?? suite.evaluation;
    // Each evaluation also runs its episodes on every other action split the env entry asks for.
    const evalEpisodes =
      (Math.floor(envSteps / evaluation.every) + 1) * evaluation.episodes * (1 + env.evalSplits.length);
    const multiTask = isTaskSet(env.id);
    for (const a of suite.algorithms) {
      const schedule = scheduleOf(suite, a, env) ?? {};
      if (multiTask && !schedule.epoch) {
        unmeasured.push(`${a.label ?? a.algo} on ${env.id} (no epoch to count its updates)`);
        continue;
      }
      const updates = updatesOfRun(schedule, { envSteps, warmupSteps, updatesPerStep });
      // A calibration that saw no update (too short for a rollout or an epoch) measured no update cost.
      const usable = (e: SpeedEntry) => updates === 0 || e.updateSeconds > 0;
      let s = exact.get(keyOf(a.algo, env.id, suite.hidden));
      if (s && !usable(s)) {
        unmeasured.push(`${a.label ?? a.algo} on ${env.id} (its calibration saw no update)`);
        continue;
      }
      if (s) measured += 1;
      else {
        const others = byAlgo(a.algo).filter(usable);
        if (others.length > 0) {
          borrowed += 1;
          s = {
            ...(others[0] as SpeedEntry),
            updateSeconds: median(others.map((o) => o.updateSeconds)),
            stepSeconds: median(others.map((o) => o.stepSeconds)),
            evalEpisodeSeconds: median(others.map((o) => o.evalEpisodeSeconds)),
          };
        } else {
          unmeasured.push(`${a.label ?? a.algo} on ${env.id}`);
          continue;
        }
      }
      const run =
        RUN_OVERHEAD_SECONDS +
        envSteps * s.stepSeconds +
        updates * s.updateSeconds +
        evalEpisodes * s.evalEpisodeSeconds;
      seconds += run * suite.seeds.length;
    }
  }
  const pairs = suite.envs.length * suite.algorithms.length;
  if (measured + borrowed === 0) return { minutes: null, pairs, measured, borrowed, unmeasured };
  // Unpriced pairs cost what the priced ones cost on average, so the total is not an undercount.
  const priced = measured + borrowed;
  const total = (seconds * pairs) / priced;
  const runs = pairs * suite.seeds.length;
  return { minutes: total / Math.min(workers, runs) / 60, pairs, measured, borrowed, unmeasured };
}

function sameWidths(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** One line for `pnpm bench list` and the run start. */
export function describeEstimate(
  e: SuiteEstimate,
  guessMinutes: number | undefined,
  fmt: (m: number) => string,
): string {
  if (e.minutes === null)
    return guessMinutes === undefined
      ? "duration not measured (run `pnpm bench calibrate`)"
      : `~${fmt(guessMinutes)} on 2 cores (the suite author's guess: no measured speeds; run \`pnpm bench calibrate\`)`;
  const how =
    e.measured === e.pairs
      ? "measured speeds"
      : `measured speeds for ${e.measured} of ${e.pairs} pairs${e.borrowed ? `, ${e.borrowed} from the same algorithm on another env` : ""}${e.unmeasured.length ? `, ${e.unmeasured.length} unmeasured` : ""}`;
  return `~${fmt(e.minutes)} on 2 cores (${how})`;
}
