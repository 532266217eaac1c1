import { meanOf, medianOf, optimalityGapOf, trimmedMeanOf } from "./aggregate.js";
import { type BootstrapOptions, type Interval, stratifiedBootstrapCIs } from "./bootstrap.js";
import { type ScoreMatrix, type ScoresInput, taskMeans, toScoreMatrix } from "./matrix.js";

/** The four rliable aggregate metrics of one algorithm, each with its CI. */
export interface AggregateIntervals {
  median: Interval;
  iqm: Interval;
  mean: Interval;
  optimalityGap: Interval;
}

export const AGGREGATE_METRICS = ["median", "iqm", "mean", "optimalityGap"] as const;
export type AggregateMetric = (typeof AGGREGATE_METRICS)[number];

/** [median, IQM, mean, optimality gap] of a matrix; sorts `m.data` in place (scratch buffers only). */
function aggregatesInPlace(m: ScoreMatrix, gamma: number): number[] {
  const means = taskMeans(m);
  const gap = optimalityGapOf(m.data, gamma);
  m.data.sort();
  return [medianOf(means), trimmedMeanOf(m.data, 0.25, true), meanOf(means), gap];
}

/**
 * Median, IQM, mean and optimality gap with stratified-bootstrap CIs for every algorithm, all four
 * from the same replicates (rliable's usual `aggregate_func` returning an array). Default reps 50,000.
 */
export function aggregateIntervals(
  scoresByAlgo: Readonly<Record<string, ScoresInput>>,
  options: BootstrapOptions & { gamma?: number },
): Record<string, AggregateIntervals> {
  const gamma = options.gamma ?? 1;
  const out: Record<string, AggregateIntervals> = {};
  for (const [algo, scores] of Object.entries(scoresByAlgo)) {
    const [median, iqm, mean, optimalityGap] = stratifiedBootstrapCIs(
      toScoreMatrix(scores, algo),
      (m) => aggregatesInPlace(m, gamma),
      options,
    ) as [Interval, Interval, Interval, Interval];
    out[algo] = { median, iqm, mean, optimalityGap };
  }
  return out;
}
