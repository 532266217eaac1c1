import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend.js";
import { fastDense, plainDense, setFastDense } from "../dense.js";
import { Rng } from "../rng.js";
import { MLP } from "./mlp.js";

beforeAll(async () => {
  await initBackend();
});

function randomTensor(rng: Rng, shape: number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.fillNormal(new Float32Array(size)) as Float32Array, shape);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);
}

describe("fastDense", () => {
  it.each([
    [1, 1, 1],
    [5, 3, 7],
    [32, 17, 9],
    [64, 128, 64],
  ])("x [%i, %i] @ w [_, %i]: value, dx, dw, db match tfjs autodiff of matMul + add", (batch, inF, outF) => {
    const rng = new Rng(batch * 1000 + inF * 10 + outF);
    tf.tidy(() => {
      const x = randomTensor(rng, [batch, inF]) as tf.Tensor2D;
      const w = randomTensor(rng, [inF, outF]) as tf.Tensor2D;
      const b = randomTensor(rng, [outF]) as tf.Tensor1D;
      // A random cotangent so every output element weighs differently in the gradient.
      const r = randomTensor(rng, [batch, outF]);
      const loss = (f: typeof fastDense) => (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.mul(f(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D), r));
      const fast = tf.grads(loss(fastDense))([x, w, b]);
      const plain = tf.grads(loss(plainDense))([x, w, b]);
      expect(maxAbsDiff(fastDense(x, w, b), plainDense(x, w, b))).toBeLessThan(1e-4);
      for (let i = 0; i < 3; i++) {
        expect(fast[i]?.shape).toEqual(plain[i]?.shape);
        expect(maxAbsDiff(fast[i] as tf.Tensor, plain[i] as tf.Tensor)).toBeLessThan(1e-4);
      }
      // Guard against both paths being trivially zero.
      expect(tf.max(tf.abs(fast[1] as tf.Tensor)).dataSync()[0]).toBeGreaterThan(1e-3);
    });
  });

  it("rejects mismatched inner sizes with a clear message", () => {
    tf.tidy(() => {
      expect(() => fastDense(tf.zeros([2, 3]), tf.zeros([4, 5]), tf.zeros([5]))).toThrow(/3 features .* expects 4/);
    });
  });
});

describe("MLP gradients", () => {
  afterEach(() => setFastDense(true));

  it("are the same through fast dense and through plain autodiff (setFastDense(false))", () => {
    const rng = new Rng(7);
    const mlp = new MLP(rng, 6, 3, { hidden: [16, 8], activation: "tanh", layerNorm: true });
    const x = tf.tensor2d(rng.fillNormal(new Float32Array(10 * 6)) as Float32Array, [10, 6]);
    const y = tf.tensor2d(rng.fillNormal(new Float32Array(10 * 3)) as Float32Array, [10, 3]);
    const vars = mlp.parameters();
    const gradsWith = (fast: boolean): tf.Tensor[] => {
      setFastDense(fast);
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(mlp.apply(x), y))) as tf.Scalar, vars);
      value.dispose();
      return vars.map((v) => grads[v.name] as tf.Tensor);
    };
    const fast = gradsWith(true);
    const plain = gradsWith(false);
    expect(fast).toHaveLength(vars.length);
    for (let i = 0; i < vars.length; i++) {
      expect(maxAbsDiff(fast[i] as tf.Tensor, plain[i] as tf.Tensor)).toBeLessThan(1e-5);
    }
    tf.dispose([...fast, ...plain, x, y, ...vars]);
  });
});
