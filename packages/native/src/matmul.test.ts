import { Rng, tf } from "@qscape/core";
import { describe, expect, it } from "vitest";
import { nativeVsWasm, randomTensor, useNative, worstError } from "../test/compare.js";
import { kernelCounts, planMatMul, resetKernelCounts } from "./index.js";

const TRANSPOSES = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

/** Operand shapes for `op(a) @ op(b)` with output [...batch, m, n] and inner size k. */
function operandShapes(batchA: number[], batchB: number[], m: number, n: number, k: number, ta: boolean, tb: boolean) {
  return { a: [...batchA, ...(ta ? [k, m] : [m, k])], b: [...batchB, ...(tb ? [n, k] : [k, n])] };
}

async function expectMatMulAgrees(
  rng: Rng,
  batchA: number[],
  batchB: number[],
  m: number,
  n: number,
  k: number,
  ta: boolean,
  tb: boolean,
) {
  const shapes = operandShapes(batchA, batchB, m, n, k, ta, tb);
  const a = randomTensor(rng, shapes.a);
  const b = randomTensor(rng, shapes.b);
  resetKernelCounts();
  const pair = await nativeVsWasm(() => tf.matMul(a, b, ta, tb));
  const label = `a[${shapes.a}] b[${shapes.b}] transposeA=${ta} transposeB=${tb}`;
  expect(kernelCounts().native.BatchMatMul, label).toBe(1);
  expect(worstError(pair.native, pair.wasm, 2e-6 * Math.max(k, 1)), label).toBeLessThanOrEqual(1);
  a.dispose();
  b.dispose();
}

describe("native BatchMatMul vs the WASM kernel", () => {
  useNative();

  it("agrees on random rank-2 shapes with every transpose combination", async () => {
    const rng = new Rng(1);
    for (let trial = 0; trial < 12; trial++) {
      const [m, n, k] = [rng.int(1, 90), rng.int(1, 90), rng.int(1, 90)];
      for (const [ta, tb] of TRANSPOSES) await expectMatMulAgrees(rng, [], [], m, n, k, ta, tb);
    }
  });

  it("agrees on odd and degenerate sizes (1, primes, vectors, 256-wide layers)", async () => {
    const rng = new Rng(2);
    const cases: [number, number, number][] = [
      [1, 1, 1],
      [1, 7, 1],
      [13, 1, 31],
      [256, 256, 14],
      [256, 1, 256],
      [257, 3, 255],
    ];
    for (const [m, n, k] of cases) {
      for (const [ta, tb] of TRANSPOSES) await expectMatMulAgrees(rng, [], [], m, n, k, ta, tb);
    }
  });

  it("agrees on batched shapes, including a broadcast side and rank 4", async () => {
    const rng = new Rng(3);
    const batches: [number[], number[]][] = [
      [[3], [3]],
      [[1], [4]],
      [[5], [1]],
      [[], [3]],
      [[2], []],
      [
        [2, 3],
        [2, 3],
      ],
      [[3], [2, 3]],
      [
        [1, 4],
        [2, 1, 4],
      ],
    ];
    for (const [batchA, batchB] of batches) {
      const [m, n, k] = [rng.int(1, 40), rng.int(1, 40), rng.int(1, 40)];
      for (const [ta, tb] of TRANSPOSES) await expectMatMulAgrees(rng, batchA, batchB, m, n, k, ta, tb);
    }
  });

  it("handles zero-size edges: empty rows, columns, inner dimension and batch", async () => {
    const rng = new Rng(4);
    const cases: [number[], number, number, number][] = [
      [[], 0, 5, 3],
      [[], 4, 0, 3],
      [[], 4, 5, 0],
      [[0], 4, 5, 3],
      [[2], 3, 2, 0],
    ];
    for (const [batch, m, n, k] of cases) {
      for (const [ta, tb] of TRANSPOSES) {
        const shapes = operandShapes(batch, batch, m, n, k, ta, tb);
        const a = randomTensor(rng, shapes.a);
        const b = randomTensor(rng, shapes.b);
        const out = tf.matMul(a, b, ta, tb);
        expect(out.shape).toEqual([...batch, m, n]);
        // An empty inner dimension is an empty sum: every output entry is exactly 0.
        expect(Array.from(out.dataSync()).every((v) => v === 0)).toBe(true);
        tf.dispose([a, b, out]);
      }
    }
  });

  it("falls back to the WASM kernel for batch broadcasts it does not plan ([2,1] with [1,3])", async () => {
    expect(planMatMul([2, 1, 4, 5], [1, 3, 5, 6], false, false)).toBeNull();
    const rng = new Rng(5);
    const a = randomTensor(rng, [2, 1, 4, 5]);
    const b = randomTensor(rng, [1, 3, 5, 6]);
    resetKernelCounts();
    const out = tf.matMul(a, b);
    expect(kernelCounts().fallback.BatchMatMul).toBe(1);
    expect(out.shape).toEqual([2, 3, 4, 6]);
    tf.dispose([a, b, out]);
  });

  it("rejects mismatched inner dimensions like the WASM kernel", () => {
    const a = tf.zeros([3, 4]);
    const b = tf.zeros([5, 2]);
    expect(() => tf.matMul(a, b)).toThrow(/inner shapes \(4\) and \(5\)/);
    tf.dispose([a, b]);
  });
});

