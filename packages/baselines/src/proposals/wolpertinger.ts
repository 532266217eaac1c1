/**
 * Wolpertinger / k-samples for continuous actions (SAVO §6.1; Dulac-Arnold et al. 2015): the
 * actor's proto-action plus Gaussian samples around it are ranked by Q1 and the best is taken —
 * when acting and, with the target actor and target critic, in the TD target. The actor learns by
 * DPG at the proto-action (TD3's step).
 */

import type { CandidateProposer, EnvSpaces, MLP, Rng } from "@qscape/core";
import { tf } from "@qscape/core";
import type { TD3Settings } from "../td3/config.js";
import { ProposalTD3Agent } from "./agent.js";
import { WolpertingerConfig, type WolpertingerConfigInput } from "./config.js";

type WolpertingerSettings = TD3Settings & { k: number; sampleSigma: number; includeProtoAction: boolean };

/** [B, k, A]: the proto-action μ(s) (when included) and clip(μ(s) + N(0, σ²), −1, 1) samples around it. */
export class GaussianSamplesProposer implements CandidateProposer {
  constructor(
    private readonly actor: MLP,
    private readonly targetActor: MLP,
    private readonly rng: Rng,
    private readonly settings: WolpertingerSettings,
  ) {}

  propose(obs: tf.Tensor2D): tf.Tensor3D {
    return this.samplesAround(this.actor.apply(obs));
  }

  proposeTarget(nextObs: tf.Tensor2D): tf.Tensor3D {
    return this.samplesAround(this.targetActor.apply(nextObs));
  }

  private samplesAround(proto: tf.Tensor2D): tf.Tensor3D {
    const { k, sampleSigma, includeProtoAction } = this.settings;
    const [b, a] = proto.shape;
    const sampled = includeProtoAction ? k - 1 : k;
    const parts: tf.Tensor3D[] = includeProtoAction ? [tf.expandDims(proto, 1) as tf.Tensor3D] : [];
    if (sampled > 0) {
      const eps = this.rng.fillNormal(new Float32Array(b * sampled * a), 0, sampleSigma) as Float32Array;
      const noisy = tf.add(tf.expandDims(proto, 1), tf.tensor3d(eps, [b, sampled, a]));
      parts.push(tf.clipByValue(noisy, -1, 1) as tf.Tensor3D);
    }
    return parts.length === 1 ? (parts[0] as tf.Tensor3D) : (tf.concat(parts, 1) as tf.Tensor3D);
  }
}

export class WolpertingerAgent extends ProposalTD3Agent<WolpertingerSettings, GaussianSamplesProposer> {
  constructor(env: EnvSpaces, config: WolpertingerConfigInput = {}) {
    super(env, config, {
      name: "wolpertinger",
      schema: WolpertingerConfig,
      proposer: (td3) =>
        new GaussianSamplesProposer(td3.actors[0] as MLP, td3.targetActors[0] as MLP, td3.rng, td3.config),
    });
  }
}
