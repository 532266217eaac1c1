/**
 * The two ablations of the Q-switch in the paper's comparison (§5.7.4, App. D D.1, App. G.1), as
 * selection rules the agent composes in place of the argmax:
 *
 * - Probabilistic mixture (App. G.1): policy j is drawn with probability softmax_j(Q_i(s, μ_j) / T)
 *   instead of taking the argmax. As T → 0 this is the Q-switch; as T → ∞, QMP-Uniform. The paper
 *   found it no better across a range of T, and it adds a hyperparameter.
 * - QMP-Domain-Knowledge (App. D D.1): a fixed mixture π_i^mix = Σ_j p_{j→i} π_j built by hand from
 *   the sub-goal sequences the tasks share, the same at every state; no critic is consulted.
 */
import { QscapeError } from "@qscape/core";
import { HAND_START, TABLE_D1 } from "@qscape/envs";

/** softmax(scores / T), computed with the maximum subtracted so that small T does not overflow. */
export function softmaxProbabilities(scores: ArrayLike<number>, temperature: number): Float64Array {
  if (!(temperature > 0)) throw new QscapeError(`qmp: softmax temperature must be > 0, got ${temperature}`);
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < scores.length; j++) max = Math.max(max, scores[j] as number);
  const p = new Float64Array(scores.length);
  let total = 0;
  for (let j = 0; j < scores.length; j++) {
    p[j] = Math.exp(((scores[j] as number) - max) / temperature);
    total += p[j] as number;
  }
  for (let j = 0; j < p.length; j++) p[j] = (p[j] as number) / total;
  return p;
}

/** QMP-Domain asked for on a task set whose tasks have no hand-crafted mixture. */
export class NoDomainMixtureError extends QscapeError {
  override name = "NoDomainMixtureError";
}

type Point = readonly number[];

/**
 * App. D D.1's mixture from sub-goal sequences. Task i's episode is three segments S_0..S_2
 * ([start → SG1], [SG1 → SG2], [SG2 → SG3]); each segment carries a third of the weight, split
 * evenly among the tasks that have the same segment at the same stage:
 *
 *   p_{j→i} = Σ_k (1/3) · 1(S_k(𝕋_i) = S_k(𝕋_j)) / Σ_l 1(S_k(𝕋_i) = S_k(𝕋_l))
 *
 * Segments are compared stage by stage (decision: the paper's "s ∈ 𝕋_j" does not say; matching a
 * segment at any stage would make task 0 share its third segment with task 3's second one, which
 * the paper's resulting mixtures do not contain). Row i is task i's mixture over policies j.
 */
export function subgoalMixture(start: Point, subgoals: readonly (readonly Point[])[]): number[][] {
  const segment = (task: number, k: number): string => {
    const goals = subgoals[task] as readonly Point[];
    return JSON.stringify([k === 0 ? start : goals[k - 1], goals[k]]);
  };
  const n = subgoals.length;
  return Array.from({ length: n }, (_, i) => {
    const row = new Array<number>(n).fill(0);
    const stages = (subgoals[i] as readonly Point[]).length;
    for (let k = 0; k < stages; k++) {
      const sharers = [...Array(n).keys()].filter((j) => segment(j, k) === segment(i, k));
      for (const j of sharers) row[j] = (row[j] as number) + 1 / stages / sharers.length;
    }
    return row;
  });
}

/**
 * The domain mixtures we have, by task-set id. MultistageReacherMT5-v0 is Table D.1's five tasks:
 * the formula gives §5's π_0 = ⅔π_0 + ⅓π_1, π_1 = ⅓π_0 + ⅔π_1, π_2 = ⅚π_2 + ⅙π_3,
 * π_3 = ⅙π_2 + ⅚π_3, and π_4 = π_4 (the stay task's "sub-goals" are its start, shared by no one).
 */
const DOMAIN_MIXTURES: Readonly<Record<string, () => number[][]>> = {
  "MultistageReacherMT5-v0": () => subgoalMixture(HAND_START, TABLE_D1),
};

export function domainMixtureIds(): string[] {
  return Object.keys(DOMAIN_MIXTURES);
}

/** Task set `taskSetId`'s QMP-Domain mixture (rows: task i, columns: p_{j→i}); throws NoDomainMixtureError. */
export function domainMixture(taskSetId: string): number[][] {
  const make = DOMAIN_MIXTURES[taskSetId];
  if (!make) {
    throw new NoDomainMixtureError(
      `qmp: task set "${taskSetId}" has no domain-knowledge mixture (QMP-Domain is defined for ${domainMixtureIds().join(", ")}; App. D D.1)`,
    );
  }
  return make();
}
