/**
 * Dense (affine) op with a hand-written gradient. tfjs's built-in matMul gradient calls matMul
 * with transpose flags, and the WASM backend runs transposed matMuls on a slow scalar path
 * (8–13× slower than plain). Transposing explicitly first keeps every matMul on the fast path.
 */
import * as tf from "@tensorflow/tfjs";

type DenseFn = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

let fastDenseImpl: DenseFn | null = null;

function buildFastDense(): DenseFn {
  const f = tf.customGrad((...args: (tf.Tensor | ((s: tf.Tensor[]) => void))[]) => {
    const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, (s: tf.Tensor[]) => void];
    save([x, w]);
    const value = tf.add(tf.matMul(x, w), b);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dy2 = dy as tf.Tensor2D;
        return [tf.matMul(dy2, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy2), tf.sum(dy2, 0)];
      },
    };
  });
  return f as unknown as DenseFn;
}

/** `x @ w + b` with explicit-transpose gradients. x: [B, in], w: [in, out], b: [out]. */
export function fastDense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  if (x.shape[1] !== w.shape[0]) {
    throw new Error(`dense: input has ${x.shape[1]} features but the weight expects ${w.shape[0]}`);
  }
  fastDenseImpl ??= buildFastDense();
  return fastDenseImpl(x, w, b);
}

/** The same op through tfjs autodiff, for comparison in tests and benchmarks. */
export function plainDense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return tf.add(tf.matMul(x, w), b);
}

let useFast = true;

/** Switch every `Linear` layer between the fast op and plain autodiff (benchmarks only). */
export function setFastDense(enabled: boolean): void {
  useFast = enabled;
}

export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return useFast ? fastDense(x, w, b) : plainDense(x, w, b);
}
