import * as tf from "@tensorflow/tfjs";
import { beforeAll, expect, it } from "vitest";
import { initBackend } from "../backend.js";
import { Adam } from "../optim.js";
import type { Parameterized } from "../params.js";
import { Rng } from "../rng.js";
import { GraphAttentionBlock } from "./attention.js";
import { MLP } from "./mlp.js";
import { makeSummarizer, type SummarizerKind } from "./summarizers.js";

beforeAll(async () => {
  await initBackend();
});

const STEPS = 200;

/**
 * Train `net` for STEPS Adam steps on a fixed regression target and check that the tensor count
 * is the same before and after (every intermediate of forward, backward and update disposed)
 * and that the loss went down (the steps did train).
 */
function trainAndCount(net: Parameterized, loss: () => tf.Scalar): { leaked: number; first: number; last: number } {
  const adam = new Adam("leak", net, { lr: 3e-3 });
  const before = tf.memory().numTensors;
  const first = adam.minimize(loss);
  let last = first;
  for (let i = 1; i < STEPS; i++) last = adam.minimize(loss);
  const leaked = tf.memory().numTensors - before;
  adam.dispose();
  return { leaked, first, last };
}

it(`an MLP keeps tf.memory().numTensors unchanged over ${STEPS} forward+backward+Adam steps`, () => {
  const rng = new Rng(1);
  const net = new MLP(rng, 5, 2, { hidden: [16, 16], layerNorm: true });
  const x = tf.tensor2d(rng.fillNormal(new Float32Array(32 * 5)) as Float32Array, [32, 5]);
  const y = tf.tensor2d(rng.fillNormal(new Float32Array(32 * 2)) as Float32Array, [32, 2]);
  const r = trainAndCount(net, () => tf.mean(tf.square(tf.sub(net.apply(x), y))));
  expect(r.leaked).toBe(0);
  expect(r.last).toBeLessThan(r.first);
  tf.dispose([x, y]);
});

it.each(["deepset", "lstm", "attention"] as SummarizerKind[])(
  `the %s summarizer keeps tf.memory().numTensors unchanged over ${STEPS} masked training steps`,
  (kind) => {
    const rng = new Rng(2);
    const net = makeSummarizer(kind, rng, { inputSize: 3, hiddenSize: 12, outputSize: 2, heads: 2 });
    const [b, l] = [16, 4];
    const items = tf.tensor3d(rng.fillNormal(new Float32Array(b * l * 3)) as Float32Array, [b, l, 3]);
    const maskValues = new Float32Array(b * l).map((_, i) => (i % l < 1 + (((i / l) | 0) % l) ? 1 : 0));
    const mask = tf.tensor2d(maskValues, [b, l]);
    const y = tf.tensor2d(rng.fillNormal(new Float32Array(b * 2)) as Float32Array, [b, 2]);
    const r = trainAndCount(net, () => tf.mean(tf.square(tf.sub(net.apply(items, mask), y))));
    expect(r.leaked).toBe(0);
    expect(r.last).toBeLessThan(r.first);
    tf.dispose([items, mask, y]);
  },
);

it(`the GAT block keeps tf.memory().numTensors unchanged over ${STEPS} training steps`, () => {
  const rng = new Rng(3);
  const net = new GraphAttentionBlock(rng, 4, { hidden: 8 });
  const nodes = tf.tensor3d(rng.fillNormal(new Float32Array(8 * 5 * 4)) as Float32Array, [8, 5, 4]);
  const available = tf.tensor2d(
    new Float32Array(8 * 5).map((_, i) => (i % 3 === 0 ? 0 : 1)),
    [8, 5],
  );
  const y = tf.tensor3d(rng.fillNormal(new Float32Array(8 * 5 * 8)) as Float32Array, [8, 5, 8]);
  const r = trainAndCount(net, () => tf.mean(tf.square(tf.sub(net.apply(nodes, { available }), y))));
  expect(r.leaked).toBe(0);
  expect(r.last).toBeLessThan(r.first);
  tf.dispose([nodes, available, y]);
});
