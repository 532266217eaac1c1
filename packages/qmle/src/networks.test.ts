import { initBackend, Rng, tf } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { QmleNetwork } from "./networks.js";

beforeAll(async () => {
  await initBackend();
});

describe("QmleNetwork", () => {
  const net = new QmleNetwork(new Rng(3), 5, 2, 16, 3, "test");

  it("batched candidate Q (features once per state, split first joint layer) equals the plain layout", () => {
    const rng = new Rng(4);
    const b = 3;
    const m = 7;
    const obs = rng.fillNormal(new Float32Array(b * 5)) as Float32Array;
    const actions = rng.fillUniform(new Float32Array(b * m * 2), -1, 1) as Float32Array;
    const [batched, plain] = tf.tidy(() => {
      const o = tf.tensor2d(obs, [b, 5]);
      const a = tf.tensor2d(actions, [b * m, 2]);
      const fast = net.q(net.features(o), a, m);
      // Reference: every (state, candidate) pair through concat → residual block → ELU → Linear.
      const repeated = tf.reshape(tf.tile(tf.expandDims(o, 1), [1, m, 1]), [b * m, 5]) as tf.Tensor2D;
      const joint = tf.concat([net.features(repeated), net.actionStream.apply(a)], 1);
      const slow = net.qOutput.apply(tf.elu(net.jointBlock.apply(joint)) as tf.Tensor2D);
      return [fast.dataSync(), tf.reshape(slow, [b, m]).dataSync()];
    });
    expect(batched.length).toBe(b * m);
    for (let i = 0; i < batched.length; i++) expect(batched[i]).toBeCloseTo(plain[i] as number, 4);
  });

  it("predictor losses do not reach the observation stream; the Q loss does", () => {
    const obs = tf.tensor2d(new Rng(5).fillNormal(new Float32Array(4 * 5)) as Float32Array, [4, 5]);
    const encoder = net.observationStream.parameters();
    const gradNorm = (loss: () => tf.Scalar) =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(loss, encoder);
        return encoder.reduce(
          (s, v) => s + (grads[v.name] ? (tf.sum(tf.abs(grads[v.name] as tf.Tensor)).dataSync()[0] as number) : 0),
          0,
        );
      });
    const predictorLoss = () => {
      const { deltaMean, categorical } = net.predict(net.features(obs));
      return tf.add(tf.sum(deltaMean), tf.sum(categorical.logits)) as tf.Scalar;
    };
    const qLoss = () => tf.sum(net.q(net.features(obs), tf.zeros([4, 2]), 1)) as tf.Scalar;
    expect(gradNorm(predictorLoss)).toBe(0);
    expect(gradNorm(qLoss)).toBeGreaterThan(0);
    obs.dispose();
  });

  it("predictor outputs have the right shapes and ranges", () => {
    const out = tf.tidy(() => {
      const { deltaMean, categorical } = net.predict(net.features(tf.ones([3, 5])));
      return { delta: deltaMean.dataSync(), shape: categorical.logits.shape };
    });
    expect(out.shape).toEqual([3, 2, 3]);
    for (const v of out.delta) expect(Math.abs(v)).toBeLessThanOrEqual(1);
  });
});
