/**
 * Random-policy (and, for CREATE, scripted-policy) scores of the envs with varying action sets,
 * measured with fixed seeds by `bench/baseline-scores.ts --write`, which regenerates the data
 * (the last declaration of this file). Episode e resets with seed e; the policy's Rng is seeded
 * 12345. Random: a uniformly random available action (RecSimSlate: 6 distinct random candidates;
 * CREATE: a random offered tool at a uniform position). Scripted (CREATE Ch. 2 levels): one
 * hand-chosen placement, then No-Ops.
 *
 * `randomPolicyScore(id)` is the number to use as a suite's `randomScore` (normalisation).
 */

export interface BaselineScore {
  policy: "random" | "scripted";
  /** The split the episodes drew their action sets from ("train" for envs without splits). */
  split: string;
  episodes: number;
  meanReturn: number;
  stdReturn: number;
  /** Share of episodes that ended with `info.success` (null where the env has no success flag). */
  successRate: number | null;
  meanLength: number;
}

/** The recorded scores of `id` (empty when none were measured). */
export function baselineScores(id: string): readonly BaselineScore[] {
  return BASELINE_SCORES[id] ?? [];
}

/** The random policy's mean return on the train split, the suite's `randomScore`; undefined if not measured. */
export function randomPolicyScore(id: string): number | undefined {
  return baselineScores(id).find((s) => s.policy === "random" && s.split === "train")?.meanReturn;
}

export const BASELINE_SCORES: Readonly<Record<string, readonly BaselineScore[]>> = {
  "DigLava-v0": [
    {
      policy: "random",
      split: "train",
      episodes: 1000,
      meanReturn: 0.0667,
      stdReturn: 0.0701,
      successRate: 0,
      meanLength: 19.77,
    },
  ],
  "SkillGridWorld-v0": [
    {
      policy: "random",
      split: "train",
      episodes: 1000,
      meanReturn: 0.0119,
      stdReturn: 0.0423,
      successRate: 0.003,
      meanLength: 4.89,
    },
    {
      policy: "random",
      split: "test",
      episodes: 1000,
      meanReturn: 0.0122,
      stdReturn: 0.0337,
      successRate: 0.001,
      meanLength: 4.91,
    },
  ],
  "RecoGym-v0": [
    {
      policy: "random",
      split: "train",
      episodes: 1000,
      meanReturn: 9.791,
      stdReturn: 7.7672,
      successRate: null,
      meanLength: 46.88,
    },
    {
      policy: "random",
      split: "test",
      episodes: 1000,
      meanReturn: 9.762,
      stdReturn: 7.4518,
      successRate: null,
      meanLength: 48.31,
    },
  ],
  "RecSimSlate-v0": [
    {
      policy: "random",
      split: "train",
      episodes: 1000,
      meanReturn: 5.592,
      stdReturn: 1.9291,
      successRate: null,
      meanLength: 15,
    },
    {
      policy: "random",
      split: "test",
      episodes: 1000,
      meanReturn: 5.555,
      stdReturn: 1.9501,
      successRate: null,
      meanLength: 15,
    },
  ],
  "RecSimSlateDirectCPR-v0": [
    {
      policy: "random",
      split: "train",
      episodes: 1000,
      meanReturn: 10.5401,
      stdReturn: 2.5758,
      successRate: null,
      meanLength: 15,
    },
  ],
  "RecSimSlatePairing-v0": [
    {
      policy: "random",
      split: "train",
      episodes: 1000,
      meanReturn: 2.913,
      stdReturn: 1.5721,
      successRate: null,
      meanLength: 15,
    },
  ],
  "CreatePush-v0": [
    {
      policy: "random",
      split: "train",
      episodes: 200,
      meanReturn: 0.537,
      stdReturn: 1.747,
      successRate: 0.015,
      meanLength: 10,
    },
    {
      policy: "scripted",
      split: "train",
      episodes: 200,
      meanReturn: 6.082,
      stdReturn: 5.269,
      successRate: 0.36,
      meanLength: 8.2,
    },
  ],
  "CreateObstacle-v0": [
    {
      policy: "random",
      split: "train",
      episodes: 200,
      meanReturn: 0.559,
      stdReturn: 1.261,
      successRate: 0.01,
      meanLength: 14.2,
    },
    {
      policy: "scripted",
      split: "train",
      episodes: 200,
      meanReturn: 3.996,
      stdReturn: 4.841,
      successRate: 0.245,
      meanLength: 6.1,
    },
  ],
  "CreateSeesaw-v0": [
    {
      policy: "random",
      split: "train",
      episodes: 200,
      meanReturn: 0.614,
      stdReturn: 1.116,
      successRate: 0.005,
      meanLength: 14.9,
    },
    {
      policy: "scripted",
      split: "train",
      episodes: 200,
      meanReturn: 5.25,
      stdReturn: 5.04,
      successRate: 0.345,
      meanLength: 10,
    },
  ],
  "CreateActivatorsPush-v0": [
    {
      policy: "random",
      split: "train",
      episodes: 200,
      meanReturn: 0.051,
      stdReturn: 0.04,
      successRate: 0,
      meanLength: 9.8,
    },
  ],
};
