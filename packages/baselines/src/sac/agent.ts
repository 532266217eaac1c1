/**
 * Soft actor-critic (baselines spec §4.1):
 *
 *   y   = r + γ(1 − terminated)·(min_i Q_i'(s', a') − α log π(a'|s')),  a' ~ π(·|s')
 *   L_Q = Σ_i mse(Q_i(s, a), y)                              (one Adam step for both critics)
 *   L_π = mean(α log π(ã|s) − min_i Q_i(s, ã)),  ã ~ π(·|s) reparameterised
 *   L_α = −mean(log α · (log π(ã|s) + H_target))              (gradient applied without a sync)
 *
 * Actions live in [−1, 1] inside the agent; `act` maps them to the env's bounds.
 */
import {
  type ActOptions,
  Adam,
  type Agent,
  hardUpdate,
  type Parameterized,
  polyakUpdate,
  QscapeError,
  type ReplayBuffer,
  Rng,
  readParameters,
  type SerializedTensor,
  type Snapshot,
  type Transition,
  tf,
  variable,
  writeParameters,
} from "@qscape/core";
import { parseConfig } from "../common/config.js";
import { Critics } from "../common/critic.js";
import { type ContinuousBatch, continuousBatch, continuousReplay } from "../common/replay.js";
import { ActionScaler, type EnvSpaces, requireBoxAction, requireBoxObservation } from "../common/spaces.js";
import { SACConfig, type SACConfigInput, type SACSettings } from "./config.js";
import { SquashedGaussianActor } from "./networks.js";

type AdamState = Parameters<Adam["setState"]>[0];

export class SACAgent implements Agent<Float32Array, Float32Array> {
  readonly name = "sac";
  readonly config: SACSettings;
  readonly obsDim: number;
  readonly actionDim: number;
  readonly scaler: ActionScaler;
  readonly actor: SquashedGaussianActor;
  readonly critics: Critics;
  readonly targetCritics: Critics;
  readonly logAlpha: tf.Variable;
  readonly targetEntropy: number;
  readonly replay: ReplayBuffer;
  private readonly rng: Rng;
  private readonly criticOptimizer: Adam;
  private readonly actorOptimizer: Adam;
  private readonly alphaOptimizer: Adam | null;
  private gradientUpdates = 0;

  constructor(env: EnvSpaces, config: SACConfigInput = {}) {
    this.config = parseConfig(SACConfig, config, this.name);
    this.obsDim = requireBoxObservation(env, this.name);
    this.scaler = new ActionScaler(requireBoxAction(env, this.name));
    this.actionDim = this.scaler.dim;
    const c = this.config;
    this.rng = new Rng(c.seed);
    const initRng = this.rng.fork();
    const criticOptions = { hidden: c.criticHidden, activation: c.activation };
    this.actor = new SquashedGaussianActor(initRng, this.obsDim, this.actionDim, c, "sac.actor");
    this.critics = new Critics(initRng, this.obsDim, this.actionDim, 2, criticOptions, "sac.critic");
    this.targetCritics = new Critics(initRng, this.obsDim, this.actionDim, 2, criticOptions, "sac.targetCritic");
    hardUpdate(this.targetCritics, this.critics);
    this.logAlpha = variable(new Float32Array([Math.log(c.initialAlpha)]), [], "sac.logAlpha");
    this.targetEntropy = c.targetEntropy ?? -this.actionDim;
    const clip = c.gradClipNorm ? { clipNorm: c.gradClipNorm } : {};
    this.criticOptimizer = new Adam("sac.critic", this.critics, { lr: c.criticLr, ...clip });
    this.actorOptimizer = new Adam("sac.actor", this.actor, { lr: c.actorLr, ...clip });
    const alphaParams: Parameterized = { parameters: () => [this.logAlpha] };
    // The α gradient is a by-product of the actor step, which already checked for NaN: no extra sync.
    this.alphaOptimizer = c.autoAlpha
      ? new Adam("sac.alpha", alphaParams, { lr: c.alphaLr, checkFinite: false })
      : null;
    this.replay = continuousReplay("sac replay", c.bufferSize, this.obsDim, this.actionDim);
  }

