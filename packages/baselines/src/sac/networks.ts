/** SAC's stochastic actor: an MLP trunk and core's tanh-squashed Gaussian head (in the [−1, 1] box). */
import { MLP, type Parameterized, type Rng, type SquashedGaussian, SquashedGaussianHead, type tf } from "@qscape/core";
import type { SACSettings } from "./config.js";

export class SquashedGaussianActor implements Parameterized {
  readonly trunk: MLP;
  readonly head: SquashedGaussianHead;
  constructor(rng: Rng, obsDim: number, actionDim: number, config: SACSettings, name: string) {
    const hidden = config.actorHidden;
    const features = hidden[hidden.length - 1] as number;
    this.trunk = new MLP(rng, obsDim, features, {
      hidden: hidden.slice(0, -1),
      activation: config.activation,
      outputActivation: config.activation,
      name: `${name}.trunk`,
    });
    this.head = new SquashedGaussianHead(rng, features, actionDim, {
      logStdMin: config.logStdMin,
      logStdMax: config.logStdMax,
      name: `${name}.head`,
    });
  }
  apply(obs: tf.Tensor2D): SquashedGaussian {
    return this.head.apply(this.trunk.apply(obs));
  }
  parameters(): tf.Variable[] {
    return [...this.trunk.parameters(), ...this.head.parameters()];
  }
}
