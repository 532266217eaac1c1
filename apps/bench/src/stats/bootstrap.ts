import { QscapeError, type Rng } from "@qscape/core";
import { type ScoreMatrix, type ScoresInput, toScoreMatrix } from "./matrix.js";

/** A point estimate with its confidence interval. */
export interface Interval {
  point: number;
  lo: number;
  hi: number;
}

export type CIMethod = "percentile" | "basic";

export interface BootstrapOptions {
  /** Bootstrap replicates; rliable's default for interval estimates is 50,000 (2,000 for profiles). */
  reps?: number;
  /** Two-sided confidence level. */
  confidence?: number;
  /** 'percentile' (rliable's default) or 'basic' (reflected percentile). */
  method?: CIMethod;
  /** Seeded generator; rliable's global-numpy quirk is replaced by this explicit stream. */
  rng: Rng;
}

export const INTERVAL_REPS = 50_000;
export const PROFILE_REPS = 2_000;

/**
 * Linear-interpolation quantile of sorted values (numpy.percentile's default), q in [0, 1].
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError("quantileSorted: no values");
  const pos = q * (n - 1);
  const i = Math.floor(pos);
  const frac = pos - i;
  const a = sorted[i] as number;
  return frac === 0 || i + 1 >= n ? a : a + frac * ((sorted[i + 1] as number) - a);
}

function checkOptions(opts: BootstrapOptions, defaultReps: number): Required<BootstrapOptions> {
  const reps = opts.reps ?? defaultReps;
  const confidence = opts.confidence ?? 0.95;
  const method = opts.method ?? "percentile";
  if (!Number.isInteger(reps) || reps < 1)
    throw new QscapeError(`bootstrap: reps must be a positive integer, got ${reps}`);
  if (!(confidence > 0 && confidence < 1))
    throw new QscapeError(`bootstrap: confidence must be in (0, 1), got ${confidence}`);
  if (method !== "percentile" && method !== "basic") throw new QscapeError(`bootstrap: unknown CI method '${method}'`);
  return { reps, confidence, method, rng: opts.rng };
}

/**
 * Turns bootstrap replicates (reps × k, one column per statistic) into intervals around the point
 * estimates.
 */
function intervalsFrom(
  point: ArrayLike<number>,
  replicates: Float64Array,
  reps: number,
  confidence: number,
  method: CIMethod,
): Interval[] {
  const k = point.length;
  const tail = (1 - confidence) / 2;
  const column = new Float64Array(reps);
  const out: Interval[] = [];
  for (let j = 0; j < k; j++) {
    for (let b = 0; b < reps; b++) column[b] = replicates[b * k + j] as number;
    column.sort();
    const qLo = quantileSorted(column, tail);
    const qHi = quantileSorted(column, 1 - tail);
    const p = point[j] as number;
    out.push(method === "percentile" ? { point: p, lo: qLo, hi: qHi } : { point: p, lo: 2 * p - qHi, hi: 2 * p - qLo });
  }
  return out;
}

/** Fills `out` with a stratified resample of `m`: run indices drawn with replacement within each task. */
function resampleWithinTasks(m: ScoreMatrix, out: Float64Array, rng: Rng): void {
  const { runs, tasks, data } = m;
  for (let t = 0; t < tasks; t++) {
    for (let r = 0; r < runs; r++) out[r * tasks + t] = data[rng.int(0, runs) * tasks + t] as number;
  }
}

/**
 * Stratified bootstrap CIs for a vector-valued statistic (e.g. [median, IQM, mean, gap] or a whole
 * profile): every replicate resamples runs within each task (rliable's StratifiedBootstrap with
 * task_bootstrap=False) and evaluates all statistics on the same resample. The statistic may
 * reorder the matrix data it is given (it is a scratch buffer).
 */
export function stratifiedBootstrapCIs(
  scores: ScoresInput,
  statistic: (m: ScoreMatrix) => ArrayLike<number>,
  options: BootstrapOptions,
): Interval[] {
  const { reps, confidence, method, rng } = checkOptions(options, INTERVAL_REPS);
  const m = toScoreMatrix(scores);
  const point = Array.from(statistic({ runs: m.runs, tasks: m.tasks, data: m.data.slice() }));
  const k = point.length;
  const replicates = new Float64Array(reps * k);
  const buffer = new Float64Array(m.data.length);
  const resampled: ScoreMatrix = { runs: m.runs, tasks: m.tasks, data: buffer };
  for (let b = 0; b < reps; b++) {
    resampleWithinTasks(m, buffer, rng);
    const values = statistic(resampled);
    if (values.length !== k)
      throw new QscapeError(`bootstrap: statistic returned ${values.length} values, expected ${k}`);
    for (let j = 0; j < k; j++) replicates[b * k + j] = values[j] as number;
  }
  return intervalsFrom(point, replicates, reps, confidence, method);
}

/** Stratified bootstrap CI of one scalar statistic (rliable `get_interval_estimates` for one algorithm). */
export function stratifiedBootstrapCI(
  scores: ScoresInput,
  statistic: (m: ScoreMatrix) => number,
  options: BootstrapOptions,
): Interval {
  return stratifiedBootstrapCIs(scores, (m) => [statistic(m)], options)[0] as Interval;
}

/**
 * Stratified *independent* bootstrap for a statistic of two algorithms' matrices (rliable's
 * StratifiedIndependentBootstrap): each algorithm's runs are resampled independently within each task.
 */
export function pairedStratifiedBootstrapCI(
  x: ScoresInput,
  y: ScoresInput,
  statistic: (x: ScoreMatrix, y: ScoreMatrix) => number,
  options: BootstrapOptions,
): Interval {
  const { reps, confidence, method, rng } = checkOptions(options, INTERVAL_REPS);
  const mx = toScoreMatrix(x, "x");
  const my = toScoreMatrix(y, "y");
  const point = statistic(mx, my);
  const rx: ScoreMatrix = { runs: mx.runs, tasks: mx.tasks, data: new Float64Array(mx.data.length) };
  const ry: ScoreMatrix = { runs: my.runs, tasks: my.tasks, data: new Float64Array(my.data.length) };
  const replicates = new Float64Array(reps);
  for (let b = 0; b < reps; b++) {
    resampleWithinTasks(mx, rx.data, rng);
    resampleWithinTasks(my, ry.data, rng);
    replicates[b] = statistic(rx, ry);
  }
  return intervalsFrom([point], replicates, reps, confidence, method)[0] as Interval;
}
