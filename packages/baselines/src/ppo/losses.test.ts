import { initBackend, tf } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { clippedPolicyLoss, computeGae, valueLoss } from "./losses.js";

beforeAll(async () => {
  await initBackend();
});

describe("computeGae", () => {
  it("matches a hand computation across a termination and a truncation", () => {
    // Steps 0-1: episode A ends terminated at 1. Steps 2-3: episode B truncated at 3. Step 4: rollout cut.
    const gamma = 0.9;
    const lambda = 0.5;
    const rewards = Float32Array.of(1, 2, 3, 4, 5);
    const values = Float32Array.of(0.5, 1, 1.5, 2, 2.5);
    const nextValues = Float32Array.of(1, 9, 2, 3, 4); // V(s_{t+1}); 9 must be ignored (terminated)
    const { advantages, returns } = computeGae({
      rewards,
      values,
      nextValues,
      terminated: Uint8Array.of(0, 1, 0, 0, 0),
      truncated: Uint8Array.of(0, 0, 0, 1, 0),
      gamma,
      lambda,
    });
    const d4 = 5 + 0.9 * 4 - 2.5; // bootstraps from the rollout's last next value
    const d3 = 4 + 0.9 * 3 - 2; // truncation: bootstrap from the pre-reset observation's value
    const d2 = 3 + 0.9 * 2 - 1.5;
    const d1 = 2 - 1; // terminated: no bootstrap
    const d0 = 1 + 0.9 * 1 - 0.5;
    const a4 = d4;
    const a3 = d3; // recursion cut at the episode end
    const a2 = d2 + 0.45 * a3;
    const a1 = d1;
    const a0 = d0 + 0.45 * a1;
    const expected = [a0, a1, a2, a3, a4];
    advantages.forEach((a, i) => {
      expect(a).toBeCloseTo(expected[i] as number, 5);
      expect(returns[i]).toBeCloseTo((expected[i] as number) + (values[i] as number), 5);
    });
  });
});

describe("PPO losses", () => {
  it("clippedPolicyLoss takes the pessimistic side of the clip", () => {
    const value = tf.tidy(() => {
      // ratios 1.5, 0.5, 1.05, 1.5 with advantages +2, +1, −1, −3 and ε = 0.2
      const logProb = tf.tensor1d([Math.log(1.5), Math.log(0.5), Math.log(1.05), Math.log(1.5)]);
      const old = tf.zeros([4]) as tf.Tensor1D;
      const adv = tf.tensor1d([2, 1, -1, -3]);
      return clippedPolicyLoss(logProb, old, adv, 0.2).dataSync()[0] as number;
    });
    // min(1.5·2, 1.2·2) = 2.4; min(0.5·1, 0.8·1) = 0.5; min(−1.05, −1.05) = −1.05; min(−4.5, −3.6) = −4.5
    expect(value).toBeCloseTo(-(2.4 + 0.5 - 1.05 - 4.5) / 4, 5);
  });

  it("valueLoss clips the value change around the old value", () => {
    const [clipped, plain] = tf.tidy(() => {
      const v = tf.tensor1d([1.0, 3.0]);
      const old = tf.tensor1d([0.0, 2.9]);
      const ret = tf.tensor1d([2.0, 0.0]);
      return [
        valueLoss(v, old, ret, 0.2).dataSync()[0] as number,
        valueLoss(v, old, ret, null).dataSync()[0] as number,
      ];
    });
    // row 0: unclipped (1−2)² = 1, clipped V = 0.2 → (0.2−2)² = 3.24 → 3.24; row 1: (3)² = 9, clipped 3.0 → 9
    expect(clipped).toBeCloseTo(0.5 * ((3.24 + 9) / 2), 5);
    expect(plain).toBeCloseTo(0.5 * ((1 + 9) / 2), 5);
  });
});
