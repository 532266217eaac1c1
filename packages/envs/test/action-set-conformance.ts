/**
 * Conformance checks shared by the tests of the envs with varying action sets: the package's
 * `checkEnv`, seeded resets, ResetNeeded after the end, TimeLimit truncation and vector autoreset.
 */
import { Rng } from "@qscape/core";
import { expect } from "vitest";
import { checkEnv, deepEqual } from "../src/checker.js";
import type { ActionSetObservation } from "../src/discrete/action-set.js";
import { ResetNeededError } from "../src/errors.js";
import { type MakeOptions, make, spec } from "../src/registry.js";
import { makeVec } from "../src/vector/make-vec.js";

/** A uniformly random available action, read from the padded observation. */
export function randomAvailable(obs: ActionSetObservation, rng: Rng): number {
  const slots = Array.from(obs.actionMask, (m, i) => (m ? i : -1)).filter((i) => i >= 0);
  return obs.actionIds[rng.choice(slots)] as number;
}

/** A policy over action-set observations (an inventory index, or a hybrid action such as CREATE's). */
export type ActionSetPolicy = (obs: ActionSetObservation, rng: Rng) => unknown;

/**
 * `act` picks the actions of the random episodes (default: a random available inventory index);
 * vector envs get one per env, batched as an `Int32Array` when they are indices.
 */
export function expectActionSetEnvConformance(
  id: string,
  makeOptions: MakeOptions = {},
  act: ActionSetPolicy = randomAvailable,
): void {
  expect(() => checkEnv(make(id, makeOptions).unwrapped)).not.toThrow();

  const env = make(id, makeOptions);
  const [a] = env.reset({ seed: 11 });
  const [b] = env.reset({ seed: 11 });
  expect(deepEqual(a, b)).toBe(true);
  expect(env.observationSpace.contains(a)).toBe(true);

  // Random play to the end of an episode; one more step must be refused.
  const rng = new Rng(1);
  let obs = a as ActionSetObservation;
  for (;;) {
    const [next, reward, terminated, truncated] = env.step(act(obs, rng));
    expect(Number.isFinite(reward)).toBe(true);
    expect(env.observationSpace.contains(next)).toBe(true);
    obs = next as ActionSetObservation;
    if (terminated || truncated) break;
  }
  expect(() => env.step(act(obs, rng))).toThrow(ResetNeededError);

  // A 3-step time limit truncates (terminated stays false) unless the MDP ended first.
  const short = make(id, { ...makeOptions, maxEpisodeSteps: 3 });
  let truncations = 0;
  for (let seed = 0; seed < 20 && truncations === 0; seed++) {
    let [o] = short.reset({ seed });
    for (let t = 1; t <= 3; t++) {
      const [next, , terminated, truncated] = short.step(act(o as ActionSetObservation, rng));
      o = next;
      if (terminated) break;
      expect(truncated).toBe(t === 3);
      if (truncated) truncations++;
    }
  }
  expect(truncations).toBe(1);
  expect(spec(id).maxEpisodeSteps).not.toBeNull();

  // NEXT_STEP autoreset: after an env's episode ends, its next step resets it with reward 0.
  const vec = makeVec<ActionSetObservation[], Int32Array | unknown[]>(id, 2, { makeOptions });
  let [batch] = vec.reset({ seed: 5 });
  let ended = new Uint8Array(2);
  let autoresets = 0;
  for (let t = 0; t < 400 && autoresets < 2; t++) {
    const perEnv = batch.map((o) => act(o, rng));
    const actions = perEnv.every((a) => typeof a === "number") ? Int32Array.from(perEnv as number[]) : perEnv;
    const [next, rewards, terminated, truncated] = vec.step(actions);
    for (let i = 0; i < 2; i++) {
      if (ended[i]) {
        expect(rewards[i]).toBe(0);
        expect(terminated[i] || truncated[i]).toBe(0);
        autoresets++;
      }
      expect(vec.singleObservationSpace.contains(next[i])).toBe(true);
    }
    ended = Uint8Array.from(terminated, (x, i) => x | (truncated[i] as number));
    batch = next;
  }
  expect(autoresets).toBeGreaterThanOrEqual(2);
  vec.close();
}