  get alpha(): number {
    return Math.exp(this.logAlpha.dataSync()[0] as number);
  }

  act(obs: Float32Array, opts: ActOptions): Float32Array {
    if (obs.length !== this.obsDim) {
      throw new QscapeError(`sac.act: observation has ${obs.length} values, expected ${this.obsDim}`);
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

  update(): Record<string, number> {
    const { batchSize, policyFrequency, tau } = this.config;
    const { data } = this.replay.sample(batchSize, this.rng);
    this.gradientUpdates += 1;
    const updatePolicy = this.gradientUpdates % policyFrequency === 0;
    const metrics = tf.tidy(() => {
      const batch = continuousBatch(data, this.obsDim, this.actionDim);
      const alpha = tf.exp(this.logAlpha);
      const out: Record<string, number> = {};
      const y = this.softTarget(batch, alpha);
      out.criticLoss = this.criticOptimizer.minimize(() => {
        const qs = this.critics.all(batch.obs, batch.action);
        return tf.addN(qs.map((q) => tf.losses.meanSquaredError(y, q))) as tf.Scalar;
      });
      if (updatePolicy) {
        for (let i = 0; i < policyFrequency; i++) {
          out.actorLoss = this.actorOptimizer.minimize(() => this.actorLoss(batch.obs, alpha));
          this.alphaOptimizer?.apply(null, [this.alphaGradient(batch.obs)]);
        }
        out.alpha = Math.exp(this.logAlpha.dataSync()[0] as number);
      }
      polyakUpdate(this.targetCritics, this.critics, tau);
      return out;
    });
    return metrics;
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
    return { gradientUpdates: this.gradientUpdates, qEvaluations: 0 };
  }

  save(): Snapshot {
    const params = (m: Parameterized) => readParameters(m) as unknown as Snapshot;
    return {
      name: this.name,
      config: JSON.parse(JSON.stringify(this.config)) as Snapshot,
      actor: params(this.actor),
      critics: params(this.critics),
      targetCritics: params(this.targetCritics),
      logAlpha: this.logAlpha.dataSync()[0] as number,
      criticOptimizer: this.criticOptimizer.getState() as unknown as Snapshot,
      actorOptimizer: this.actorOptimizer.getState() as unknown as Snapshot,
      alphaOptimizer: (this.alphaOptimizer?.getState() ?? null) as unknown as Snapshot,
      rng: this.rng.getState() as unknown as Snapshot,
      replay: this.replay.getState() as unknown as Snapshot,
      gradientUpdates: this.gradientUpdates,
    };
  }

  load(state: Snapshot): void {
    const s = state as Record<string, unknown> | null;
    if (s === null || typeof s !== "object" || s.name !== this.name) {
      throw new QscapeError(`sac.load: not a sac snapshot (name ${String(s?.name)})`);
    }
    writeParameters(this.actor, s.actor as SerializedTensor[]);
    writeParameters(this.critics, s.critics as SerializedTensor[]);
    writeParameters(this.targetCritics, s.targetCritics as SerializedTensor[]);
    tf.tidy(() => {
      this.logAlpha.assign(tf.scalar(s.logAlpha as number));
    });
    this.criticOptimizer.setState(s.criticOptimizer as AdamState);
    this.actorOptimizer.setState(s.actorOptimizer as AdamState);
    this.alphaOptimizer?.setState(s.alphaOptimizer as AdamState);
    this.rng.setState(s.rng as ReturnType<Rng["getState"]>);
    this.replay.setState(s.replay as Snapshot);
    this.gradientUpdates = s.gradientUpdates as number;
  }

  dispose(): void {
    for (const m of [this.actor, this.critics, this.targetCritics]) {
      for (const v of m.parameters()) v.dispose();
    }
    this.logAlpha.dispose();
    this.criticOptimizer.dispose();
    this.actorOptimizer.dispose();
    this.alphaOptimizer?.dispose();
  }
}
