import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend.js";
import { Rng } from "../rng.js";
import { tileOverItems } from "./ops.js";

beforeAll(async () => {
  await initBackend();
});

/** The reference: tfjs's own tile, whose gradient slices dy once per copy. */
function tiled(x: tf.Tensor, times: number): tf.Tensor {
  return tf.tile(tf.expandDims(x, 1), [1, times, ...x.shape.slice(1).map(() => 1)]);
}

describe("tileOverItems", () => {
  // [B, h] over K items (a state encoding over the action slots) and [B, K, d] over I list indices (CDQN).
  it.each([
    [[16, 64], 500],
    [[4, 5], 7],
    [[3, 25, 6], 4],
  ])("matches tf.tile bit for bit, value and gradient: x %j, %i copies", (shape, times) => {
    const rng = new Rng(3);
    const size = shape.reduce((a, b) => a * b, 1);
    const x = tf.tensor(rng.fillNormal(new Float32Array(size)) as Float32Array, shape);
    const outShape = [shape[0] as number, times, ...shape.slice(1)];
    const w = tf.tensor(rng.fillNormal(new Float32Array(size * times)) as Float32Array, outShape);
    // A nonlinearity before the weights, so each copy's gradient differs and the summation order shows.
    const loss = (tile: typeof tiled) => (v: tf.Tensor) => tf.sum(tf.mul(tf.tanh(tile(v, times)), w));
    expect(tileOverItems(x, times).shape).toEqual(outShape);
    expect(tileOverItems(x, times).dataSync()).toEqual(tiled(x, times).dataSync());
    const ours = tf.grad(loss(tileOverItems))(x).dataSync();
    const reference = tf.grad(loss(tiled))(x).dataSync();
    expect(Array.from(ours)).toEqual(Array.from(reference));
  });

  it("would notice another summation order (the bit-for-bit check has teeth)", () => {
    const rng = new Rng(3);
    const x = tf.tensor2d(rng.fillNormal(new Float32Array(16 * 64)) as Float32Array, [16, 64]);
    const w = tf.tensor3d(rng.fillNormal(new Float32Array(16 * 500 * 64)) as Float32Array, [16, 500, 64]);
    const reversed = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
      value: tiled(args[0] as tf.Tensor, 500),
      gradFunc: (dy: tf.Tensor) => tf.sum(tf.reverse(dy, 1), 1),
    }));
    const loss = (tile: (v: tf.Tensor) => tf.Tensor) => (v: tf.Tensor) => tf.sum(tf.mul(tf.tanh(tile(v)), w));
    const inOrder = tf
      .grad(loss((v) => tileOverItems(v, 500)))(x)
      .dataSync();
    const backwards = tf
      .grad(loss((v) => reversed(v)))(x)
      .dataSync();
    expect(Array.from(backwards)).not.toEqual(Array.from(inOrder));
  });
});
