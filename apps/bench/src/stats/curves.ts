import { QscapeError } from "@qscape/core";
import { trimmedMeanOf } from "./aggregate.js";
import { type BootstrapOptions, stratifiedBootstrapCI, stratifiedBootstrapCIs } from "./bootstrap.js";
import { type ScoreMatrix, type ScoresInput, taskMeans, toScoreMatrix } from "./matrix.js";

export interface CurveWithBand {
  steps: number[];
  point: number[];
  lo: number[];
  hi: number[];
}

/**
 * Sample-efficiency curve (rliable `plot_sample_efficiency_curve` input): an aggregate (IQM by
 * default) of the normalised (runs × tasks) scores at every env step, with a stratified-bootstrap CI
 * per step. rliable resamples every (task, step) cell independently, which is one bootstrap per step.
 */
export function sampleEfficiencyCurve(
  steps: readonly number[],
  scoresPerStep: readonly ScoresInput[],
  options: BootstrapOptions & { statistic?: (m: ScoreMatrix) => number },
): CurveWithBand {
  if (steps.length !== scoresPerStep.length) {
    throw new QscapeError(`sampleEfficiencyCurve: ${steps.length} steps but ${scoresPerStep.length} score matrices`);
  }
  // The default IQM sorts the bootstrap's scratch buffer in place instead of copying it.
  const statistic = options.statistic ?? ((m: ScoreMatrix) => trimmedMeanOf(m.data.sort(), 0.25, true));
  const out: CurveWithBand = { steps: [...steps], point: [], lo: [], hi: [] };
  steps.forEach((step, i) => {
    const ci = stratifiedBootstrapCI(
      toScoreMatrix(scoresPerStep[i] as ScoresInput, `scores at step ${step}`),
      statistic,
      options,
    );
    out.point.push(ci.point);
    out.lo.push(ci.lo);
    out.hi.push(ci.hi);
  });
  return out;
}

/**
 * Learning curve of one (algorithm, env): the mean over seeds at every evaluation with a bootstrap
 * CI over seeds. `returns` is seeds × evaluations; resampling seeds independently per evaluation is
 * the stratified bootstrap with evaluations as the strata.
 */
export function learningCurveBand(
  steps: readonly number[],
  returns: readonly ArrayLike<number>[],
  options: BootstrapOptions,
): CurveWithBand {
  const m = toScoreMatrix(returns, "learning curve (seeds × evaluations)");
  if (m.tasks !== steps.length) {
    throw new QscapeError(`learningCurveBand: ${steps.length} steps but ${m.tasks} evaluations per seed`);
  }
  const intervals = stratifiedBootstrapCIs(m, taskMeans, options);
  return {
    steps: [...steps],
    point: intervals.map((i) => i.point),
    lo: intervals.map((i) => i.lo),
    hi: intervals.map((i) => i.hi),
  };
}
