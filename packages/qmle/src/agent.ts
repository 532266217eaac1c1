/**
 * QMLE (qmle.md §3.8): DQN with an action-in Q network whose max over actions is a best-of-M
 * search over sampled candidates, plus argmax predictors trained by maximum likelihood.
 *
 *   act:     with prob. ε a uniform action; else the best of m_greedy candidates under Q_ω
 *            (candidates from the online predictors, no stored prior)
 *   observe: store (s, a, r, s', γ·(1 − terminated), a^max = a)   [time limits bootstrap]
 *   update:  (every `updateEvery` env steps after `learningStarts`)
 *            sample a PER batch
 *            A'   = {stored a^max} ∪ m_target candidates from the target predictors θ⁻ at s'
 *            a*   = argmax_{a ∈ A'} Q_ω⁻(s', a);  y = r + γ' · Q_ω⁻(s', a*)
 *            write a* back as the transition's a^max; priority ← |Q_ω(s, a) − y| + ε
 *            loss = mean w·(Q_ω(s, a) − y)²                          (PER-weighted TD)
 *                 + mean (δ_θ(stopgrad zs') − â)²                    (delta MLE, Gaussian)
 *                 + mean_d CE(cat_θ(stopgrad zs'), bin(â))            (categorical MLE)
 *            â = a* (paper, "refreshed") or the stored a^max (code, "stored")
 *            one Adam step on the sum; hard copy ω, θ → ω⁻, θ⁻ every targetUpdateInterval env steps
 *
 * Actions are normalised to [−1, 1]^d inside the agent; `act` maps them to the env's bounds.
 */

import {
  ActionScaler,
  type ActOptions,
  Adam,
  type Agent,
  actionsToBins,
  Checkpointed,
  type EnvSpaces,
  FactoredCategorical,
  hardUpdate,
  PrioritizedReplayBuffer,
  QscapeError,
  ReplayBuffer,
  type ReplayBufferOptions,
  Rng,
  requireBoxAction,
  requireBoxObservation,
  type StateParts,
  type Transition,
  tf,
} from "@qscape/core";
import {
  type BestCandidates,
  bestCandidates,
  type CandidateCounts,
  candidateCounts,
  sampleCandidates,
  totalCandidates,
} from "./candidates.js";
import { type QmleConfigInput, type QmleSettings, resolveQmleConfig } from "./config.js";
import { QmleNetwork } from "./networks.js";

/**
 * A known Q(s, a) used instead of the learned one (the Q loss is then skipped): the argmax
 * machinery — candidates, stored a^max, predictors — on a fixed landscape, for tests and
 * diagnostics. obs is [B·obsDim], actions [B·M·d] in [−1, 1]; returns Q as [B·M].
 */
export type FixedQ = (obs: Float32Array, actions: Float32Array, batch: number, perState: number) => Float32Array;

export interface QmleOptions {
  fixedQ?: FixedQ;
}

/** Largest (state, candidate) batch evaluated in one pass. */
const MAX_ROWS_PER_PASS = 16_384;

export class QmleAgent extends Checkpointed implements Agent<Float32Array, Float32Array> {
  readonly name = "qmle";
  readonly config: QmleSettings;
  readonly obsDim: number;
  readonly actionDim: number;
  readonly scaler: ActionScaler;
  readonly online: QmleNetwork;
  readonly target: QmleNetwork;
  readonly replay: ReplayBuffer;
  readonly greedyCounts: CandidateCounts;
  readonly targetCounts: CandidateCounts;
  /** Exploration, candidate sampling and minibatches during training. */
  private readonly rng: Rng;
  /** Candidate sampling for evaluation actions, so evaluating does not change training. */
  private readonly evalRng: Rng;
  private readonly optimizer: Adam;
  private readonly fixedQ: FixedQ | null;
  /** Gradient updates between hard target copies. */
  private readonly targetSyncEvery: number;
  /** Env steps seen, updates done on the agent's own schedule (see `update`), and the bench's counters. */
  private readonly counts = { envSteps: 0, scheduledUpdates: 0, gradientUpdates: 0, qEvaluations: 0 };

