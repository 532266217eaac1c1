/**
 * TD3 (Fujimoto et al. 2018):
 *
 *   act:     a  = clip(μ(s) + N, −1, 1)                     (N: Gaussian or OU exploration noise)
 *   target:  ã' = clip(μ'(s') + clip(N(0, σ²), −c, c), −1, 1)
 *            y  = r + γ(1 − terminated) · min_i Q_i'(s', ã')
 *   update:  one Adam step on Σ_i mse(Q_i(s, a), y) (both critics together); every `policyDelay`
 *            updates, one Adam step on −mean Q1(s, μ(s)) and Polyak targets.
 *
 * Actions live in the normalised box [−1, 1] everywhere inside the agent (replay, networks,
 * noise); `act` maps them to the env's bounds. Truncated transitions bootstrap: only
 * `terminated` masks the target.
 *
 * The steps of `update` are public: the TD3-family agents (the proposal actors, SAVO) hold a
 * TD3Agent as their learner and compose these steps with their own target action and actor step.
 */

import {
  type ActionNoise,
  ActionScaler,
  type ActOptions,
  Adam,
  type Agent,
  Checkpointed,
  type ContinuousBatch,
  type Critics,
  continuousBatch,
  continuousReplay,
  type EnvSpaces,
  GaussianNoise,
  hardUpdate,
  type MLP,
  OUNoise,
  ParamGroup,
  parseConfig,
  polyakUpdate,
  QscapeError,
  type ReplayBuffer,
  Rng,
  requireBoxAction,
  requireBoxObservation,
  type StateParts,
  type Transition,
  tf,
} from "@qscape/core";
import type { z } from "zod";
import { TD3Config, type TD3ConfigInput, type TD3Settings } from "./config.js";
import { makeActor, makeCritics } from "./networks.js";

export type TD3Batch = ContinuousBatch;

/** A sampled minibatch (host arrays), its target-smoothing noise, and whether this update steps the actor. */
export interface TD3Sample {
  data: Record<string, Float32Array | Int32Array | Uint8Array>;
  smoothing: Float32Array | null;
  delayed: boolean;
}

/** How an agent that holds a TD3 learner builds it. */
export interface TD3Options<S extends TD3Settings> {
  /** Agent name in logs, network names and checkpoints (default "td3"). */
  name?: string;
  /** Schema of the holder's config (extends TD3Config). */
  schema?: z.ZodType<S>;
  /** Deterministic actors, each trained by DPG on Q1 (default 1; the ensemble: k; CEM: 0). */
  actorCount?: number;
  /** false: no DPG optimizer; the holder trains the actors with its own (Greedy-AC). */
  dpg?: boolean;
}

/** An exploration-noise process as the config describes it. */
export function explorationNoise(rng: Rng, dim: number, spec: TD3Settings["explorationNoise"]): ActionNoise {
  return spec.type === "gaussian" ? new GaussianNoise(rng, dim, spec.sigma) : new OUNoise(rng, dim, spec);
}

/** clip(a + ε, −1, 1): the target action with its smoothing noise (a as is without noise). */
export function smoothed(action: tf.Tensor2D, smoothing: Float32Array | null): tf.Tensor2D {
  if (smoothing === null) return action;
  return tf.clipByValue(tf.add(action, tf.tensor2d(smoothing, action.shape)), -1, 1);
}

