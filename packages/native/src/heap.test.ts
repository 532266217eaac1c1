import { nativeMlp, Rng, tf } from "@qscape/core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { describe, expect, it } from "vitest";
import { randomTensor, useNative } from "../test/compare.js";
import { kernelCounts, loadAddon, resetKernelCounts } from "./index.js";

const heapOf = () => ((tf.backend() as unknown as BackendWasm).wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8;

/** Reference matmul in float64 for spot checks independent of any backend. */
function dot(a: Float32Array, b: Float32Array, k: number, n: number, row: number, col: number): number {
  let sum = 0;
  for (let i = 0; i < k; i++) sum += (a[row * k + i] as number) * (b[i * n + col] as number);
  return sum;
}

describe("native kernels and the WASM heap", () => {
  useNative();

  it("writes into the new heap when allocating the output grows the WASM memory", () => {
    const rng = new Rng(11);
    const before = heapOf();
    const bytes = before.buffer.byteLength;
    // An output larger than the whole current heap forces a grow inside makeOutput, just before
    // the addon reads the heap: a cached ArrayBuffer would be detached (length 0) by then.
    const [m, n, k] = [Math.ceil(bytes / 4 / 1024) + 16, 1024, 7];
    const a = randomTensor(rng, [m, k]);
    const b = randomTensor(rng, [k, n]);
    const out = tf.matMul(a, b);
    expect(heapOf().buffer).not.toBe(before.buffer);
    expect(heapOf().buffer.byteLength).toBeGreaterThan(bytes);
    expect(before.buffer.byteLength).toBe(0); // the old buffer is detached
    const [ad, bd, od] = [a.dataSync() as Float32Array, b.dataSync() as Float32Array, out.dataSync() as Float32Array];
    for (let i = 0; i < 200; i++) {
      const row = rng.int(0, m);
      const col = rng.int(0, n);
      expect(od[row * n + col]).toBeCloseTo(dot(ad, bd, k, n, row, col), 4);
    }
    tf.dispose([a, b, out]);
  });

  it("runs 10,000 calls across heap growth without leaking tensors or bytes or corrupting memory", () => {
    const rng = new Rng(12);
    const backend = tf.backend() as unknown as BackendWasm;
    const shapes: [number, number, number][] = [
      [64, 33, 47],
      [1, 256, 14],
      [17, 3, 256],
      [256, 1, 5],
    ];
    const inputs = shapes.map(([m, n, k]) => ({
      a: randomTensor(rng, [m, k]),
      at: randomTensor(rng, [k, m]),
      b: randomTensor(rng, [k, n]),
      bt: randomTensor(rng, [n, k]),
      bias: randomTensor(rng, [n]),
    }));
    const canary = randomTensor(rng, [4096]);
    const canaryValues = Float32Array.from(canary.dataSync());
    const inputValues = inputs.map((x) => [x.a, x.at, x.b, x.bt, x.bias].map((t) => Float32Array.from(t.dataSync())));
    const callsPerRound = 8;
    const round = (i: number): tf.Tensor[] => {
      const x = inputs[i % inputs.length] as (typeof inputs)[number];
      return [
        tf.matMul(x.a, x.b),
        tf.matMul(x.at, x.b, true, false),
        tf.matMul(x.a, x.bt, false, true),
        tf.matMul(x.at, x.bt, true, true),
        tf.fused.matMul({ a: x.a as tf.Tensor2D, b: x.b as tf.Tensor2D, bias: x.bias, activation: "relu" }),
        tf.fused.matMul({ a: x.at as tf.Tensor2D, b: x.bt as tf.Tensor2D, transposeA: true, transposeB: true }),
        tf.fused.matMul({ a: x.a as tf.Tensor2D, b: x.bt as tf.Tensor2D, transposeB: true, bias: x.bias }),
        tf.fused.matMul({ a: x.at as tf.Tensor2D, b: x.b as tf.Tensor2D, transposeA: true, activation: "elu" }),
      ];
    };
    const expected = inputs.map((_, i) => {
      const outs = round(i);
      const values = outs.map((t) => Float32Array.from(t.dataSync()));
      tf.dispose(outs);
      return values;
    });
    const tensorsBefore = tf.memory().numTensors;
    const bytesBefore = tf.memory().numBytes;
    const dataIdsBefore = backend.numDataIds();
    const ballast: tf.Tensor[] = [];
    const buffersSeen = new Set<ArrayBuffer>([heapOf().buffer as ArrayBuffer]);
    resetKernelCounts();
    const rounds = 10_000 / callsPerRound;
    for (let i = 0; i < rounds; i++) {
      // Grow the heap every 125 rounds with 8-24 MB of ballast held until the end.
      if (i % 125 === 62) ballast.push(tf.zeros([rng.int(2, 6) << 20]));
      const outs = round(i);
      const want = expected[i % inputs.length] as Float32Array[];
      outs.forEach((t, j) => {
        const got = t.dataSync() as Float32Array;
        // Same inputs, same single-threaded BLAS path: bit-identical results every time.
        if (!got.every((v, idx) => v === want[j]?.[idx])) throw new Error(`call ${i * callsPerRound + j} differs`);
      });
      tf.dispose(outs);
      buffersSeen.add(heapOf().buffer as ArrayBuffer);
    }
    expect(kernelCounts().native.BatchMatMul).toBe(rounds * 4);
    expect(kernelCounts().native._FusedMatMul).toBe(rounds * 4);
    expect(buffersSeen.size).toBeGreaterThan(3); // the heap really grew several times mid-run
    tf.dispose(ballast);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(tf.memory().numBytes).toBe(bytesBefore);
    expect(backend.numDataIds()).toBe(dataIdsBefore);
    expect(Array.from(canary.dataSync())).toEqual(Array.from(canaryValues));
    inputs.forEach((x, i) => {
      [x.a, x.at, x.b, x.bt, x.bias].forEach((t, j) => {
        expect(Array.from(t.dataSync())).toEqual(Array.from(inputValues[i]?.[j] ?? []));
      });
    });
    tf.dispose([canary, ...inputs.flatMap((x) => [x.a, x.at, x.b, x.bt, x.bias])]);
  });

  it("runs 10,000 fused MLP kernel calls across heap growth without leaks or drift", () => {
    const rng = new Rng(14);
    const x = randomTensor(rng, [32, 7]) as tf.Tensor2D;
    const widths = [7, 24, 24, 3];
    const ws = widths.slice(1).map((w, l) => randomTensor(rng, [widths[l] as number, w]) as tf.Tensor2D);
    const bs = widths.slice(1).map((w) => randomTensor(rng, [w]) as tf.Tensor1D);
    const grads = tf.grads((...t: tf.Tensor[]) =>
      tf.sum(tf.square(nativeMlp(t[0] as tf.Tensor2D, t.slice(1, 4) as tf.Tensor2D[], t.slice(4) as tf.Tensor1D[]))),
    );
    const run = () => grads([x, ...ws, ...bs]);
    const first = run();
    const expected = first.map((t) => Float32Array.from(t.dataSync()));
    tf.dispose(first);
    const tensorsBefore = tf.memory().numTensors;
    const bytesBefore = tf.memory().numBytes;
    const ballast: tf.Tensor[] = [];
    const buffersSeen = new Set<ArrayBuffer>([heapOf().buffer as ArrayBuffer]);
    resetKernelCounts();
    for (let i = 0; i < 5000; i++) {
      // Ballast as large as the whole heap: the next allocation must grow it (twice in the run).
      if (i === 1500 || i === 3500) ballast.push(tf.zeros([heapOf().length / 4]));
      const out = run();
      out.forEach((t, j) => {
        const got = t.dataSync() as Float32Array;
        if (!got.every((v, idx) => v === expected[j]?.[idx])) throw new Error(`round ${i}: gradient ${j} differs`);
      });
      tf.dispose(out);
      buffersSeen.add(heapOf().buffer as ArrayBuffer);
    }
    expect(kernelCounts().native.QscapeMlp).toBe(5000);
    expect(kernelCounts().native.QscapeMlpGrad).toBe(5000);
    expect(buffersSeen.size).toBeGreaterThanOrEqual(3);
    tf.dispose(ballast);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(tf.memory().numBytes).toBe(bytesBefore);
    tf.dispose([x, ...ws, ...bs]);
  });

  it("refuses ranges outside the heap instead of touching memory", () => {
    const addon = loadAddon();
    const heap = heapOf().buffer as ArrayBuffer;
    const end = heap.byteLength;
    expect(() => addon.matmul(heap, 0, 0, end - 8, 1, 1, 1, 2, 2, 2, 0, 0, -1, 0, 0)).toThrow(/outside the WASM heap/);
    expect(() => addon.matmul(heap, 2, 0, 0, 1, 1, 1, 2, 2, 2, 0, 0, -1, 0, 0)).toThrow(/outside the WASM heap/);
    expect(() => addon.matmul(heap, 0, 0, 0, 1, 1, 1, 2, 2, 2, 0, 0, end, 0, 0)).toThrow(/bias/);
    expect(() => addon.matmul(new ArrayBuffer(0), 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, -1, 0, 0)).toThrow(/outside/);
    expect(() =>
      addon.matmul(new Float32Array(4) as unknown as ArrayBuffer, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, -1, 0, 0),
    ).toThrow(/ArrayBuffer/);
    // MLP kernels: [layers, rows, dims…, offsets…] with an x range past the end of the heap.
    expect(() => addon.mlpForward(heap, Float64Array.of(1, 2, 2, 2, end - 4, 0, 0, 0), 0)).toThrow(/x .*outside/);
    expect(() => addon.mlpForward(heap, Float64Array.of(1, 2, 2, 2, 0, 0, 0), 0)).toThrow(/3 offsets per layer/);
    expect(() => addon.mlpBackward(heap, Float64Array.of(1, 2, 2, 2, 0, end, 0, -1, -1, -1))).toThrow(/outside/);
  });
});
