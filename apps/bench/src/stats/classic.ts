import { QscapeError } from "@qscape/core";
import { meanOf } from "./aggregate.js";
import { taskMeans, toScoreMatrix } from "./matrix.js";

/**
 * The summary statistics the method papers report (evaluation spec §2), over raw returns.
 * Learning curves are seeds × evaluations matrices.
 */

/** Standard deviation with `ddof` delta degrees of freedom (0 = population, numpy's default). */
export function std(values: ArrayLike<number>, ddof = 0): number {
  const n = values.length;
  if (n - ddof <= 0) throw new RangeError(`std: ${n} values is too few for ddof ${ddof}`);
  const m = meanOf(values);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += ((values[i] as number) - m) ** 2;
  return Math.sqrt(ss / (n - ddof));
}

/** Standard error of the mean: sample std (ddof 1) / √n, as scipy.stats.sem (QMLE's ±1 SE). */
export function standardError(values: ArrayLike<number>): number {
  return std(values, 1) / Math.sqrt(values.length);
}

export interface MeanStd {
  mean: number;
  std: number;
}

/** Mean ± population std over seeds (TD3, SAVO, AGILE, QMP, new-actions convention). */
export function meanStd(values: ArrayLike<number>): MeanStd {
  return { mean: meanOf(values), std: std(values) };
}

/** Smoothie's band: mean ± std clipped to the [min, max] of the seeds. */
export function clippedStdBand(values: ArrayLike<number>): { mean: number; lo: number; hi: number } {
  const { mean, std: s } = meanStd(values);
  const sorted = Float64Array.from(values).sort();
  return {
    mean,
    lo: Math.max(sorted[0] as number, mean - s),
    hi: Math.min(sorted[sorted.length - 1] as number, mean + s),
  };
}

export interface MaxAverageReturn {
  /** Max over evaluations of the across-seed mean. */
  value: number;
  /** Population std over seeds at that evaluation. */
  std: number;
  /** First evaluation index reaching the max. */
  evalIndex: number;
}

/**
 * TD3 Table 1 statistic: average over seeds at each evaluation, then the max over evaluations
 * (first one on ties), ± population std of the seeds there.
 */
export function maxAverageReturn(curves: readonly ArrayLike<number>[]): MaxAverageReturn {
  const m = toScoreMatrix(curves, "learning curves (seeds × evaluations)");
  const means = taskMeans(m);
  let best = 0;
  for (let e = 1; e < m.tasks; e++) if ((means[e] as number) > (means[best] as number)) best = e;
  const atBest = Array.from({ length: m.runs }, (_, r) => m.data[r * m.tasks + best] as number);
  return { value: means[best] as number, std: std(atBest), evalIndex: best };
}

export interface LastNMean {
  /** Mean over seeds of each seed's mean of its last n evaluations. */
  value: number;
  /** Population std over seeds of the per-seed values. */
  std: number;
  perSeed: number[];
}

/** TD3 Table 2 statistic: per seed, mean of the last n evaluations; then averaged over seeds. */
export function lastNMean(curves: readonly ArrayLike<number>[], n = 10): LastNMean {
  const m = toScoreMatrix(curves, "learning curves (seeds × evaluations)");
  if (!Number.isInteger(n) || n < 1) throw new QscapeError(`lastNMean: n must be a positive integer, got ${n}`);
  if (n > m.tasks) throw new QscapeError(`lastNMean: asked for the last ${n} evaluations but runs have ${m.tasks}`);
  const perSeed = Array.from({ length: m.runs }, (_, r) =>
    meanOf(m.data.subarray(r * m.tasks + m.tasks - n, (r + 1) * m.tasks)),
  );
  return { value: meanOf(perSeed), std: std(perSeed), perSeed };
}