  constructor(env: EnvSpaces, config: QmleConfigInput = {}, options: QmleOptions = {}) {
    super();
    this.config = resolveQmleConfig(config);
    this.obsDim = requireBoxObservation(env, this.name);
    this.scaler = new ActionScaler(requireBoxAction(env, this.name));
    this.actionDim = this.scaler.dim;
    const c = this.config;
    this.rng = new Rng(c.seed);
    const initRng = this.rng.fork();
    this.evalRng = this.rng.fork();
    this.online = new QmleNetwork(initRng, this.obsDim, this.actionDim, c.width, c.bins, "qmle.online");
    this.target = new QmleNetwork(initRng, this.obsDim, this.actionDim, c.width, c.bins, "qmle.target");
    hardUpdate(this.target, this.online);
    this.optimizer = new Adam("qmle", this.online, { lr: c.lr });
    this.fixedQ = options.fixedQ ?? null;
    this.targetSyncEvery = Math.max(1, Math.round(c.targetUpdateInterval / c.updateEvery));
    this.greedyCounts = candidateCounts(c.greedyCandidates, c, false);
    this.targetCounts = candidateCounts(c.targetCandidates, c, c.storedArgmaxPrior);
    const fields: ReplayBufferOptions["fields"] = {
      obs: { shape: [this.obsDim] },
      action: { shape: [this.actionDim] },
      reward: { shape: [] },
      nextObs: { shape: [this.obsDim] },
      /** γ, or 0 after a true terminal (time limits bootstrap: partial-episode bootstrapping). */
      discount: { shape: [] },
      /** The amortised argmax a^max for nextObs, refreshed on every replay. */
      argmax: { shape: [this.actionDim] },
    };
    this.replay = c.prioritized
      ? new PrioritizedReplayBuffer({ capacity: c.bufferSize, fields, ...c.prioritized })
      : new ReplayBuffer({ capacity: c.bufferSize, fields }, "qmle replay");
  }

  // ---- acting -------------------------------------------------------------------------------

  act(obs: Float32Array, opts: ActOptions): Float32Array {
    this.checkObs(obs, "act");
    if (opts.explore && this.rng.random() < this.config.epsilon) {
      const uniform = new Float32Array(this.actionDim);
      for (let i = 0; i < uniform.length; i++) uniform[i] = this.rng.uniform(-1, 1);
      return this.scaler.toEnv(uniform);
    }
    return this.scaler.toEnv(this.greedyActions(obs, 1, opts.explore ? this.rng : this.evalRng));
  }

  /** Best of m_greedy candidates under the online Q for each of `batch` states, [B·d] in [−1, 1]. */
  greedyActions(obs: Float32Array, batch: number, rng: Rng = this.evalRng): Float32Array {
    return tf.tidy(() => {
      const o = tf.tensor2d(obs, [batch, this.obsDim]);
      return this.search(this.online, o, obs, batch, this.greedyCounts, null, rng).actions;
    });
  }

  /**
   * Eq. 17 over the Eq. 21 candidate set: predictors → candidates (JS) → Q of all candidates in
   * one batched pass (observation features once per state). Call inside tf.tidy.
   */
  private search(
    net: QmleNetwork,
    obs: tf.Tensor2D,
    obsData: Float32Array,
    batch: number,
    counts: CandidateCounts,
    prior: Float32Array | null,
    rng: Rng,
  ): BestCandidates {
    const d = this.actionDim;
    const features = net.features(obs);
    const { deltaMean, categorical } = net.predict(features);
    const packed = tf
      .concat([tf.reshape(deltaMean, [-1]), tf.reshape(tf.softmax(categorical.logits), [-1])])
      .dataSync() as Float32Array;
    const candidates = sampleCandidates(rng, {
      batch,
      dim: d,
      bins: this.config.bins,
      counts,
      deltaMean: packed.subarray(0, batch * d),
      categoricalProbs: packed.subarray(batch * d),
      prior,
      deltaNoiseStd: this.config.deltaNoiseStd,
    });
    const m = totalCandidates(counts);
    this.counts.qEvaluations += batch * m;
    const q = this.fixedQ ? this.fixedQ(obsData, candidates, batch, m) : this.candidateQ(net, features, candidates, m);
    return bestCandidates(q, candidates, batch, d);
  }

