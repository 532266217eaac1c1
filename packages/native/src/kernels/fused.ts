/**
 * Fused kernels registered for the `wasm` backend under qscape's own names. One kernel call
 * replaces the dozen-odd elementwise ops per parameter of an Adam step or a Polyak update, or the
 * ReLU-gradient and bias-gradient ops of a dense layer's backward pass. They are pure like every
 * tfjs kernel: outputs are new tensors.
 */
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs-core";
import type { NativeAddon } from "../addon.js";
import { countCall } from "../counts.js";
import { allocate, heapBuffer, offsetOf } from "../wasm.js";
import { asKernelFunc } from "./kernel-func.js";

/** Kernel names (stable API: @qscape/core looks them up with `tf.getKernel(name, "wasm")`). */
export const FUSED_KERNELS = {
  /** Inputs `p0, g0, m0, v0, p1, …`; attrs `stepSize, beta1, beta2, epsHat, gradScale`; outputs `[p0', m0', v0', p1', …]`. */
  adam: "QscapeAdam",
  /** Inputs `x0, x1, …`; output a float32 scalar Σ x² (double accumulation). */
  sumSquares: "QscapeSumSquares",
  /** Inputs `t0, s0, t1, s1, …`; attr `tau`; outputs `[τ·s0 + (1−τ)·t0, …]`. */
  polyak: "QscapePolyak",
  /** Inputs `dy, y` ([rows, cols], y = relu(…)); outputs `[dy·[y > 0], Σ_rows dy·[y > 0]]`. */
  reluBackward: "QscapeReluBackward",
  /**
   * A ReLU MLP forward in one call. Inputs `x, w0, b0, w1, b1, …` (x [rows, d0], wl [dl, dl+1]);
   * attr `outputActivation` (0 linear, 1 relu, …); outputs `[y, h1, …, hL−1]` (the hidden
   * activations are what the backward kernel needs).
   */
  mlp: "QscapeMlp",
  /**
   * Its backward pass in one call. Inputs `dy, x, h1, …, w0, w1, …` (y's activation must be
   * linear); attrs `inputGrad`, `paramGrads` (0/1); outputs `[dx]` if inputGrad, then
   * `dw0, db0, dw1, db1, …` if paramGrads.
   */
  mlpGrad: "QscapeMlpGrad",
} as const;

interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: BackendWasm;
  attrs?: NamedAttrMap;
}

const size = (t: TensorInfo) => t.shape.reduce((p, d) => p * d, 1);

/** Inputs named `${prefix}${i}` for i = 0, 1, … in order, checked to be float32. */
function numbered(inputs: NamedTensorInfoMap, prefixes: string[], kernel: string): TensorInfo[][] {
  const groups: TensorInfo[][] = [];
  for (let i = 0; inputs[`${prefixes[0]}${i}`] !== undefined; i++) {
    groups.push(
      prefixes.map((p) => {
        const t = inputs[`${p}${i}`];
        if (!t) throw new Error(`${kernel}: input ${p}${i} is missing`);
        if (t.dtype !== "float32") throw new Error(`${kernel}: input ${p}${i} is ${t.dtype}, expected float32`);
        return t;
      }),
    );
  }
  if (groups.length * prefixes.length !== Object.keys(inputs).length) {
    throw new Error(`${kernel}: inputs must be named ${prefixes.map((p) => `${p}0`).join(", ")}, … without gaps`);
  }
  return groups;
}

function sameShapes(kernel: string, index: number, tensors: TensorInfo[]): void {
  const first = (tensors[0] as TensorInfo).shape.join();
  if (!tensors.every((t) => t.shape.join() === first)) {
    throw new Error(
      `${kernel}: tensors of entry ${index} differ in shape (${tensors.map((t) => `[${t.shape}]`).join(" ")})`,
    );
  }
}

function attr(attrs: NamedAttrMap | undefined, name: string, kernel: string): number {
  const value = attrs?.[name];
  if (typeof value !== "number" || !Number.isFinite(value))
    throw new Error(`${kernel}: attr ${name} must be a finite number`);
  return value;
}

export function adamKernel(addon: NativeAddon): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: KernelArgs): TensorInfo[] => {
    const groups = numbered(inputs, ["p", "g", "m", "v"], FUSED_KERNELS.adam);
    const hyper = ["stepSize", "beta1", "beta2", "epsHat", "gradScale"].map((n) => attr(attrs, n, FUSED_KERNELS.adam));
    for (const [i, g] of groups.entries()) sameShapes(FUSED_KERNELS.adam, i, g);
    const outputs = groups.flatMap((g) => [0, 1, 2].map(() => allocate(backend, [...(g[0] as TensorInfo).shape])));
    const list = new Float64Array(groups.length * 8);
    groups.forEach((g, i) => {
      const o = outputs.slice(i * 3, i * 3 + 3);
      [...g, ...o].forEach((t, j) => {
        list[i * 8 + j] = offsetOf(backend, t);
      });
      list[i * 8 + 7] = size(g[0] as TensorInfo);
    });
    countCall("native", FUSED_KERNELS.adam);
    const [stepSize, beta1, beta2, epsHat, gradScale] = hyper as [number, number, number, number, number];
    addon.adam(heapBuffer(backend), list, stepSize, beta1, beta2, epsHat, gradScale);
    return outputs;
  };
  return { kernelName: FUSED_KERNELS.adam, backendName: "wasm", kernelFunc: asKernelFunc(kernelFunc) };
}

