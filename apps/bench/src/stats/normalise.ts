import { QscapeError } from "@qscape/core";
import { meanOf } from "./aggregate.js";
import { type ScoreMatrix, type ScoresInput, taskMeans, toScoreMatrix } from "./matrix.js";

/** Per-task reference levels for min–max normalisation: 0 at `random`, 1 at `reference`. */
export interface NormalisationBounds {
  random: ArrayLike<number>;
  reference: ArrayLike<number>;
}

/** (score − random) / (reference − random); throws when the two levels coincide. */
export function normaliseScore(score: number, random: number, reference: number, what = "score"): number {
  if (!Number.isFinite(random) || !Number.isFinite(reference) || reference === random) {
    throw new QscapeError(`${what}: cannot normalise with random = ${random}, reference = ${reference}`);
  }
  return (score - random) / (reference - random);
}

/** Min–max normalises every task column of a (runs × tasks) matrix with that task's bounds. */
export function minMaxNormalise(
  scores: ScoresInput,
  bounds: NormalisationBounds,
  taskNames?: readonly string[],
): ScoreMatrix {
  const m = toScoreMatrix(scores);
  if (bounds.random.length !== m.tasks || bounds.reference.length !== m.tasks) {
    throw new QscapeError(
      `minMaxNormalise: ${m.tasks} tasks but ${bounds.random.length} random and ${bounds.reference.length} reference levels`,
    );
  }
  const data = new Float64Array(m.data.length);
  for (let t = 0; t < m.tasks; t++) {
    const random = bounds.random[t] as number;
    const reference = bounds.reference[t] as number;
    const what = `task ${taskNames?.[t] ?? t}`;
    for (let r = 0; r < m.runs; r++)
      data[r * m.tasks + t] = normaliseScore(m.data[r * m.tasks + t] as number, random, reference, what);
  }
  return { runs: m.runs, tasks: m.tasks, data };
}

/**
 * SAVO's bounds (evaluation spec §4.6): random = mean untrained score per task over every run of
 * every algorithm; reference = best per-task mean final score over the algorithms.
 */
export function savoNormalisationBounds(
  initialByAlgo: Readonly<Record<string, ScoresInput>>,
  finalByAlgo: Readonly<Record<string, ScoresInput>>,
): { random: number[]; reference: number[] } {
  const initial = Object.entries(initialByAlgo).map(([algo, s]) => toScoreMatrix(s, `${algo} initial scores`));
  const final = Object.entries(finalByAlgo).map(([algo, s]) => toScoreMatrix(s, `${algo} final scores`));
  if (initial.length === 0 || final.length === 0) throw new QscapeError("savoNormalisationBounds: no algorithms");
  const tasks = (initial[0] as ScoreMatrix).tasks;
  for (const m of [...initial, ...final]) {
    if (m.tasks !== tasks)
      throw new QscapeError(`savoNormalisationBounds: task counts differ (${m.tasks} vs ${tasks})`);
  }
  const random = Array.from({ length: tasks }, (_, t) =>
    meanOf(initial.flatMap((m) => Array.from({ length: m.runs }, (_, r) => m.data[r * m.tasks + t] as number))),
  );
  const finalMeans = final.map(taskMeans);
  const reference = Array.from({ length: tasks }, (_, t) => Math.max(...finalMeans.map((means) => means[t] as number)));
  return { random, reference };
}
