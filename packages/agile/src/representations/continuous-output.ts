/**
 * Ch. 2's Continuous-output baseline (§2.5.3, after Dulac-Arnold et al. 2015): "The policy
 * architecture outputs a continuous vector in the action representation space … From any given
 * action set, the action closest to this output is selected."
 *
 *   v ~ N(μ(s), diag σ²),  μ(s) = Linear(f_ω(s)) ∈ ℝ^d,  log σ² a learned vector (state independent)
 *   executed action = the available action whose representation is nearest to v (Euclidean)
 *
 * PPO's ratio is of the continuous vector: the rollout keeps v itself (not the snapped action) and
 * the log-prob is log N(v | μ(s), σ²), the Gaussian policy's own. Exploration samples v; greedy
 * acting takes v = μ(s). The critic is V(s). §2.6 expects it to do poorly on train and test: the
 * nearest-action rule does not follow task relevance.
 */
import { type DiagGaussian, DiagGaussianHead, type MLP, type Rng, type tf } from "@qscape/core";
import type { StackedActionSetObservation } from "@qscape/envs";
import type { ActionSetShape, BatchAction, PolicyHead, PolicyHeadFactory } from "../agent.js";
import type { AgileSettings } from "../config.js";
import { type ActionSetTensors, stateEncoder } from "../networks.js";
import { nearestAvailableSlot } from "./nearest-neighbor.js";

/** The Gaussian's initial σ (Kostrikov's PPO, which the thesis's code builds on, starts at log σ = 0). */
const INIT_STD = 1;

/** The head for any action-set env: d is the width of the representations its observations carry. */
export function continuousOutputHead(): PolicyHeadFactory {
  return (rng, shape, config) => new ContinuousOutputHead(rng, shape, config);
}

export class ContinuousOutputHead implements PolicyHead {
  readonly name = "continuous-output";
  readonly choiceWidth: number;
  readonly encoder: MLP;
  readonly output: DiagGaussianHead;

  constructor(
    rng: Rng,
    readonly shape: ActionSetShape,
    config: Pick<AgileSettings, "hidden">,
  ) {
    this.choiceWidth = shape.featureDim;
    this.encoder = stateEncoder(rng, shape.stateDim, config.hidden, "actor.encoder");
    this.output = new DiagGaussianHead(rng, config.hidden, shape.featureDim, {
      initStd: INIT_STD,
      name: "actor.output",
    });
  }

  /** N(μ(s), diag σ²) over representation space, one row per observation. */
  distribution(x: ActionSetTensors): DiagGaussian {
    return this.output.apply(this.encoder.apply(x.state));
  }

  choose(
    x: ActionSetTensors,
    obs: StackedActionSetObservation,
    batch: number,
    explore: boolean,
    rng: Rng,
  ): BatchAction & { choices: Float32Array } {
    const d = this.shape.featureDim;
    const slots = obs.actionMask.length / batch;
    const dist = this.distribution(x);
    const v = explore ? dist.sample(rng) : dist.mean;
    const choices = v.dataSync() as Float32Array;
    const logProbs = dist.logProb(v).dataSync() as Float32Array;
    const out = { actions: new Int32Array(batch), slots: new Int32Array(batch), logProbs, choices };
    for (let b = 0; b < batch; b++) {
      const slot = nearestAvailableSlot(obs, b, slots, d, choices, b * d);
      out.slots[b] = slot;
      out.actions[b] = obs.actionIds[b * slots + slot] as number;
    }
    return out;
  }

  logProbEntropy(x: ActionSetTensors, choices: tf.Tensor2D): { logProb: tf.Tensor1D; entropy: tf.Tensor1D } {
    const dist = this.distribution(x);
    return { logProb: dist.logProb(choices), entropy: dist.entropy() };
  }

  parameters(): tf.Variable[] {
    return [...this.encoder.parameters(), ...this.output.parameters()];
  }
}
