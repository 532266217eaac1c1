/**
 * Calling the fused optimizer kernels (see kernels/optim.ts). They exist only while the native
 * kernels are registered on the active backend; `fusedKernelsAvailable()` says so. Callers that
 * cannot import this package (it is optional) can run them by name through `tf.engine().runKernel`.
 */
import { engine, getBackend, getKernel, type NamedTensorMap, type Scalar, type Tensor } from "@tensorflow/tfjs-core";
import { FUSED_KERNELS } from "./kernels/optim.js";

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
