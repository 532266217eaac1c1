/**
 * Policy heads and the distributions they produce. A head is the last, parameterised layer
 * (features → distribution parameters); a distribution wraps tensors built in the caller's
 * tf.tidy and offers sampling (seeded by an Rng), log-probabilities, entropy and argmax.
 *
 * - `TanhHead`: deterministic tanh actions (DDPG/TD3).
 * - `SquashedGaussianHead` → `SquashedGaussian`: SAC's tanh-squashed Gaussian.
 * - `DiagGaussianHead` → `DiagGaussian`: state-independent diagonal covariance (Smoothie).
 * - `CategoricalHead` → `Categorical`: logits with an availability mask.
 * - `FactoredCategoricalHead` → `FactoredCategorical`: one categorical per action dimension (QMLE).
 */
import * as tf from "@tensorflow/tfjs";
import { QscapeError } from "../errors.js";
import { type Parameterized, variable } from "../params.js";
import type { Rng } from "../rng.js";
import { Linear } from "./linear.js";
import { MASKED_LOGIT } from "./ops.js";

const LOG_2PI = Math.log(2 * Math.PI);

/** Per-dimension affine map from [−1, 1] to [low, high]. */
export interface ActionBounds {
  scale: Float32Array;
  offset: Float32Array;
}

/** Validated bounds for `dim` action dimensions: scale = (high − low)/2, offset = (high + low)/2. */
export function actionBounds(low: ArrayLike<number>, high: ArrayLike<number>, dim: number): ActionBounds {
  if (low.length !== dim || high.length !== dim) {
    throw new QscapeError(`action bounds: low/high have ${low.length}/${high.length} entries, expected ${dim}`);
  }
  const scale = new Float32Array(dim);
  const offset = new Float32Array(dim);
  for (let i = 0; i < dim; i++) {
    const lo = low[i] as number;
    const hi = high[i] as number;
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) {
      throw new QscapeError(`action bounds: dimension ${i} has low ${lo}, high ${hi}; need finite low < high`);
    }
    scale[i] = (hi - lo) / 2;
    offset[i] = (hi + lo) / 2;
  }
  return { scale, offset };
}

function rescale(x: tf.Tensor2D, bounds: ActionBounds | null): tf.Tensor2D {
  return bounds ? tf.add(tf.mul(x, bounds.scale), bounds.offset) : x;
}

function standardNormal(rng: Rng, shape: [number, number]): tf.Tensor2D {
  return tf.tensor2d(rng.fillNormal(new Float32Array(shape[0] * shape[1])) as Float32Array, shape);
}

function toIndexTensor(indices: tf.Tensor | Int32Array, shape: number[]): tf.Tensor {
  return indices instanceof Int32Array ? tf.tensor(indices, shape, "int32") : tf.cast(indices, "int32");
}

/** Draw one index per row of `logits` (row-major [rows, n]) by inverse CDF in float64. */
function sampleRows(logits: Float32Array, rows: number, n: number, rng: Rng, what: string): Int32Array {
  const out = new Int32Array(rows);
  const weights = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < n; j++) max = Math.max(max, logits[r * n + j] as number);
    if (!(max > MASKED_LOGIT / 2)) throw new QscapeError(`${what}: row ${r} has no available choice (all masked)`);
    let total = 0;
    let lastPositive = 0;
    for (let j = 0; j < n; j++) {
      const w = Math.exp((logits[r * n + j] as number) - max);
      weights[j] = w;
      total += w;
      if (w > 0) lastPositive = j;
    }
    let u = rng.random() * total;
    let pick = lastPositive; // reached only through rounding at the top of the CDF
    for (let j = 0; j < n; j++) {
      u -= weights[j] as number;
      if (u < 0) {
        pick = j;
        break;
      }
    }
    out[r] = pick;
  }
  return out;
}

function argmaxRows(values: Float32Array, rows: number, n: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let j = 1; j < n; j++) if ((values[r * n + j] as number) > (values[r * n + best] as number)) best = j;
    out[r] = best;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Deterministic tanh