  /**
   * Q of every candidate, [B·M], in passes of at most MAX_ROWS_PER_PASS (state, candidate) rows:
   * batch 256 × M = 1000 in one pass would need several GB of activations (beyond WASM's 4 GB).
   */
  private candidateQ(net: QmleNetwork, features: tf.Tensor2D, candidates: Float32Array, m: number): Float32Array {
    const [batch, h] = features.shape;
    const d = this.actionDim;
    const statesPerPass = Math.max(1, Math.floor(MAX_ROWS_PER_PASS / m));
    if (statesPerPass >= batch) {
      return net.q(features, tf.tensor2d(candidates, [batch * m, d]), m).dataSync() as Float32Array;
    }
    const q = new Float32Array(batch * m);
    for (let start = 0; start < batch; start += statesPerPass) {
      const n = Math.min(statesPerPass, batch - start);
      const part = tf.tidy(() => {
        const rows = candidates.subarray(start * m * d, (start + n) * m * d);
        return net.q(tf.slice(features, [start, 0], [n, h]), tf.tensor2d(rows, [n * m, d]), m);
      });
      q.set(part.dataSync() as Float32Array, start * m);
      part.dispose();
    }
    return q;
  }

  // ---- learning -----------------------------------------------------------------------------

  observe(t: Transition<Float32Array, Float32Array>): void {
    this.counts.envSteps += 1;
    const action = this.scaler.fromEnv(t.action);
    this.replay.add({
      obs: t.obs,
      action,
      reward: t.reward,
      nextObs: t.nextObs,
      discount: t.terminated ? 0 : this.config.gamma,
      argmax: action, // a^max_{t+1} ← a_t (Algorithm 1)
    });
  }

  /**
   * Runs the gradient updates that are due: one per `updateEvery` env steps observed after
   * `learningStarts` (the paper's replay period K = 10). The schedule is the agent's own, so any
   * loop works: one that calls `update()` after every env step gets an update every 10th call
   * (the other calls return {}); one that calls it rarely gets the missed updates at once.
   */
  update(): Record<string, number> {
    const { learningStarts, updateEvery } = this.config;
    const due =
      this.counts.envSteps < learningStarts
        ? 0
        : Math.floor((this.counts.envSteps - learningStarts) / updateEvery) - this.counts.scheduledUpdates;
    let metrics: Record<string, number> = {};
    for (let i = 0; i < due; i++) {
      metrics = this.learn();
      this.counts.scheduledUpdates += 1;
    }
    return metrics;
  }

