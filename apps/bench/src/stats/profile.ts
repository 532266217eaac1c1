import { QscapeError } from "@qscape/core";
import { type BootstrapOptions, PROFILE_REPS, stratifiedBootstrapCIs } from "./bootstrap.js";
import { type ScoreMatrix, type ScoresInput, taskMeans, toScoreMatrix } from "./matrix.js";

/** n evenly spaced values from start to stop inclusive (numpy.linspace); use it to build a logged τ grid. */
export function linspace(start: number, stop: number, n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new QscapeError(`linspace: n must be a positive integer, got ${n}`);
  if (n === 1) return [start];
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? stop : start + ((stop - start) * i) / (n - 1)));
}

/** Number of sorted values strictly greater than tau (binary search). */
function countAbove(sorted: Float64Array, tau: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) > tau) hi = mid;
    else lo = mid + 1;
  }
  return sorted.length - lo;
}

function fractionAbove(values: Float64Array, taus: readonly number[]): Float64Array {
  const sorted = values.sort();
  const out = new Float64Array(taus.length);
  for (let i = 0; i < taus.length; i++) out[i] = countAbove(sorted, taus[i] as number) / sorted.length;
  return out;
}

/** Run-score distribution: fraction of all runs × tasks scores strictly above each τ (rliable's default). */
export function scoreDistribution(scores: ScoresInput, taus: readonly number[]): Float64Array {
  return fractionAbove(toScoreMatrix(scores).data.slice(), taus);
}

/** Average-score distribution: fraction of tasks whose mean over runs is strictly above each τ. */
export function averageScoreDistribution(scores: ScoresInput, taus: readonly number[]): Float64Array {
  return fractionAbove(taskMeans(toScoreMatrix(scores)), taus);
}

export interface PerformanceProfile {
  tau: number[];
  profile: number[];
  lo: number[];
  hi: number[];
}

export interface ProfileOptions extends BootstrapOptions {
  /** false: average-score distribution instead of the run-score distribution. */
  useScoreDistribution?: boolean;
}

function checkTaus(taus: readonly number[]): void {
  if (taus.length === 0) throw new QscapeError("performanceProfile: the τ grid is empty");
  for (let i = 0; i < taus.length; i++) {
    if (!Number.isFinite(taus[i])) throw new QscapeError(`performanceProfile: τ[${i}] is ${taus[i]}`);
    if (i > 0 && (taus[i] as number) <= (taus[i - 1] as number)) {
      throw new QscapeError(`performanceProfile: the τ grid must increase (τ[${i}] = ${taus[i]})`);
    }
  }
}

/**
 * Performance profiles with stratified-bootstrap bands for every algorithm (rliable
 * `create_performance_profile`; reps default 2,000). Algorithms are bootstrapped in key order from
 * the one generator, so a seed reproduces the whole figure.
 */
export function performanceProfile(
  scoresByAlgo: Readonly<Record<string, ScoresInput>>,
  taus: readonly number[],
  options: ProfileOptions,
): Record<string, PerformanceProfile> {
  checkTaus(taus);
  // The bootstrap hands over a scratch matrix, so the run-score statistic may sort it in place.
  const statistic =
    options.useScoreDistribution === false
      ? (m: ScoreMatrix) => fractionAbove(taskMeans(m), taus)
      : (m: ScoreMatrix) => fractionAbove(m.data, taus);
  const out: Record<string, PerformanceProfile> = {};
  for (const [algo, scores] of Object.entries(scoresByAlgo)) {
    const intervals = stratifiedBootstrapCIs(toScoreMatrix(scores, algo), statistic, {
      ...options,
      reps: options.reps ?? PROFILE_REPS,
    });
    out[algo] = {
      tau: [...taus],
      profile: intervals.map((i) => i.point),
      lo: intervals.map((i) => i.lo),
      hi: intervals.map((i) => i.hi),
    };
  }
  return out;
}
