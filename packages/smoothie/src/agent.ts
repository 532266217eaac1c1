/**
 * Smoothie (Nachum et al. 2018), Algorithm 1 with eq. 18's phantom-action critic. Per environment step:
 *
 *   act:     a ~ N(μ_θ(s), diag e^φ)                        (the only exploration; stored unclipped)
 *   policy:  states {s_k} from replay; at m_k = μ_θ(s_k):
 *              g_k = ∇ₐQ̃_w(s_k, m_k),  h_k = diag ∇²ₐQ̃_w(s_k, m_k)     (exact, Taylor mode)
 *              θ ascends  mean_k g_k·μ_θ(s_k)                          (DPG with Q̃, eq. 13)
 *              φ ascends  Σ_i (mean_k ½ h_k,i e^φ_i)·φ_i                (Theorem 1, eq. 15)
 *              both descend λ·mean_k KL(π_θ,φ(·|s_k) ‖ π_θ',φ'(·|s_k))  (eq. 20)
 *   critic:  a second batch (s, ã, r, s′, terminated); phantom a = ã + e^{φ/2}ε with the current φ;
 *              y = c·r + γ(1 − terminated)·Q̃_{w'}(s′, μ_θ'(s′));  minimise mean (Q̃_w(s, a) − y)²   (eq. 18)
 *   targets: θ', φ', w' ← Polyak(τ)
 *
 * Actions are in the agent's units (`ActionMap`: [−1, 1] for bounded dimensions). Truncated
 * transitions bootstrap; only `terminated` masks the target.
 */
import {
  type ActOptions,
  Adam,
  type Agent,
  Checkpointed,
  type EnvSpaces,
  hardUpdate,
  type MLP,
  parseConfig,
  polyakUpdate,
  QscapeError,
  ReplayBuffer,
  Rng,
  requireBoxObservation,
  type Snapshot,
  type StateParts,
  type Transition,
  tf,
} from "@qscape/core";
import { ActionMap } from "./actions.js";
import { SmoothieConfig, type SmoothieConfigInput, type SmoothieSettings } from "./config.js";
import { actionDerivatives } from "./hessian.js";
import { criticValue, GaussianPolicy, makeCritic } from "./networks.js";
import { SGD } from "./sgd.js";

const LOG_2PI = Math.log(2 * Math.PI);

/** The last exploratory sample, so `observe` can store it unclipped (and with its density). */
interface PendingSample {
  raw: Float32Array;
  envAction: Float32Array;
  logDensity: number;
}

export class SmoothieAgent extends Checkpointed implements Agent<Float32Array, Float32Array> {
  readonly name = "smoothie";
  readonly config: SmoothieSettings;
  readonly obsDim: number;
  readonly actionDim: number;
  readonly actions: ActionMap;
  readonly policy: GaussianPolicy;
  readonly targetPolicy: GaussianPolicy;
  readonly critic: MLP;
  readonly targetCritic: MLP;
  readonly replay: ReplayBuffer;
  /** Exploration, minibatch sampling and phantom actions. */
  private readonly rng: Rng;
  private readonly policyOptimizer: Adam | SGD;
  private readonly criticOptimizer: Adam;
  private readonly logVarianceRange: [number, number];
  private pending: PendingSample | null = null;
  private readonly counts = { gradientUpdates: 0 };

  constructor(env: EnvSpaces, config: SmoothieConfigInput = {}) {
    super();
    this.config = parseConfig(SmoothieConfig, config, this.name);
    this.obsDim = requireBoxObservation(env, this.name);
    this.actions = new ActionMap(env, this.name);
    this.actionDim = this.actions.dim;
    const { seed, bufferSize, actorLr, criticLr, gradClipNorm, minStd, maxStd, policyOptimizer } = this.config;
    this.rng = new Rng(seed);
    const initRng = this.rng.fork();
    const { obsDim, actionDim } = this;
    const squash = this.actions.bounded;
    this.policy = new GaussianPolicy(initRng, obsDim, actionDim, squash, this.config, "smoothie.policy");
    this.targetPolicy = new GaussianPolicy(initRng, obsDim, actionDim, squash, this.config, "smoothie.targetPolicy");
    this.critic = makeCritic(initRng, obsDim, actionDim, this.config, "smoothie.critic");
    this.targetCritic = makeCritic(initRng, obsDim, actionDim, this.config, "smoothie.targetCritic");
    hardUpdate(this.targetPolicy, this.policy);
    hardUpdate(this.targetCritic, this.critic);
    const clip = gradClipNorm ? { clipNorm: gradClipNorm } : {};
    this.policyOptimizer =
      policyOptimizer === "adam"
        ? new Adam("smoothie.policy", this.policy, { lr: actorLr, ...clip })
        : new SGD("smoothie.policy", this.policy, actorLr);
    this.criticOptimizer = new Adam("smoothie.critic", this.critic, { lr: criticLr, ...clip });
    this.logVarianceRange = [2 * Math.log(minStd), 2 * Math.log(maxStd)];
    this.replay = new ReplayBuffer(
      {
        capacity: bufferSize,
        fields: {
          obs: { shape: [obsDim] },
          action: { shape: [actionDim] },
          reward: { shape: [] },
          nextObs: { shape: [obsDim] },
          terminated: { shape: [], dtype: "uint8" },
          // log q(ã|s) of the behaviour policy, for the optional importance weights.
          logDensity: { shape: [] },
        },
      },
      "smoothie replay",
    );
  }

