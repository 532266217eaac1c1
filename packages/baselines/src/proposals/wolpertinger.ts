/**
 * Wolpertinger / k-samples for continuous actions (SAVO §6.1, spec §7.1): the actor's
 * proto-action plus Gaussian samples around it are ranked by Q1 and the best is taken — when
 * acting and, with the target actor and target critic, in the TD target. The actor learns by DPG
 * at the proto-action (the TD3 update).
 */

import type { EnvSpaces } from "@qscape/core";
import { type MLP, tf } from "@qscape/core";
import { TD3Agent } from "../td3/agent.js";
import type { TD3Settings } from "../td3/config.js";
import { WolpertingerConfig, type WolpertingerConfigInput } from "./config.js";

type WolpertingerSettings = TD3Settings & { k: number; sampleSigma: number; includeProtoAction: boolean };

export class WolpertingerAgent extends TD3Agent {
  constructor(env: EnvSpaces, config: WolpertingerConfigInput = {}) {
    super(env, config, { name: "wolpertinger", schema: WolpertingerConfig });
  }

  private get settings(): WolpertingerSettings {
    return this.config as WolpertingerSettings;
  }

  protected override proposeActions(obs: tf.Tensor2D): tf.Tensor3D {
    return this.samplesAround((this.actors[0] as MLP).apply(obs));
  }

  protected override proposeTargetActions(nextObs: tf.Tensor2D): tf.Tensor3D {
    return this.samplesAround((this.targetActors[0] as MLP).apply(nextObs));
  }

  /** [B, k, A]: the proto-action (when included) and clip(proto + N(0, σ²), −1, 1) samples. */
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
