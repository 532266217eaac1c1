import { Adam, nativeMlp, polyakUpdate, Rng, tf, variable } from "@qscape/core";
import { describe, expect, it } from "vitest";
import { nativeVsWasm, randomTensor, useNative, worstError } from "../test/compare.js";
import {
  adamStep,
  denseRelu,
  fusedKernelsAvailable,
  kernelCounts,
  planSum,
  plugin,
  polyakBlend,
  reluBackward,
  resetKernelCounts,
  sumOfSquares,
} from "./index.js";

describe("native Sum vs the WASM kernel", () => {
  useNative();

  it("plans prefix and suffix reductions and leaves the rest to WASM", () => {
    expect(planSum([256, 64], 0, false)).toEqual({ outShape: [64], outer: 256, inner: 64, leading: true });
    expect(planSum([4, 5, 6], [1, 2], true)).toEqual({ outShape: [4, 1, 1], outer: 4, inner: 30, leading: false });
    expect(planSum([4, 5, 6], [-1], false)).toEqual({ outShape: [4, 5], outer: 20, inner: 6, leading: false });
    expect(planSum([4, 5], null, false)).toEqual({ outShape: [], outer: 1, inner: 20, leading: false });
    expect(planSum([4, 5, 6], [0, 2], false)).toBeNull();
    expect(planSum([], null, false)).toBeNull();
  });

  it("agrees on random shapes, axes, keepDims and zero-size inputs", async () => {
    const rng = new Rng(21);
    const cases: [number[], number | number[] | null][] = [
      [[256, 256], 0],
      [[256, 3], 0],
      [[7, 1], 0],
      [[33, 17], 1],
      [[33, 17], -1],
      [
        [5, 6, 7],
        [0, 1],
      ],
      [
        [5, 6, 7],
        [1, 2],
      ],
      [[5, 6, 7], 0],
      [[4096], null],
      [[3, 5], null],
      [
        [5, 6, 7],
        [0, 2],
      ], // not a prefix or suffix: WASM kernel
      [[0, 4], 0],
      [[4, 0], 1],
      [[4, 0], 0],
    ];
    for (const [shape, axis] of cases) {
      for (const keepDims of [false, true]) {
        const x = randomTensor(rng, shape);
        const pair = await nativeVsWasm(() => tf.sum(x, axis ?? undefined, keepDims));
        const label = `[${shape}] axis=${JSON.stringify(axis)} keepDims=${keepDims}`;
        expect(worstError(pair.native, pair.wasm, 1e-5 * Math.sqrt(x.size + 1)), label).toBeLessThanOrEqual(1);
        x.dispose();
      }
    }
  });

  it("runs natively for a bias gradient and falls back for int32", () => {
    const x = tf.ones([256, 64]);
    const n = tf.ones([8, 2], "int32");
    resetKernelCounts();
    tf.tidy(() => {
      expect(tf.sum(x, 0).dataSync()[0]).toBe(256);
      expect(tf.sum(n, 0).dataSync()[1]).toBe(8);
    });
    expect(kernelCounts().native.Sum).toBe(1);
    expect(kernelCounts().fallback.Sum).toBe(1);
    tf.dispose([x, n]);
  });
});