  // ---- acting -------------------------------------------------------------------------------

  /** The policy's mean μ_θ(s) in agent units. */
  mean(obs: Float32Array): Float32Array {
    if (obs.length !== this.obsDim) {
      throw new QscapeError(`${this.name}.act: observation has ${obs.length} values, expected ${this.obsDim}`);
    }
    const out = tf.tidy(() => this.policy.mean.apply(tf.tensor2d(obs, [1, this.obsDim])));
    const mean = out.dataSync() as Float32Array;
    out.dispose();
    return mean;
  }

  /** σ = e^{φ/2} per action dimension (agent units). */
  std(): Float32Array {
    const out = tf.tidy(() => tf.exp(tf.mul(this.policy.logVariance, 0.5)));
    const std = out.dataSync() as Float32Array;
    out.dispose();
    return std;
  }

  act(obs: Float32Array, opts: ActOptions): Float32Array {
    const mean = this.mean(obs);
    if (!opts.explore) return this.actions.toEnv(mean);
    const std = this.std();
    const raw = new Float32Array(this.actionDim);
    let logDensity = 0;
    for (let i = 0; i < raw.length; i++) {
      const eps = this.rng.normal();
      const s = std[i] as number;
      raw[i] = (mean[i] as number) + s * eps;
      logDensity += -0.5 * eps * eps - Math.log(s) - 0.5 * LOG_2PI;
    }
    const envAction = this.actions.toEnv(raw);
    this.pending = { raw, envAction, logDensity };
    return envAction;
  }

  // ---- learning -----------------------------------------------------------------------------

  observe(t: Transition<Float32Array, Float32Array>): void {
    const pending = this.pending;
    this.pending = null;
    const sample = pending?.envAction.every((v, i) => v === t.action[i]) ? pending : null;
    this.replay.add({
      obs: t.obs,
      action: sample ? sample.raw : this.actions.fromEnv(t.action),
      reward: t.reward,
      nextObs: t.nextObs,
      terminated: t.terminated ? 1 : 0,
      // Actions not sampled by the policy (random warm-up) are treated as uniform on [−1, 1]^d.
      logDensity: sample ? sample.logDensity : -this.actionDim * Math.LN2,
    });
  }

  update(): Record<string, number> {
    const { batchSize } = this.config;
    const policyBatch = this.replay.sample(batchSize, this.rng).data;
    const criticBatch = this.replay.sample(batchSize, this.rng).data;
    const phantomNoise = this.rng.fillNormal(new Float32Array(batchSize * this.actionDim)) as Float32Array;
    this.counts.gradientUpdates += 1;
    return tf.tidy(() => {
      const policyStats = this.updatePolicy(tf.tensor2d(policyBatch.obs as Float32Array, [batchSize, this.obsDim]));
      const criticLoss = this.updateCritic(criticBatch, phantomNoise);
      polyakUpdate(this.targetPolicy, this.policy, this.config.tau);
      polyakUpdate(this.targetCritic, this.critic, this.config.tau);
      return { criticLoss, ...policyStats };
    });
  }

  /** One step on θ and φ (Algorithm 1's policy step: eqs. 13, 15 and 20); returns diagnostics. */
  private updatePolicy(obs: tf.Tensor2D): Record<string, number> {
    const { klWeight, flipMeanUpdate } = this.config;
    const { grad, hessianDiagonal } = actionDerivatives(this.critic, obs, this.policy.mean.apply(obs));
    // Ascent directions, held fixed while the surrogate below is differentiated:
    // θ: mean_k g_k·μ_θ(s_k) has gradient mean_k J_θμ(s_k)ᵀ g_k;  φ: Σ_i c_i φ_i with c = mean_k ½ h_k ⊙ e^φ.
    const meanDirection = flipMeanUpdate ? tf.neg(grad) : grad;
    const logVarianceDirection = tf.mul(tf.mean(tf.mul(hessianDiagonal, 0.5), 0), tf.exp(this.policy.logVariance));
    const target = this.targetPolicy.distribution(obs);
    const objective = this.policyOptimizer.minimize(() => {
      const meanTerm = tf.mean(tf.sum(tf.mul(meanDirection, this.policy.mean.apply(obs)), 1));
      const logVarianceTerm = tf.sum(tf.mul(logVarianceDirection, this.policy.logVariance));
      const kl = tf.mean(this.policy.distribution(obs).kl(target));
      return tf.neg(tf.sub(tf.add(meanTerm, logVarianceTerm), tf.mul(kl, klWeight))) as tf.Scalar;
    });
    const [lo, hi] = this.logVarianceRange;
    this.policy.logVariance.assign(tf.clipByValue(this.policy.logVariance, lo, hi));
    const stats = tf
      .stack([
        tf.mean(tf.abs(grad)),
        tf.mean(hessianDiagonal),
        tf.mean(tf.exp(tf.mul(this.policy.logVariance, 0.5))),
        tf.mean(this.policy.distribution(obs).kl(target)),
      ])
      .dataSync();
    return {
      policyObjective: -objective,
      meanAbsGrad: stats[0] as number,
      meanHessianDiagonal: stats[1] as number,
      meanStd: stats[2] as number,
      klToTarget: stats[3] as number,
    };
  }