export function sumSquaresKernel(addon: NativeAddon): KernelConfig {
  const kernelFunc = ({ inputs, backend }: KernelArgs): TensorInfo => {
    const tensors = numbered(inputs, ["x"], FUSED_KERNELS.sumSquares).map((g) => g[0] as TensorInfo);
    const list = new Float64Array(tensors.length * 2);
    tensors.forEach((t, i) => {
      list[i * 2] = offsetOf(backend, t);
      list[i * 2 + 1] = size(t);
    });
    countCall("native", FUSED_KERNELS.sumSquares);
    const total = addon.sumSquares(heapBuffer(backend), list);
    return backend.makeOutput([], "float32", undefined, new Float32Array([total]));
  };
  return { kernelName: FUSED_KERNELS.sumSquares, backendName: "wasm", kernelFunc: asKernelFunc(kernelFunc) };
}

export function polyakKernel(addon: NativeAddon): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: KernelArgs): TensorInfo[] => {
    const groups = numbered(inputs, ["t", "s"], FUSED_KERNELS.polyak);
    const tau = attr(attrs, "tau", FUSED_KERNELS.polyak);
    for (const [i, g] of groups.entries()) sameShapes(FUSED_KERNELS.polyak, i, g);
    const outputs = groups.map((g) => allocate(backend, [...(g[0] as TensorInfo).shape]));
    const list = new Float64Array(groups.length * 4);
    groups.forEach((g, i) => {
      list[i * 4] = offsetOf(backend, g[0] as TensorInfo);
      list[i * 4 + 1] = offsetOf(backend, g[1] as TensorInfo);
      list[i * 4 + 2] = offsetOf(backend, outputs[i] as TensorInfo);
      list[i * 4 + 3] = size(g[0] as TensorInfo);
    });
    countCall("native", FUSED_KERNELS.polyak);
    addon.polyak(heapBuffer(backend), list, tau);
    return outputs;
  };
  return { kernelName: FUSED_KERNELS.polyak, backendName: "wasm", kernelFunc: asKernelFunc(kernelFunc) };
}

export function reluBackwardKernel(addon: NativeAddon): KernelConfig {
  const kernelFunc = ({ inputs, backend }: KernelArgs): TensorInfo[] => {
    const { dy, y } = inputs as { dy?: TensorInfo; y?: TensorInfo };
    const name = FUSED_KERNELS.reluBackward;
    if (!dy || !y) throw new Error(`${name}: inputs dy and y are required`);
    if (dy.dtype !== "float32" || y.dtype !== "float32") throw new Error(`${name}: dy and y must be float32`);
    if (dy.shape.length !== 2 || dy.shape.join() !== y.shape.join()) {
      throw new Error(`${name}: dy [${dy.shape}] and y [${y.shape}] must be the same rank-2 shape`);
    }
    const [rows, cols] = dy.shape as [number, number];
    const dx = allocate(backend, [rows, cols]);
    const biasGrad = allocate(backend, [cols]);
    countCall("native", name);
    addon.reluBackward(
      heapBuffer(backend),
      offsetOf(backend, dy),
      offsetOf(backend, y),
      offsetOf(backend, dx),
      offsetOf(backend, biasGrad),
      rows,
      cols,
    );
    return [dx, biasGrad];
  };
  return {
    kernelName: FUSED_KERNELS.reluBackward,
    backendName: "wasm",
    kernelFunc: asKernelFunc(kernelFunc),
  };
}

function mlpWidths(kernel: string, x: TensorInfo, weights: TensorInfo[]): number[] {
  if (x.dtype !== "float32" || x.shape.length !== 2) throw new Error(`${kernel}: x must be a float32 matrix`);
  const dims = [x.shape[1] as number];
  weights.forEach((w, l) => {
    if (w.dtype !== "float32" || w.shape.length !== 2 || w.shape[0] !== dims[l]) {
      throw new Error(`${kernel}: w${l} [${w.shape}] does not take ${dims[l]} inputs`);
    }
    dims.push(w.shape[1] as number);
  });
  return dims;
}