describe("Identity and same-dtype Cast share data instead of copying", () => {
  useNative();

  it("returns equal values and frees the data only when the last sharer is disposed", () => {
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const buffers = tf.memory().numDataBuffers;
    const clone = tf.clone(x);
    const cast = tf.cast(x, "float32");
    expect(tf.memory().numDataBuffers).toBe(buffers); // no new buffer: shared
    x.dispose();
    expect(Array.from(clone.dataSync())).toEqual([1, 2, 3, 4]);
    expect(Array.from(cast.dataSync())).toEqual([1, 2, 3, 4]);
    clone.dispose();
    expect(tf.memory().numDataBuffers).toBe(buffers);
    cast.dispose();
    expect(tf.memory().numDataBuffers).toBe(buffers - 1);
  });

  it("still converts between dtypes through the WASM kernel", async () => {
    const x = tf.tensor([1.7, -2.2, 0]);
    for (const dtype of ["int32", "bool"] as const) {
      resetKernelCounts();
      const pair = await nativeVsWasm(() => tf.cast(tf.cast(x, dtype), "float32"));
      expect(kernelCounts().fallback.Cast).toBe(2);
      expect(Array.from(pair.native)).toEqual(Array.from(pair.wasm));
    }
    x.dispose();
  });

  it("gives the same gradients through custom-gradient ops", async () => {
    const rng = new Rng(22);
    const x = randomTensor(rng, [16, 8]);
    const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [a, save] = args as [tf.Tensor, tf.GradSaveFunc];
      save([a]);
      return {
        value: tf.square(a),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.mul(saved[0] as tf.Tensor, 2)),
      };
    });
    const pair = await nativeVsWasm(() => tf.grad((a: tf.Tensor) => tf.sum(f(a) as tf.Tensor))(x));
    expect(worstError(pair.native, pair.wasm, 1e-6)).toBeLessThanOrEqual(1);
    x.dispose();
  });
});

describe("fused optimizer kernels vs the op-by-op updates of @qscape/core", () => {
  useNative();

  const shapes = [[14, 256], [256], [256, 256], [256, 1], [1], [0, 3]];

  it("are registered with the native kernels only", async () => {
    expect(fusedKernelsAvailable()).toBe(true);
    plugin.unregister();
    expect(fusedKernelsAvailable()).toBe(false);
    await plugin.register();
    expect(fusedKernelsAvailable()).toBe(true);
  });

  it("adamStep matches core's Adam over 5 steps, with and without gradient clipping", () => {
    for (const clipNorm of [undefined, 0.5]) {
      const rng = new Rng(23);
      const values = shapes.map((s) => rng.fillUniform(new Float32Array(s.reduce((p, d) => p * d, 1)), -1, 1));
      const params = shapes.map((s, i) => variable(values[i] as Float32Array, s, `p${i}`));
      const reference = shapes.map((s, i) => variable(values[i] as Float32Array, s, `r${i}`));
      const adam = new Adam(
        "reference",
        { parameters: () => reference },
        { lr: 3e-3, ...(clipNorm ? { clipNorm } : {}) },
      );
      let m = shapes.map((s) => tf.zeros(s));
      let v = shapes.map((s) => tf.zeros(s));
      for (let step = 1; step <= 5; step++) {
        const grads = shapes.map((s) => randomTensor(rng, s));
        adam.apply(null, grads);
        const sq = sumOfSquares(grads);
        const norm = Math.sqrt(sq.dataSync()[0] as number);
        const gradScale = clipNorm !== undefined && norm > clipNorm ? clipNorm / (norm + 1e-6) : 1;
        const bc1 = 1 - 0.9 ** step;
        const bc2 = 1 - 0.999 ** step;
        const out = adamStep(params, grads, m, v, {
          stepSize: (3e-3 * Math.sqrt(bc2)) / bc1,
          beta1: 0.9,
          beta2: 0.999,
          epsHat: 1e-8 * Math.sqrt(bc2),
          gradScale,
        });
        for (const [i, p] of params.entries()) p.assign(out.params[i] as tf.Tensor);
        tf.dispose([...m, ...v, ...grads, ...out.params, sq]);
        m = out.m;
        v = out.v;
      }
      params.forEach((p, i) => {
        const label = `param ${i} [${shapes[i]}] clipNorm=${clipNorm}`;
        expect(
          worstError(
            p.dataSync() as Float32Array,
            (reference[i] as tf.Variable).dataSync() as Float32Array,
            1e-6,
            1e-5,
          ),
          label,
        ).toBeLessThanOrEqual(1);
      });
      tf.dispose([...params, ...reference, ...m, ...v]);
      adam.dispose();
    }
  });

  it("sumOfSquares matches the sum of squares op by op", () => {
    const rng = new Rng(24);
    const xs = shapes.map((s) => randomTensor(rng, s));
    const want = tf.tidy(() => tf.addN(xs.map((x) => tf.sum(tf.square(x)))).dataSync()[0] as number);
    const got = sumOfSquares(xs);
    expect(got.shape).toEqual([]);
    expect(got.dataSync()[0]).toBeCloseTo(want, 2);
    tf.dispose([...xs, got]);
  });

  it("polyakBlend matches core's polyakUpdate", () => {
    const rng = new Rng(25);
    const targets = shapes.map((s, i) =>
      variable(rng.fillUniform(new Float32Array(s.reduce((p, d) => p * d, 1)), -1, 1) as Float32Array, s, `t${i}`),
    );
    const sources = shapes.map((s) => randomTensor(rng, s));
    const want = tf.tidy(() => targets.map((t) => tf.clone(t)));
    const wantVars = want.map((t, i) => tf.variable(t, false, `want${i}`));
    polyakUpdate({ parameters: () => wantVars }, { parameters: () => sources as tf.Variable[] }, 0.005);
    const got = polyakBlend(targets, sources, 0.005);
    got.forEach((g, i) => {
      expect(
        worstError(g.dataSync() as Float32Array, (wantVars[i] as tf.Variable).dataSync() as Float32Array, 1e-7),
        `tensor ${i}`,
      ).toBeLessThanOrEqual(1);
    });
    tf.dispose([...targets, ...sources, ...want, ...wantVars, ...got]);
  });

  it("reject mismatched shapes, dtypes and input names with the kernel's name", () => {
    const a = tf.zeros([3]);
    const b = tf.zeros([4]);
    const n = tf.zeros([3], "int32");
    expect(() => polyakBlend([a], [b], 0.1)).toThrow(
      /QscapePolyak: tensors of entry 0 differ in shape \(\[3\] \[4\]\)/,
    );
    expect(() => sumOfSquares([a, n])).toThrow(/QscapeSumSquares: input x1 is int32, expected float32/);
    expect(() => tf.engine().runKernel("QscapeSumSquares", { x0: a, x2: b })).toThrow(/without gaps/);
    expect(() =>
      adamStep([a], [a], [a], [a], { stepSize: Number.NaN, beta1: 0.9, beta2: 0.999, epsHat: 1e-8, gradScale: 1 }),
    ).toThrow(/attr stepSize must be a finite number/);
    tf.dispose([a, b, n]);
  });
});

