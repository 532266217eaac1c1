/**
 * FiLM (Perez et al. 2018): feature-wise affine modulation γ ⊙ F + β with (γ, β) computed from a
 * conditioning vector. SAVO conditions its later actors and surrogates on the summary of earlier
 * actions this way (savo.md, App. F.4).
 */
import * as tf from "@tensorflow/tfjs";
import { QscapeError } from "../errors.js";
import type { Parameterized } from "../params.js";
import type { Rng } from "../rng.js";
import { type Init, Linear } from "./linear.js";
import { type Activation, activate } from "./mlp.js";

/**
 * `F ⊙ (1 + Δγ(z)) + β(z)`, i.e. the paper's γ ⊙ F + β with γ = 1 + Δγ: a small initial
 * projection then starts near the identity instead of near zero, so conditioning does not
 * scramble the features at the start of training.
 */
export class FiLM implements Parameterized {
  readonly projection: Linear;
  constructor(
    rng: Rng,
    readonly conditionSize: number,
    readonly featureSize: number,
    opts: { name?: string } = {},
  ) {
    this.projection = new Linear(rng, conditionSize, 2 * featureSize, { name: `${opts.name ?? "film"}.proj` });
  }
  apply(features: tf.Tensor2D, condition: tf.Tensor2D): tf.Tensor2D {
    if (features.shape[1] !== this.featureSize || condition.shape[1] !== this.conditionSize) {
      throw new QscapeError(
        `FiLM: expected features [B, ${this.featureSize}] and condition [B, ${this.conditionSize}], got [${features.shape}] and [${condition.shape}]`,
      );
    }
    const [deltaGamma, beta] = tf.split(this.projection.apply(condition), 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    return tf.add(tf.mul(features, tf.add(deltaGamma, 1)), beta);
  }
  parameters(): tf.Variable[] {
    return this.projection.parameters();
  }
}

export interface FiLMMLPOptions {
  hidden: number[];
  activation?: Activation;
  outputActivation?: Activation;
  init?: Init;
  /** Scale of the last layer's initial weights. */
  outputScale?: number;
  name?: string;
}

/**
 * MLP whose every hidden layer is FiLM-modulated by a condition, after its Linear and before its
 * activation (SAVO's [default] reading of "layerwise dependence on the preceding actions").
 */
export class FiLMMLP implements Parameterized {
  readonly layers: Linear[] = [];
  readonly films: FiLM[] = [];
  readonly activation: Activation;
  readonly outputActivation: Activation;
  constructor(
    rng: Rng,
    readonly inputSize: number,
    readonly conditionSize: number,
    readonly outputSize: number,
    opts: FiLMMLPOptions,
  ) {
    const name = opts.name ?? "filmmlp";
    this.activation = opts.activation ?? "relu";
    this.outputActivation = opts.outputActivation ?? "identity";
    const sizes = [inputSize, ...opts.hidden, outputSize];
    for (let i = 0; i < sizes.length - 1; i++) {
      const last = i === sizes.length - 2;
      const out = sizes[i + 1] as number;
      this.layers.push(
        new Linear(rng, sizes[i] as number, out, {
          name: `${name}.${i}`,
          ...(opts.init ? { init: opts.init } : {}),
          ...(last && opts.outputScale !== undefined ? { scale: opts.outputScale } : {}),
        }),
      );
      if (!last) this.films.push(new FiLM(rng, conditionSize, out, { name: `${name}.film${i}` }));
    }
  }
  apply(x: tf.Tensor2D, condition: tf.Tensor2D): tf.Tensor2D {
    let h = x;
    const n = this.layers.length;
    for (let i = 0; i < n - 1; i++) {
      h = (this.films[i] as FiLM).apply((this.layers[i] as Linear).apply(h), condition);
      h = activate(h, this.activation);
    }
    return activate((this.layers[n - 1] as Linear).apply(h), this.outputActivation);
  }
  parameters(): tf.Variable[] {
    return [...this.layers.flatMap((l) => l.parameters()), ...this.films.flatMap((f) => f.parameters())];
  }
}
