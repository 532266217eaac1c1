/**
 * TD3 (baselines spec §2.1), written so the proposal-actor baselines are small subclasses:
 *
 *   act:    candidates = proposeActions(s)          [B, k, A]   (TD3: the actor's action, k = 1)
 *           a          = best candidate by Q1       (skipped when k = 1)
 *   target: candidates = proposeTargetActions(s')   (TD3: the target actor's action)
 *           ã'         = clip(best by target Q1 + clip(N(0, σ²), −c, c), −1, 1)
 *           y          = r + γ(1 − terminated) · min_i Q_i'(s', ã')
 *   update: one Adam step on Σ_i mse(Q_i(s, a), y) (all critics together);
 *           every `policyDelay` updates, one Adam step on actorLoss(s) and Polyak targets.
 *
 * Actions live in the normalised box [−1, 1] everywhere inside the agent (replay, networks,
 * noise); `act` maps them to the env's bounds. Truncated transitions bootstrap: only
 * `terminated` masks the target.
 */

import type { Critics } from "@qscape/core";
import {
  type ActionNoise,
  ActionScaler,
  type ActOptions,
  Adam,
  type Agent,
  type ContinuousBatch,
  continuousBatch,
  continuousReplay,
  disposeState,
  type EnvSpaces,
  GaussianNoise,
  hardUpdate,
  loadState,
  type MLP,
  OUNoise,
  type Parameterized,
  ParamGroup,
  parseConfig,
  polyakUpdate,
  QscapeError,
  type ReplayBuffer,
  Rng,
  requireBoxAction,
  requireBoxObservation,
  type Snapshot,
  type StateParts,
  saveState,
  type Transition,
  tf,
} from "@qscape/core";
import type { z } from "zod";
import { TD3Config, type TD3ConfigInput, type TD3Settings } from "./config.js";
import { makeActor, makeCritics } from "./networks.js";

export type TD3Batch = ContinuousBatch;

/** The action the agent would take in one state, with the candidates it ranked (normalised units). */
export interface ActionChoice {
  action: Float32Array;
  candidates: Float32Array[];
  /** Q1 of each candidate; null when there was a single candidate (no Q evaluation). */
  q: Float32Array | null;
}

export interface TD3Variant {
  /** Agent name in logs and checkpoints. */
  name?: string;
  /** Schema of the subclass's config (extends TD3Config). */
  schema?: z.ZodType<TD3Settings>;
  /** Number of independently initialised actors (ensemble: k; CEM: 0). */
  actorCount?: number;
}

export class TD3Agent implements Agent<Float32Array, Float32Array> {
  readonly name: string;
  readonly config: TD3Settings;
  readonly obsDim: number;
  readonly actionDim: number;
  readonly scaler: ActionScaler;
  readonly actors: MLP[];
  readonly targetActors: MLP[];
  readonly critics: Critics;
  readonly targetCritics: Critics;
  readonly replay: ReplayBuffer;
  /** JS-side randomness: exploration, target smoothing, minibatch sampling, proposals. */
  protected readonly rng: Rng;
  protected readonly noise: ActionNoise;
  protected criticOptimizer: Adam;
  protected actorOptimizer: Adam | null;
  /** Gradient steps and Q evaluations, for the bench's compute-matched mode. */
  protected readonly counts = { gradientUpdates: 0, qEvaluations: 0 };

  constructor(env: EnvSpaces, config: TD3ConfigInput = {}, variant: TD3Variant = {}) {
    this.name = variant.name ?? "td3";
    this.config = parseConfig(variant.schema ?? TD3Config, config, this.name);
    this.obsDim = requireBoxObservation(env, this.name);
    this.scaler = new ActionScaler(requireBoxAction(env, this.name));
    this.actionDim = this.scaler.dim;
    const { seed, bufferSize, explorationNoise } = this.config;
    this.rng = new Rng(seed);
    const initRng = this.rng.fork();
    const actorCount = variant.actorCount ?? 1;
    this.actors = Array.from({ length: actorCount }, (_, i) =>
      makeActor(initRng, this.obsDim, this.actionDim, this.config, `${this.name}.actor${i}`),
    );
    this.targetActors = this.actors.map((_, i) =>
      makeActor(initRng, this.obsDim, this.actionDim, this.config, `${this.name}.targetActor${i}`),
    );
    this.critics = makeCritics(initRng, this.obsDim, this.actionDim, this.config, `${this.name}.critic`);
    this.targetCritics = makeCritics(initRng, this.obsDim, this.actionDim, this.config, `${this.name}.targetCritic`);
    this.actors.forEach((a, i) => {
      hardUpdate(this.targetActors[i] as MLP, a);
    });
    hardUpdate(this.targetCritics, this.critics);
    this.criticOptimizer = this.makeCriticOptimizer();
    this.actorOptimizer = this.makeActorOptimizer();
    this.noise =
      explorationNoise.type === "gaussian"
        ? new GaussianNoise(this.rng, this.actionDim, explorationNoise.sigma)
        : new OUNoise(this.rng, this.actionDim, explorationNoise);
    this.replay = continuousReplay(`${this.name} replay`, bufferSize, this.obsDim, this.actionDim);
  }

