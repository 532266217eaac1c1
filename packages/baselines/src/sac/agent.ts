/**
 * Soft actor-critic (Haarnoja et al. 2018, Eqs. 5, 7, 18):
 *
 *   y   = r + γ(1 − terminated)·(min_i Q_i'(s', a') − α log π(a'|s')),  a' ~ π(·|s')
 *   L_Q = Σ_i mse(Q_i(s, a), y)                              (one Adam step for both critics)
 *   L_π = mean(α log π(ã|s) − min_i Q_i(s, ã)),  ã ~ π(·|s) reparameterised
 *   L_α = −mean(log α · (log π(ã|s) + H_target))              (gradient applied without a sync)
 *
 * Actions live in [−1, 1] inside the agent; `act` maps them to the env's bounds. The steps of
 * `update` are public: SAVO on SAC holds a SACAgent as its learner and runs SAC's steps around its own.
 */
import {
  ActionScaler,
  type ActOptions,
  Adam,
  type Agent,
  Checkpointed,
  type ContinuousBatch,
  Critics,
  continuousBatch,
  continuousReplay,
  type EnvSpaces,
  hardUpdate,
  type Parameterized,
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
  variable,
} from "@qscape/core";
import type { z } from "zod";
import { SACConfig, type SACConfigInput, type SACSettings } from "./config.js";
import { SquashedGaussianActor } from "./networks.js";

export interface SACVariant<S extends SACSettings = SACSettings> {
  /** Agent name in logs and checkpoints (default "sac"). */
  name?: string;
  /** Schema of the holder's config (extends SACConfig). */
  schema?: z.ZodType<S>;
}

/** A sampled minibatch (host arrays) and whether this update takes the policy steps. */
export interface SACSample {
  data: Record<string, Float32Array | Int32Array | Uint8Array>;
  updatePolicy: boolean;
}

/** What a holder may add to one SAC update without changing SAC's own losses. */
export interface SACUpdateOptions {
  /**
   * A term added to L_π inside the actor's gradient step (only the actor's parameters move), e.g.
   * a regulariser toward other policies (DnC). Called once per policy step, inside its tape.
   */
  extraActorLoss?: () => tf.Scalar;
}

