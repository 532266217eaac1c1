/**
 * State-action critics Q(s, a) on concat(s, a). `Critics` holds one (DDPG) or two (TD3, SAC:
 * clipped double Q) networks that learn in one optimizer step: the loss is the sum of their errors.
 */
import * as tf from "@tensorflow/tfjs";
import type { GradOptions } from "../dense.js";
import { type Activation, MLP } from "../nn/mlp.js";
import type { Parameterized } from "../params.js";
import type { Rng } from "../rng.js";

export interface CriticOptions {
  hidden: number[];
  activation: Activation;
  layerNorm?: boolean;
}

export class Critics implements Parameterized {
  readonly nets: MLP[];
  constructor(rng: Rng, obsDim: number, actionDim: number, count: number, opts: CriticOptions, name = "critic") {
    this.nets = Array.from(
      { length: count },
      (_, i) => new MLP(rng, obsDim + actionDim, 1, { ...opts, name: `${name}.q${i + 1}` }),
    );
  }
  get count(): number {
    return this.nets.length;
  }
  /** Every critic's Q values, each [B, 1]. */
  all(obs: tf.Tensor2D, action: tf.Tensor2D, grads?: GradOptions): tf.Tensor2D[] {
    const input = tf.concat([obs, action], 1);
    return this.nets.map((net) => net.apply(input, grads));
  }
  /** Q1 [B, 1]: the critic actors climb and proposals are ranked by (TD3's choice). */
  q1(obs: tf.Tensor2D, action: tf.Tensor2D, grads?: GradOptions): tf.Tensor2D {
    return (this.nets[0] as MLP).apply(tf.concat([obs, action], 1), grads);
  }
  /** min over critics [B, 1] (clipped double-Q with two; plain Q with one). */
  min(obs: tf.Tensor2D, action: tf.Tensor2D, grads?: GradOptions): tf.Tensor2D {
    const qs = this.all(obs, action, grads);
    return qs.reduce((a, b) => tf.minimum(a, b));
  }
  parameters(): tf.Variable[] {
    return this.nets.flatMap((n) => n.parameters());
  }
}
