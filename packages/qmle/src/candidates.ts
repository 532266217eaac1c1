/**
 * The candidate set of QMLE's sampling-based argmax (qmle.md §3.5, Eq. 21), in the normalised box
 * [−1, 1]^d, built in plain JS from the predictors' outputs:
 *
 *   A = {stored a^max (targets only)} ∪ U_box ∪ U_grid ∪ Cat ∪ Delta
 *
 * with per-source counts floor(ρ·m) as in the official code; any remainder from flooring goes to
 * the box share so the set always has exactly m sampled members.
 */
import { QscapeError, type Rng } from "@qscape/core";

export interface CandidateCounts {
  box: number;
  grid: number;
  categorical: number;
  delta: number;
  /** 1 when the stored a^max is prepended, else 0. */
  prior: number;
}

export interface CandidateRatios {
  uniformRatio: number;
  deltaRatio: number;
  categoricalRatio: number;
  uniformSampling: "boxAndGrid" | "box";
}

/** floor with a small tolerance, so 0.29·100 (= 28.999…) counts as 29. */
const floorCount = (x: number) => Math.floor(x + 1e-9);

export function candidateCounts(m: number, ratios: CandidateRatios, withPrior: boolean): CandidateCounts {
  if (!Number.isInteger(m) || m < 1) throw new QscapeError(`qmle: candidate count m must be ≥ 1, got ${m}`);
  const split = ratios.uniformSampling === "boxAndGrid";
  const grid = split ? floorCount((ratios.uniformRatio / 2) * m) : 0;
  const categorical = floorCount(ratios.categoricalRatio * m);
  const delta = floorCount(ratios.deltaRatio * m);
  const box = m - grid - categorical - delta;
  return { box, grid, categorical, delta, prior: withPrior ? 1 : 0 };
}

export function totalCandidates(c: CandidateCounts): number {
  return c.prior + c.box + c.grid + c.categorical + c.delta;
}

export interface CandidateInputs {
  batch: number;
  dim: number;
  bins: number;
  counts: CandidateCounts;
  /** Delta predictor output per state, [B·d] in [−1, 1]. */
  deltaMean: Float32Array;
  /** Factored categorical probabilities per state, [B·d·bins]. */
  categoricalProbs: Float32Array;
  /** Stored a^max per state, [B·d]; required when counts.prior is 1. */
  prior: Float32Array | null;
  /** σ of the Gaussian perturbation of delta candidates 2…n (the first is the exact prediction). */
  deltaNoiseStd: number;
}

/**
 * Candidates for every state, row-major [B, M, d] with M = totalCandidates(counts). The prior is
 * the first candidate of its state: argmax ties go to the first index, so a tie never replaces
 * the stored a^max.
 */
export function sampleCandidates(rng: Rng, x: CandidateInputs): Float32Array {
  const { batch, dim: d, bins, counts, deltaMean, categoricalProbs, prior, deltaNoiseStd } = x;
  if (counts.prior === 1 && (prior === null || prior.length !== batch * d)) {
    throw new QscapeError(`qmle: the stored a^max prior needs ${batch * d} values, got ${prior?.length ?? "none"}`);
  }
  const m = totalCandidates(counts);
  const out = new Float32Array(batch * m * d);
  const gridStep = 2 / (bins - 1);
  const cdf = new Float64Array(bins);
  for (let b = 0; b < batch; b++) {
    let at = b * m * d;
    if (counts.prior === 1) {
      for (let j = 0; j < d; j++) out[at + j] = (prior as Float32Array)[b * d + j] as number;
      at += d;
    }
    for (let i = 0; i < counts.box * d; i++) out[at++] = rng.uniform(-1, 1);
    for (let i = 0; i < counts.grid * d; i++) out[at++] = -1 + rng.int(0, bins) * gridStep;
    for (let i = 0; i < counts.categorical; i++) {
      for (let j = 0; j < d; j++) {
        const base = (b * d + j) * bins;
        let total = 0;
        for (let k = 0; k < bins; k++) {
          total += categoricalProbs[base + k] as number;
          cdf[k] = total;
        }
        const u = rng.random() * total;
        let pick = bins - 1;
        for (let k = 0; k < bins; k++) {
          if (u < (cdf[k] as number)) {
            pick = k;
            break;
          }
        }
        out[at++] = -1 + pick * gridStep;
      }
    }
    for (let i = 0; i < counts.delta; i++) {
      for (let j = 0; j < d; j++) {
        const mean = deltaMean[b * d + j] as number;
        const v = i === 0 ? mean : mean + rng.normal(0, deltaNoiseStd);
        out[at++] = Math.min(1, Math.max(-1, v));
      }
    }
  }
  return out;
}

export interface BestCandidates {
  /** The winning candidate per state, [B·d]. */
  actions: Float32Array;
  /** Its Q value, [B]. */
  values: Float32Array;
  /** Its index within the state's candidates, [B]. */
  indices: Int32Array;
}

/** Argmax per state over q [B·M] (ties to the first index), and the winning candidates. */
export function bestCandidates(q: Float32Array, candidates: Float32Array, batch: number, dim: number): BestCandidates {
  const m = q.length / batch;
  if (!Number.isInteger(m) || candidates.length !== q.length * dim) {
    throw new QscapeError(`qmle: ${q.length} Q values and ${candidates.length} candidate values for ${batch} states`);
  }
  const actions = new Float32Array(batch * dim);
  const values = new Float32Array(batch);
  const indices = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    let best = 0;
    for (let i = 1; i < m; i++) if ((q[b * m + i] as number) > (q[b * m + best] as number)) best = i;
    indices[b] = best;
    values[b] = q[b * m + best] as number;
    actions.set(candidates.subarray((b * m + best) * dim, (b * m + best + 1) * dim), b * dim);
  }
  return { actions, values, indices };
}
