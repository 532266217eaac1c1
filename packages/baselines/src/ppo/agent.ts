/**
 * PPO with the clipped objective (Schulman et al. 2017, Eq. 7). The agent collects a rollout through
 * `act` + `observe` and learns from it in `update()` (core's `runOnPolicy` calls it every
 * `rolloutSteps` env steps):
 *
 *   GAE over the rollout, bootstrapping from V(s_{t+1}) of the pre-reset observation at truncations;
 *   `epochs` passes over shuffled minibatches, each one Adam step (grad-norm clipped) on
 *   clippedPolicyLoss + valueCoef·valueLoss − entropyCoef·entropy.
 *
 * Discrete spaces use a categorical policy (unavailable actions masked out); Box spaces a Gaussian
 * in the normalised box whose samples are clipped to [−1, 1] and mapped to the env's bounds.
 */
import {
  ActionScaler,
  type ActOptions,
  Adam,
  type Agent,
  type Categorical,
  Checkpointed,
  type DiagGaussian,
  type EnvSpaces,
  isDiscrete,
  parseConfig,
  QscapeError,
  Rng,
  requireBoxAction,
  requireBoxObservation,
  requireDiscreteAction,
  type Snapshot,
  type StateParts,
  type Transition,
  tf,
} from "@qscape/core";
import type { DiscreteAgentOptions } from "../dqn/agent.js";
import { PPOConfig, type PPOConfigInput, type PPOSettings } from "./config.js";
import { clippedPolicyLoss, computeGae, valueLoss } from "./losses.js";
import { ActorCritic } from "./networks.js";

/** One rollout step, as `act` and `observe` record it. */
interface Step {
  obs: Float32Array;
  /** Categorical index, or the unclipped Gaussian sample in the normalised box. */
  action: number | Float32Array;
  logProb: number;
  value: number;
  mask: Uint8Array | null;
  reward: number;
  nextObs: Float32Array;
  terminated: boolean;
  truncated: boolean;
}

type Pending = Pick<Step, "obs" | "action" | "logProb" | "value" | "mask">;

const LOG_2PI = Math.log(2 * Math.PI);

export class PPOAgent extends Checkpointed implements Agent<Float32Array, Float32Array | number> {
  readonly name = "ppo";
  readonly config: PPOSettings;
  readonly obsDim: number;
  /** Number of discrete actions, or null for Box actions. */
  readonly numActions: number | null;
  readonly scaler: ActionScaler | null;
  readonly net: ActorCritic;
  private readonly rng: Rng;
  private readonly optimizer: Adam;
  private readonly actionMask: DiscreteAgentOptions["actionMask"];
  private rollout: Step[] = [];
  private pending: Pending | null = null;
  private readonly counts = { updates: 0, gradientUpdates: 0 };

  constructor(env: EnvSpaces, config: PPOConfigInput = {}, options: DiscreteAgentOptions = {}) {
    super();
    this.config = parseConfig(PPOConfig, config, this.name);
    this.obsDim = requireBoxObservation(env, this.name);
    const discrete = isDiscrete(env.actionSpace);
    this.numActions = discrete ? requireDiscreteAction(env, this.name) : null;
    this.scaler = discrete ? null : new ActionScaler(requireBoxAction(env, this.name));
    if (options.actionMask && !discrete) throw new QscapeError("ppo: actionMask needs a Discrete action space");
    this.actionMask = options.actionMask;
    this.rng = new Rng(this.config.seed);
    const action = this.numActions !== null ? { discrete: this.numActions } : { continuous: this.scaler?.dim ?? 0 };
    this.net = new ActorCritic(this.rng.fork(), this.obsDim, action, this.config);
    this.optimizer = new Adam("ppo", this.net, {
      lr: this.config.lr,
      eps: this.config.adamEps,
      clipNorm: this.config.maxGradNorm,
    });
  }

  private mask(obs: Float32Array): Uint8Array | null {
    if (!this.actionMask) return null;
    const m = Uint8Array.from(this.actionMask(obs), (v) => (v ? 1 : 0));
    if (m.length !== this.numActions) {
      throw new QscapeError(`ppo: actionMask returned ${m.length} entries, expected ${this.numActions}`);
    }
    if (!m.includes(1)) throw new QscapeError("ppo: actionMask marks every action unavailable");
    return m;
  }

