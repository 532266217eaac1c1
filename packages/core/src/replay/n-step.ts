/**
 * n-step returns from a stream of 1-step transitions. Each emitted transition starts at s_t and
 * covers k ≤ n steps: reward = Σ_{i<k} γ^i r_{t+i+1}, nextObs = s_{t+k}, discount = γ^k, so the
 * learner's target is reward + discount · (1 − terminated) · V(nextObs).
 * Windows are cut short (k < n) only at an episode end: after a termination they carry
 * terminated = true (no bootstrap); after a truncation they bootstrap from the pre-reset final
 * observation with γ^k, as Gymnasium's terminated/truncated split intends.
 */
import type { Transition } from "../agent.js";
import { QscapeError } from "../errors.js";

export interface NStepOptions {
  n: number;
  gamma: number;
}

export interface NStepTransition<Obs = Float32Array, Act = Float32Array | number> {
  obs: Obs;
  action: Act;
  /** Discounted reward sum over the window. */
  reward: number;
  /** Observation to bootstrap from: s_{t+k}. */
  nextObs: Obs;
  /** The episode terminated inside the window: do not bootstrap. */
  terminated: boolean;
  /** The episode was cut (time limit or `flush`) inside the window: bootstrap from nextObs. */
  truncated: boolean;
  /** γ^k for the bootstrap term. */
  discount: number;
  /** Window length k (1 … n). */
  steps: number;
}

export class NStepAccumulator<Obs = Float32Array, Act = Float32Array | number> {
  readonly n: number;
  readonly gamma: number;
  /** Transitions whose n-step window is not complete yet (references, not copies). */
  private pending: Transition<Obs, Act>[] = [];

  constructor(opts: NStepOptions) {
    if (!Number.isInteger(opts?.n) || opts.n < 1) {
      throw new QscapeError(`NStepAccumulator: n must be an integer ≥ 1, got ${opts?.n}`);
    }
    if (!Number.isFinite(opts.gamma) || opts.gamma < 0 || opts.gamma > 1) {
      throw new QscapeError(`NStepAccumulator: gamma must be in [0, 1], got ${opts.gamma}`);
    }
    this.n = opts.n;
    this.gamma = opts.gamma;
  }

  /** Transitions waiting for their window to complete. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Adds the next transition of the current episode; returns the n-step transitions it completes:
   * one once n are pending, or every pending one when this transition ends the episode.
   */
  push(t: Transition<Obs, Act>): NStepTransition<Obs, Act>[] {
    if (!Number.isFinite(t.reward)) throw new QscapeError(`NStepAccumulator.push: reward is ${t.reward}`);
    this.pending.push(t);
    if (t.terminated || t.truncated) return this.drain(t.terminated, t.truncated);
    if (this.pending.length < this.n) return [];
    const out = this.window(0, false, false);
    this.pending.shift();
    return [out];
  }

  /**
   * Ends the current episode where it stands (e.g. the loop stops or resets mid-episode): every
   * pending transition is emitted as truncated, bootstrapping from the last observation seen.
   */
  flush(): NStepTransition<Obs, Act>[] {
    return this.drain(false, true);
  }

  /** Drops pending transitions without emitting them. */
  clear(): void {
    this.pending = [];
  }

  private drain(terminated: boolean, truncated: boolean): NStepTransition<Obs, Act>[] {
    const out: NStepTransition<Obs, Act>[] = [];
    for (let start = 0; start < this.pending.length; start++) out.push(this.window(start, terminated, truncated));
    this.pending = [];
    return out;
  }

  /** The window from pending[start] to the newest pending transition. */
  private window(start: number, terminated: boolean, truncated: boolean): NStepTransition<Obs, Act> {
    const first = this.pending[start] as Transition<Obs, Act>;
    const last = this.pending[this.pending.length - 1] as Transition<Obs, Act>;
    let reward = 0;
    let discount = 1;
    for (let i = start; i < this.pending.length; i++) {
      reward += discount * (this.pending[i] as Transition<Obs, Act>).reward;
      discount *= this.gamma;
    }
    return {
      obs: first.obs,
      action: first.action,
      reward,
      nextObs: last.nextObs,
      terminated,
      truncated,
      discount,
      steps: this.pending.length - start,
    };
  }
}
