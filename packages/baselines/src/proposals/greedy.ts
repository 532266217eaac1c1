/**
 * Greedy actor-critic (Neumann et al. 2018) and Greedy-TD3 (SAVO §6.1). The actor is a Gaussian
 * with a tanh mean (TD3's actor network) and a learned state-independent σ; a separate, broader
 * proposal Gaussian samples N actions per state, the top fraction by Q1 are the targets of a
 * maximum-likelihood step for both (conditional CEM), the proposal with an entropy bonus:
 *
 *   L = −mean log π_actor(elites|s) − mean log π_proposal(elites|s) − c·H(π_proposal)
 *
 * The critics and TD target are TD3's (target actor mean, optional smoothing), from the TD3
 * learner the agent holds. Greedy-AC acts by sampling the actor; Greedy-TD3 acts with the mean
 * plus TD3's exploration noise.
 */

import {
  type ActOptions,
  Adam,
  type Agent,
  addParts,
  CandidateSelector,
  Checkpointed,
  type EnvSpaces,
  gatherCandidates,
  type MLP,
  ParamGroup,
  QscapeError,
  type StateParts,
  type Transition,
  tf,
  variable,
} from "@qscape/core";
import type { z } from "zod";
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

class GreedyAgent extends Checkpointed implements Agent<Float32Array, Float32Array> {
  readonly name: string;
  readonly obsDim: number;
  readonly actionDim: number;
  /** TD3's parts: the actor (the Gaussian's mean), twin critics, targets, noise, replay, RNG. */
  readonly td3: TD3Agent<GreedySettings>;
  readonly actorLogStd: tf.Variable;
  readonly proposal: MLP;
  readonly proposalLogStd: tf.Variable;
  /** One Adam over the actor, the proposal and both σs. */
  readonly policyOptimizer: Adam;
  private readonly selector: CandidateSelector;

  constructor(env: EnvSpaces, config: GreedyACConfigInput, name: string, schema: z.ZodType<GreedySettings>) {
    super();
    this.name = name;
    this.td3 = new TD3Agent(env, config, { name, schema, dpg: false });
    const { obsDim, actionDim, rng } = this.td3;
    this.obsDim = obsDim;
    this.actionDim = actionDim;
    const c = this.td3.config;
    this.actorLogStd = variable(
      new Float32Array(actionDim).fill(Math.log(ACTOR_INIT_STD)),
      [actionDim],
      `${name}.actorLogStd`,
    );
    this.proposal = makeActor(rng.fork(), obsDim, actionDim, c, `${name}.proposal`);
    this.proposalLogStd = variable(
      new Float32Array(actionDim).fill(Math.log(PROPOSAL_INIT_STD)),
      [actionDim],
      `${name}.proposalLogStd`,
    );
    const policy = new ParamGroup(`${name}.policy`, [
      ...this.actor.parameters(),
      this.actorLogStd,
      ...this.proposal.parameters(),
      this.proposalLogStd,
    ]);
    this.policyOptimizer = new Adam(`${name}.actor`, policy, {
      lr: c.actorLr,
      ...(c.gradClipNorm ? { clipNorm: c.gradClipNorm } : {}),
    });
    this.selector = new CandidateSelector(name, obsDim, actionDim, this.td3.counts);
  }

  private get actor(): MLP {
    return this.td3.actors[0] as MLP;
  }

  // ---- acting -------------------------------------------------------------------------------

  /** Greedy-AC explores by sampling the actor's Gaussian; Greedy-TD3 adds TD3's noise to the mean. */
  act(obs: Float32Array, opts: ActOptions): Float32Array {
    if (obs.length !== this.obsDim) {
      throw new QscapeError(`${this.name}.act: observation has ${obs.length} values, expected ${this.obsDim}`);
    }
    const sample = opts.explore && this.td3.config.exploration === "sample";
    const out = tf.tidy(() => {
      const mean = this.actor.apply(tf.tensor2d(obs, [1, this.obsDim]));
      if (!sample) return mean;
      const eps = tf.tensor2d(this.td3.rng.fillNormal(new Float32Array(mean.size)) as Float32Array, mean.shape);
      return tf.clipByValue(tf.add(mean, tf.mul(tf.exp(this.actorLogStd), eps)), -1, 1);
    });
    const action = out.dataSync() as Float32Array;
    out.dispose();
    return this.td3.scaler.toEnv(opts.explore && !sample ? this.td3.explore(action) : action);
  }

