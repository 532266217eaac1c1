import * as tf from "@tensorflow/tfjs";
import { denseMode, type GradOptions, nativeMlp } from "../dense.js";
import { type Parameterized, variable } from "../params.js";
import type { Rng } from "../rng.js";
import { type Init, Linear } from "./linear.js";

export type Activation = "relu" | "tanh" | "elu" | "leakyRelu" | "sigmoid" | "softplus" | "gelu" | "identity";

export function activate(x: tf.Tensor2D, act: Activation): tf.Tensor2D {
  switch (act) {
    case "relu":
      return tf.relu(x);
    case "tanh":
      return tf.tanh(x);
    case "elu":
      return tf.elu(x);
    case "leakyRelu":
      return tf.leakyRelu(x, 0.01);
    case "sigmoid":
      return tf.sigmoid(x);
    case "softplus":
      return tf.softplus(x);
    case "gelu":
      // tanh approximation; smooth, so second derivatives exist (Smoothie's Hessian needs that).
      return tf.mul(
        tf.mul(x, 0.5),
        tf.add(1, tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI)))),
      );
    case "identity":
      return x;
  }
}

/** Layer normalisation over the last axis with learnable gain and bias. */
export class LayerNorm implements Parameterized {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  constructor(
    readonly size: number,
    readonly eps = 1e-5,
    name = "layernorm",
  ) {
    this.gamma = variable(new Float32Array(size).fill(1), [size], `${name}.gamma`);
    this.beta = variable(new Float32Array(size), [size], `${name}.beta`);
  }
  apply(x: tf.Tensor2D): tf.Tensor2D {
    const { mean, variance } = tf.moments(x, -1, true);
    const norm = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.eps)));
    return tf.add(tf.mul(norm, this.gamma), this.beta);
  }
  parameters(): tf.Variable[] {
    return [this.gamma, this.beta];
  }
}

export interface MLPOptions {
  /** Hidden widths, e.g. [256, 256]. */
  hidden: number[];
  activation?: Activation;
  /** LayerNorm after each hidden linear, before the activation. */
  layerNorm?: boolean;
  /** LayerNorm after the output linear too, before `outputActivation` (SAVO's released actors). */
  outputLayerNorm?: boolean;
  /** Squash the output: `tanh` for bounded actions. */
  outputActivation?: Activation;
  init?: Init;
  /** Scale of the last layer's initial weights (small values keep initial policies near zero). */
  outputScale?: number;
  name?: string;
}

/** Multi-layer perceptron: Linear → [LayerNorm] → act, …, Linear → [outputActivation]. */
export class MLP implements Parameterized {
  readonly layers: Linear[] = [];
  readonly norms: LayerNorm[] = [];
  readonly outputNorm: LayerNorm | null;
  readonly activation: Activation;
  readonly outputActivation: Activation;
  constructor(
    rng: Rng,
    readonly inputSize: number,
    readonly outputSize: number,
    opts: MLPOptions,
  ) {
    const name = opts.name ?? "mlp";
    this.activation = opts.activation ?? "relu";
    this.outputActivation = opts.outputActivation ?? "identity";
    const sizes = [inputSize, ...opts.hidden, outputSize];
    for (let i = 0; i < sizes.length - 1; i++) {
      const last = i === sizes.length - 2;
      this.layers.push(
        new Linear(rng, sizes[i] as number, sizes[i + 1] as number, {
          name: `${name}.${i}`,
          ...(opts.init ? { init: opts.init } : {}),
          ...(last && opts.outputScale !== undefined ? { scale: opts.outputScale } : {}),
        }),
      );
      if (!last && opts.layerNorm) this.norms.push(new LayerNorm(sizes[i + 1] as number, 1e-5, `${name}.ln${i}`));
    }
    this.outputNorm = opts.outputLayerNorm ? new LayerNorm(outputSize, 1e-5, `${name}.lnOut`) : null;
  }
  /**
   * `opts` says which gradients the caller needs; on the native kernels the others are skipped
   * (elsewhere tfjs's tape already computes only what leads to the requested variables, apart
   * from the per-layer custom gradients, which always return all three).
   */
  apply(x: tf.Tensor2D, opts: GradOptions = {}): tf.Tensor2D {
    let h = x;
    const n = this.layers.length;
    // With the native kernels a ReLU MLP is one kernel forward and one backward.
    if (this.activation === "relu" && this.norms.length === 0 && !this.outputNorm && denseMode() === "native") {
      const weights = this.layers.map((l) => l.weight as tf.Tensor2D);
      const biases = this.layers.map((l) => l.bias as tf.Tensor1D);
      return activate(nativeMlp(x, weights, biases, opts), this.outputActivation);
    }
    for (let i = 0; i < n - 1; i++) {
      const layer = this.layers[i] as Linear;
      h = layer.apply(h);
      const ln = this.norms[i];
      if (ln) h = ln.apply(h);
      h = activate(h, this.activation);
    }
    const out = (this.layers[n - 1] as Linear).apply(h);
    return activate(this.outputNorm ? this.outputNorm.apply(out) : out, this.outputActivation);
  }
  parameters(): tf.Variable[] {
    return [
      ...this.layers.flatMap((l) => l.parameters()),
      ...this.norms.flatMap((l) => l.parameters()),
      ...(this.outputNorm ? this.outputNorm.parameters() : []),
    ];
  }
}
