/**
 * DQN (Mnih et al. 2015; double targets van Hasselt et al. 2016; prioritized replay Schaul et al. 2016):
 *
 *   act:    ε-greedy over the available actions, ε linear in env steps
 *   target: y = R + γ^k (1 − terminated) · Q'(s', a*),  a* = argmax_a Q(s', a)  (double)
 *                                                        a* = argmax_a Q'(s', a) (plain)
 *           (R, γ^k from the n-step window; k = 1 for one-step DQN)
 *   loss:   mean_i w_i · ℓ(Q(s_i, a_i) − y_i), w = PER importance weights (1 without PER),
 *           ℓ squared or Huber; PER priorities become |δ| + ε after each update
 *   target network: hard copy (τ = 1) or Polyak every `targetUpdateInterval` updates
 */
import {
  type ActOptions,
  Adam,
  type Agent,
  Checkpointed,
  type EnvSpaces,
  hardUpdate,
  linearSchedule,
  maskLogits,
  NStepAccumulator,
  PrioritizedReplayBuffer,
  parseConfig,
  polyakUpdate,
  QscapeError,
  ReplayBuffer,
  type ReplayBufferOptions,
  Rng,
  requireBoxObservation,
  requireDiscreteAction,
  type Schedule,
  type Snapshot,
  type StateParts,
  type Transition,
  tf,
} from "@qscape/core";
import { DQNConfig, type DQNConfigInput, type DQNSettings } from "./config.js";
import { makeQNetwork, type QNetwork } from "./networks.js";

export interface DiscreteAgentOptions {
  /** Which actions are available in a state (1 = may be chosen); every action when absent. */
  actionMask?: (obs: Float32Array) => ArrayLike<number>;
}

export class DQNAgent extends Checkpointed implements Agent<Float32Array, number> {
  readonly name = "dqn";
  readonly config: DQNSettings;
  readonly obsDim: number;
  readonly numActions: number;
  readonly qNetwork: QNetwork;
  readonly targetNetwork: QNetwork;
  readonly replay: ReplayBuffer;
  readonly epsilon: Schedule;
  private readonly rng: Rng;
  private readonly optimizer: Adam;
  private readonly nStep: NStepAccumulator<Float32Array, number>;
  private readonly actionMask: DiscreteAgentOptions["actionMask"];
  private readonly counts = { envSteps: 0, gradientUpdates: 0 };

  constructor(env: EnvSpaces, config: DQNConfigInput = {}, options: DiscreteAgentOptions = {}) {
    super();
    this.config = parseConfig(DQNConfig, config, this.name);
    this.obsDim = requireBoxObservation(env, this.name);
    this.numActions = requireDiscreteAction(env, this.name);
    const c = this.config;
    this.rng = new Rng(c.seed);
    const initRng = this.rng.fork();
    this.qNetwork = makeQNetwork(initRng, this.obsDim, this.numActions, c, "dqn.q");
    this.targetNetwork = makeQNetwork(initRng, this.obsDim, this.numActions, c, "dqn.targetQ");
    hardUpdate(this.targetNetwork, this.qNetwork);
    this.optimizer = new Adam("dqn", this.qNetwork, {
      lr: c.lr,
      ...(c.gradClipNorm ? { clipNorm: c.gradClipNorm } : {}),
    });
    this.epsilon = linearSchedule(c.epsilonStart, c.epsilonEnd, c.epsilonDecaySteps);
    this.nStep = new NStepAccumulator({ n: c.nStep, gamma: c.gamma });
    this.actionMask = options.actionMask;
    const fields: ReplayBufferOptions["fields"] = {
      obs: { shape: [this.obsDim] },
      action: { shape: [], dtype: "int32" },
      reward: { shape: [] },
      nextObs: { shape: [this.obsDim] },
      terminated: { shape: [], dtype: "uint8" },
      discount: { shape: [] },
      ...(this.actionMask ? { nextMask: { shape: [this.numActions], dtype: "uint8" as const } } : {}),
    };
    this.replay = c.prioritized
      ? new PrioritizedReplayBuffer({ capacity: c.bufferSize, fields, ...c.prioritized })
      : new ReplayBuffer({ capacity: c.bufferSize, fields }, "dqn replay");
  }

  private mask(obs: Float32Array): Uint8Array | null {
    if (!this.actionMask) return null;
    const m = Uint8Array.from(this.actionMask(obs), (v) => (v ? 1 : 0));
    if (m.length !== this.numActions) {
      throw new QscapeError(`dqn: actionMask returned ${m.length} entries, expected ${this.numActions}`);
    }
    if (!m.includes(1)) throw new QscapeError("dqn: actionMask marks every action unavailable");
    return m;
  }

  act(obs: Float32Array, opts: ActOptions): number {
    if (obs.length !== this.obsDim) {
      throw new QscapeError(`dqn.act: observation has ${obs.length} values, expected ${this.obsDim}`);
    }
    const mask = this.mask(obs);
    if (opts.explore && this.rng.random() < this.epsilon(this.counts.envSteps)) {
      if (!mask) return this.rng.int(0, this.numActions);
      const available = [...mask.keys()].filter((i) => mask[i] === 1);
      return this.rng.choice(available);
    }
    return this.greedyAction(obs, mask);
  }

