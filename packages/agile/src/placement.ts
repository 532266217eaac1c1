/**
 * CREATE's hybrid action: a discrete tool from the episode's action set plus a continuous
 * placement (x, y) (new-actions thesis Ch. 2 §2.4 "auxiliary network f_χ", App. A D.3; AGILE
 * thesis Ch. 3 §3.5.2, where the placement policy reads the effective state s′ = (s, c̄^R)).
 *
 *   z = f_ω(s)               (Utility-Policy, Mask baselines)   or   concat(f_ω(s), c̄^R)   (AGILE, summary variants)
 *   α = 1 + softplus(fc_α(z)),  β = 1 + softplus(fc_β(z))          one (α, β) per position dimension
 *   u_j ~ Beta(α_j, β_j) on [0, 1],  position_j = low_j + (high_j − low_j) u_j     (Chou et al. 2017)
 *
 * α, β > 1 keeps every Beta unimodal (App. A D.3). By default f_χ does not see the chosen tool
 * (§2.4; App. A C.4 finds "minimal differences" when it does). The Beta itself lives here, not in
 * core: it needs lgamma and digamma on tensors, which tfjs lacks, and only this head uses it.
 */
import { Linear, type Parameterized, QscapeError, type Rng, tf } from "@qscape/core";
import { HybridActionSpaceError } from "./errors.js";

/**
 * Samples are kept inside [ε, 1 − ε]: float32 rounds draws near the edges to exactly 0 or 1,
 * where log u or log(1 − u) is −∞. The rollout keeps the clamped value, so acting and updating
 * score the same number.
 */
export const BETA_EDGE = 1e-6;

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
/** Recurrence shift: the asymptotic series below are used at x + 6 ≥ 6, truncation error below 1e-8 there (float32 rounding dominates). */
const SHIFT = 6;

/**
 * log Γ(x) on tensors, for x > 0: log Γ(x) = log Γ(x + 6) − Σ_{k<6} log(x + k), and Stirling's
 * series at x + 6. Built from differentiable ops, so its gradient is ψ (to the same accuracy).
 */
export function lgamma(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    let shiftLog = tf.log(x);
    for (let k = 1; k < SHIFT; k++) shiftLog = tf.add(shiftLog, tf.log(tf.add(x, k)));
    const z = tf.add(x, SHIFT);
    const inv = tf.reciprocal(z);
    const inv2 = tf.square(inv);
    // 1/(12z) − 1/(360z³) + 1/(1260z⁵)
    const series = tf.mul(inv, tf.add(1 / 12, tf.mul(inv2, tf.add(-1 / 360, tf.mul(inv2, 1 / 1260)))));
    const stirling = tf.add(tf.sub(tf.mul(tf.sub(z, 0.5), tf.log(z)), z), tf.add(series, HALF_LOG_2PI));
    return tf.sub(stirling, shiftLog);
  });
}

/** ψ(x) = d log Γ(x)/dx on tensors, for x > 0: ψ(x) = ψ(x + 6) − Σ_{k<6} 1/(x + k), asymptotic series at x + 6. */
export function digamma(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    let shift = tf.reciprocal(x);
    for (let k = 1; k < SHIFT; k++) shift = tf.add(shift, tf.reciprocal(tf.add(x, k)));
    const z = tf.add(x, SHIFT);
    const inv = tf.reciprocal(z);
    const inv2 = tf.square(inv);
    // ln z − 1/(2z) − 1/(12z²) + 1/(120z⁴) − 1/(252z⁶)
    const series = tf.mul(inv2, tf.add(-1 / 12, tf.mul(inv2, tf.add(1 / 120, tf.mul(inv2, -1 / 252)))));
    return tf.sub(tf.add(tf.sub(tf.log(z), tf.mul(inv, 0.5)), series), shift);
  });
}

/** log B(α, β) = log Γ(α) + log Γ(β) − log Γ(α + β). */
function logBetaFunction(alpha: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  return tf.sub(tf.add(lgamma(alpha), lgamma(beta)), lgamma(tf.add(alpha, beta)));
}

/** Independent Beta(α_j, β_j) per dimension, parameters [B, d]; values on [0, 1]. */
export class BetaDistribution {
  constructor(
    readonly alpha: tf.Tensor2D,
    readonly beta: tf.Tensor2D,
  ) {}

  /** Σ_j log Beta(u_j | α_j, β_j) = Σ_j (α_j − 1) log u_j + (β_j − 1) log(1 − u_j) − log B(α_j, β_j): [B]. */
  logProb(u: tf.Tensor2D): tf.Tensor1D {
    const density = tf.add(
      tf.mul(tf.sub(this.alpha, 1), tf.log(u)),
      tf.mul(tf.sub(this.beta, 1), tf.log(tf.sub(1, u))),
    );
    return tf.sum(tf.sub(density, logBetaFunction(this.alpha, this.beta)), 1);
  }

