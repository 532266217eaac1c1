/**
 * Tensor helpers shared by the set/sequence/graph layers: a batched matMul whose gradient avoids
 * transposed matMuls (see dense.ts for why), per-item application of 2-D modules to [B, L, d]
 * tensors, and masked pooling.
 */
import * as tf from "@tensorflow/tfjs";
import { QscapeError } from "../errors.js";

/**
 * Logit added to excluded entries. exp() of it underflows to exactly 0 in float32, and unlike −∞
 * it keeps 0·logit (entropies, masked sums) finite.
 */
export const MASKED_LOGIT = -1e9;

type BatchMatMulFn = (a: tf.Tensor3D, b: tf.Tensor3D) => tf.Tensor3D;
let batchMatMulImpl: BatchMatMulFn | null = null;

function buildBatchMatMul(): BatchMatMulFn {
  const f = tf.customGrad((...args: (tf.Tensor | ((s: tf.Tensor[]) => void))[]) => {
    const [a, b, save] = args as [tf.Tensor3D, tf.Tensor3D, (s: tf.Tensor[]) => void];
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sa, sb] = saved as [tf.Tensor3D, tf.Tensor3D];
        const dy3 = dy as tf.Tensor3D;
        return [tf.matMul(dy3, tf.transpose(sb, [0, 2, 1])), tf.matMul(tf.transpose(sa, [0, 2, 1]), dy3)];
      },
    };
  });
  return f as unknown as BatchMatMulFn;
}

/** `a @ b` per batch entry: a [B, n, k], b [B, k, m] → [B, n, m], with explicit-transpose gradients. */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  if (a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
    throw new QscapeError(`batchMatMul: cannot multiply [${a.shape}] by [${b.shape}]`);
  }
  batchMatMulImpl ??= buildBatchMatMul();
  return batchMatMulImpl(a, b);
}

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