export class SACAgent<S extends SACSettings = SACSettings>
  extends Checkpointed
  implements Agent<Float32Array, Float32Array>
{
  readonly name: string;
  readonly config: S;
  readonly obsDim: number;
  readonly actionDim: number;
  readonly scaler: ActionScaler;
  readonly actor: SquashedGaussianActor;
  readonly critics: Critics;
  readonly targetCritics: Critics;
  readonly logAlpha: tf.Variable;
  readonly targetEntropy: number;
  readonly replay: ReplayBuffer;
  /** JS-side randomness: policy samples, minibatch sampling (and a holder's exploration noise). */
  readonly rng: Rng;
  readonly criticOptimizer: Adam;
  readonly actorOptimizer: Adam;
  readonly alphaOptimizer: Adam | null;
  /** Gradient steps, for the bench's compute-matched mode. */
  readonly counts = { gradientUpdates: 0 };

  constructor(env: EnvSpaces, config: SACConfigInput = {}, variant: SACVariant<S> = {}) {
    super();
    this.name = variant.name ?? "sac";
    this.config = parseConfig(variant.schema ?? SACConfig, config, this.name) as S;
    this.obsDim = requireBoxObservation(env, this.name);
    this.scaler = new ActionScaler(requireBoxAction(env, this.name));
    this.actionDim = this.scaler.dim;
    const c = this.config;
    this.rng = new Rng(c.seed);
    const initRng = this.rng.fork();
    const criticOptions = { hidden: c.criticHidden, activation: c.activation };
    this.actor = new SquashedGaussianActor(initRng, this.obsDim, this.actionDim, c, `${this.name}.actor`);
    this.critics = new Critics(initRng, this.obsDim, this.actionDim, 2, criticOptions, `${this.name}.critic`);
    this.targetCritics = new Critics(
      initRng,
      this.obsDim,
      this.actionDim,
      2,
      criticOptions,
      `${this.name}.targetCritic`,
    );
    hardUpdate(this.targetCritics, this.critics);
    this.logAlpha = variable(new Float32Array([Math.log(c.initialAlpha)]), [], `${this.name}.logAlpha`);
    this.targetEntropy = c.targetEntropy ?? -this.actionDim;
    const clip = c.gradClipNorm ? { clipNorm: c.gradClipNorm } : {};
    this.criticOptimizer = new Adam(`${this.name}.critic`, this.critics, { lr: c.criticLr, ...clip });
    this.actorOptimizer = new Adam(`${this.name}.actor`, this.actor, { lr: c.actorLr, ...clip });
    const alphaParams: Parameterized = { parameters: () => [this.logAlpha] };
    // The α gradient is a by-product of the actor step, which already checked for NaN: no extra sync.
    this.alphaOptimizer = c.autoAlpha
      ? new Adam(`${this.name}.alpha`, alphaParams, { lr: c.alphaLr, checkFinite: false })
      : null;
    this.replay = continuousReplay(`${this.name} replay`, c.bufferSize, this.obsDim, this.actionDim);
  }

  get alpha(): number {
    return Math.exp(this.logAlpha.dataSync()[0] as number);
  }

  act(obs: Float32Array, opts: ActOptions): Float32Array {
    if (obs.length !== this.obsDim) {
      throw new QscapeError(`${this.name}.act: observation has ${obs.length} values, expected ${this.obsDim}`);
    }
    const out = tf.tidy(() => {
      const policy = this.actor.apply(tf.tensor2d(obs, [1, this.obsDim]));
      return opts.explore ? policy.rsample(this.rng).action : policy.mode();
    });
    const action = out.dataSync() as Float32Array;
    out.dispose();
    return this.scaler.toEnv(action);
  }

  observe(t: Transition<Float32Array, Float32Array>): void {
    this.replay.add({
      obs: t.obs,
      action: this.scaler.fromEnv(t.action),
      reward: t.reward,
      nextObs: t.nextObs,
      terminated: t.terminated ? 1 : 0,
    });
  }

  /** One SAC update on a minibatch drawn from the agent's own buffer. */
  update(options: SACUpdateOptions = {}): Record<string, number> {
    return this.updateFrom(this.sample(), options);
  }

  /**
   * One SAC update on a given minibatch (a holder that builds its own batches, e.g. data sharing
   * across buffers, draws it with `sample` and edits it); `update()` is `updateFrom(sample())`.
   */
  updateFrom({ data, updatePolicy }: SACSample, options: SACUpdateOptions = {}): Record<string, number> {
    return tf.tidy(() => {
      const batch = this.toBatch(data);
      const alpha = tf.exp(this.logAlpha);
      const out: Record<string, number> = { criticLoss: this.criticStep(batch, alpha) };
      if (updatePolicy) {
        for (let i = 0; i < this.config.policyFrequency; i++)
          this.policyStep(batch, alpha, out, options.extraActorLoss);
        out.alpha = Math.exp(this.logAlpha.dataSync()[0] as number);
      }
      this.updateTargets();
      return out;
    });
  }

  /** One minibatch from the agent's RNG; counts the update. */
  sample(): SACSample {
    const { data } = this.replay.sample(this.config.batchSize, this.rng);
    this.counts.gradientUpdates += 1;
    return { data, updatePolicy: this.counts.gradientUpdates % this.config.policyFrequency === 0 };
  }

  /** The minibatch as tensors (call inside tf.tidy). */
  toBatch(data: SACSample["data"]): ContinuousBatch {
    return continuousBatch(data, this.obsDim, this.actionDim);
  }

  /** One Adam step on Σ_i mse(Q_i(s, a), y) at SAC's soft target y; returns the loss. */
  criticStep(batch: ContinuousBatch, alpha: tf.Tensor): number {
    const y = this.softTarget(batch, alpha);
    return this.criticOptimizer.minimize(() => {
      const qs = this.critics.all(batch.obs, batch.action);
      return tf.addN(qs.map((q) => tf.losses.meanSquaredError(y, q))) as tf.Scalar;
    });
  }

  /**
   * One policy step: L_π (plus `extraActorLoss()`, when given) by Adam, then α's gradient step;
   * writes its losses into `metrics`.
   */
  policyStep(
    batch: ContinuousBatch,
    alpha: tf.Tensor,
    metrics: Record<string, number>,
    extraActorLoss?: () => tf.Scalar,
  ): void {
    metrics.actorLoss = this.actorOptimizer.minimize(() => {
      const loss = this.actorLoss(batch.obs, alpha);
      return extraActorLoss ? (tf.add(loss, extraActorLoss()) as tf.Scalar) : loss;
    });
    this.alphaOptimizer?.apply(null, [this.alphaGradient(batch.obs)]);
  }

  /** Polyak-averages the target critics. */
  updateTargets(): void {
    polyakUpdate(this.targetCritics, this.critics, this.config.tau);
  }

  /** y = r + γ(1 − terminated)(min Q'(s', a') − α log π(a'|s')), [B, 1]. */
  softTarget(batch: ContinuousBatch, alpha: tf.Tensor): tf.Tensor2D {
    const next = this.actor.apply(batch.nextObs).rsample(this.rng);
    const nextQ = this.targetCritics.min(batch.nextObs, next.action);
    const soft = tf.sub(nextQ, tf.mul(alpha, tf.expandDims(next.logProb, 1)));
    return tf.add(batch.reward, tf.mul(tf.mul(batch.notDone, this.config.gamma), soft));
  }

  private actorLoss(obs: tf.Tensor2D, alpha: tf.Tensor): tf.Scalar {
    const { action, logProb } = this.actor.apply(obs).rsample(this.rng);
    const q = tf.squeeze(this.critics.min(obs, action), [1]);
    const value = this.config.flipActorLoss ? tf.neg(q) : q;
    return tf.mean(tf.sub(tf.mul(alpha, logProb), value));
  }

  /** ∂L_α/∂log α = −mean(log π(ã|s) + H_target), with a fresh sample ã (no gradient to π). */
  private alphaGradient(obs: tf.Tensor2D): tf.Tensor {
    const { logProb } = this.actor.apply(obs).rsample(this.rng);
    return tf.neg(tf.mean(tf.add(logProb, this.targetEntropy)));
  }

  counters(): Record<string, number> {
    return { gradientUpdates: this.counts.gradientUpdates, qEvaluations: 0 };
  }

  /** Everything a checkpoint holds and dispose frees; a holder adds its own with `addParts`. */
  stateParts(): StateParts {
    return {
      config: this.config,
      networks: {
        actor: this.actor,
        critics: this.critics,
        targetCritics: this.targetCritics,
        logAlpha: new ParamGroup(`${this.name}.logAlpha`, [this.logAlpha]),
      },
      stateful: {
        criticOptimizer: this.criticOptimizer,
        actorOptimizer: this.actorOptimizer,
        alphaOptimizer: this.alphaOptimizer,
        rng: this.rng,
        replay: this.replay,
      },
      counters: [this.counts],
    };
  }
}