describe("native _FusedMatMul vs the WASM kernel", () => {
  useNative();

  const ACTIVATIONS = ["linear", "relu", "relu6", "elu", "leakyrelu", "sigmoid"] as const;

  const unfused: Record<(typeof ACTIVATIONS)[number], (x: tf.Tensor) => tf.Tensor> = {
    linear: (x) => x,
    relu: (x) => tf.relu(x),
    relu6: (x) => tf.relu6(x),
    elu: (x) => tf.elu(x),
    leakyrelu: (x) => tf.leakyRelu(x, 0.15),
    sigmoid: (x) => tf.sigmoid(x),
  };

  it("agrees with bias and every activation, all transpose combinations, rank 2 and batched", async () => {
    const rng = new Rng(6);
    for (const activation of ACTIVATIONS) {
      for (const [ta, tb] of TRANSPOSES) {
        for (const batch of [[], [3]]) {
          const [m, n, k] = [rng.int(1, 50), rng.int(1, 50), rng.int(1, 50)];
          const shapes = operandShapes(batch, batch, m, n, k, ta, tb);
          const a = tf.mul(randomTensor(rng, shapes.a), 3); // reach relu6's upper clip
          const b = randomTensor(rng, shapes.b);
          const bias = randomTensor(rng, [n]);
          const withBias = rng.random() < 0.75;
          const fused = () =>
            tf.fused.matMul({
              a: a as tf.Tensor3D,
              b: b as tf.Tensor3D,
              transposeA: ta,
              transposeB: tb,
              ...(withBias ? { bias } : {}),
              activation,
              leakyreluAlpha: 0.15,
            });
          const label = `${activation} a[${shapes.a}] b[${shapes.b}] ta=${ta} tb=${tb} bias=${withBias}`;
          resetKernelCounts();
          // Against the same ops unfused on the WASM kernels ...
          const vsUnfused = await nativeVsWasm(fused, () => {
            const product = tf.matMul(a, b, ta, tb);
            return unfused[activation](withBias ? tf.add(product, bias) : product);
          });
          expect(kernelCounts().native._FusedMatMul, label).toBe(1);
          expect(worstError(vsUnfused.native, vsUnfused.wasm, 6e-6 * k), label).toBeLessThanOrEqual(1);
          // ... and against the WASM _FusedMatMul itself where that kernel is right: in tfjs
          // 4.22.0 it adds the bias at wrong positions for batched or transposed inputs.
          if (!withBias || (batch.length === 0 && !ta && !tb)) {
            const vsFused = await nativeVsWasm(fused);
            expect(worstError(vsFused.native, vsFused.wasm, 6e-6 * k), label).toBeLessThanOrEqual(1);
          }
          tf.dispose([a, b, bias]);
        }
      }
    }
  });

  it("agrees with a bias on zero-size inner dimension (output is act(bias))", async () => {
    const rng = new Rng(7);
    const a = randomTensor(rng, [4, 0]);
    const b = randomTensor(rng, [0, 3]);
    const bias = tf.tensor1d([-1, 0.5, 2]);
    const out = tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias, activation: "relu" });
    expect(Array.from(out.dataSync())).toEqual([0, 0.5, 2, 0, 0.5, 2, 0, 0.5, 2, 0, 0.5, 2]);
    tf.dispose([a, b, bias, out]);
  });

  it("computes gradients through the native kernels that match the WASM ones", async () => {
    const rng = new Rng(8);
    const x = randomTensor(rng, [33, 17]);
    const w = randomTensor(rng, [17, 9]);
    const bias = randomTensor(rng, [9]);
    const loss = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.square(tf.fused.matMul({ a: xx as tf.Tensor2D, b: ww as tf.Tensor2D, bias: bb, activation: "relu" })));
    const grads = tf.grads(loss);
    for (const index of [0, 1, 2]) {
      const pair = await nativeVsWasm(() => grads([x, w, bias])[index] as tf.Tensor);
      expect(worstError(pair.native, pair.wasm, 1e-4), `gradient ${index}`).toBeLessThanOrEqual(1);
    }
    tf.dispose([x, w, bias]);
  });

  it("falls back to the WASM kernel for prelu", async () => {
    const rng = new Rng(9);
    const a = randomTensor(rng, [5, 4]);
    const b = randomTensor(rng, [4, 3]);
    const alpha = tf.fill([3], 0.1);
    resetKernelCounts();
    const pair = await nativeVsWasm(() =>
      tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, activation: "prelu", preluActivationWeights: alpha }),
    );
    expect(kernelCounts().fallback._FusedMatMul).toBe(1);
    expect(kernelCounts().native._FusedMatMul).toBeUndefined();
    expect(worstError(pair.native, pair.wasm, 1e-6)).toBeLessThanOrEqual(1);
    tf.dispose([a, b, alpha]);
  });
});