export class TD3Agent<S extends TD3Settings = TD3Settings>
  extends Checkpointed
  implements Agent<Float32Array, Float32Array>
{
  readonly name: string;
  readonly config: S;
  readonly obsDim: number;
  readonly actionDim: number;
  readonly scaler: ActionScaler;
  /** JS-side randomness: exploration, target smoothing, minibatch sampling (and a holder's own draws). */
  readonly rng: Rng;
  readonly actors: MLP[];
  readonly targetActors: MLP[];
  readonly critics: Critics;
  readonly targetCritics: Critics;
  readonly criticOptimizer: Adam;
  readonly actorOptimizer: Adam | null;
  readonly noise: ActionNoise;
  readonly replay: ReplayBuffer;
  /** Gradient steps and Q evaluations, for the bench's compute-matched mode (TD3 itself evaluates none). */
  readonly counts = { gradientUpdates: 0, qEvaluations: 0 };

  constructor(env: EnvSpaces, config: TD3ConfigInput = {}, options: TD3Options<S> = {}) {
    super();
    this.name = options.name ?? "td3";
    this.config = parseConfig(options.schema ?? TD3Config, config, this.name) as S;
    this.obsDim = requireBoxObservation(env, this.name);
    this.scaler = new ActionScaler(requireBoxAction(env, this.name));
    this.actionDim = this.scaler.dim;
    const { seed, bufferSize, actorLr, criticLr, gradClipNorm } = this.config;
    this.rng = new Rng(seed);
    // This order (actors, their targets, critics, theirs) fixes what a seed initialises.
    const initRng = this.rng.fork();
    const n = options.actorCount ?? 1;
    const actor = (i: number, role: string) =>
      makeActor(initRng, this.obsDim, this.actionDim, this.config, `${this.name}.${role}${i}`);
    this.actors = Array.from({ length: n }, (_, i) => actor(i, "actor"));
    this.targetActors = Array.from({ length: n }, (_, i) => actor(i, "targetActor"));
    this.critics = makeCritics(initRng, this.obsDim, this.actionDim, this.config, `${this.name}.critic`);
    this.targetCritics = makeCritics(initRng, this.obsDim, this.actionDim, this.config, `${this.name}.targetCritic`);
    this.actors.forEach((a, i) => {
      hardUpdate(this.targetActors[i] as MLP, a);
    });
    hardUpdate(this.targetCritics, this.critics);
    const clip = gradClipNorm ? { clipNorm: gradClipNorm } : {};
    this.criticOptimizer = new Adam(`${this.name}.critic`, this.critics, { lr: criticLr, ...clip });
    const actorParams = ParamGroup.of(`${this.name}.actors`, ...this.actors);
    this.actorOptimizer =
      options.dpg === false || actorParams.parameters().length === 0
        ? null
        : new Adam(`${this.name}.actor`, actorParams, { lr: actorLr, ...clip });
    this.noise = explorationNoise(this.rng, this.actionDim, this.config.explorationNoise);
    this.replay = continuousReplay(`${this.name} replay`, bufferSize, this.obsDim, this.actionDim);
  }

  // ---- acting -------------------------------------------------------------------------------

  act(obs: Float32Array, opts: ActOptions): Float32Array {
    const action = this.policy(obs);
    return this.scaler.toEnv(opts.explore ? this.explore(action) : action);
  }

  /** μ(s) for one state, normalised units. */
  policy(obs: Float32Array): Float32Array {
    if (obs.length !== this.obsDim) {
      throw new QscapeError(`${this.name}.act: observation has ${obs.length} values, expected ${this.obsDim}`);
    }
    const out = tf.tidy(() => (this.actors[0] as MLP).apply(tf.tensor2d(obs, [1, this.obsDim])));
    const action = out.dataSync() as Float32Array;
    out.dispose();
    return action;
  }

  /** clip(a + scale · N, −1, 1) in place, one draw of the exploration noise. */
  explore(action: Float32Array, scale = 1): Float32Array {
    const n = this.noise.sample(new Float32Array(this.actionDim));
    for (let i = 0; i < action.length; i++) {
      action[i] = Math.min(1, Math.max(-1, (action[i] as number) + scale * (n[i] as number)));
    }
    return action;
  }

  // ---- learning -----------------------------------------------------------------------------

  observe(t: Transition<Float32Array, Float32Array>): void {
    this.replay.add({
      obs: t.obs,
      action: this.scaler.fromEnv(t.action),
      reward: t.reward,
      nextObs: t.nextObs,
      terminated: t.terminated ? 1 : 0,
    });
    if (t.terminated || t.truncated) this.noise.reset();
  }

  update(): Record<string, number> {
    const { data, smoothing, delayed } = this.sample();
    return tf.tidy(() => {
      const batch = this.toBatch(data);
      const y = this.tdTarget(batch, this.targetAction(batch.nextObs, smoothing));
      const out: Record<string, number> = { criticLoss: this.criticStep(batch, y) };
      if (delayed) {
        const actorLoss = this.actorStep(batch.obs);
        if (actorLoss !== undefined) out.actorLoss = actorLoss;
        this.updateTargets();
      }
      return out;
    });
  }

  /** One minibatch and its smoothing noise from the agent's RNG; counts the update. */
  sample(): TD3Sample {
    const { data } = this.replay.sample(this.config.batchSize, this.rng);
    const smoothing = this.smoothingNoise();
    this.counts.gradientUpdates += 1;
    return { data, smoothing, delayed: this.counts.gradientUpdates % this.config.policyDelay === 0 };
  }

  /** The minibatch as tensors (call inside tf.tidy). */
  toBatch(data: TD3Sample["data"]): TD3Batch {
    return continuousBatch(data, this.obsDim, this.actionDim);
  }

  /** clip(N(0, σ²), −c, c) for every target action, drawn from the agent's RNG (null when off). */
  smoothingNoise(): Float32Array | null {
    const { targetPolicyNoise, targetNoiseClip, batchSize } = this.config;
    if (targetPolicyNoise === 0) return null;
    const eps = new Float32Array(batchSize * this.actionDim);
    for (let i = 0; i < eps.length; i++) {
      eps[i] = Math.min(targetNoiseClip, Math.max(-targetNoiseClip, this.rng.normal(0, targetPolicyNoise)));
    }
    return eps;
  }

  /** ã' = clip(μ'(s') + ε, −1, 1). */
  targetAction(nextObs: tf.Tensor2D, smoothing: Float32Array | null): tf.Tensor2D {
    return smoothed((this.targetActors[0] as MLP).apply(nextObs), smoothing);
  }

  /** y = r + γ(1 − terminated) · min_i Q_i'(s', a'), [B, 1]. */
  tdTarget(batch: TD3Batch, nextAction: tf.Tensor2D): tf.Tensor2D {
    const nextQ = this.targetCritics.min(batch.nextObs, nextAction);
    return tf.add(batch.reward, tf.mul(tf.mul(batch.notDone, this.config.gamma), nextQ));
  }

  /** One Adam step on Σ_i mse(Q_i(s, a), y); returns the loss. */
  criticStep(batch: TD3Batch, y: tf.Tensor2D): number {
    return this.criticOptimizer.minimize(() => {
      // (s, a) is data: no gradient with respect to the critics' input.
      const qs = this.critics.all(batch.obs, batch.action, { inputGrad: false });
      return tf.addN(qs.map((q) => tf.losses.meanSquaredError(y, q))) as tf.Scalar;
    });
  }

  /** One DPG step: −mean Q1(s, μ_i(s)) summed over the actors; undefined without actors to train. */
  actorStep(obs: tf.Tensor2D): number | undefined {
    const optimizer = this.actorOptimizer;
    if (optimizer === null) return undefined;
    const sign = this.config.flipActorLoss ? 1 : -1;
    return optimizer.minimize(() => {
      // The critic only passes the gradient to the actor: its weight gradients are never computed.
      const losses = this.actors.map((actor) =>
        tf.mul(sign, tf.mean(this.critics.q1(obs, actor.apply(obs, { inputGrad: false }), { paramGrads: false }))),
      );
      return tf.addN(losses) as tf.Scalar;
    });
  }

  /** Polyak-averages the target actors and critics. */
  updateTargets(): void {
    const { tau } = this.config;
    this.actors.forEach((a, i) => {
      polyakUpdate(this.targetActors[i] as MLP, a, tau);
    });
    polyakUpdate(this.targetCritics, this.critics, tau);
  }

  counters(): Record<string, number> {
    return { gradientUpdates: this.counts.gradientUpdates, qEvaluations: this.counts.qEvaluations };
  }

  // ---- checkpoints --------------------------------------------------------------------------

  /** Everything a checkpoint holds and dispose frees; a holder adds its own with `addParts`. */
  stateParts(): StateParts {
    return {
      config: this.config,
      networks: {
        actors: this.actors,
        targetActors: this.targetActors,
        critics: this.critics,
        targetCritics: this.targetCritics,
      },
      stateful: {
        criticOptimizer: this.criticOptimizer,
        actorOptimizer: this.actorOptimizer,
        rng: this.rng,
        noise: this.noise,
        replay: this.replay,
      },
      counters: [this.counts],
    };
  }
}
