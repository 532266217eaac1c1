import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend.js";
import { Rng } from "../rng.js";
import { type AttentionMasks, GraphAttentionBlock, GraphAttentionLayer, MultiHeadAttention } from "./attention.js";
import type { Linear } from "./linear.js";

beforeAll(async () => {
  await initBackend();
});

type Matrix = number[][];

function affine(x: Matrix, layer: Linear): Matrix {
  const w = layer.weight.arraySync() as Matrix;
  const b = layer.bias.arraySync() as number[];
  return x.map((row) => b.map((bj, j) => row.reduce((s, xi, i) => s + xi * (w[i]?.[j] as number), bj)));
}

function softmax(v: number[]): number[] {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

function randomNodes(rng: Rng, b: number, n: number, d: number): number[][][] {
  return Array.from({ length: b }, () =>
    Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal())),
  );
}

function apply3(
  layer: { apply(x: tf.Tensor3D, m?: AttentionMasks): tf.Tensor3D },
  nodes: number[][][],
  masks: { available?: number[][]; adjacency?: number[][][] } = {},
): number[][][] {
  return tf.tidy(() => {
    const m: AttentionMasks = {};
    if (masks.available) m.available = tf.tensor2d(masks.available);
    if (masks.adjacency) m.adjacency = tf.tensor3d(masks.adjacency);
    return layer.apply(tf.tensor3d(nodes), m).arraySync() as number[][][];
  });
}

function maxDiff(a: number[][], b: number[][]): number {
  let m = 0;
  a.forEach((row, i) => {
    row.forEach((v, j) => {
      m = Math.max(m, Math.abs(v - (b[i]?.[j] as number)));
    });
  });
  return m;
}

describe("MultiHeadAttention", () => {
  it("matches a float64 reference of residual scaled dot-product attention with 2 heads", () => {
    const rng = new Rng(1);
    const mha = new MultiHeadAttention(rng, 4, { heads: 2 });
    const nodes = randomNodes(rng, 2, 3, 4);
    const got = apply3(mha, nodes);
    nodes.forEach((x, b) => {
      const q = affine(x, mha.query);
      const k = affine(x, mha.key);
      const v = affine(x, mha.value);
      const heads = x.map((_, i) =>
        [0, 1].flatMap((h) => {
          const cols = [2 * h, 2 * h + 1];
          const scores = x.map(
            (__, j) => cols.reduce((s, c) => s + (q[i]?.[c] as number) * (k[j]?.[c] as number), 0) / Math.SQRT2,
          );
          const w = softmax(scores);
          return cols.map((c) => w.reduce((s, wj, j) => s + wj * (v[j]?.[c] as number), 0));
        }),
      );
      const out = affine(heads, mha.output).map((row, i) => row.map((o, c) => o + (x[i]?.[c] as number)));
      expect(maxDiff(got[b] as Matrix, out)).toBeLessThan(1e-4);
    });
  });

  it("unavailable nodes do not influence others and output zeros", () => {
    const rng = new Rng(2);
    const mha = new MultiHeadAttention(rng, 4, { heads: 2 });
    const nodes = randomNodes(rng, 1, 4, 4);
    const available = [[1, 0, 1, 1]];
    const changed = nodes.map((row) => row.map((item, i) => (i === 1 ? item.map(() => rng.normal() * 5) : item)));
    const a = apply3(mha, nodes, { available });
    const b = apply3(mha, changed, { available });
    expect(maxDiff(a[0] as Matrix, b[0] as Matrix)).toBeLessThan(1e-5);
    expect(a[0]?.[1]?.every((v) => v === 0)).toBe(true);
    // Without the mask node 1 does matter.
    expect(maxDiff(apply3(mha, nodes)[0] as Matrix, apply3(mha, changed)[0] as Matrix)).toBeGreaterThan(1e-4);
  });

  it("rejects a head count that does not divide the width", () => {
    expect(() => new MultiHeadAttention(new Rng(0), 6, { heads: 4 })).toThrow(/positive divisor/);
  });
});