  protected makeCriticOptimizer(): Adam {
    const { criticLr, gradClipNorm } = this.config;
    return new Adam(`${this.name}.critic`, this.critics, {
      lr: criticLr,
      ...(gradClipNorm ? { clipNorm: gradClipNorm } : {}),
    });
  }

  /** Parameters the actor optimizer trains: every actor. */
  protected actorParameters(): Parameterized {
    return ParamGroup.of(`${this.name}.actors`, ...this.actors);
  }

  protected makeActorOptimizer(): Adam | null {
    const params = this.actorParameters();
    if (params.parameters().length === 0) return null;
    const { actorLr, gradClipNorm } = this.config;
    return new Adam(`${this.name}.actor`, params, { lr: actorLr, ...(gradClipNorm ? { clipNorm: gradClipNorm } : {}) });
  }

  // ---- acting -------------------------------------------------------------------------------

  act(obs: Float32Array, opts: ActOptions): Float32Array {
    const action = this.chooseAction(obs, opts.explore).action;
    if (opts.explore) {
      const eps = this.noise.sample(new Float32Array(this.actionDim));
      for (let i = 0; i < action.length; i++) {
        action[i] = Math.min(1, Math.max(-1, (action[i] as number) + (eps[i] as number)));
      }
    }
    return this.scaler.toEnv(action);
  }

  /** The pre-noise action in `obs` and the candidates it was chosen from (one `dataSync`). */
  chooseAction(obs: Float32Array, explore: boolean): ActionChoice {
    if (obs.length !== this.obsDim) {
      throw new QscapeError(`${this.name}.act: observation has ${obs.length} values, expected ${this.obsDim}`);
    }
    const packed = tf.tidy(() => {
      const o = tf.tensor2d(obs, [1, this.obsDim]);
      const candidates = this.proposeActions(o, explore);
      const k = candidates.shape[1];
      const flat = tf.reshape(candidates, [k * this.actionDim]);
      if (k === 1) return flat;
      return tf.concat([flat, tf.reshape(this.scoreCandidates(this.critics, o, candidates), [k])]);
    });
    const data = packed.dataSync() as Float32Array;
    packed.dispose();
    const k = data.length === this.actionDim ? 1 : data.length / (this.actionDim + 1);
    const candidates = Array.from({ length: k }, (_, j) => data.slice(j * this.actionDim, (j + 1) * this.actionDim));
    if (k === 1) return { action: candidates[0] as Float32Array, candidates, q: null };
    this.counts.qEvaluations += k;
    const q = data.slice(k * this.actionDim);
    let best = 0;
    for (let j = 1; j < k; j++) if ((q[j] as number) > (q[best] as number)) best = j;
    return { action: (candidates[best] as Float32Array).slice(), candidates, q };
  }

  /** Q1 of each state's candidate actions in normalised units (for tests and diagnostics). */
  evaluateQ(obs: Float32Array, actions: Float32Array[]): Float32Array {
    const out = tf.tidy(() => {
      const o = tf.tensor2d(obs, [1, this.obsDim]);
      const candidates = tf.tensor3d(
        actions.flatMap((a) => Array.from(a)),
        [1, actions.length, this.actionDim],
      );
      return tf.reshape(this.scoreCandidates(this.critics, o, candidates), [actions.length]);
    });
    const q = out.dataSync() as Float32Array;
    out.dispose();
    return q;
  }

  /** Candidate actions for each state, [B, k, A] in [−1, 1]. TD3 and the ensemble: each actor's μ(s). */
  protected proposeActions(obs: tf.Tensor2D, _explore: boolean): tf.Tensor3D {
    return tf.stack(
      this.actors.map((actor) => actor.apply(obs)),
      1,
    ) as tf.Tensor3D;
  }

  /** Candidate next actions for the TD target, from the target networks. */
  protected proposeTargetActions(nextObs: tf.Tensor2D): tf.Tensor3D {
    return tf.stack(
      this.targetActors.map((actor) => actor.apply(nextObs)),
      1,
    ) as tf.Tensor3D;
  }

  /** Q1 of every candidate, [B, k]. */
  protected scoreCandidates(critics: Critics, obs: tf.Tensor2D, candidates: tf.Tensor3D): tf.Tensor2D {
    const [b, k, a] = candidates.shape;
    const repeated = tf.reshape(tf.tile(tf.expandDims(obs, 1), [1, k, 1]), [b * k, this.obsDim]) as tf.Tensor2D;
    return tf.reshape(critics.q1(repeated, tf.reshape(candidates, [b * k, a])), [b, k]);
  }

