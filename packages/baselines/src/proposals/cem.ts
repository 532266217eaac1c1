/**
 * Actor-free CEM over Q (QT-Opt style; SAVO §6.1). Per state: start from N(0, initStd²) in the
 * normalised box; for I iterations sample P actions, score them with Q1, refit mean and σ to the
 * top E. The elites of every iteration are the candidates, and the selector returns the best
 * action found. The TD target runs the same search on the target critic. There is no actor to train.
 */

import type { CandidateProposer, CandidateSelector, Critics, EnvSpaces, Rng } from "@qscape/core";
import { gatherCandidates, tf } from "@qscape/core";
import type { TD3Settings } from "../td3/config.js";
import { ProposalTD3Agent } from "./agent.js";
import { CEMConfig, type CEMConfigInput } from "./config.js";

type CEMSettings = TD3Settings & {
  population: number;
  elites: number;
  iterations: number;
  initStd: number;
  minStd: number;
};

/** [B, I·E, A]: the elites of every CEM iteration on `critics` (the target critics for the TD target). */
export class CEMProposer implements CandidateProposer {
  constructor(
    private readonly critics: Critics,
    private readonly targetCritics: Critics,
    private readonly selector: CandidateSelector,
    private readonly rng: Rng,
    private readonly settings: CEMSettings,
  ) {}

  propose(obs: tf.Tensor2D): tf.Tensor3D {
    return this.search(this.critics, obs);
  }

  proposeTarget(nextObs: tf.Tensor2D): tf.Tensor3D {
    return this.search(this.targetCritics, nextObs);
  }

  private search(critics: Critics, obs: tf.Tensor2D): tf.Tensor3D {
    const { population, elites, iterations, initStd, minStd } = this.settings;
    const b = obs.shape[0];
    const a = this.selector.actionDim;
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
      const top = tf.topk(this.selector.score(critics, obs, samples), elites).indices;
      const best = gatherCandidates(samples, top as tf.Tensor2D);
      found.push(best);
      const moments = tf.moments(best, 1, true);
      mean = moments.mean;
      std = tf.maximum(tf.sqrt(moments.variance), minStd);
    }
    return tf.concat(found, 1) as tf.Tensor3D;
  }
}

export class CEMAgent extends ProposalTD3Agent<CEMSettings, CEMProposer> {
  constructor(env: EnvSpaces, config: CEMConfigInput = {}) {
    super(env, config, {
      name: "cem",
      schema: CEMConfig,
      actorCount: 0,
      proposer: (td3, selector) => new CEMProposer(td3.critics, td3.targetCritics, selector, td3.rng, td3.config),
    });
  }
}
