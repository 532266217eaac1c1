import { type ScoresInput, taskMeans, toScoreMatrix } from "./matrix.js";

/**
 * rliable's point estimates (`rliable/metrics.py`), each over a (runs × tasks) matrix of
 * normalised scores.
 */

function sortedCopy(values: ArrayLike<number>): Float64Array {
  return (values instanceof Float64Array ? values.slice() : Float64Array.from(values)).sort();
}

/** Median of values, averaging the two middle ones for even counts (numpy's convention). */
export function medianOf(values: ArrayLike<number>): number {
  const s = sortedCopy(values);
  const n = s.length;
  if (n === 0) throw new RangeError("medianOf: no values");
  const mid = n >> 1;
  return n % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function meanOf(values: ArrayLike<number>): number {
  if (values.length === 0) throw new RangeError("meanOf: no values");
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}

/**
 * scipy.stats.trim_mean(values, proportion): sort, drop ⌊proportion·n⌋ values from each end, mean
 * of the rest. Takes an already-sorted array when `presorted` (the bootstrap sorts in place).
 */
export function trimmedMeanOf(values: ArrayLike<number>, proportion: number, presorted = false): number {
  const s = presorted ? values : sortedCopy(values);
  const n = s.length;
  const cut = Math.floor(proportion * n);
  if (n === 0 || cut >= n - cut)
    throw new RangeError(`trimmedMeanOf: proportion ${proportion} too big for ${n} values`);
  let sum = 0;
  for (let i = cut; i < n - cut; i++) sum += s[i] as number;
  return sum / (n - 2 * cut);
}

/** Mean of the per-task means. */
export function mean(scores: ScoresInput): number {
  return meanOf(taskMeans(toScoreMatrix(scores)));
}

/** Median of the per-task means. */
export function median(scores: ScoresInput): number {
  return medianOf(taskMeans(toScoreMatrix(scores)));
}

/** Interquartile mean: 25 % trimmed mean over all runs × tasks values (flattened). */
export function iqm(scores: ScoresInput): number {
  return trimmedMeanOf(toScoreMatrix(scores).data, 0.25);
}

/** Optimality gap: γ − mean(min(score, γ)) over all values; how far below the target γ the runs fall. */
export function optimalityGap(scores: ScoresInput, gamma = 1): number {
  return optimalityGapOf(toScoreMatrix(scores).data, gamma);
}

/** γ − mean(min(v, γ)) over a flat array of values. */
export function optimalityGapOf(values: ArrayLike<number>, gamma: number): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.min(values[i] as number, gamma);
  return gamma - sum / values.length;
}
