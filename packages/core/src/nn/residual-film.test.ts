import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend.js";
import { QscapeError } from "../errors.js";
import { Rng } from "../rng.js";
import { FiLM, FiLMMLP } from "./film.js";
import type { Linear } from "./linear.js";
import { NormedLinear, ResidualBlock, ResidualMLP } from "./residual.js";

beforeAll(async () => {
  await initBackend();
});

type Matrix = number[][];

function read(t: tf.Tensor): Matrix {
  return t.arraySync() as Matrix;
}

/** x @ W + b in float64. */
function affine(x: Matrix, layer: Linear): Matrix {
  const w = read(layer.weight);
  const b = layer.bias.arraySync() as number[];
  return x.map((row) => b.map((bj, j) => row.reduce((s, xi, i) => s + xi * (w[i]?.[j] as number), bj)));
}

const relu = (m: Matrix) => m.map((r) => r.map((v) => Math.max(0, v)));
const elu = (m: Matrix) => m.map((r) => r.map((v) => (v > 0 ? v : Math.expm1(v))));
const add = (a: Matrix, b: Matrix) => a.map((r, i) => r.map((v, j) => v + (b[i]?.[j] as number)));
function layerNorm(m: Matrix): Matrix {
  return m.map((r) => {
    const mean = r.reduce((s, v) => s + v, 0) / r.length;
    const variance = r.reduce((s, v) => s + (v - mean) ** 2, 0) / r.length;
    return r.map((v) => (v - mean) / Math.sqrt(variance + 1e-5));
  });
}

function expectClose(got: Matrix, want: Matrix, tol = 1e-4): void {
  expect(got.length).toBe(want.length);
  got.forEach((row, i) => {
    row.forEach((v, j) => {
      expect(Math.abs(v - (want[i]?.[j] as number))).toBeLessThan(tol);
    });
  });
}

function randomMatrix(rng: Rng, rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.normal()));
}

describe("QMLE residual layout", () => {
  it("ResidualBlock computes LayerNorm(x + W2·relu(W1·x + b1) + b2)", () => {
    const rng = new Rng(1);
    const block = new ResidualBlock(rng, 5);
    const x = randomMatrix(rng, 4, 5);
    const got = tf.tidy(() => read(block.apply(tf.tensor2d(x))));
    expectClose(got, layerNorm(add(x, affine(relu(affine(x, block.inner)), block.outer))));
  });

  it("ResidualMLP is embed → (block → ELU) → Linear out, and NormedLinear is ELU(LN(Linear))", () => {
    const rng = new Rng(2);
    const net = new ResidualMLP(rng, 3, { width: 6, blocks: 1, outputSize: 2 });
    const stream = new NormedLinear(rng, 3, 6);
    const x = randomMatrix(rng, 5, 3);
    const block = net.blocks[0] as ResidualBlock;
    const embed = affine(x, net.embedding as Linear);
    const hidden = elu(layerNorm(add(embed, affine(relu(affine(embed, block.inner)), block.outer))));
    const [got, gotStream] = tf.tidy(() => [read(net.apply(tf.tensor2d(x))), read(stream.apply(tf.tensor2d(x)))]);
    expectClose(got as Matrix, affine(hidden, net.output as Linear));
    expectClose(gotStream as Matrix, elu(layerNorm(affine(x, stream.linear))));
    expect(net.outputSize).toBe(2);
    expect(net.parameters()).toHaveLength(2 + 6 + 2);
  });

  it("without an embedding the input width must equal the stream width", () => {
    expect(() => new ResidualMLP(new Rng(0), 3, { width: 6, embed: false })).toThrow(QscapeError);
    const net = new ResidualMLP(new Rng(0), 6, { width: 6, embed: false });
    expect(net.outputSize).toBe(6);
    expect(tf.tidy(() => net.apply(tf.ones([2, 6])).shape)).toEqual([2, 6]);
  });
});

describe("FiLM", () => {
  it("computes x ⊙ (1 + Δγ(z)) + β(z) from one projection of the condition", () => {
    const rng = new Rng(3);
    const film = new FiLM(rng, 4, 3);
    const x = randomMatrix(rng, 5, 3);
    const z = randomMatrix(rng, 5, 4);
    const gb = affine(z, film.projection);
    const want = x.map((row, i) => row.map((v, j) => v * (1 + (gb[i]?.[j] as number)) + (gb[i]?.[j + 3] as number)));
    expectClose(
      tf.tidy(() => read(film.apply(tf.tensor2d(x), tf.tensor2d(z)))),
      want,
    );
    expect(() => tf.tidy(() => film.apply(tf.tensor2d(x), tf.tensor2d(x)))).toThrow(/condition \[B, 4\]/);
  });

  it("FiLMMLP depends on the condition in every hidden layer and trains both paths", () => {
    const rng = new Rng(4);
    const net = new FiLMMLP(rng, 3, 2, 1, { hidden: [8, 8] });
    expect(net.films).toHaveLength(2);
    tf.tidy(() => {
      const x = tf.tensor2d(randomMatrix(rng, 6, 3));
      const z1 = tf.tensor2d(randomMatrix(rng, 6, 2));
      const z2 = tf.tensor2d(randomMatrix(rng, 6, 2));
      const diff = tf.max(tf.abs(tf.sub(net.apply(x, z1), net.apply(x, z2)))).dataSync()[0] as number;
      expect(diff).toBeGreaterThan(1e-4);
      const vars = net.parameters();
      const { grads } = tf.variableGrads(() => tf.sum(net.apply(x, z1)) as tf.Scalar, vars);
      for (const v of vars) {
        expect(tf.max(tf.abs(grads[v.name] as tf.Tensor)).dataSync()[0], v.name).toBeGreaterThan(0);
      }
    });
  });
});
