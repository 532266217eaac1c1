/**
 * BatchMatMul and _FusedMatMul on OpenBLAS sgemm, reading and writing the tensors in place in the
 * WASM heap. Both transpose flags go straight to sgemm (the WASM backend's own transposed path is
 * a slow scalar loop). Cases outside the plan (non-float32, prelu, a bias that is not one value
 * per output column, batch broadcasting other than "same batch" or "one side unbatched") run the
 * original WASM kernel unchanged.
 */
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs-core";
import { ACTIVATION_CODES, type NativeAddon } from "../addon.js";
import { countCall } from "../counts.js";
import { allocate, heapBuffer, offsetOf } from "../wasm.js";
import { asKernelFunc } from "./kernel-func.js";

export interface MatMulPlan {
  outShape: number[];
  batch: number;
  /** Matrices in A; output matrix i uses A's matrix i % aBatch (broadcasting). */
  aBatch: number;
  bBatch: number;
  m: number;
  n: number;
  k: number;
}

const product = (dims: readonly number[]): number => dims.reduce((p, d) => p * d, 1);

/** Right-aligned broadcast of two batch shapes, or null when they are incompatible. */
function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/**
 * How to run `op(a) @ op(b)` as a strided batch of sgemms, or null for shapes the native path
 * does not take. Throws on mismatched inner dimensions, like the WASM kernel.
 */
export function planMatMul(
  aShape: readonly number[],
  bShape: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): MatMulPlan | null {
  const ra = aShape.length;
  const rb = bShape.length;
  if (ra < 2 || rb < 2) return null;
  const m = (transposeA ? aShape[ra - 1] : aShape[ra - 2]) as number;
  const kA = (transposeA ? aShape[ra - 2] : aShape[ra - 1]) as number;
  const kB = (transposeB ? bShape[rb - 1] : bShape[rb - 2]) as number;
  const n = (transposeB ? bShape[rb - 2] : bShape[rb - 1]) as number;
  if (kA !== kB) {
    throw new Error(
      `Error in matMul: inner shapes (${kA}) and (${kB}) of Tensors with shapes ${aShape} and ${bShape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const batchDims = broadcastShape(aShape.slice(0, -2), bShape.slice(0, -2));
  if (batchDims === null) return null;
  const batch = product(batchDims);
  // Output matrix i takes operand matrix i % count when the operand's batch dimensions (leading
  // 1s dropped) are the trailing batch dimensions of the output. Anything else (e.g. [2,1]
  // against [1,3]) would need a general index map: left to the WASM kernel.
  const repeats = (dims: readonly number[]): boolean => {
    const firstNotOne = dims.findIndex((d) => d !== 1);
    const kept = firstNotOne === -1 ? [] : dims.slice(firstNotOne);
    return kept.join() === batchDims.slice(batchDims.length - kept.length).join();
  };
  if (!repeats(aShape.slice(0, -2)) || !repeats(bShape.slice(0, -2))) return null;
  return {
    outShape: [...batchDims, m, n],
    batch,
    aBatch: Math.max(product(aShape.slice(0, -2)), 1),
    bBatch: Math.max(product(bShape.slice(0, -2)), 1),
    m,
    n,
    k: kA,
  };
}

interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: BackendWasm;
  attrs?: NamedAttrMap;
}

function run(
  addon: NativeAddon,
  backend: BackendWasm,
  a: TensorInfo,
  b: TensorInfo,
  plan: MatMulPlan,
  transposeA: boolean,
  transposeB: boolean,
  bias: TensorInfo | null,
  activation: number,
  alpha: number,
): TensorInfo {
  const out = allocate(backend, plan.outShape);
  addon.matmul(
    heapBuffer(backend),
    offsetOf(backend, a),
    offsetOf(backend, b),
    offsetOf(backend, out),
    plan.batch,
    plan.aBatch,
    plan.bBatch,
    plan.m,
    plan.n,
    plan.k,
    transposeA ? 1 : 0,
    transposeB ? 1 : 0,
    bias ? offsetOf(backend, bias) : -1,
    activation,
    alpha,
  );
  return out;
}

export function batchMatMulKernel(addon: NativeAddon, original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const transposeA = Boolean(args.attrs?.transposeA);
    const transposeB = Boolean(args.attrs?.transposeB);
    const plan =
      a.dtype === "float32" && b.dtype === "float32" ? planMatMul(a.shape, b.shape, transposeA, transposeB) : null;
    if (plan === null) {
      countCall("fallback", original.kernelName);
      return original.kernelFunc(args as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    countCall("native", original.kernelName);
    return run(addon, args.backend, a, b, plan, transposeA, transposeB, null, ACTIVATION_CODES.linear, 0);
  };
  return { ...original, kernelFunc: asKernelFunc(kernelFunc) };
}

export function fusedMatMulKernel(addon: NativeAddon, original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const { a, b, bias, preluActivationWeights } = args.inputs as {
      a: TensorInfo;
      b: TensorInfo;
      bias?: TensorInfo;
      preluActivationWeights?: TensorInfo;
    };
    const transposeA = Boolean(args.attrs?.transposeA);
    const transposeB = Boolean(args.attrs?.transposeB);
    const activationName = (args.attrs?.activation as string | undefined) ?? "linear";
    const activation = ACTIVATION_CODES[activationName as keyof typeof ACTIVATION_CODES];
    const plan =
      a.dtype === "float32" && b.dtype === "float32" ? planMatMul(a.shape, b.shape, transposeA, transposeB) : null;
    const biasFits = bias == null || (bias.dtype === "float32" && bias.shape.length === 1 && bias.shape[0] === plan?.n);
    if (plan === null || activation === undefined || preluActivationWeights != null || !biasFits) {
      countCall("fallback", original.kernelName);
      return original.kernelFunc(args as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    countCall("native", original.kernelName);
    const alpha = Number(args.attrs?.leakyreluAlpha) || 0;
    return run(addon, args.backend, a, b, plan, transposeA, transposeB, bias ?? null, activation, alpha);
  };
  return { ...original, kernelFunc: asKernelFunc(kernelFunc) };
}
