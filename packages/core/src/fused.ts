/**
 * Optional fused kernels registered by `@qscape/native` on the active backend (one call for a
 * whole Adam step, the gradient norm, a Polyak update). Core cannot import that package (it is
 * optional and depends on core), so it looks the kernels up by name and runs them through the
 * engine when they exist; otherwise the callers use plain tfjs ops.
 */
import * as tf from "@tensorflow/tfjs";

export function fusedKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

export function named(prefix: string, tensors: tf.Tensor[]): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  tensors.forEach((t, i) => {
    out[`${prefix}${i}`] = t;
  });
  return out;
}

export function runAll(name: string, inputs: tf.NamedTensorMap, attrs: Record<string, number> = {}): tf.Tensor[] {
  const out = tf.engine().runKernel(name, inputs, attrs);
  return Array.isArray(out) ? out : [out as tf.Tensor];
}

export function runOne(name: string, inputs: tf.NamedTensorMap, attrs: Record<string, number> = {}): tf.Tensor {
  return runAll(name, inputs, attrs)[0] as tf.Tensor;
}