export function mlpKernel(addon: NativeAddon): KernelConfig {
  const name = FUSED_KERNELS.mlp;
  const kernelFunc = ({ inputs, backend, attrs }: KernelArgs): TensorInfo[] => {
    const { x, ...rest } = inputs as { x?: TensorInfo } & NamedTensorInfoMap;
    if (!x) throw new Error(`${name}: input x is required`);
    const layers = numbered(rest, ["w", "b"], name);
    if (layers.length === 0) throw new Error(`${name}: needs at least one layer (w0, b0)`);
    const dims = mlpWidths(
      name,
      x,
      layers.map((g) => g[0] as TensorInfo),
    );
    layers.forEach(([, b], l) => {
      if (b?.shape.length !== 1 || b.shape[0] !== dims[l + 1])
        throw new Error(`${name}: b${l} must have ${dims[l + 1]} values`);
    });
    const rows = x.shape[0] as number;
    const outs = layers.map((_, l) => allocate(backend, [rows, dims[l + 1] as number]));
    const list = new Float64Array(2 + dims.length + 1 + 3 * layers.length);
    list.set([layers.length, rows, ...dims], 0);
    let o = 2 + dims.length;
    list[o++] = offsetOf(backend, x);
    layers.forEach(([w, b], l) => {
      list[o++] = offsetOf(backend, w as TensorInfo);
      list[o++] = offsetOf(backend, b as TensorInfo);
      list[o++] = offsetOf(backend, outs[l] as TensorInfo);
    });
    countCall("native", name);
    addon.mlpForward(heapBuffer(backend), list, attr(attrs, "outputActivation", name));
    // y first, then the hidden activations.
    return [outs[outs.length - 1] as TensorInfo, ...outs.slice(0, -1)];
  };
  return { kernelName: name, backendName: "wasm", kernelFunc: asKernelFunc(kernelFunc) };
}

export function mlpGradKernel(addon: NativeAddon): KernelConfig {
  const name = FUSED_KERNELS.mlpGrad;
  const kernelFunc = ({ inputs, backend, attrs }: KernelArgs): TensorInfo[] => {
    const { dy, x, ...rest } = inputs as { dy?: TensorInfo; x?: TensorInfo } & NamedTensorInfoMap;
    if (!dy || !x) throw new Error(`${name}: inputs dy and x are required`);
    const weights = numbered(
      Object.fromEntries(Object.entries(rest).filter(([k]) => k.startsWith("w"))),
      ["w"],
      name,
    ).map((g) => g[0] as TensorInfo);
    const hidden = numbered(
      Object.fromEntries(Object.entries(rest).filter(([k]) => k.startsWith("h"))),
      ["h"],
      name,
    ).map((g) => g[0] as TensorInfo);
    const layers = weights.length;
    if (layers === 0 || hidden.length !== layers - 1 || Object.keys(rest).length !== 2 * layers - 1) {
      throw new Error(`${name}: needs w0…w${"{L−1}"} and h0…h${"{L−2}"} (one hidden activation per hidden layer)`);
    }
    const dims = mlpWidths(name, x, weights);
    const rows = x.shape[0] as number;
    if (dy.shape.join() !== [rows, dims[layers]].join())
      throw new Error(`${name}: dy [${dy.shape}] must be [${rows},${dims[layers]}]`);
    hidden.forEach((h, l) => {
      if (h.shape.join() !== [rows, dims[l + 1]].join())
        throw new Error(`${name}: h${l} [${h.shape}] must be [${rows},${dims[l + 1]}]`);
    });
    const inputGrad = attr(attrs, "inputGrad", name) !== 0;
    const paramGrads = attr(attrs, "paramGrads", name) !== 0;
    const dx = inputGrad ? allocate(backend, [rows, dims[0] as number]) : null;
    const grads = paramGrads
      ? weights.flatMap((w) => [allocate(backend, [...w.shape]), allocate(backend, [w.shape[1] as number])])
      : [];
    const list = new Float64Array(2 + dims.length + 2 + (layers - 1) + layers + 1 + 2 * layers);
    list.set([layers, rows, ...dims], 0);
    let o = 2 + dims.length;
    list[o++] = offsetOf(backend, dy);
    list[o++] = offsetOf(backend, x);
    for (const h of hidden) list[o++] = offsetOf(backend, h);
    for (const w of weights) list[o++] = offsetOf(backend, w);
    list[o++] = dx ? offsetOf(backend, dx) : -1;
    for (let l = 0; l < 2 * layers; l++) list[o++] = paramGrads ? offsetOf(backend, grads[l] as TensorInfo) : -1;
    countCall("native", name);
    addon.mlpBackward(heapBuffer(backend), list);
    return dx ? [dx, ...grads] : grads;
  };
  return { kernelName: name, backendName: "wasm", kernelFunc: asKernelFunc(kernelFunc) };
}