  /** Q(s, ·) for one state (diagnostics and tests). */
  qValues(obs: Float32Array): Float32Array {
    const out = tf.tidy(() => this.qNetwork.apply(tf.tensor2d(obs, [1, this.obsDim])));
    const q = out.dataSync() as Float32Array;
    out.dispose();
    return q;
  }

  private greedyAction(obs: Float32Array, mask: Uint8Array | null): number {
    const q = this.qValues(obs);
    let best = -1;
    for (let i = 0; i < q.length; i++) {
      if (mask && mask[i] === 0) continue;
      if (best < 0 || (q[i] as number) > (q[best] as number)) best = i;
    }
    return best;
  }

  observe(t: Transition<Float32Array, number>): void {
    this.counts.envSteps += 1;
    for (const w of this.nStep.push(t)) {
      this.replay.add({
        obs: w.obs,
        action: w.action,
        reward: w.reward,
        nextObs: w.nextObs,
        terminated: w.terminated ? 1 : 0,
        discount: w.discount,
        ...(this.actionMask ? { nextMask: this.mask(w.nextObs) as Uint8Array } : {}),
      });
    }
  }

  update(): Record<string, number> {
    const { batchSize, targetUpdateInterval, tau } = this.config;
    const sample =
      this.replay instanceof PrioritizedReplayBuffer
        ? this.replay.sample(batchSize, this.rng)
        : { ...this.replay.sample(batchSize, this.rng), weights: null };
    this.counts.gradientUpdates += 1;
    const loss = tf.tidy(() => {
      const { data } = sample;
      const obs = tf.tensor2d(data.obs as Float32Array, [batchSize, this.obsDim]);
      const actions = tf.oneHot(tf.tensor1d(data.action as Int32Array, "int32"), this.numActions);
      const y = this.tdTarget(data);
      const weights = sample.weights ? tf.tensor1d(sample.weights) : null;
      if (weights) {
        const tdError = tf.sub(tf.sum(tf.mul(this.qNetwork.apply(obs), actions), 1), y);
        (this.replay as PrioritizedReplayBuffer).updatePriorities(sample.indices, tf.abs(tdError).dataSync());
      }
      return this.optimizer.minimize(() => {
        const tdError = tf.sub(tf.sum(tf.mul(this.qNetwork.apply(obs), actions), 1), y);
        const perSample = this.config.huber ? huber(tdError) : tf.square(tdError);
        return tf.mean(weights ? tf.mul(weights, perSample) : perSample);
      });
    });
    if (this.counts.gradientUpdates % targetUpdateInterval === 0) {
      if (tau === 1) hardUpdate(this.targetNetwork, this.qNetwork);
      else polyakUpdate(this.targetNetwork, this.qNetwork, tau);
    }
    return { loss, epsilon: this.epsilon(this.counts.envSteps) };
  }

  /** y = R + γ^k (1 − terminated) · Q'(s', a*), [B]. */
  tdTarget(data: Record<string, Float32Array | Int32Array | Uint8Array>): tf.Tensor1D {
    const b = (data.reward as Float32Array).length;
    const nextObs = tf.tensor2d(data.nextObs as Float32Array, [b, this.obsDim]);
    const available = data.nextMask ? tf.tensor2d(data.nextMask as Uint8Array, [b, this.numActions], "int32") : null;
    const restrict = (q: tf.Tensor2D) => (available ? maskLogits(q, available) : q);
    const targetQ = this.targetNetwork.apply(nextObs);
    let next: tf.Tensor1D;
    if (this.config.double) {
      const best = tf.argMax(restrict(this.qNetwork.apply(nextObs)), 1);
      next = tf.sum(tf.mul(targetQ, tf.oneHot(best, this.numActions)), 1);
    } else {
      next = tf.max(restrict(targetQ), 1);
    }
    const terminated = data.terminated as Uint8Array;
    const bootstrap = Float32Array.from(data.discount as Float32Array, (d, i) => d * (1 - (terminated[i] as number)));
    return tf.add(tf.tensor1d(data.reward as Float32Array), tf.mul(tf.tensor1d(bootstrap), next));
  }

  counters(): Record<string, number> {
    return { gradientUpdates: this.counts.gradientUpdates, qEvaluations: 0 };
  }

  /** Whole state; taken at episode boundaries, where the n-step window is empty. */
  /** Everything a checkpoint holds and dispose frees. */
  stateParts(): StateParts {
    return {
      config: this.config,
      networks: { qNetwork: this.qNetwork, targetNetwork: this.targetNetwork },
      stateful: { optimizer: this.optimizer, rng: this.rng, replay: this.replay },
      counters: [this.counts],
    };
  }

  override load(state: Snapshot): void {
    super.load(state);
    this.nStep.clear();
  }
}

/** Smooth L1 with δ = 1: ½x² for |x| ≤ 1, |x| − ½ beyond. */
function huber(x: tf.Tensor): tf.Tensor {
  const a = tf.abs(x);
  const quadratic = tf.minimum(a, 1);
  return tf.add(tf.mul(tf.square(quadratic), 0.5), tf.sub(a, quadratic));
}