describe("fused dense-layer kernels vs the same ops on the WASM kernels", () => {
  useNative();

  it("reluBackward gives dy·[y > 0] and its column sums", async () => {
    const rng = new Rng(26);
    for (const [rows, cols] of [
      [256, 256],
      [7, 3],
      [0, 5],
      [5, 0],
    ] as const) {
      const dy = randomTensor(rng, [rows, cols]) as tf.Tensor2D;
      const y = tf.relu(randomTensor(rng, [rows, cols])) as tf.Tensor2D;
      const [dx, db] = reluBackward(dy, y);
      const wantDx = tf.tidy(() => tf.mul(dy, tf.step(y)));
      const wantDb = tf.tidy(() => tf.sum(wantDx, 0));
      // Exact up to the sign of zero (the WASM product gives −0 for a negative dy).
      expect(worstError(dx.dataSync() as Float32Array, wantDx.dataSync() as Float32Array, 1e-30, 0)).toBe(0);
      expect(db.shape).toEqual([cols]);
      expect(worstError(db.dataSync() as Float32Array, wantDb.dataSync() as Float32Array, 1e-5)).toBeLessThanOrEqual(1);
      tf.dispose([dy, y, dx, db, wantDx, wantDb]);
    }
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([3, 2]);
    expect(() => reluBackward(a as tf.Tensor2D, b as tf.Tensor2D)).toThrow(/must be the same rank-2 shape/);
    tf.dispose([a, b]);
  });

  it("denseRelu matches relu(x @ w + b) and its gradients on the WASM kernels", async () => {
    const rng = new Rng(27);
    const x = randomTensor(rng, [64, 14]) as tf.Tensor2D;
    const w = randomTensor(rng, [14, 33]) as tf.Tensor2D;
    const b = randomTensor(rng, [33]) as tf.Tensor1D;
    const value = await nativeVsWasm(
      () => denseRelu(x, w, b),
      () => tf.relu(tf.add(tf.matMul(x, w), b)),
    );
    expect(worstError(value.native, value.wasm, 1e-5)).toBeLessThanOrEqual(1);
    const loss = (f: (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor) =>
      tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.square(f(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D))),
      );
    const nativeGrads = loss(denseRelu);
    const wasmGrads = loss((xx, ww, bb) => tf.relu(tf.add(tf.matMul(xx, ww), bb)));
    for (const i of [0, 1, 2]) {
      const pair = await nativeVsWasm(
        () => nativeGrads([x, w, b])[i] as tf.Tensor,
        () => wasmGrads([x, w, b])[i] as tf.Tensor,
      );
      expect(worstError(pair.native, pair.wasm, 1e-4), `gradient ${i}`).toBeLessThanOrEqual(1);
    }
    resetKernelCounts();
    tf.tidy(() => nativeGrads([x, w, b]));
    expect(kernelCounts().native.QscapeReluBackward).toBe(1);
    tf.dispose([x, w, b]);
  });

  it("denseRelu refuses to run without the native kernels", async () => {
    const z = tf.zeros([1, 1]) as tf.Tensor2D;
    const b = tf.zeros([1]) as tf.Tensor1D;
    plugin.unregister();
    try {
      expect(() => denseRelu(z, z, b)).toThrow(/needs the native kernels/);
    } finally {
      await plugin.register();
      tf.dispose([z, b]);
    }
  });
});

