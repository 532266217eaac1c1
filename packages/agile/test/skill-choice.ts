/**
 * Grid World's choice of skill as a one-step episode (for a learning test that fits seconds): each
 * episode offers 50 of the 5-move skills of one split (as SkillGridWorld-v0 offers them), with the
 * env's hand-engineered codes (move j coded (move − 1.5)/1.5: up −1, down −1/3, left 1/3, right 1).
 * The state is the goal's offset from the agent, (dx, dy) / 6, on an open plane; the reward is the
 * progress the whole skill makes towards the goal, (d_before − d_after) / 5 with Manhattan d, so
 * 1 when all five moves head for the goal. The codes are ordinal, not geometric (left and right are
 * neighbours in code space, opposites on the grid), so choosing well among unseen skills means
 * scoring each move by what it does, which is what Ch. 2's utility policy over representations can
 * learn and what a nearest-neighbour map from a seen skill to the nearest offered one does not give.
 */
import type { Rng } from "@qscape/core";
import {
  handEngineeredSkillCodes,
  make,
  NUM_SKILLS,
  SKILL_LENGTH,
  SKILL_MOVES,
  type SkillGridWorldEnv,
  type StackedActionSetObservation,
  skillMoves,
} from "@qscape/envs";

const K = 50;
const D = SKILL_LENGTH;
export const STATE_DIM = 2;

/** The env's split of the 1,024 skills (train / validation / test, 2 : 1 : 1) and its codes. */
const env = make("SkillGridWorld-v0").unwrapped as SkillGridWorldEnv;
export const skillSplits = {
  train: Int32Array.from(env.inventory.ids("train")),
  test: Int32Array.from(env.inventory.ids("test")),
};
env.close();
export const skillCodes = handEngineeredSkillCodes();

export const skillSpaces = {
  observationSpace: { spaces: { state: { shape: [STATE_DIM] }, actionFeatures: { shape: [K, D] } } },
  actionSpace: { n: NUM_SKILLS },
};

const displacement = Array.from({ length: NUM_SKILLS }, (_, k) =>
  skillMoves(k).reduce<[number, number]>(
    ([x, y], m) => [x + (SKILL_MOVES[m]?.[0] ?? 0), y + (SKILL_MOVES[m]?.[1] ?? 0)],
    [0, 0],
  ),
);

/** `batch` one-step episodes: goal offsets in [−6, 6]² (not 0) and 50 skills of `split` each. */
export function skillEpisodes(rng: Rng, batch: number, split: "train" | "test"): StackedActionSetObservation {
  const pool = skillSplits[split];
  const state = new Float32Array(batch * STATE_DIM);
  const actionIds = new Int32Array(batch * K);
  const actionFeatures = new Float32Array(batch * K * D);
  for (let b = 0; b < batch; b++) {
    let dx = 0;
    let dy = 0;
    while (dx === 0 && dy === 0) [dx, dy] = [rng.int(-6, 7), rng.int(-6, 7)];
    state.set([dx / 6, dy / 6], b * STATE_DIM);
    Array.from(rng.permutation(pool.length).subarray(0, K))
      .map((i) => pool[i] as number)
      .sort((x, y) => x - y)
      .forEach((id, k) => {
        actionIds[b * K + k] = id;
        actionFeatures.set(skillCodes.subarray(id * D, (id + 1) * D), (b * K + k) * D);
      });
  }
  return { state, actionIds, actionFeatures, actionMask: new Uint8Array(batch * K).fill(1) };
}

/** Progress of skill `id` towards the goal of episode `b`. */
export function skillReward(obs: StackedActionSetObservation, b: number, id: number): number {
  const dx = Math.round((obs.state[b * STATE_DIM] as number) * 6);
  const dy = Math.round((obs.state[b * STATE_DIM + 1] as number) * 6);
  const [mx, my] = displacement[id] as [number, number];
  return (Math.abs(dx) + Math.abs(dy) - Math.abs(dx - mx) - Math.abs(dy - my)) / 5;
}
