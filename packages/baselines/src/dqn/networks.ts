/** Action-out Q networks Q(s, ·) ∈ ℝ^|A|: a plain MLP, or a dueling trunk with V and A streams. */
import { Linear, MLP, type Parameterized, type Rng, tf } from "@qscape/core";
import type { DQNSettings } from "./config.js";

export interface QNetwork extends Parameterized {
  apply(obs: tf.Tensor2D): tf.Tensor2D;
}

/** Q = V(s) + A(s, a) − mean_a A(s, a) (Wang et al. 2016, eq. 9). */
export class DuelingQNetwork implements QNetwork {
  readonly trunk: MLP;
  readonly value: Linear;
  readonly advantage: Linear;
  constructor(rng: Rng, obsDim: number, numActions: number, config: DQNSettings, name: string) {
    const features = config.hidden[config.hidden.length - 1] as number;
    this.trunk = new MLP(rng, obsDim, features, {
      hidden: config.hidden.slice(0, -1),
      activation: config.activation,
      outputActivation: config.activation,
      name: `${name}.trunk`,
    });
    this.value = new Linear(rng, features, 1, { name: `${name}.value` });
    this.advantage = new Linear(rng, features, numActions, { name: `${name}.advantage` });
  }
  apply(obs: tf.Tensor2D): tf.Tensor2D {
    const h = this.trunk.apply(obs);
    const a = this.advantage.apply(h);
    return tf.add(this.value.apply(h), tf.sub(a, tf.mean(a, 1, true)));
  }
  parameters(): tf.Variable[] {
    return [...this.trunk.parameters(), ...this.value.parameters(), ...this.advantage.parameters()];
  }
}

export function makeQNetwork(
  rng: Rng,
  obsDim: number,
  numActions: number,
  config: DQNSettings,
  name: string,
): QNetwork {
  if (config.dueling) return new DuelingQNetwork(rng, obsDim, numActions, config, name);
  return new MLP(rng, obsDim, numActions, { hidden: config.hidden, activation: config.activation, name });
}