  /** The candidate with the highest Q1 per state, [B, A]; a single candidate is returned as is. */
  protected selectByQ(critics: Critics, obs: tf.Tensor2D, candidates: tf.Tensor3D): tf.Tensor2D {
    const [b, k, a] = candidates.shape;
    if (k === 1) return tf.reshape(candidates, [b, a]);
    this.counts.qEvaluations += b * k;
    const best = tf.argMax(this.scoreCandidates(critics, obs, candidates), 1);
    const pick = tf.expandDims(tf.oneHot(best, k, 1, 0, "float32"), 2);
    return tf.sum(tf.mul(candidates, pick), 1);
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
    const { data } = this.replay.sample(this.config.batchSize, this.rng);
    const smoothing = this.smoothingNoise();
    this.counts.gradientUpdates += 1;
    const updateActor = this.counts.gradientUpdates % this.config.policyDelay === 0;
    const metrics = tf.tidy(() => {
      const batch = this.toTensors(data);
      const out: Record<string, number> = {};
      const y = this.tdTarget(batch, smoothing);
      out.criticLoss = this.criticOptimizer.minimize(() => this.criticLoss(batch, y));
      if (updateActor) {
        const actorLoss = this.updateActor(batch);
        if (actorLoss !== undefined) out.actorLoss = actorLoss;
        this.updateTargets();
      }
      return out;
    });
    this.afterUpdate();
    return metrics;
  }

  protected toTensors(data: Record<string, Float32Array | Int32Array | Uint8Array>): TD3Batch {
    return continuousBatch(data, this.obsDim, this.actionDim);
  }

  /** clip(N(0, σ²), −c, c) for every target action, drawn from the agent's RNG (null when off). */
  protected smoothingNoise(): Float32Array | null {
    const { targetPolicyNoise, targetNoiseClip, batchSize } = this.config;
    if (targetPolicyNoise === 0) return null;
    const eps = new Float32Array(batchSize * this.actionDim);
    for (let i = 0; i < eps.length; i++) {
      eps[i] = Math.min(targetNoiseClip, Math.max(-targetNoiseClip, this.rng.normal(0, targetPolicyNoise)));
    }
    return eps;
  }

  /** The smoothed next action ã' of the TD target. */
  protected targetAction(nextObs: tf.Tensor2D, smoothing: Float32Array | null): tf.Tensor2D {
    const next = this.selectByQ(this.targetCritics, nextObs, this.proposeTargetActions(nextObs));
    if (smoothing === null) return next;
    return tf.clipByValue(tf.add(next, tf.tensor2d(smoothing, next.shape)), -1, 1);
  }

  /** y = r + γ(1 − terminated) · min_i Q_i'(s', ã'), [B, 1]. */
  protected tdTarget(batch: TD3Batch, smoothing: Float32Array | null): tf.Tensor2D {
    const nextAction = this.targetAction(batch.nextObs, smoothing);
    const nextQ = this.targetCritics.min(batch.nextObs, nextAction);
    return tf.add(batch.reward, tf.mul(tf.mul(batch.notDone, this.config.gamma), nextQ));
  }

  protected criticLoss(batch: TD3Batch, y: tf.Tensor2D): tf.Scalar {
    // (s, a) is data: no gradient with respect to the critics' input.
    const qs = this.critics.all(batch.obs, batch.action, { inputGrad: false });
    return tf.addN(qs.map((q) => tf.losses.meanSquaredError(y, q))) as tf.Scalar;
  }

  /** One actor step; returns its loss (undefined for actor-free variants). */
  protected updateActor(batch: TD3Batch): number | undefined {
    const optimizer = this.actorOptimizer;
    if (optimizer === null) return undefined;
    return optimizer.minimize(() => this.actorLoss(batch.obs));
  }

  /** DPG: −mean Q1(s, μ_i(s)), summed over actors (each climbs the shared critic). */
  protected actorLoss(obs: tf.Tensor2D): tf.Scalar {
    const sign = this.config.flipActorLoss ? 1 : -1;
    // The critic only passes the gradient to the actor: its weight gradients are never computed.
    const losses = this.actors.map((actor) =>
      tf.mul(sign, tf.mean(this.critics.q1(obs, actor.apply(obs, { inputGrad: false }), { paramGrads: false }))),
    );
    return tf.addN(losses) as tf.Scalar;
  }

  protected updateTargets(): void {
    const { tau } = this.config;
    this.actors.forEach((a, i) => {
      polyakUpdate(this.targetActors[i] as MLP, a, tau);
    });
    polyakUpdate(this.targetCritics, this.critics, tau);
  }

  /** Runs after every update (resets hook in here). */
  protected afterUpdate(): void {}

  counters(): Record<string, number> {
    return { gradientUpdates: this.counts.gradientUpdates, qEvaluations: this.counts.qEvaluations };
  }

  // ---- checkpoints --------------------------------------------------------------------------

  /**
   * Everything a checkpoint holds and dispose frees; a variant adds its own parts with
   * `addParts(super.stateParts(), …)`.
   */
  protected stateParts(): StateParts {
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

  save(): Snapshot {
    return saveState(this.name, this.stateParts());
  }

  load(state: Snapshot): void {
    loadState(this.name, this.stateParts(), state);
  }

  dispose(): void {
    disposeState(this.stateParts());
  }
}