describe("GraphAttentionLayer", () => {
  it("matches a float64 GAT reference (LeakyReLU 0.2 logits, softmax over neighbours)", () => {
    const rng = new Rng(3);
    const gat = new GraphAttentionLayer(rng, 3, 2);
    const nodes = randomNodes(rng, 1, 4, 3);
    const adjacency = [
      [
        [0, 1, 1, 0],
        [1, 0, 0, 0],
        [1, 1, 1, 1],
        [0, 0, 0, 0],
      ],
    ];
    const got = apply3(gat, nodes, { adjacency })[0] as Matrix;
    const z = affine(nodes[0] as Matrix, gat.transform);
    const aL = (gat.attendLeft.arraySync() as Matrix)[0] as number[];
    const aR = (gat.attendRight.arraySync() as Matrix)[0] as number[];
    const dot = (a: number[], b: number[] | undefined) => a.reduce((s, v, i) => s + v * (b?.[i] as number), 0);
    const want = z.map((zi, i) => {
      // Self-loops are added, so every node has itself as a neighbour.
      const neighbours = z.map((_, j) => j).filter((j) => j === i || adjacency[0]?.[i]?.[j] === 1);
      const logits = neighbours.map((j) => {
        const e = dot(aL, zi) + dot(aR, z[j]);
        return e > 0 ? e : 0.2 * e;
      });
      const w = softmax(logits);
      return [0, 1].map((c) => neighbours.reduce((s, j, n) => s + (w[n] as number) * (z[j]?.[c] as number), 0));
    });
    expect(maxDiff(got, want)).toBeLessThan(1e-4);
  });

  it("without self-loops a node aggregates only its neighbours, with or without an availability mask", () => {
    const rng = new Rng(7);
    const gat = new GraphAttentionLayer(rng, 3, 2, { selfLoops: false });
    const nodes = randomNodes(rng, 1, 2, 3);
    const z = affine(nodes[0] as Matrix, gat.transform);
    const swapped = [z[1], z[0]] as Matrix;
    expect(maxDiff(apply3(gat, nodes)[0] as Matrix, swapped)).toBeLessThan(1e-5);
    expect(maxDiff(apply3(gat, nodes, { available: [[1, 1]] })[0] as Matrix, swapped)).toBeLessThan(1e-5);
  });

  it("is permutation equivariant over nodes", () => {
    const rng = new Rng(4);
    const gat = new GraphAttentionLayer(rng, 3, 4, { heads: 2 });
    const nodes = randomNodes(rng, 2, 5, 3);
    const perm = [2, 4, 0, 1, 3];
    const permuted = nodes.map((g) => perm.map((j) => g[j] as number[]));
    const out = apply3(gat, nodes);
    const outPerm = apply3(gat, permuted);
    out.forEach((g, b) => {
      expect(
        maxDiff(
          perm.map((j) => g[j] as number[]),
          outPerm[b] as Matrix,
        ),
      ).toBeLessThan(1e-5);
    });
  });
});

describe("GraphAttentionBlock", () => {
  it("projects the skip to the hidden width, masks unavailable actions and trains every parameter", () => {
    const rng = new Rng(5);
    const block = new GraphAttentionBlock(rng, 5, { hidden: 8, layers: 2 });
    expect(block.skip).not.toBeNull();
    expect(block.parameters()).toHaveLength(2 * 4 + 2);
    const nodes = randomNodes(rng, 2, 4, 5);
    const available = [
      [1, 1, 0, 1],
      [0, 1, 1, 1],
    ];
    const out = apply3(block, nodes, { available });
    expect(out[0]?.[0]).toHaveLength(8);
    expect(out[0]?.[2]?.every((v) => v === 0)).toBe(true);
    const changed = nodes.map((g, b) =>
      g.map((item, i) => (available[b]?.[i] ? item : item.map(() => 3 * rng.normal()))),
    );
    const out2 = apply3(block, changed, { available });
    out.forEach((g, b) => {
      expect(maxDiff(g, out2[b] as Matrix)).toBeLessThan(1e-5);
    });
    tf.tidy(() => {
      const vars = block.parameters();
      const x = tf.tensor3d(nodes);
      const m = { available: tf.tensor2d(available) };
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(block.apply(x, m))) as tf.Scalar, vars);
      for (const v of vars) expect(tf.max(tf.abs(grads[v.name] as tf.Tensor)).dataSync()[0], v.name).toBeGreaterThan(0);
    });
  });

  it("uses the identity skip when the input already has the hidden width", () => {
    const block = new GraphAttentionBlock(new Rng(6), 8, { hidden: 8 });
    expect(block.skip).toBeNull();
    expect(() => tf.tidy(() => block.apply(tf.zeros([1, 3, 8]), { adjacency: tf.ones([1, 2, 2]) }))).toThrow(
      /adjacency has shape/,
    );
  });
});
