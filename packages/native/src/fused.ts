/**
 * Calling the fused optimizer kernels (see kernels/optim.ts). They exist only while the native
 * kernels are registered on the active backend; `fusedKernelsAvailable()` says so. Callers that
 * cannot import this package (it is optional) can run them by name through `tf.engine().runKernel`.
 */
import {
  customGrad,
  engine,
  type GradSaveFunc,
  getBackend,
  getKernel,
  matMul,
  type NamedTensorMap,
  type Scalar,
  type Tensor,
  type Tensor1D,
  type Tensor2D,
} from "@tensorflow/tfjs-core";
import { FUSED_KERNELS } from "./kernels/fused.js";

export { FUSED_KERNELS };

export interface AdamStepHyper {
  /** lr·√(1−β2ᵗ)/(1−β1ᵗ). */
  stepSize: number;
  beta1: number;
  beta2: number;
  /** eps·√(1−β2ᵗ). */
  epsHat: number;
  /** Multiplier of every gradient (global-norm clipping); 1 for none. */
  gradScale: number;
}

export function fusedKernelsAvailable(): boolean {
  const backend = getBackend();
  return Object.values(FUSED_KERNELS).every((name) => getKernel(name, backend) !== undefined);
}

function run(name: string, inputs: NamedTensorMap, attrs: Record<string, number> = {}): Tensor[] {
  const out = engine().runKernel(name, inputs, attrs);
  return Array.isArray(out) ? out : [out];
}

/** One Adam step for every parameter at once; returns the new parameters and moments (new tensors). */
export function adamStep(
  params: Tensor[],
  grads: Tensor[],
  m: Tensor[],
  v: Tensor[],
  hyper: AdamStepHyper,
): { params: Tensor[]; m: Tensor[]; v: Tensor[] } {
  if (grads.length !== params.length || m.length !== params.length || v.length !== params.length) {
    throw new Error(`adamStep: ${params.length} params, ${grads.length} grads, ${m.length} m, ${v.length} v`);
  }
  const inputs: NamedTensorMap = {};
  params.forEach((p, i) => {
    inputs[`p${i}`] = p;
    inputs[`g${i}`] = grads[i] as Tensor;
    inputs[`m${i}`] = m[i] as Tensor;
    inputs[`v${i}`] = v[i] as Tensor;
  });
  const out = run(FUSED_KERNELS.adam, inputs, { ...hyper });
  return {
    params: out.filter((_, j) => j % 3 === 0),
    m: out.filter((_, j) => j % 3 === 1),
    v: out.filter((_, j) => j % 3 === 2),
  };
}

/** Σ x² over all the tensors, as a scalar tensor. */
export function sumOfSquares(tensors: Tensor[]): Scalar {
  const inputs: NamedTensorMap = {};
  tensors.forEach((t, i) => {
    inputs[`x${i}`] = t;
  });
  return run(FUSED_KERNELS.sumSquares, inputs)[0] as Scalar;
}

/** τ·source + (1−τ)·target for every pair; returns the new targets. */
export function polyakBlend(targets: Tensor[], sources: Tensor[], tau: number): Tensor[] {
  if (targets.length !== sources.length)
    throw new Error(`polyakBlend: ${targets.length} targets vs ${sources.length} sources`);
  const inputs: NamedTensorMap = {};
  targets.forEach((t, i) => {
    inputs[`t${i}`] = t;
    inputs[`s${i}`] = sources[i] as Tensor;
  });
  return run(FUSED_KERNELS.polyak, inputs, { tau });
}

/** `[dy·[y > 0], Σ_rows dy·[y > 0]]` for y = relu(…): the ReLU and bias gradients of a dense layer. */
export function reluBackward(dy: Tensor2D, y: Tensor2D): [Tensor2D, Tensor1D] {
  return run(FUSED_KERNELS.reluBackward, { dy, y }) as [Tensor2D, Tensor1D];
}

type DenseReluFn = (x: Tensor2D, w: Tensor2D, b: Tensor1D) => Tensor2D;
let denseReluImpl: DenseReluFn | null = null;

/**
 * `relu(x @ w + b)` as one native kernel forward and three backward (ReLU + bias gradient in one
 * sweep, then the two matmuls with transposes done by BLAS). tfjs's own fused matMul does not fuse
 * the activation while gradients are recorded, so a training forward pass would cost three ops.
 */
export function denseRelu(x: Tensor2D, w: Tensor2D, b: Tensor1D): Tensor2D {
  if (getKernel(FUSED_KERNELS.reluBackward, getBackend()) === undefined) {
    throw new Error(`denseRelu: needs the native kernels (backend wasm+native), active backend is ${getBackend()}`);
  }
  denseReluImpl ??= customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const [xIn, wIn, bIn, save] = args as [Tensor2D, Tensor2D, Tensor1D, GradSaveFunc];
    const attrs = { transposeA: false, transposeB: false, activation: "relu", leakyreluAlpha: 0 };
    const y = engine().runKernel("_FusedMatMul", { a: xIn, b: wIn, bias: bIn }, attrs) as Tensor2D;
    save([xIn, wIn, y]);
    return {
      value: y,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xs, ws, ys] = saved as [Tensor2D, Tensor2D, Tensor2D];
        const [dAct, dBias] = reluBackward(dy as Tensor2D, ys);
        return [matMul(dAct, ws, false, true), matMul(xs, dAct, true, false), dBias];
      },
    };
  }) as unknown as DenseReluFn;
  return denseReluImpl(x, w, b);
}