  act(obs: Float32Array, opts: ActOptions): Float32Array | number {
    if (obs.length !== this.obsDim) {
      throw new QscapeError(`ppo.act: observation has ${obs.length} values, expected ${this.obsDim}`);
    }
    const mask = this.mask(obs);
    // Policy parameters and V(s) in one sync; sampling and log-probs happen in JS.
    const packed = tf.tidy(() => {
      const o = tf.tensor2d(obs, [1, this.obsDim]);
      const features = this.net.trunk.apply(o);
      const p = this.net.policy;
      const params =
        p.kind === "discrete"
          ? p.head.apply(features).logits
          : tf.concat([p.head.apply(features).mean, tf.reshape(p.head.logVariance, [1, -1])], 1);
      return tf.concat([tf.reshape(params, [-1]), this.net.value(o)]);
    });
    const data = packed.dataSync() as Float32Array;
    packed.dispose();
    const value = data[data.length - 1] as number;
    if (this.numActions !== null) {
      const logits = data.subarray(0, this.numActions);
      const logProbs = maskedLogSoftmax(logits, mask);
      const action = opts.explore ? this.sampleIndex(logProbs) : argmax(logProbs);
      if (opts.explore) this.pending = { obs, action, logProb: logProbs[action] as number, value, mask };
      return action;
    }
    const scaler = this.scaler as ActionScaler;
    const dim = scaler.dim;
    const mean = data.subarray(0, dim);
    const logVariance = data.subarray(dim, 2 * dim);
    if (!opts.explore) return scaler.toEnv(mean.map((m) => Math.min(1, Math.max(-1, m))));
    const sample = new Float32Array(dim);
    let logProb = 0;
    for (let i = 0; i < dim; i++) {
      const std = Math.exp(0.5 * (logVariance[i] as number));
      const eps = this.rng.normal();
      sample[i] = (mean[i] as number) + std * eps;
      logProb += -0.5 * (eps * eps + (logVariance[i] as number) + LOG_2PI);
    }
    this.pending = { obs, action: sample, logProb, value, mask: null };
    return scaler.toEnv(sample.map((a) => Math.min(1, Math.max(-1, a))));
  }

  private sampleIndex(logProbs: Float32Array): number {
    let u = this.rng.random();
    let last = 0;
    for (let i = 0; i < logProbs.length; i++) {
      const p = Math.exp(logProbs[i] as number);
      if (p > 0) last = i;
      u -= p;
      if (u < 0) return i;
    }
    return last;
  }

  observe(t: Transition<Float32Array, Float32Array | number>): void {
    if (this.pending === null || this.pending.obs !== t.obs) {
      throw new QscapeError(
        "ppo.observe: every transition must follow an act(obs, {explore: true}) on its observation",
      );
    }
    this.rollout.push({
      ...this.pending,
      reward: t.reward,
      nextObs: t.nextObs,
      terminated: t.terminated,
      truncated: t.truncated,
    });
    this.pending = null;
  }

  update(): Record<string, number> {
    const steps = this.rollout;
    const n = steps.length;
    if (n === 0) throw new QscapeError("ppo.update: the rollout is empty; observe transitions first");
    const { epochs, minibatches, gamma, gaeLambda, clip, clipValue, valueCoef, entropyCoef, lr, lrDecayUpdates } =
      this.config;
    if (lrDecayUpdates !== undefined) {
      // Linear decay to 0 (the AGILE / new-actions code's schedule), evaluated before this update's steps.
      this.optimizer.config.lr = lr * Math.max(0, 1 - this.counts.updates / lrDecayUpdates);
    }
    const obs = concatRows(steps.map((s) => s.obs));
    const nextValues = tf.tidy(() =>
      this.net.value(tf.tensor2d(concatRows(steps.map((s) => s.nextObs)), [n, this.obsDim])),
    );
    const { advantages, returns } = computeGae({
      rewards: Float32Array.from(steps, (s) => s.reward),
      values: Float32Array.from(steps, (s) => s.value),
      nextValues: nextValues.dataSync() as Float32Array,
      terminated: Uint8Array.from(steps, (s) => (s.terminated ? 1 : 0)),
      truncated: Uint8Array.from(steps, (s) => (s.truncated ? 1 : 0)),
      gamma,
      lambda: gaeLambda,
    });
    nextValues.dispose();
    const minibatchSize = Math.max(1, Math.floor(n / minibatches));
    const totals = { policyLoss: 0, valueLoss: 0, entropy: 0, loss: 0 };
    let count = 0;
    tf.tidy(() => {
      const all = {
        obs: tf.tensor2d(obs, [n, this.obsDim]),
        actions:
          this.numActions !== null
            ? tf.tensor1d(
                Int32Array.from(steps, (s) => s.action as number),
                "int32",
              )
            : tf.tensor2d(concatRows(steps.map((s) => s.action as Float32Array)), [
                n,
                (this.scaler as ActionScaler).dim,
              ]),
        masks: this.actionMask
          ? tf.tensor2d(
              concatRows(
                steps.map((s) => s.mask as Uint8Array),
                Uint8Array,
              ),
              [n, this.numActions as number],
              "int32",
            )
          : null,
        oldLogProbs: tf.tensor1d(Float32Array.from(steps, (s) => s.logProb)),
        oldValues: tf.tensor1d(Float32Array.from(steps, (s) => s.value)),
        advantages: tf.tensor1d(advantages),
        returns: tf.tensor1d(returns),
      };
      for (let epoch = 0; epoch < epochs; epoch++) {
        const order = this.rng.permutation(n);
        for (let start = 0; start + minibatchSize <= n; start += minibatchSize) {
          const idx = tf.tensor1d(order.subarray(start, start + minibatchSize), "int32");
          const take = <T extends tf.Tensor>(t: T) => tf.gather(t, idx) as T;
          const mb = {
            obs: take(all.obs),
            actions: take(all.actions),
            masks: all.masks ? take(all.masks) : null,
            oldLogProbs: take(all.oldLogProbs),
            oldValues: take(all.oldValues),
            advantages: this.config.normalizeAdvantages ? normalise(take(all.advantages)) : take(all.advantages),
            returns: take(all.returns),
          };
          const parts: tf.Scalar[] = [];
          totals.loss += this.optimizer.minimize(() => {
            const { logProb, entropy } = this.evaluate(mb.obs, mb.actions, mb.masks);
            const sign = this.config.flipPolicyLoss ? -1 : 1;
            const pl = tf.mul(clippedPolicyLoss(logProb, mb.oldLogProbs, mb.advantages, clip), sign) as tf.Scalar;
            const vl = valueLoss(this.net.value(mb.obs), mb.oldValues, mb.returns, clipValue ? clip : null);
            const ent = tf.mean(entropy) as tf.Scalar;
            parts.push(tf.keep(pl), tf.keep(vl), tf.keep(ent));
            return tf.sub(tf.add(pl, tf.mul(vl, valueCoef)), tf.mul(ent, entropyCoef)) as tf.Scalar;
          });
          const [pl, vl, ent] = tf.stack(parts).dataSync() as Float32Array;
          totals.policyLoss += pl as number;
          totals.valueLoss += vl as number;
          totals.entropy += ent as number;
          tf.dispose(parts);
          count += 1;
          this.counts.gradientUpdates += 1;
        }
      }
    });
    this.rollout = [];
    this.counts.updates += 1;
    return {
      policyLoss: totals.policyLoss / count,
      valueLoss: totals.valueLoss / count,
      entropy: totals.entropy / count,
      loss: totals.loss / count,
    };
  }

