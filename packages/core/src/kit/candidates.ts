/** Tensor helpers for ranking candidate actions per state. */
import * as tf from "@tensorflow/tfjs";

/**
 * candidates[b, indices[b, j]] → [B, J, A]. Written as one flat gather because the WASM
 * backend's gather with batchDims reads out of bounds (tfjs 4.22).
 */
export function gatherCandidates(candidates: tf.Tensor3D, indices: tf.Tensor2D): tf.Tensor3D {
  const [b, k, a] = candidates.shape;
  const j = indices.shape[1];
  const rowOffsets = tf.tensor2d(
    Int32Array.from({ length: b }, (_, i) => i * k),
    [b, 1],
    "int32",
  );
  const flat = tf.reshape(tf.add(tf.cast(indices, "int32"), rowOffsets), [b * j]);
  return tf.reshape(tf.gather(tf.reshape(candidates, [b * k, a]), flat), [b, j, a]);
}
