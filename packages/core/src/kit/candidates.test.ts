import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend.js";
import { Rng } from "../rng.js";
import { argmax, type CandidateProposer, CandidateSelector } from "./candidates.js";
import { Critics } from "./critic.js";

beforeAll(async () => {
  await initBackend();
});

const obsDim = 3;
const actionDim = 2;

/** Q1 of each candidate computed row by row, the reference the selector's batched scoring must match. */
function q1(critics: Critics, obs: Float32Array, action: Float32Array): number {
  return tf.tidy(
    () => critics.q1(tf.tensor2d(obs, [1, obsDim]), tf.tensor2d(action, [1, actionDim])).dataSync()[0] as number,
  );
}

/** Fixed candidates per state: k random actions, the same for acting and for the target. */
class FixedProposer implements CandidateProposer {
  constructor(readonly actions: Float32Array[]) {}
  propose(obs: tf.Tensor2D): tf.Tensor3D {
    const k = this.actions.length;
    const one = tf.tensor3d(
      this.actions.flatMap((a) => Array.from(a)),
      [1, k, actionDim],
    );
    return tf.tile(one, [obs.shape[0], 1, 1]) as tf.Tensor3D;
  }
  proposeTarget(nextObs: tf.Tensor2D): tf.Tensor3D {
    return this.propose(nextObs);
  }
}

describe("CandidateSelector", () => {
  const rng = new Rng(4);
  const critics = new Critics(rng, obsDim, actionDim, 2, { hidden: [8], activation: "relu" }, "test.critic");
  const actions = Array.from({ length: 5 }, () => rng.fillUniform(new Float32Array(actionDim), -1, 1) as Float32Array);
  const proposer = new FixedProposer(actions);

  it("chooses the candidate with the highest Q1 in a state and reports every candidate's Q1", () => {
    const counts = { qEvaluations: 0 };
    const selector = new CandidateSelector("test", obsDim, actionDim, counts);
    const obs = Float32Array.of(0.5, -1, 2);
    const choice = selector.choose(critics, obs, (o) => proposer.propose(o));
    const expected = actions.map((a) => q1(critics, obs, a));
    Array.from(choice.q ?? []).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i] as number, 5);
    });
    expect(Array.from(choice.action)).toEqual(Array.from(actions[argmax(expected)] as Float32Array));
    expect(counts.qEvaluations).toBe(5);
    // Diagnostics are not counted.
    selector.evaluate(critics, obs, actions);
    expect(counts.qEvaluations).toBe(5);
    expect(() => selector.choose(critics, new Float32Array(2), (o) => proposer.propose(o))).toThrow(
      /test\.act: observation has 2 values, expected 3/,
    );
  });

  it("selects the best candidate of every state in a batch; a single candidate is returned as is, unscored", () => {
    const counts = { qEvaluations: 0 };
    const selector = new CandidateSelector("test", obsDim, actionDim, counts);
    const states = [Float32Array.of(0, 0, 0), Float32Array.of(1, -2, 0.5), Float32Array.of(-3, 1, 1)];
    const picked = tf.tidy(() => {
      const obs = tf.tensor2d(
        states.flatMap((s) => Array.from(s)),
        [3, obsDim],
      );
      return Array.from(selector.select(critics, obs, proposer.proposeTarget(obs)).dataSync());
    });
    states.forEach((s, b) => {
      const best = actions[argmax(actions.map((a) => q1(critics, s, a)))] as Float32Array;
      expect(picked.slice(b * actionDim, (b + 1) * actionDim)).toEqual(Array.from(best));
    });
    expect(counts.qEvaluations).toBe(3 * 5);
    const single = tf.tidy(() => {
      const obs = tf.tensor2d(states[0] as Float32Array, [1, obsDim]);
      return Array.from(
        selector.select(critics, obs, tf.tensor3d(actions[0] as Float32Array, [1, 1, actionDim])).dataSync(),
      );
    });
    expect(single).toEqual(Array.from(actions[0] as Float32Array));
    expect(counts.qEvaluations).toBe(3 * 5);
  });
});
