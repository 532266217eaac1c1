/**
 * Actor-free CEM over Q (QT-Opt style; SAVO §6.1, spec §7.3). Per state: start from
 * N(0, initStd²) in the normalised box; for I iterations sample P actions, score them with Q1,
 * refit mean and σ to the top E. The elites of every iteration are the candidates, and TD3's
 * select-by-Q step returns the best action found. The TD target runs the same search on the
 * target critic. There is no actor to train.
 */

import type { Critics, EnvSpaces } from "@qscape/core";
import { gatherCandidates, tf } from "@qscape/core";
import { TD3Agent } from "../td3/agent.js";
import type { TD3Settings } from "../td3/config.js";
import { CEMConfig, type CEMConfigInput } from "./config.js";

type CEMSettings = TD3Settings & {
  population: number;
  elites: number;
  iterations: number;
  initStd: number;
  minStd: number;
};

export class CEMAgent extends TD3Agent {
  constructor(env: EnvSpaces, config: CEMConfigInput = {}) {
    super(env, config, { name: "cem", schema: CEMConfig, actorCount: 0 });
  }

  private get settings(): CEMSettings {
    return this.config as CEMSettings;
  }

  protected override proposeActions(obs: tf.Tensor2D): tf.Tensor3D {
    return this.search(this.critics, obs);
  }

  protected override proposeTargetActions(nextObs: tf.Tensor2D): tf.Tensor3D {
    return this.search(this.targetCritics, nextObs);
  }

  /** The elites of every CEM iteration, [B, I·E, A]. */
  private search(critics: Critics, obs: tf.Tensor2D): tf.Tensor3D {
    const { population, elites, iterations, initStd, minStd } = this.settings;
    const b = obs.shape[0];
    const a = this.actionDim;
    let mean: tf.Tensor = tf.zeros([b, 1, a]);
    let std: tf.Tensor = tf.fill([b, 1, a], initStd);
    const found: tf.Tensor3D[] = [];
    for (let it = 0; it < iterations; it++) {
      const eps = tf.tensor3d(this.rng.fillNormal(new Float32Array(b * population * a)) as Float32Array, [
        b,
        population,
        a,
      ]);
      const samples = tf.clipByValue(tf.add(mean, tf.mul(std, eps)), -1, 1) as tf.Tensor3D;
      const q = this.scoreCandidates(critics, obs, samples);
      this.counts.qEvaluations += b * population;
      const top = tf.topk(q, elites).indices;
      const best = gatherCandidates(samples, top as tf.Tensor2D);
      found.push(best);
      const moments = tf.moments(best, 1, true);
      mean = moments.mean;
      std = tf.maximum(tf.sqrt(moments.variance), minStd);
    }
    return tf.concat(found, 1) as tf.Tensor3D;
  }
}