  /** One gradient update now, regardless of the schedule (tests, diagnostics). */
  learn(): Record<string, number> {
    const { batchSize: b, mleTarget, categoricalLoss, bins, storedArgmaxPrior } = this.config;
    const d = this.actionDim;
    const per = this.replay instanceof PrioritizedReplayBuffer ? this.replay : null;
    const sample = per ? per.sample(b, this.rng) : { ...this.replay.sample(b, this.rng), weights: null };
    const data = sample.data;
    const stored = data.argmax as Float32Array;
    const nextObsData = data.nextObs as Float32Array;
    const metrics = tf.tidy(() => {
      const obs = tf.tensor2d(data.obs as Float32Array, [b, this.obsDim]);
      const nextObs = tf.tensor2d(nextObsData, [b, this.obsDim]);
      // TD target with the target Q and target predictors (a forward pass: no gradient).
      const best = this.search(
        this.target,
        nextObs,
        nextObsData,
        b,
        this.targetCounts,
        storedArgmaxPrior ? stored : null,
        this.rng,
      );
      this.replay.write("argmax", sample.indices, best.actions);
      const discount = data.discount as Float32Array;
      const reward = data.reward as Float32Array;
      const y = new Float32Array(b);
      for (let i = 0; i < b; i++) y[i] = (reward[i] as number) + (discount[i] as number) * (best.values[i] as number);
      const mle = mleTarget === "refreshed" ? best.actions : stored;
      const mleBins = actionsToBins(mle, new Float32Array(d).fill(-1), new Float32Array(d).fill(1), bins);

      const yT = tf.tensor1d(y);
      const action = tf.tensor2d(data.action as Float32Array, [b, d]);
      const mleT = tf.tensor2d(mle, [b, d]);
      const weights = sample.weights ? tf.tensor1d(sample.weights) : null;
      const vars = this.online.parameters();
      // Assigned inside the gradient closure: declared so that TypeScript does not narrow it to null.
      let parts = null as tf.Tensor | null;
      let tdAbs: tf.Tensor | null = null;
      try {
        const { value, grads } = tf.variableGrads(() => {
          let qLoss: tf.Scalar = tf.scalar(0);
          if (!this.fixedQ) {
            const q = tf.reshape(this.online.q(this.online.features(obs), action, 1), [b]);
            const td = tf.sub(q, yT);
            tdAbs = tf.keep(tf.abs(td));
            const sq = tf.square(td);
            qLoss = tf.mean(weights ? tf.mul(weights, sq) : sq);
          }
          const { deltaMean, categorical } = this.online.predict(this.online.features(nextObs));
          const deltaLoss = tf.mean(tf.square(tf.sub(deltaMean, mleT))) as tf.Scalar;
          const catDist =
            categoricalLoss === "logits"
              ? categorical
              : new FactoredCategorical(tf.softmax(categorical.logits) as tf.Tensor3D);
          const catLoss = catDist.crossEntropy(mleBins);
          parts = tf.keep(tf.stack([qLoss, deltaLoss, catLoss]));
          return tf.addN([qLoss, deltaLoss, catLoss]) as tf.Scalar;
        }, vars);
        this.optimizer.apply(
          value,
          vars.map((v) => grads[v.name] ?? tf.zerosLike(v)),
        );
        const [qLoss, deltaLoss, catLoss] = (parts as tf.Tensor).dataSync() as Float32Array;
        if (per && tdAbs) per.updatePriorities(sample.indices, (tdAbs as tf.Tensor).dataSync());
        let priorKept = 0;
        if (storedArgmaxPrior) for (const i of best.indices) if (i === 0) priorKept += 1;
        return {
          qLoss: qLoss as number,
          deltaLoss: deltaLoss as number,
          categoricalLoss: catLoss as number,
          targetQ: y.reduce((s, v) => s + v, 0) / b,
          priorKept: priorKept / b,
        };
      } finally {
        parts?.dispose();
        (tdAbs as tf.Tensor | null)?.dispose();
      }
    });
    this.counts.gradientUpdates += 1;
    if (this.counts.gradientUpdates % this.targetSyncEvery === 0) hardUpdate(this.target, this.online);
    return metrics;
  }

  /** Q_ω(s, a) of `actions` ([M·d], [−1, 1]) in one state (tests, diagnostics). */
  evaluateQ(obs: Float32Array, actions: Float32Array): Float32Array {
    this.checkObs(obs, "evaluateQ");
    const m = actions.length / this.actionDim;
    return tf.tidy(() => {
      const features = this.online.features(tf.tensor2d(obs, [1, this.obsDim]));
      return this.online.q(features, tf.tensor2d(actions, [m, this.actionDim]), m).dataSync() as Float32Array;
    });
  }

  /** The online predictors at `obs` ([B·obsDim]): delta means [B·d] and categorical probabilities [B·d·bins]. */
  predictions(obs: Float32Array, batch: number): { deltaMean: Float32Array; categoricalProbs: Float32Array } {
    return tf.tidy(() => {
      const { deltaMean, categorical } = this.online.predict(
        this.online.features(tf.tensor2d(obs, [batch, this.obsDim])),
      );
      return {
        deltaMean: deltaMean.dataSync() as Float32Array,
        categoricalProbs: tf.softmax(categorical.logits).dataSync() as Float32Array,
      };
    });
  }

  /** Gradient updates, and Q(s, a) evaluations of candidates (acting and TD targets). */
  counters(): Record<string, number> {
    return { gradientUpdates: this.counts.gradientUpdates, qEvaluations: this.counts.qEvaluations };
  }

  // ---- checkpoints --------------------------------------------------------------------------

  /** Whole learning state, including the replay with its stored a^max per transition. */
  /** Everything a checkpoint holds and dispose frees. */
  stateParts(): StateParts {
    return {
      config: this.config,
      networks: { online: this.online, target: this.target },
      stateful: { optimizer: this.optimizer, rng: this.rng, evalRng: this.evalRng, replay: this.replay },
      counters: [this.counts],
    };
  }

  private checkObs(obs: Float32Array, op: string): void {
    if (obs.length !== this.obsDim) {
      throw new QscapeError(`qmle.${op}: observation has ${obs.length} values, expected ${this.obsDim}`);
    }
  }
}