  /** Σ_j H[Beta(α_j, β_j)], H = log B(α, β) − (α − 1)ψ(α) − (β − 1)ψ(β) + (α + β − 2)ψ(α + β): [B]. */
  entropy(): tf.Tensor1D {
    const a = this.alpha;
    const b = this.beta;
    const h = tf.add(
      tf.sub(tf.sub(logBetaFunction(a, b), tf.mul(tf.sub(a, 1), digamma(a))), tf.mul(tf.sub(b, 1), digamma(b))),
      tf.mul(tf.sub(tf.add(a, b), 2), digamma(tf.add(a, b))),
    );
    return tf.sum(h, 1);
  }
}

/** Gamma(shape, 1) for shape ≥ 1 (Marsaglia & Tsang 2000), from `rng`'s uniforms and normals. */
export function sampleGamma(shape: number, rng: Rng): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.normal();
    const t = 1 + c * x;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = rng.random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** One draw of Beta(α, β), α, β ≥ 1, as G_α / (G_α + G_β), clamped to [ε, 1 − ε] and rounded to float32. */
export function sampleBeta(alpha: number, beta: number, rng: Rng): number {
  const x = sampleGamma(alpha, rng);
  const y = sampleGamma(beta, rng);
  return clampUnit(x / (x + y));
}

/**
 * The deterministic placement: the mode (α − 1)/(α + β − 2) of a unimodal Beta (α, β > 1), else the
 * mean α/(α + β). 1 + softplus keeps both above 1, but float32 softplus underflows to 0 for very
 * negative inputs, which would leave the mode 0/0.
 */
export function betaMode(alpha: number, beta: number): number {
  return clampUnit(alpha > 1 && beta > 1 ? (alpha - 1) / (alpha + beta - 2) : alpha / (alpha + beta));
}

function clampUnit(u: number): number {
  return Math.fround(Math.min(1 - BETA_EDGE, Math.max(BETA_EDGE, u)));
}

/** The continuous part of a hybrid action space: a Box of `dim` finite values per step. */
export interface PositionSpace {
  dim: number;
  low: Float32Array;
  high: Float32Array;
}

interface SpaceLike {
  n?: unknown;
  shape?: readonly number[];
  low?: ArrayLike<number>;
  high?: ArrayLike<number>;
  spaces?: Record<string, SpaceLike>;
}

/**
 * The hybrid action space AGILE-PPO understands, CREATE's `Dict({ tool: <an inventory subset>,
 * position: Box(low, high, [d]) })` (§A6.3's "Dict(index, pos)"): its inventory size and its
 * position box. null for an action space that is not a Dict (a Discrete inventory, checked by the
 * caller). Any other Dict is refused by name with `HybridActionSpaceError`.
 */
export function hybridActionSpace(
  actionSpace: unknown,
  env: string,
): { numItems: number; position: PositionSpace } | null {
  const space = actionSpace as SpaceLike | null;
  const parts = space?.spaces;
  if (parts === undefined || parts === null || typeof parts !== "object") return null;
  const keys = Object.keys(parts).sort();
  const tool = parts.tool;
  const position = parts.position;
  const n = tool?.n;
  const shape = position?.shape;
  const dim = shape?.length === 1 ? (shape[0] as number) : 0;
  const low = Float32Array.from(position?.low ?? []);
  const high = Float32Array.from(position?.high ?? []);
  const bounded =
    dim > 0 &&
    low.length === dim &&
    high.length === dim &&
    low.every((lo, j) => Number.isFinite(lo) && Number.isFinite(high[j]) && (high[j] as number) > lo);
  if (keys.join(",") !== "position,tool" || typeof n !== "number" || !Number.isInteger(n) || !bounded) {
    throw new HybridActionSpaceError(
      `agile: ${env}'s action space is a Dict with keys {${keys.join(", ")}} that AGILE-PPO does not understand; it takes a Discrete inventory, or CREATE's hybrid Dict({ tool: a Discrete inventory subset, position: a Box of shape [d] with finite bounds }) (Ch. 2 §2.4, §3.5.2)`,
    );
  }
  return { numItems: n, position: { dim, low, high } };
}

/**
 * f_χ: two linear layers from the policy's state embedding to the Betas' α and β, one pair per
 * position dimension (App. A D.3: α = 1 + softplus(fc_α(·)), β = 1 + softplus(fc_β(·))).
 */
export class PlacementPolicy implements Parameterized {
  readonly alpha: Linear;
  readonly beta: Linear;
  constructor(
    rng: Rng,
    readonly inputSize: number,
    readonly dim: number,
    name = "actor.placement",
  ) {
    if (!Number.isInteger(dim) || dim < 1) throw new QscapeError(`PlacementPolicy: dim must be ≥ 1, got ${dim}`);
    this.alpha = new Linear(rng, inputSize, dim, { name: `${name}.alpha` });
    this.beta = new Linear(rng, inputSize, dim, { name: `${name}.beta` });
  }
  apply(features: tf.Tensor2D): BetaDistribution {
    return new BetaDistribution(
      tf.add(tf.softplus(this.alpha.apply(features)), 1) as tf.Tensor2D,
      tf.add(tf.softplus(this.beta.apply(features)), 1) as tf.Tensor2D,
    );
  }
  parameters(): tf.Variable[] {
    return [...this.alpha.parameters(), ...this.beta.parameters()];
  }
}
