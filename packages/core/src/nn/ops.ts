/**
 * Tensor helpers shared by the set/sequence/graph layers: per-item application of 2-D modules to
 * [B, L, d] tensors, and masked pooling. Per-item application reshapes to [B·L, d] so Linear layers
 * keep the fast dense path. (Batched 3-D matMuls, as in attention, run on the WASM backend's
 * generic batched kernel with or without transpose flags; measured on this machine, an
 * explicit-transpose custom gradient gave no consistent gain there, so attention uses tf.matMul.)
 */
import * as tf from "@tensorflow/tfjs";
import { QscapeError } from "../errors.js";

/**
 * Logit added to excluded entries. exp() of it underflows to exactly 0 in float32, and unlike −∞
 * it keeps 0·logit (entropies, masked sums) finite.
 */
export const MASKED_LOGIT = -1e9;

/** Apply a row-wise 2-D module (Linear, MLP, LayerNorm, …) to every item of a [B, L, d] tensor. */
export function applyPerItem(module: { apply(x: tf.Tensor2D): tf.Tensor2D }, x: tf.Tensor3D): tf.Tensor3D {
  const [b, l, d] = x.shape;
  const y = module.apply(tf.reshape(x, [b * l, d]));
  return tf.reshape(y, [b, l, y.shape[1]]);
}

/** Checks a [B, L] mask against items [B, L, d]. */
export function checkMask(items: tf.Tensor3D, mask: tf.Tensor2D | undefined, what: string): void {
  if (mask && (mask.shape[0] !== items.shape[0] || mask.shape[1] !== items.shape[1])) {
    throw new QscapeError(`${what}: mask has shape [${mask.shape}] but items are [${items.shape}]`);
  }
}

/** [B, 1]: 1 where the row has at least one unmasked item, else 0. */
export function rowHasItems(mask: tf.Tensor2D): tf.Tensor2D {
  return tf.cast(tf.greater(tf.sum(mask, 1, true), 0), "float32") as tf.Tensor2D;
}

/** Mean over the items axis of [B, L, H], counting only items with mask 1; rows with none give 0. */
export function maskedMean(x: tf.Tensor3D, mask?: tf.Tensor2D): tf.Tensor2D {
  if (!mask) return tf.mean(x, 1);
  const m = tf.expandDims(mask, 2);
  const count = tf.maximum(tf.sum(mask, 1, true), 1);
  return tf.div(tf.sum(tf.mul(x, m), 1), count);
}

/** Max over the items axis of [B, L, H], over items with mask 1; rows with none give 0. */
export function maskedMax(x: tf.Tensor3D, mask?: tf.Tensor2D): tf.Tensor2D {
  if (!mask) return tf.max(x, 1);
  const penalty = tf.mul(tf.sub(1, tf.expandDims(mask, 2)), MASKED_LOGIT);
  return tf.mul(tf.max(tf.add(x, penalty), 1), rowHasItems(mask));
}

/**
 * `times` copies of x along a new axis 1: [B, …] → [B, times, …], the values of
 * tf.tile(tf.expandDims(x, 1)) and the gradient of one sum over the copies. On the WASM backend
 * both of tf.tile's passes are slow: its kernel indexes every element (a broadcast multiply by ones
 * is 20–30× faster and exact), and its gradient slices dy once per copy, each slice copying all of dy
 * off the heap (O(times²) work, most of a Utility-Policy update at K = 500). On WASM the sum adds the
 * copies in the order tf.tile's gradient does, so values and gradients are bit-identical to tf.tile's
 * (ops.test.ts); other backends may round the sum differently.
 */
export function tileOverItems(x: tf.Tensor, times: number): tf.Tensor {
  const repeat = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const ones = tf.ones([1, times, ...input.shape.slice(1).map(() => 1)]);
    return { value: tf.mul(tf.expandDims(input, 1), ones), gradFunc: (dy: tf.Tensor) => tf.sum(dy, 1) };
  });
  return repeat(x);
}