  // ---- learning -----------------------------------------------------------------------------

  observe(t: Transition<Float32Array, Float32Array>): void {
    this.td3.observe(t);
  }

  update(): Record<string, number> {
    const td3 = this.td3;
    const { data, smoothing, delayed } = td3.sample();
    return tf.tidy(() => {
      const batch = td3.toBatch(data);
      const y = td3.tdTarget(batch, td3.targetAction(batch.nextObs, smoothing));
      const out: Record<string, number> = { criticLoss: td3.criticStep(batch, y) };
      if (delayed) {
        out.actorLoss = this.policyStep(batch);
        td3.updateTargets();
      }
      return out;
    });
  }

  /** The top ⌈topFraction·N⌉ of N proposal samples per state by Q1, [B, E, A] (constants for the update). */
  topProposals(obs: tf.Tensor2D): tf.Tensor3D {
    const { proposalSamples, topFraction } = this.td3.config;
    const b = obs.shape[0];
    const a = this.actionDim;
    const elites = Math.max(1, Math.ceil(topFraction * proposalSamples));
    const eps = tf.tensor3d(this.td3.rng.fillNormal(new Float32Array(b * proposalSamples * a)) as Float32Array, [
      b,
      proposalSamples,
      a,
    ]);
    const mean = tf.expandDims(this.proposal.apply(obs), 1);
    const samples = tf.clipByValue(tf.add(mean, tf.mul(tf.exp(this.proposalLogStd), eps)), -1, 1) as tf.Tensor3D;
    const top = tf.topk(this.selector.score(this.td3.critics, obs, samples), elites).indices;
    return gatherCandidates(samples, top as tf.Tensor2D);
  }

  /** One maximum-likelihood step of the actor and the proposal towards the elites. */
  private policyStep(batch: TD3Batch): number {
    const elites = this.topProposals(batch.obs);
    const { proposalEntropyCoef } = this.td3.config;
    return this.policyOptimizer.minimize(() => {
      const actorMean = tf.expandDims(this.actor.apply(batch.obs), 1) as tf.Tensor3D;
      const proposalMean = tf.expandDims(this.proposal.apply(batch.obs), 1) as tf.Tensor3D;
      const actorNll = tf.neg(tf.mean(gaussianLogProb(elites, actorMean, this.actorLogStd)));
      const proposalNll = tf.neg(tf.mean(gaussianLogProb(elites, proposalMean, this.proposalLogStd)));
      const proposalEntropy = tf.sum(tf.add(this.proposalLogStd, HALF_LOG_2PI + 0.5));
      return tf.sub(tf.add(actorNll, proposalNll), tf.mul(proposalEntropyCoef, proposalEntropy)) as tf.Scalar;
    });
  }

  counters(): Record<string, number> {
    return this.td3.counters();
  }

  // ---- checkpoints --------------------------------------------------------------------------

  stateParts(): StateParts {
    return addParts(this.td3.stateParts(), {
      networks: {
        proposal: this.proposal,
        logStds: new ParamGroup(`${this.name}.logStds`, [this.actorLogStd, this.proposalLogStd]),
      },
      // TD3's slot for the actor optimizer holds the policy's.
      stateful: { actorOptimizer: this.policyOptimizer },
    });
  }
}

export class GreedyACAgent extends GreedyAgent {
  constructor(env: EnvSpaces, config: GreedyACConfigInput = {}) {
    super(env, config, "greedyAC", GreedyACConfig);
  }
}

export class GreedyTD3Agent extends GreedyAgent {
  constructor(env: EnvSpaces, config: GreedyTD3ConfigInput = {}) {
    super(env, config, "greedyTD3", GreedyTD3Config);
  }
}
