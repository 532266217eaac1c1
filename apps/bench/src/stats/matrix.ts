import { QscapeError } from "@qscape/core";

/**
 * A (runs × tasks) score matrix, the layout rliable uses everywhere: one row per run (seed), one
 * column per task (env). Stored row-major in one Float64Array so bootstrap resampling can reuse a
 * buffer instead of allocating nested arrays every replicate.
 */
export interface ScoreMatrix {
  readonly runs: number;
  readonly tasks: number;
  /** Row-major: score of run r on task t is `data[r * tasks + t]`. */
  readonly data: Float64Array;
}

/** What the stats functions accept: a ScoreMatrix or rows of numbers (number[][] or Float64Array[]). */
export type ScoresInput = ScoreMatrix | readonly ArrayLike<number>[];

function isScoreMatrix(input: ScoresInput): input is ScoreMatrix {
  return !Array.isArray(input) && (input as ScoreMatrix).data instanceof Float64Array;
}

/**
 * Validates and converts rows of scores to a ScoreMatrix. Rejects empty, ragged and non-finite
 * input with an error naming `what` and the offending cell.
 */
export function toScoreMatrix(input: ScoresInput, what = "scores"): ScoreMatrix {
  if (isScoreMatrix(input)) {
    if (input.runs < 1 || input.tasks < 1 || input.data.length !== input.runs * input.tasks) {
      throw new QscapeError(`${what}: matrix of ${input.runs}×${input.tasks} holds ${input.data.length} values`);
    }
    return input;
  }
  const runs = input.length;
  if (runs === 0) throw new QscapeError(`${what}: no runs (expected a runs × tasks matrix)`);
  const tasks = (input[0] as ArrayLike<number>).length;
  if (tasks === 0) throw new QscapeError(`${what}: run 0 has no task scores`);
  const data = new Float64Array(runs * tasks);
  for (let r = 0; r < runs; r++) {
    const row = input[r] as ArrayLike<number>;
    if (row.length !== tasks) {
      throw new QscapeError(`${what}: run ${r} has ${row.length} task scores, run 0 has ${tasks} (ragged matrix)`);
    }
    for (let t = 0; t < tasks; t++) {
      const v = row[t] as number;
      if (!Number.isFinite(v)) throw new QscapeError(`${what}: score at run ${r}, task ${t} is ${v}`);
      data[r * tasks + t] = v;
    }
  }
  return { runs, tasks, data };
}

/** Scores of one task (a column) as a new array. */
export function taskScores(m: ScoreMatrix, task: number): Float64Array {
  const out = new Float64Array(m.runs);
  for (let r = 0; r < m.runs; r++) out[r] = m.data[r * m.tasks + task] as number;
  return out;
}

/** Mean over runs of every task (rliable's first step for mean and median). */
export function taskMeans(m: ScoreMatrix): Float64Array {
  const out = new Float64Array(m.tasks);
  for (let r = 0; r < m.runs; r++) {
    for (let t = 0; t < m.tasks; t++) out[t] = (out[t] as number) + (m.data[r * m.tasks + t] as number);
  }
  for (let t = 0; t < m.tasks; t++) out[t] = (out[t] as number) / m.runs;
  return out;
}
