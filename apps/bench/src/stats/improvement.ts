import { QscapeError } from "@qscape/core";
import { type BootstrapOptions, type Interval, pairedStratifiedBootstrapCI } from "./bootstrap.js";
import { type ScoreMatrix, type ScoresInput, toScoreMatrix } from "./matrix.js";

/** Mann–Whitney U of x over y for one task column: pairs with x > y count 1, ties ½. */
function mannWhitneyU(x: ScoreMatrix, y: ScoreMatrix, task: number): number {
  let u = 0;
  for (let i = 0; i < x.runs; i++) {
    const xi = x.data[i * x.tasks + task] as number;
    for (let j = 0; j < y.runs; j++) {
      const yj = y.data[j * y.tasks + task] as number;
      if (xi > yj) u += 1;
      else if (xi === yj) u += 0.5;
    }
  }
  return u;
}

function poi(x: ScoreMatrix, y: ScoreMatrix): number {
  let sum = 0;
  for (let t = 0; t < x.tasks; t++) sum += mannWhitneyU(x, y, t) / (x.runs * y.runs);
  return sum / x.tasks;
}

function checkSameTasks(x: ScoreMatrix, y: ScoreMatrix): void {
  if (x.tasks !== y.tasks) {
    throw new QscapeError(`probabilityOfImprovement: x has ${x.tasks} tasks, y has ${y.tasks}; they must match`);
  }
}

/**
 * P(X > Y): the probability that a run of X beats a run of Y on a random task, i.e. the per-task
 * Mann–Whitney U / (N_x·N_y) averaged over tasks (rliable `probability_of_improvement`). Run counts
 * may differ; task columns must correspond.
 */
export function probabilityOfImprovement(x: ScoresInput, y: ScoresInput): number {
  const mx = toScoreMatrix(x, "x");
  const my = toScoreMatrix(y, "y");
  checkSameTasks(mx, my);
  return poi(mx, my);
}

/** P(X > Y) with a CI from the stratified independent bootstrap (rliable README uses 2,000 reps). */
export function probabilityOfImprovementCI(x: ScoresInput, y: ScoresInput, options: BootstrapOptions): Interval {
  const mx = toScoreMatrix(x, "x");
  const my = toScoreMatrix(y, "y");
  checkSameTasks(mx, my);
  return pairedStratifiedBootstrapCI(mx, my, poi, { ...options, reps: options.reps ?? 2_000 });
}
