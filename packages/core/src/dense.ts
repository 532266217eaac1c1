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

let nativeDenseImpl: DenseFn | null = null;

/**
 * Dense through qscape's native kernels (`@qscape/native` registers them on the WASM backend):
 * the forward is one `_FusedMatMul` (matMul + bias, OpenBLAS), the backward a bias sum and two
 * matMuls whose transposes the native kernel handles. (ReLU MLPs use `nativeMlp` instead.)
 */
export function nativeDense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  nativeDenseImpl ??= tf.customGrad((...args: (tf.Tensor | ((s: tf.Tensor[]) => void))[]) => {
    const [xIn, wIn, bIn, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, (s: tf.Tensor[]) => void];
    const attrs = { transposeA: false, transposeB: false, activation: "linear", leakyreluAlpha: 0 };
    const y = tf.engine().runKernel("_FusedMatMul", { a: xIn, b: wIn, bias: bIn }, attrs) as tf.Tensor2D;
    save([xIn, wIn]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
        const d = dy as tf.Tensor2D;
        return [tf.matMul(d, sw, false, true), tf.matMul(sx, d, true, false), tf.sum(d, 0)];
      },
    };
  }) as unknown as DenseFn;
  return nativeDenseImpl(x, w, b);
}

/** Which gradients a network pass must provide (both by default). */
export interface GradOptions {
  /** Gradient with respect to the input (false when the input is data, e.g. a critic's (s, a) batch). */
  inputGrad?: boolean;
  /**
   * Gradients of the network's own parameters (false for a network that only passes gradients
   * through, e.g. the critic in an actor step). Weights not asked for are not computed at all.
   */
  paramGrads?: boolean;
}

/**
 * A ReLU MLP with a linear output as one native kernel forward (`QscapeMlp`) and one backward
 * (`QscapeMlpGrad`), instead of a custom-gradient op per layer: the engine, tape and tensor
 * bookkeeping of a whole network pass is paid once. Only the tensors the caller needs gradients
 * for are inputs of the custom gradient; the others are closed over, so their gradients are never
 * computed.
 */
export function nativeMlp(
  x: tf.Tensor2D,
  weights: tf.Tensor2D[],
  biases: tf.Tensor1D[],
  opts: GradOptions = {},
): tf.Tensor2D {
  const inputGrad = opts.inputGrad ?? true;
  const paramGrads = opts.paramGrads ?? true;
  const params = weights.flatMap((w, l) => [w, biases[l] as tf.Tensor1D]);
  const forward = (input: tf.Tensor2D, ps: tf.Tensor[]): tf.Tensor[] => {
    const inputs: tf.NamedTensorMap = { x: input };
    ps.forEach((p, i) => {
      inputs[`${i % 2 === 0 ? "w" : "b"}${i >> 1}`] = p;
    });
    return tf.engine().runKernel("QscapeMlp", inputs, { outputActivation: 0 }) as tf.Tensor[];
  };
  // Outside a gradient scope (acting, TD targets) no gradient can be asked for: a plain kernel call.
  if ((!inputGrad && !paramGrads) || tf.engine().state.gradientDepth === 0) return forward(x, params)[0] as tf.Tensor2D;
  const f = tf.customGrad((...args: (tf.Tensor | ((s: tf.Tensor[]) => void))[]) => {
    const save = args[args.length - 1] as (s: tf.Tensor[]) => void;
    const given = args.slice(0, -1) as tf.Tensor[];
    const input = inputGrad ? (given[0] as tf.Tensor2D) : x;
    const ps = paramGrads ? given.slice(inputGrad ? 1 : 0) : params;
    const [y, ...hidden] = forward(input, ps);
    // The weights are read from the closure in the backward pass (a clone per saved tensor costs
    // an engine op); the activations are intermediates and must be saved.
    save([input, ...hidden]);
    return {
      value: y as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const inputs: tf.NamedTensorMap = { dy, x: saved[0] as tf.Tensor };
        saved.slice(1).forEach((h, l) => {
          inputs[`h${l}`] = h;
        });
        weights.forEach((w, l) => {
          inputs[`w${l}`] = w;
        });
        const attrs = { inputGrad: inputGrad ? 1 : 0, paramGrads: paramGrads ? 1 : 0 };
        return tf.engine().runKernel("QscapeMlpGrad", inputs, attrs) as tf.Tensor[];
      },
    };
  });
  const inputs = [...(inputGrad ? [x] : []), ...(paramGrads ? params : [])];
  return (f as unknown as (...t: tf.Tensor[]) => tf.Tensor2D)(...inputs);
}

/**
 * How `Linear`/`MLP` compute a dense layer: `fast` (explicit-transpose gradients: plain WASM and
 * CPU), `plain` (tfjs autodiff), `native` (the fused native kernels). `initBackend` picks it.
 */
export type DenseMode = "fast" | "plain" | "native";
let mode: DenseMode = "fast";

export function setDenseMode(m: DenseMode): void {
  if (m === "native" && !["QscapeMlp", "QscapeMlpGrad"].every((k) => tf.getKernel(k, tf.getBackend()))) {
    throw new Error(`dense mode "native" needs qscape's native kernels on the active backend (${tf.getBackend()})`);
  }
  mode = m;
}

export function denseMode(): DenseMode {
  return mode;
}

/** Switch between the fast op and plain autodiff (benchmarks). */
export function setFastDense(enabled: boolean): void {
  mode = enabled ? "fast" : "plain";
}

export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  if (mode === "native") return nativeDense(x, w, b);
  return mode === "fast" ? fastDense(x, w, b) : plainDense(x, w, b);
}