  /** One step on w with phantom actions around the replayed ones (eq. 18); returns the loss. */
  private updateCritic(
    data: Record<string, Float32Array | Int32Array | Uint8Array>,
    phantomNoise: Float32Array,
  ): number {
    const { batchSize: b, gamma, rewardScale, targetQ, importanceWeights } = this.config;
    const obs = tf.tensor2d(data.obs as Float32Array, [b, this.obsDim]);
    const nextObs = tf.tensor2d(data.nextObs as Float32Array, [b, this.obsDim]);
    const reward = tf.tensor2d(data.reward as Float32Array, [b, 1]);
    const notDone = tf.sub(1, tf.tensor2d(Float32Array.from(data.terminated as Uint8Array), [b, 1]));
    const std = tf.exp(tf.mul(this.policy.logVariance, 0.5));
    const phantom = tf.add(
      tf.tensor2d(data.action as Float32Array, [b, this.actionDim]),
      tf.mul(std, tf.tensor2d(phantomNoise, [b, this.actionDim])),
    ) as tf.Tensor2D;
    const nextQ = criticValue(
      targetQ === "target" ? this.targetCritic : this.critic,
      nextObs,
      this.targetPolicy.mean.apply(nextObs),
    );
    const y = tf.add(tf.mul(reward, rewardScale), tf.mul(tf.mul(notDone, gamma), nextQ));
    const weights = importanceWeights ? this.importanceWeights(data.logDensity as Float32Array) : null;
    return this.criticOptimizer.minimize(() => {
      const err = tf.square(tf.sub(criticValue(this.critic, obs, phantom), y));
      return tf.mean(weights ? tf.mul(err, weights) : err) as tf.Scalar;
    });
  }

  /** 1/q(ã|s), normalised to mean 1 over the batch, then clipped (the weighted form of eq. 18). */
  private importanceWeights(logDensity: Float32Array): tf.Tensor2D {
    const logW = tf.neg(tf.tensor2d(logDensity, [logDensity.length, 1]));
    // Subtracting the max before exp keeps the normalisation finite.
    const w = tf.exp(tf.sub(logW, tf.max(logW)));
    return tf.minimum(tf.div(w, tf.mean(w)), this.config.importanceWeightClip) as tf.Tensor2D;
  }

  /** Q̃_w, ∇ₐQ̃_w and diag ∇²ₐQ̃_w at (obs, action) in agent units, as arrays (diagnostics, tests). */
  criticDerivatives(
    obs: Float32Array,
    action: Float32Array,
  ): { value: number; grad: Float32Array; hessianDiagonal: Float32Array } {
    const out = tf.tidy(() => {
      const d = actionDerivatives(
        this.critic,
        tf.tensor2d(obs, [1, this.obsDim]),
        tf.tensor2d(action, [1, this.actionDim]),
      );
      return tf.concat([tf.reshape(d.value, [1]), tf.reshape(d.grad, [-1]), tf.reshape(d.hessianDiagonal, [-1])]);
    });
    const v = out.dataSync() as Float32Array;
    out.dispose();
    return {
      value: v[0] as number,
      grad: v.slice(1, 1 + this.actionDim),
      hessianDiagonal: v.slice(1 + this.actionDim),
    };
  }

  /**
   * gradientUpdates counts `update()` calls (each one policy step and one critic step, like DDPG
   * with policyDelay 1). qEvaluations counts Q evaluations spent choosing actions, as for the
   * baselines: Smoothie acts from its policy alone, so it stays 0.
   */
  counters(): Record<string, number> {
    return { gradientUpdates: this.counts.gradientUpdates, qEvaluations: 0 };
  }

  // ---- checkpoints --------------------------------------------------------------------------

  /** Everything a checkpoint holds and dispose frees. */
  stateParts(): StateParts {
    return {
      config: this.config,
      networks: {
        policy: this.policy,
        targetPolicy: this.targetPolicy,
        critic: this.critic,
        targetCritic: this.targetCritic,
      },
      stateful: {
        // Plain SGD (the paper's option) keeps no state.
        policyOptimizer: this.policyOptimizer instanceof Adam ? this.policyOptimizer : null,
        criticOptimizer: this.criticOptimizer,
        rng: this.rng,
        replay: this.replay,
      },
      counters: [this.counts],
    };
  }

  override load(state: Snapshot): void {
    super.load(state);
    this.pending = null;
  }
}