/** `tanh(Linear(x))`, mapped to [low, high] when bounds are given. */
export class TanhHead implements Parameterized {
  readonly linear: Linear;
  readonly bounds: ActionBounds | null;
  constructor(
    rng: Rng,
    readonly inFeatures: number,
    readonly actionDim: number,
    opts: { low?: ArrayLike<number>; high?: ArrayLike<number>; outputScale?: number; name?: string } = {},
  ) {
    this.linear = new Linear(rng, inFeatures, actionDim, {
      name: opts.name ?? "tanhhead",
      ...(opts.outputScale !== undefined ? { scale: opts.outputScale } : {}),
    });
    this.bounds = opts.low && opts.high ? actionBounds(opts.low, opts.high, actionDim) : null;
  }
  apply(features: tf.Tensor2D): tf.Tensor2D {
    return rescale(tf.tanh(this.linear.apply(features)), this.bounds);
  }
  parameters(): tf.Variable[] {
    return this.linear.parameters();
  }
}

// ---------------------------------------------------------------------------------------------
// Tanh-squashed Gaussian (SAC)

/**
 * log|d tanh(u)/du| summed over dimensions, [B]. Uses log(1 − tanh²u) = 2(log 2 − u − softplus(−2u)),
 * which stays finite where 1 − tanh²u rounds to 0 in float32 (|u| ≳ 9).
 */
export function tanhLogDetJacobian(preTanh: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(tf.mul(tf.sub(tf.sub(Math.log(2), preTanh), tf.softplus(tf.mul(preTanh, -2))), 2), 1);
}

/** a = tanh(u)·scale + offset with u ~ N(mean, exp(logStd)²). */
export class SquashedGaussian {
  constructor(
    readonly mean: tf.Tensor2D,
    readonly logStd: tf.Tensor2D,
    readonly bounds: ActionBounds | null = null,
  ) {}

  /** log π(a) for the action a = squash(u), given the pre-tanh value u: [B]. */
  logProbOfPreTanh(preTanh: tf.Tensor2D): tf.Tensor1D {
    const z = tf.div(tf.sub(preTanh, this.mean), tf.exp(this.logStd));
    const gaussian = tf.sum(tf.sub(tf.mul(tf.square(z), -0.5), tf.add(this.logStd, 0.5 * LOG_2PI)), 1);
    let logProb: tf.Tensor1D = tf.sub(gaussian, tanhLogDetJacobian(preTanh));
    if (this.bounds) {
      let logScale = 0;
      for (const s of this.bounds.scale) logScale += Math.log(s);
      logProb = tf.sub(logProb, logScale) as tf.Tensor1D;
    }
    return logProb;
  }

  /** Reparameterised sample: gradients flow to mean and logStd through the action and its log-prob. */
  rsample(rng: Rng): { action: tf.Tensor2D; preTanh: tf.Tensor2D; logProb: tf.Tensor1D } {
    const noise = standardNormal(rng, this.mean.shape);
    const preTanh = tf.add(this.mean, tf.mul(tf.exp(this.logStd), noise)) as tf.Tensor2D;
    return { action: rescale(tf.tanh(preTanh), this.bounds), preTanh, logProb: this.logProbOfPreTanh(preTanh) };
  }

  /** The deterministic action tanh(mean), for evaluation. */
  mode(): tf.Tensor2D {
    return rescale(tf.tanh(this.mean), this.bounds);
  }
}

export interface SquashedGaussianHeadOptions {
  /** log σ is squashed smoothly into [logStdMin, logStdMax] (defaults −5, 2, as in CleanRL's SAC). */
  logStdMin?: number;
  logStdMax?: number;
  low?: ArrayLike<number>;
  high?: ArrayLike<number>;
  name?: string;
}

