/**
 * PPO's separate actor and critic MLPs (CleanRL's layout): the actor ends in a categorical head
 * (Discrete actions, optional availability mask) or a diagonal Gaussian with state-independent σ
 * (Box actions, in the normalised [−1, 1] box); the critic outputs V(s).
 */
import { CategoricalHead, DiagGaussianHead, MLP, type Parameterized, type Rng, type tf } from "@qscape/core";
import type { PPOSettings } from "./config.js";

export type PolicyHead = { kind: "discrete"; head: CategoricalHead } | { kind: "continuous"; head: DiagGaussianHead };

export class ActorCritic implements Parameterized {
  readonly trunk: MLP;
  readonly policy: PolicyHead;
  readonly critic: MLP;
  constructor(rng: Rng, obsDim: number, action: { discrete: number } | { continuous: number }, config: PPOSettings) {
    const features = config.hidden[config.hidden.length - 1] as number;
    this.trunk = new MLP(rng, obsDim, features, {
      hidden: config.hidden.slice(0, -1),
      activation: config.activation,
      outputActivation: config.activation,
      name: "ppo.actor",
    });
    // A small last layer starts the policy near uniform / zero-mean (CleanRL's std 0.01 init).
    this.policy =
      "discrete" in action
        ? {
            kind: "discrete",
            head: new CategoricalHead(rng, features, action.discrete, { outputScale: 0.01, name: "ppo.pi" }),
          }
        : {
            kind: "continuous",
            head: new DiagGaussianHead(rng, features, action.continuous, { initStd: config.initStd, name: "ppo.pi" }),
          };
    this.critic = new MLP(rng, obsDim, 1, { hidden: config.hidden, activation: config.activation, name: "ppo.critic" });
  }
  /** V(s), [B]. */
  value(obs: tf.Tensor2D): tf.Tensor1D {
    return this.critic.apply(obs).reshape([obs.shape[0]]);
  }
  parameters(): tf.Variable[] {
    return [...this.trunk.parameters(), ...this.policy.head.parameters(), ...this.critic.parameters()];
  }
}
