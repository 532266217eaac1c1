import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend.js";
import { Rng } from "../rng.js";
import { LSTM } from "./lstm.js";
import { LSTMSummarizer } from "./summarizers.js";

beforeAll(async () => {
  await initBackend();
});

describe("LSTM gradients", () => {
  it.each([1, 3])(
    "backpropagates through a %i-step sequence in both directions and matches finite differences",
    (l) => {
      const lstm = new LSTM(new Rng(1), 4, 5, { name: "t" });
      const items = tf.tensor3d(new Rng(2).fillNormal(new Float32Array(2 * l * 4)) as Float32Array, [2, l, 4]);
      const w = lstm.inputProjection.weight;
      const loss = (reverse: boolean) => () => {
        const out = lstm.apply(items, undefined, reverse);
        return tf.add(tf.sum(tf.square(out.final)), tf.sum(out.outputs)) as tf.Scalar;
      };
      for (const reverse of [false, true]) {
        const { grads } = tf.variableGrads(loss(reverse), [w]);
        const g = (grads[w.name] as tf.Tensor).dataSync();
        expect(g.every(Number.isFinite)).toBe(true);
        // Central difference on a few weights.
        const base = w.dataSync().slice();
        for (const i of [0, 7, 33, 61]) {
          const at = (delta: number) => {
            const v = base.slice();
            v[i] = (v[i] as number) + delta;
            w.assign(tf.tensor(v, w.shape));
            return loss(reverse)().dataSync()[0] as number;
          };
          const numeric = (at(1e-2) - at(-1e-2)) / 2e-2;
          w.assign(tf.tensor(base, w.shape));
          expect(g[i]).toBeCloseTo(numeric, 2);
        }
      }
    },
  );

  it("the Bi-LSTM summarizer trains on a single-item list (SAVO's first successive actor)", () => {
    const s = new LSTMSummarizer(new Rng(3), { inputSize: 4, hiddenSize: 6, outputSize: 3 });
    const items = tf.tensor3d(new Rng(4).fillNormal(new Float32Array(5 * 4)) as Float32Array, [5, 1, 4]);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(s.apply(items))) as tf.Scalar, s.parameters());
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(Object.keys(grads)).toHaveLength(s.parameters().length);
    for (const g of Object.values(grads)) expect(g.dataSync().every(Number.isFinite)).toBe(true);
  });
});