/** Linear(features → [mean, raw log σ]); log σ = min + (max − min)(tanh(raw) + 1)/2. */
export class SquashedGaussianHead implements Parameterized {
  readonly linear: Linear;
  readonly logStdMin: number;
  readonly logStdMax: number;
  readonly bounds: ActionBounds | null;
  constructor(
    rng: Rng,
    readonly inFeatures: number,
    readonly actionDim: number,
    opts: SquashedGaussianHeadOptions = {},
  ) {
    this.logStdMin = opts.logStdMin ?? -5;
    this.logStdMax = opts.logStdMax ?? 2;
    if (!(this.logStdMax > this.logStdMin)) {
      throw new QscapeError(
        `SquashedGaussianHead: logStdMin (${this.logStdMin}) must be below logStdMax (${this.logStdMax})`,
      );
    }
    this.linear = new Linear(rng, inFeatures, 2 * actionDim, { name: opts.name ?? "sachead" });
    this.bounds = opts.low && opts.high ? actionBounds(opts.low, opts.high, actionDim) : null;
  }
  apply(features: tf.Tensor2D): SquashedGaussian {
    const [mean, raw] = tf.split(this.linear.apply(features), 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const half = (this.logStdMax - this.logStdMin) / 2;
    const logStd = tf.add(tf.mul(tf.add(tf.tanh(raw), 1), half), this.logStdMin) as tf.Tensor2D;
    return new SquashedGaussian(mean, logStd, this.bounds);
  }
  parameters(): tf.Variable[] {
    return this.linear.parameters();
  }
}

// ---------------------------------------------------------------------------------------------
// Diagonal Gaussian (Smoothie)

/**
 * N(mean, diag(exp(logVariance))). logVariance is [d] (state independent) or [B, d]. Smoothie's
 * φ is this log-variance: Σ = diag(e^φ) (smoothie.md §2).
 */
export class DiagGaussian {
  constructor(
    readonly mean: tf.Tensor2D,
    readonly logVariance: tf.Tensor1D | tf.Tensor2D,
  ) {
    if (logVariance.shape[logVariance.rank - 1] !== mean.shape[1]) {
      throw new QscapeError(`DiagGaussian: logVariance has shape [${logVariance.shape}] for mean [${mean.shape}]`);
    }
  }
  std(): tf.Tensor {
    return tf.exp(tf.mul(this.logVariance, 0.5));
  }
  /** Reparameterised sample mean + σ·ε, ε ~ N(0, I) from `rng`: [B, d]. */
  sample(rng: Rng): tf.Tensor2D {
    return tf.add(this.mean, tf.mul(this.std(), standardNormal(rng, this.mean.shape))) as tf.Tensor2D;
  }
  /** log N(x | mean, Σ): [B]. */
  logProb(x: tf.Tensor2D): tf.Tensor1D {
    const sq = tf.div(tf.square(tf.sub(x, this.mean)), tf.exp(this.logVariance));
    return tf.mul(tf.sum(tf.add(tf.add(sq, this.logVariance), LOG_2PI), 1), -0.5);
  }
  /** ½ Σ_i (φ_i + log 2πe): [B]. */
  entropy(): tf.Tensor1D {
    const perDim = tf.add(tf.zerosLike(this.mean), tf.mul(tf.add(this.logVariance, 1 + LOG_2PI), 0.5));
    return tf.sum(perDim, 1);
  }
  /** KL(this ‖ other) = ½ Σ_i [e^{φ−φ'} + (μ' − μ)² e^{−φ'} − 1 + φ' − φ]: [B]. */
  kl(other: DiagGaussian): tf.Tensor1D {
    const varianceRatio = tf.exp(tf.sub(this.logVariance, other.logVariance));
    const meanTerm = tf.mul(tf.square(tf.sub(other.mean, this.mean)), tf.exp(tf.neg(other.logVariance)));
    const perDim = tf.add(tf.add(varianceRatio, meanTerm), tf.sub(tf.sub(other.logVariance, this.logVariance), 1));
    return tf.mul(tf.sum(perDim, 1), 0.5);
  }
}

/** Linear mean plus a learnable, state-independent log-variance per action dimension. */
export class DiagGaussianHead implements Parameterized {
  readonly linear: Linear;
  readonly logVariance: tf.Variable;
  constructor(
    rng: Rng,
    readonly inFeatures: number,
    readonly actionDim: number,
    opts: { initStd?: number; name?: string } = {},
  ) {
    const name = opts.name ?? "gaussianhead";
    const initStd = opts.initStd ?? 1;
    if (!(initStd > 0) || !Number.isFinite(initStd)) {
      throw new QscapeError(`DiagGaussianHead: initStd must be a positive number, got ${initStd}`);
    }
    this.linear = new Linear(rng, inFeatures, actionDim, { name: `${name}.mean` });
    this.logVariance = variable(new Float32Array(actionDim).fill(2 * Math.log(initStd)), [actionDim], `${name}.logvar`);
  }
  apply(features: tf.Tensor2D): DiagGaussian {
    return new DiagGaussian(this.linear.apply(features), this.logVariance as tf.Tensor1D);
  }
  parameters(): tf.Variable[] {
    return [...this.linear.parameters(), this.logVariance];
  }
}

// ---------------------------------------------------------------------------------------------
// Categorical

/** Replace the logits of unavailable entries (mask 0) by MASKED_LOGIT. */
export function maskLogits<T extends tf.Tensor>(logits: T, available: tf.Tensor): T {
  if (logits.shape.join(",") !== available.shape.join(",")) {
    throw new QscapeError(`maskLogits: mask has shape [${available.shape}] but logits are [${logits.shape}]`);
  }
  const m = tf.cast(available, "float32");
  return tf.add(tf.mul(logits, m), tf.mul(tf.sub(1, m), MASKED_LOGIT)) as T;
}

/** Categorical over the last axis of logits [B, n]. */
export class Categorical {
  readonly logits: tf.Tensor2D;
  constructor(logits: tf.Tensor2D, available?: tf.Tensor2D) {
    this.logits = available ? maskLogits(logits, available) : logits;
  }
  get size(): number {
    return this.logits.shape[1];
  }
  logProbs(): tf.Tensor2D {
    return tf.logSoftmax(this.logits);
  }
  probs(): tf.Tensor2D {
    return tf.softmax(this.logits);
  }
  /** log π(action) per row: [B]. */
  logProb(actions: tf.Tensor1D | Int32Array): tf.Tensor1D {
    const oneHot = tf.oneHot(toIndexTensor(actions, [this.logits.shape[0]]) as tf.Tensor1D, this.size);
    return tf.sum(tf.mul(oneHot, this.logProbs()), 1);
  }
  /** −Σ p log p per row: [B]; masked entries contribute exactly 0. */
  entropy(): tf.Tensor1D {
    return tf.neg(tf.sum(tf.mul(this.probs(), this.logProbs()), 1));
  }
  /** One draw per row; never an unavailable entry. Throws if a row has none available. */
  sample(rng: Rng): Int32Array {
    const [rows, n] = this.logits.shape;
    return sampleRows(this.logits.dataSync() as Float32Array, rows, n, rng, "Categorical.sample");
  }
  argmax(): Int32Array {
    const [rows, n] = this.logits.shape;
    return argmaxRows(this.logits.dataSync() as Float32Array, rows, n);
  }
}

export class CategoricalHead implements Parameterized {
  readonly linear: Linear;
  constructor(
    rng: Rng,
    readonly inFeatures: number,
    readonly numActions: number,
    opts: { outputScale?: number; name?: string } = {},
  ) {
    this.linear = new Linear(rng, inFeatures, numActions, {
      name: opts.name ?? "cathead",
      ...(opts.outputScale !== undefined ? { scale: opts.outputScale } : {}),
    });
  }
  /** `available` [B, numActions]: 1 = may be chosen. */
  apply(features: tf.Tensor2D, available?: tf.Tensor2D): Categorical {
    return new Categorical(this.linear.apply(features), available);
  }
  parameters(): tf.Variable[] {
    return this.linear.parameters();
  }
}

// ---------------------------------------------------------------------------------------------
// Factored categorical (QMLE)

/** Independent categoricals per action dimension: logits [B, dims, bins]. */
export class FactoredCategorical {
  constructor(readonly logits: tf.Tensor3D) {}
  get dims(): number {
    return this.logits.shape[1];
  }
  get bins(): number {
    return this.logits.shape[2];
  }
  logProbsAll(): tf.Tensor3D {
    return tf.logSoftmax(this.logits);
  }
  /** log p_d(bin_d) for given bins [B, dims] (row-major Int32Array or int tensor): [B, dims]. */
  logProbs(bins: tf.Tensor2D | Int32Array): tf.Tensor2D {
    const [b, d, k] = this.logits.shape;
    const flat = tf.reshape(toIndexTensor(bins, [b, d]), [b * d]) as tf.Tensor1D;
    const oneHot = tf.reshape(tf.oneHot(flat, k), [b, d, k]);
    return tf.sum(tf.mul(oneHot, this.logProbsAll()), 2);
  }
  /** Σ_d log p_d(bin_d): [B]. */
  logLikelihood(bins: tf.Tensor2D | Int32Array): tf.Tensor1D {
    return tf.sum(this.logProbs(bins), 1);
  }
  /** QMLE's predictor loss: cross-entropy averaged over batch and dimensions (scalar). */
  crossEntropy(bins: tf.Tensor2D | Int32Array): tf.Scalar {
    return tf.neg(tf.mean(this.logProbs(bins)));
  }
  /** Σ_d entropy of dimension d: [B]. */
  entropy(): tf.Tensor1D {
    return tf.neg(tf.sum(tf.mul(tf.softmax(this.logits), this.logProbsAll()), [1, 2]));
  }
  /** One bin per (row, dimension), row-major [B·dims]. */
  sample(rng: Rng): Int32Array {
    const [b, d, k] = this.logits.shape;
    return sampleRows(this.logits.dataSync() as Float32Array, b * d, k, rng, "FactoredCategorical.sample");
  }
  argmax(): Int32Array {
    const [b, d, k] = this.logits.shape;
    return argmaxRows(this.logits.dataSync() as Float32Array, b * d, k);
  }
}

/** Linear(features → dims·bins), one softmax per dimension (≡ QMLE's per-dimension Linear(h → 3)). */
export class FactoredCategoricalHead implements Parameterized {
  readonly linear: Linear;
  constructor(
    rng: Rng,
    readonly inFeatures: number,
    readonly dims: number,
    readonly bins: number,
    opts: { name?: string } = {},
  ) {
    if (!Number.isInteger(bins) || bins < 2)
      throw new QscapeError(`FactoredCategoricalHead: bins must be ≥ 2, got ${bins}`);
    this.linear = new Linear(rng, inFeatures, dims * bins, { name: opts.name ?? "factoredhead" });
  }
  apply(features: tf.Tensor2D): FactoredCategorical {
    return new FactoredCategorical(tf.reshape(this.linear.apply(features), [-1, this.dims, this.bins]));
  }
  parameters(): tf.Variable[] {
    return this.linear.parameters();
  }
}

/** Bin k of K per dimension → low + k·(high − low)/(K − 1); bins row-major [B·dims]. */
export function binsToActions(
  bins: Int32Array,
  low: ArrayLike<number>,
  high: ArrayLike<number>,
  binsPerDim: number,
): Float32Array {
  const d = low.length;
  const out = new Float32Array(bins.length);
  for (let i = 0; i < bins.length; i++) {
    const j = i % d;
    const lo = low[j] as number;
    out[i] = lo + ((bins[i] as number) * ((high[j] as number) - lo)) / (binsPerDim - 1);
  }
  return out;
}

/** Nearest bin per dimension, round((a − low)/(high − low)·(K − 1)) clamped to [0, K−1] (QMLE code). */
export function actionsToBins(
  actions: Float32Array,
  low: ArrayLike<number>,
  high: ArrayLike<number>,
  binsPerDim: number,
): Int32Array {
  const d = low.length;
  const out = new Int32Array(actions.length);
  for (let i = 0; i < actions.length; i++) {
    const j = i % d;
    const lo = low[j] as number;
    const k = Math.round((((actions[i] as number) - lo) / ((high[j] as number) - lo)) * (binsPerDim - 1));
    out[i] = Math.min(binsPerDim - 1, Math.max(0, k));
  }
  return out;
}