describe("fused ReLU MLP kernels (QscapeMlp, QscapeMlpGrad) vs per-layer WASM ops", () => {
  useNative();

  const reference = (x: tf.Tensor2D, params: tf.Tensor[]) => {
    let h: tf.Tensor2D = x;
    for (let l = 0; l < params.length; l += 2) {
      h = tf.add(tf.matMul(h, params[l] as tf.Tensor2D), params[l + 1] as tf.Tensor1D);
      if (l + 2 < params.length) h = tf.relu(h);
    }
    return h;
  };
  const fused = (x: tf.Tensor2D, params: tf.Tensor[], opts = {}) =>
    nativeMlp(
      x,
      params.filter((_, i) => i % 2 === 0) as tf.Tensor2D[],
      params.filter((_, i) => i % 2 === 1) as tf.Tensor1D[],
      opts,
    );

  const cases: { rows: number; widths: number[] }[] = [
    { rows: 256, widths: [14, 256, 256, 1] },
    { rows: 37, widths: [11, 33, 17, 3] },
    { rows: 5, widths: [4, 6] },
    { rows: 9, widths: [3, 8, 8, 8, 2] },
    { rows: 0, widths: [4, 8, 2] },
  ];

  it("agrees on values and on input and parameter gradients", async () => {
    const rng = new Rng(41);
    for (const { rows, widths } of cases) {
      const x = randomTensor(rng, [rows, widths[0] as number]) as tf.Tensor2D;
      // Fan-in scaled weights (as in a real network) keep activations O(1) at any width.
      const params = widths
        .slice(1)
        .flatMap((w, l) => [
          tf.tidy(() => tf.div(randomTensor(rng, [widths[l] as number, w]), Math.sqrt(widths[l] as number))),
          randomTensor(rng, [w]),
        ]);
      const label = `rows ${rows}, widths ${widths}`;
      const value = await nativeVsWasm(
        () => fused(x, params),
        () => reference(x, params),
      );
      expect(worstError(value.native, value.wasm, 1e-5), label).toBeLessThanOrEqual(1);
      // A loss that is not linear in y, so dy varies per element.
      const grads = (f: (x: tf.Tensor2D, p: tf.Tensor[]) => tf.Tensor) =>
        tf.grads((...all: tf.Tensor[]) => tf.sum(tf.square(f(all[0] as tf.Tensor2D, all.slice(1)))));
      for (let i = 0; i <= params.length; i++) {
        if (rows === 0) {
          // No rows: every gradient is zero. (The WASM matMul leaves a k = 0 product uninitialised.)
          const g = tf.tidy(() => grads(fused)([x, ...params])[i] as tf.Tensor);
          expect(
            Array.from(g.dataSync()).every((v) => v === 0),
            `${label}: gradient ${i}`,
          ).toBe(true);
          g.dispose();
          continue;
        }
        const pair = await nativeVsWasm(
          () => grads(fused)([x, ...params])[i] as tf.Tensor,
          () => grads(reference)([x, ...params])[i] as tf.Tensor,
        );
        expect(worstError(pair.native, pair.wasm, 1e-4), `${label}: gradient ${i}`).toBeLessThanOrEqual(1);
      }
      tf.dispose([x, ...params]);
    }
  });

  it("computes only the gradients asked for, in one forward and one backward kernel", () => {
    const rng = new Rng(43);
    const x = randomTensor(rng, [16, 5]) as tf.Tensor2D;
    const params = [
      randomTensor(rng, [5, 8]),
      randomTensor(rng, [8]),
      randomTensor(rng, [8, 2]),
      randomTensor(rng, [2]),
    ];
    const vars = params.map((p) => tf.variable(p));
    const input = tf.variable(x);
    const full = tf.tidy(() => tf.variableGrads(() => tf.sum(tf.square(fused(input, vars)))).grads);
    // Frozen network: the gradient reaches the input, the weights get none.
    resetKernelCounts();
    const frozen = tf.tidy(() =>
      tf.variableGrads(() => tf.sum(tf.square(fused(input, vars, { paramGrads: false }))), [input, ...vars]),
    );
    expect(kernelCounts().native.QscapeMlp).toBe(1);
    expect(kernelCounts().native.QscapeMlpGrad).toBe(1);
    expect(Object.keys(frozen.grads)).toEqual([input.name]);
    expect(Array.from(frozen.grads[input.name]?.dataSync() ?? [])).toEqual(
      Array.from(full[input.name]?.dataSync() ?? []),
    );
    // Data input: the weights get their gradients, the input none.
    const dataOnly = tf.tidy(
      () => tf.variableGrads(() => tf.sum(tf.square(fused(input, vars, { inputGrad: false }))), [input, ...vars]).grads,
    );
    expect(Object.keys(dataOnly).sort()).toEqual(vars.map((v) => v.name).sort());
    for (const v of vars) {
      expect(Array.from(dataOnly[v.name]?.dataSync() ?? [])).toEqual(Array.from(full[v.name]?.dataSync() ?? []));
    }
    tf.dispose([
      x,
      ...params,
      ...vars,
      input,
      ...Object.values(full),
      ...Object.values(frozen.grads),
      frozen.value,
      ...Object.values(dataOnly),
    ]);
  });

  it("rejects mismatched shapes with a message naming the tensor", () => {
    const w0 = tf.zeros([4, 3]);
    const b0 = tf.zeros([3]);
    const x = tf.zeros([2, 5]);
    expect(() => tf.engine().runKernel("QscapeMlp", { x, w0, b0 }, { outputActivation: 0 })).toThrow(
      /w0 \[4,3\] does not take 5 inputs/,
    );
    const x4 = tf.zeros([2, 4]);
    const b1 = tf.zeros([2]);
    expect(() => tf.engine().runKernel("QscapeMlp", { x: x4, w0, b0: b1 }, { outputActivation: 0 })).toThrow(
      /b0 must have 3 values/,
    );
    tf.dispose([w0, b0, x, x4, b1]);
  });
});