  /** log π(a|s) and the policy entropy for a minibatch, [B] each. */
  private evaluate(
    obs: tf.Tensor2D,
    actions: tf.Tensor,
    masks: tf.Tensor2D | null,
  ): { logProb: tf.Tensor1D; entropy: tf.Tensor1D } {
    const features = this.net.trunk.apply(obs);
    const p = this.net.policy;
    if (p.kind === "discrete") {
      const dist: Categorical = p.head.apply(features, masks ?? undefined);
      return { logProb: dist.logProb(actions as tf.Tensor1D), entropy: dist.entropy() };
    }
    const dist: DiagGaussian = p.head.apply(features);
    return { logProb: dist.logProb(actions as tf.Tensor2D), entropy: dist.entropy() };
  }

  counters(): Record<string, number> {
    return { gradientUpdates: this.counts.gradientUpdates, qEvaluations: 0 };
  }

  /** Everything a checkpoint holds and dispose frees. */
  stateParts(): StateParts {
    return {
      config: this.config,
      networks: { net: this.net },
      stateful: {
        optimizer: this.optimizer,
        rng: this.rng,
        // The unfinished rollout: a resumed run completes it as the uninterrupted one would.
        rollout: {
          getState: () => this.rollout,
          setState: (steps: Step[]) => {
            this.rollout = steps.map((step) => ({ ...step }));
          },
        },
      },
      counters: [this.counts],
    };
  }

  override load(state: Snapshot): void {
    super.load(state);
    this.pending = null;
  }
}

/** Rows of equal length, concatenated (Float32 unless `Uint8Array` is passed as the type). */
function concatRows<T extends Float32Array | Uint8Array>(
  rows: T[],
  type: new (n: number) => T = Float32Array as never,
): T {
  const width = rows[0]?.length ?? 0;
  const out = new type(rows.length * width);
  rows.forEach((r, i) => {
    out.set(r, i * width);
  });
  return out;
}

function normalise(x: tf.Tensor1D): tf.Tensor1D {
  const { mean, variance } = tf.moments(x);
  return tf.div(tf.sub(x, mean), tf.add(tf.sqrt(variance), 1e-8));
}

function maskedLogSoftmax(logits: Float32Array, mask: Uint8Array | null): Float32Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) if (!mask || mask[i]) max = Math.max(max, logits[i] as number);
  let total = 0;
  for (let i = 0; i < logits.length; i++) if (!mask || mask[i]) total += Math.exp((logits[i] as number) - max);
  const logTotal = Math.log(total) + max;
  return logits.map((l, i) => (!mask || mask[i] ? l - logTotal : Number.NEGATIVE_INFINITY));
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}
