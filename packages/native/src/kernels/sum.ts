/**
 * Sum over leading axes (bias gradients: a [batch, features] gradient summed over the batch) or
 * trailing axes, natively. The WASM kernel reduces only innermost axes, so a bias gradient costs it
 * a full transpose first. Other axis patterns and non-float32 inputs run the WASM kernel.
 */
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import {
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
  util,
} from "@tensorflow/tfjs-core";
import type { NativeAddon } from "../addon.js";
import { countCall } from "../counts.js";
import { allocate, heapBuffer, offsetOf } from "../wasm.js";
import { asKernelFunc } from "./kernel-func.js";

interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: BackendWasm;
  attrs?: NamedAttrMap;
}

export interface SumPlan {
  outShape: number[];
  outer: number;
  inner: number;
  /** Reduce the outer (leading) axes rather than the inner (trailing) ones. */
  leading: boolean;
}

/** How to run the sum as one [outer, inner] reduction, or null when the axes are not a prefix or suffix. */
export function planSum(shape: readonly number[], axis: number | number[] | null | undefined, keepDims: boolean) {
  const rank = shape.length;
  if (rank === 0) return null;
  const axes = [...new Set(util.parseAxisParam(axis ?? shape.map((_, i) => i), [...shape]))].sort((a, b) => a - b);
  if (axes.length === 0) return null;
  const leading = axes.every((a, i) => a === i);
  const trailing = axes.every((a, i) => a === rank - axes.length + i);
  if (!leading && !trailing) return null;
  const split = leading && !trailing ? axes.length : rank - axes.length;
  const size = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);
  const outShape = keepDims
    ? shape.map((d, i) => (axes.includes(i) ? 1 : d))
    : shape.filter((_, i) => !axes.includes(i));
  return {
    outShape,
    outer: size(shape.slice(0, split)),
    inner: size(shape.slice(split)),
    leading: leading && !trailing,
  } satisfies SumPlan;
}

export function sumKernel(addon: NativeAddon, original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const { x } = args.inputs as { x: TensorInfo };
    const plan =
      x.dtype === "float32"
        ? planSum(x.shape, args.attrs?.axis as number | number[] | undefined, Boolean(args.attrs?.keepDims))
        : null;
    if (plan === null) {
      countCall("fallback", original.kernelName);
      return original.kernelFunc(args as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    countCall("native", original.kernelName);
    const out = allocate(args.backend, plan.outShape);
    const heap = heapBuffer(args.backend);
    addon.reduceSum(
      heap,
      offsetOf(args.backend, x),
      offsetOf(args.backend, out),
      plan.outer,
      plan.inner,
      plan.leading ? 1 : 0,
    );
    return out;
  };
  return { ...original, kernelFunc: asKernelFunc(kernelFunc) };
}
