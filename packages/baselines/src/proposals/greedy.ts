/**
 * Greedy actor-critic (Neumann et al. 2018) and Greedy-TD3 (SAVO §6.1, spec §7.4). The actor is a
 * Gaussian with a tanh mean (TD3's actor network) and a learned state-independent σ; a separate,
 * broader proposal Gaussian samples N actions per state, the top fraction by Q1 are the targets
 * of a maximum-likelihood step for both (conditional CEM), the proposal with an entropy bonus:
 *
 *   L = −mean log π_actor(elites|s) − mean log π_proposal(elites|s) − c·H(π_proposal)
 *
 * The critics and TD target are TD3's (target actor mean, optional smoothing). Greedy-AC acts by
 * sampling the actor; Greedy-TD3 acts with the mean plus TD3's exploration noise.
 */

import type { EnvSpaces } from "@qscape/core";
import {
  type Adam,
  Adam as AdamOptimizer,
  addParts,
  gatherCandidates,
  type MLP,
  type Parameterized,
  ParamGroup,
  type StateParts,
  tf,
  variable,
} from "@qscape/core";
import { TD3Agent, type TD3Batch } from "../td3/agent.js";
import type { TD3Settings } from "../td3/config.js";
import { makeActor } from "../td3/networks.js";
import { GreedyACConfig, type GreedyACConfigInput, GreedyTD3Config, type GreedyTD3ConfigInput } from "./config.js";

type GreedySettings = TD3Settings & {
  proposalSamples: number;
  topFraction: number;
  proposalEntropyCoef: number;
  exploration: "sample" | "noise";
};

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
/** Initial σ of the actor and of the broader proposal, in the normalised box. */
const ACTOR_INIT_STD = 0.3;
const PROPOSAL_INIT_STD = 1;

/** Σ over the last axis of log N(x; mean, exp(logStd)²); mean broadcasts over the sample axis. */
function gaussianLogProb(x: tf.Tensor3D, mean: tf.Tensor3D, logStd: tf.Tensor): tf.Tensor2D {
  const z = tf.div(tf.sub(x, mean), tf.exp(logStd));
  return tf.sum(tf.sub(tf.mul(tf.square(z), -0.5), tf.add(logStd, HALF_LOG_2PI)), 2);
}

abstract class GreedyAgentBase extends TD3Agent {
  readonly actorLogStd: tf.Variable;
  readonly proposal: MLP;
  readonly proposalLogStd: tf.Variable;

  protected constructor(
    env: EnvSpaces,
    config: unknown,
    name: string,
    schema: typeof GreedyACConfig | typeof GreedyTD3Config,
  ) {
    super(env, config as GreedyACConfigInput, { name, schema });
    this.actorLogStd = variable(
      new Float32Array(this.actionDim).fill(Math.log(ACTOR_INIT_STD)),
      [this.actionDim],
      `${name}.actorLogStd`,
    );
    this.proposal = makeActor(this.rng.fork(), this.obsDim, this.actionDim, this.config, `${name}.proposal`);
    this.proposalLogStd = variable(
      new Float32Array(this.actionDim).fill(Math.log(PROPOSAL_INIT_STD)),
      [this.actionDim],
      `${name}.proposalLogStd`,
    );
    // The base built its actor optimizer before the Gaussian parameters existed: rebuild it over all of them.
    this.actorOptimizer?.dispose();
    this.actorOptimizer = new AdamOptimizer(`${name}.actor`, this.policyParameters(), {
      lr: this.config.actorLr,
      ...(this.config.gradClipNorm ? { clipNorm: this.config.gradClipNorm } : {}),
    });
  }

  protected get settings(): GreedySettings {
    return this.config as GreedySettings;
  }

  private policyParameters(): Parameterized {
    return new ParamGroup(`${this.name}.policy`, [
      ...(this.actors[0] as MLP).parameters(),
      this.actorLogStd,
      ...this.proposal.parameters(),
      this.proposalLogStd,
    ]);
  }

  override act(obs: Float32Array, opts: { explore: boolean }): Float32Array {
    if (!opts.explore || this.settings.exploration === "noise") return super.act(obs, opts);
    return this.scaler.toEnv(this.chooseAction(obs, true).action);
  }

  /** Greedy-AC explores by sampling the actor's Gaussian; otherwise the mean. */
  protected override proposeActions(obs: tf.Tensor2D, explore: boolean): tf.Tensor3D {
    const mean = (this.actors[0] as MLP).apply(obs);
    if (!explore || this.settings.exploration === "noise") return tf.expandDims(mean, 1) as tf.Tensor3D;
    const eps = tf.tensor2d(this.rng.fillNormal(new Float32Array(mean.size)) as Float32Array, mean.shape);
    return tf.expandDims(tf.clipByValue(tf.add(mean, tf.mul(tf.exp(this.actorLogStd), eps)), -1, 1), 1) as tf.Tensor3D;
  }

  /** The top ⌈topFraction·N⌉ of N proposal samples per state by Q1, [B, E, A] (constants for the update). */
  topProposals(obs: tf.Tensor2D): tf.Tensor3D {
    const { proposalSamples, topFraction } = this.settings;
    const b = obs.shape[0];
    const a = this.actionDim;
    const elites = Math.max(1, Math.ceil(topFraction * proposalSamples));
    const eps = tf.tensor3d(this.rng.fillNormal(new Float32Array(b * proposalSamples * a)) as Float32Array, [
      b,
      proposalSamples,
      a,
    ]);
    const mean = tf.expandDims(this.proposal.apply(obs), 1);
    const samples = tf.clipByValue(tf.add(mean, tf.mul(tf.exp(this.proposalLogStd), eps)), -1, 1) as tf.Tensor3D;
    this.counts.qEvaluations += b * proposalSamples;
    const top = tf.topk(this.scoreCandidates(this.critics, obs, samples), elites).indices;
    return gatherCandidates(samples, top as tf.Tensor2D);
  }

  protected override updateActor(batch: TD3Batch): number {
    const elites = this.topProposals(batch.obs);
    const { proposalEntropyCoef } = this.settings;
    return (this.actorOptimizer as Adam).minimize(() => {
      const actorMean = tf.expandDims((this.actors[0] as MLP).apply(batch.obs), 1) as tf.Tensor3D;
      const proposalMean = tf.expandDims(this.proposal.apply(batch.obs), 1) as tf.Tensor3D;
      const actorNll = tf.neg(tf.mean(gaussianLogProb(elites, actorMean, this.actorLogStd)));
      const proposalNll = tf.neg(tf.mean(gaussianLogProb(elites, proposalMean, this.proposalLogStd)));
      const proposalEntropy = tf.sum(tf.add(this.proposalLogStd, HALF_LOG_2PI + 0.5));
      return tf.sub(tf.add(actorNll, proposalNll), tf.mul(proposalEntropyCoef, proposalEntropy)) as tf.Scalar;
    });
  }

  protected override stateParts(): StateParts {
    return addParts(super.stateParts(), {
      networks: {
        proposal: this.proposal,
        logStds: new ParamGroup(`${this.name}.logStds`, [this.actorLogStd, this.proposalLogStd]),
      },
    });
  }
}

export class GreedyACAgent extends GreedyAgentBase {
  constructor(env: EnvSpaces, config: GreedyACConfigInput = {}) {
    super(env, config, "greedyAC", GreedyACConfig);
  }
}

export class GreedyTD3Agent extends GreedyAgentBase {
  constructor(env: EnvSpaces, config: GreedyTD3ConfigInput = {}) {
    super(env, config, "greedyTD3", GreedyTD3Config);
  }
}
