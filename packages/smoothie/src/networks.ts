/**
 * Smoothie's networks (Nachum et al. 2018, §6): a Gaussian policy N(μ_θ(s), diag(e^φ)) with a feed-forward mean
 * and a free, state-independent log-variance vector φ, and one critic Q̃_w(s, a) on concat(s, a)
 * whose every layer uses a smooth activation (the action enters at the input, so the whole network
 * is on the action path and its action-Hessian must not vanish).
 */
import { DiagGaussian, MLP, type Parameterized, type Rng, tf, variable } from "@qscape/core";
import type { SmoothieSettings } from "./config.js";

export class GaussianPolicy implements Parameterized {
  readonly mean: MLP;
  /** φ: log σ² per action dimension. */
  readonly logVariance: tf.Variable;

  constructor(rng: Rng, obsDim: number, actionDim: number, squash: boolean, config: SmoothieSettings, name: string) {
    this.mean = new MLP(rng, obsDim, actionDim, {
      hidden: config.actorHidden,
      activation: config.actorActivation,
      outputActivation: squash ? "tanh" : "identity",
      name: `${name}.mean`,
    });
    this.logVariance = variable(
      new Float32Array(actionDim).fill(2 * Math.log(config.initStd)),
      [actionDim],
      `${name}.logvar`,
    );
  }

  distribution(obs: tf.Tensor2D): DiagGaussian {
    return new DiagGaussian(this.mean.apply(obs), this.logVariance as tf.Tensor1D);
  }

  parameters(): tf.Variable[] {
    return [...this.mean.parameters(), this.logVariance];
  }
}

export function makeCritic(rng: Rng, obsDim: number, actionDim: number, config: SmoothieSettings, name: string): MLP {
  return new MLP(rng, obsDim + actionDim, 1, {
    hidden: config.criticHidden,
    activation: config.criticActivation,
    name,
  });
}

/** Q̃_w(s, a), [B, 1]. */
export function criticValue(critic: MLP, obs: tf.Tensor2D, action: tf.Tensor2D): tf.Tensor2D {
  return critic.apply(tf.concat([obs, action], 1));
}
