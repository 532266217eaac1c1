/**
 * Dig Lava's decision at a river as a one-step episode (for a learning test that fits seconds):
 * the action set is drawn as DigLava-v0 draws it (move-right, move-down, move-left, move-up,
 * turn-left, plus 2 of turn-right, move-forward, dig-orange, dig-pink), with Table B.1's
 * representations. Stepping into the pink river (move-right) pays `shortcut` when dig-pink is in
 * the set and 0 (death) when it is not; going round (move-down) always pays `detour`; anything
 * else pays 0. The state is constant, so only the action set can tell the two cases apart.
 */
import { Rng } from "@qscape/core";
import {
  DIG_LAVA_FIXED_SKILLS,
  DIG_LAVA_REPRESENTATIONS,
  DIG_LAVA_SAMPLED_SKILLS,
  DIG_LAVA_SKILLS,
  type StackedActionSetObservation,
} from "@qscape/envs";

export const RIVER = { enter: 0, detour: 1, digPink: 8, shortcut: 1, detourReward: 0.6 } as const;
const K = DIG_LAVA_FIXED_SKILLS + DIG_LAVA_SAMPLED_SKILLS;
const D = 11;
export const STATE_DIM = 4;

/** The spaces an agent is built from (Dict-like observation, the 9-skill inventory). */
export const riverSpaces = {
  observationSpace: { spaces: { state: { shape: [STATE_DIM] }, actionFeatures: { shape: [K, D] } } },
  actionSpace: { n: DIG_LAVA_SKILLS.length },
};

/** `batch` action sets drawn as DigLava-v0 draws them. */
export function riverSets(rng: Rng, batch: number): StackedActionSetObservation {
  const actionIds = new Int32Array(batch * K);
  const actionFeatures = new Float32Array(batch * K * D);
  for (let b = 0; b < batch; b++) {
    const optional = Array.from(rng.permutation(DIG_LAVA_SKILLS.length - DIG_LAVA_FIXED_SKILLS))
      .slice(0, DIG_LAVA_SAMPLED_SKILLS)
      .map((i) => DIG_LAVA_FIXED_SKILLS + i)
      .sort((x, y) => x - y);
    [0, 1, 2, 3, 4, ...optional].forEach((id, k) => {
      actionIds[b * K + k] = id;
      actionFeatures.set(DIG_LAVA_REPRESENTATIONS[id] as number[], (b * K + k) * D);
    });
  }
  return {
    state: new Float32Array(batch * STATE_DIM).fill(1),
    actionIds,
    actionFeatures,
    actionMask: new Uint8Array(batch * K).fill(1),
  };
}

export const digPinkListed = (obs: StackedActionSetObservation, b: number): boolean =>
  obs.actionIds.subarray(b * K, (b + 1) * K).includes(RIVER.digPink);

export function riverReward(obs: StackedActionSetObservation, b: number, action: number): number {
  if (action === RIVER.enter) return digPinkListed(obs, b) ? RIVER.shortcut : 0;
  return action === RIVER.detour ? RIVER.detourReward : 0;
}

export { Rng };
