/**
 * Proportional prioritized experience replay (Schaul et al. 2016), as QMLE uses it:
 * P(i) = p_i^α / Σ_k p_k^α, importance weight w_i = (N·P(i))^−β / max_j w_j, with p = |δ| + ε.
 * New transitions enter at the running maximum priority so each is replayed at least about once.
 * Samples are i.i.d. with replacement (one prefix-sum search per row).
 */
import type { Snapshot } from "../agent.js";
import { QscapeError } from "../errors.js";
import type { Schedule } from "../noise.js";
import type { Rng } from "../rng.js";
import {
  type FieldValue,
  ReplayBuffer,
  type ReplayBufferOptions,
  type ReplaySample,
  type ReplayState,
} from "./replay-buffer.js";
import { MinTree, SumTree } from "./sum-tree.js";

export interface PrioritizedReplayOptions extends ReplayBufferOptions {
  /** Priority exponent α (0 = uniform). Default 0.6. */
  alpha?: number;
  /** Importance-sampling exponent β, constant or a schedule over `step`. Default 0.4. */
  beta?: number | Schedule;
  /** Added to every priority so no transition gets probability 0. Default 1e-6. */
  eps?: number;
}

export interface PrioritizedSample extends ReplaySample {
  /** Importance weights normalised so the largest possible weight is 1. */
  weights: Float32Array;
}

export type PrioritizedReplayState = ReplayState & {
  alpha: number;
  maxPriority: number;
  /** p_i^α for slots 0 … size−1. */
  leaves: Float64Array;
};

export class PrioritizedReplayBuffer extends ReplayBuffer {
  readonly alpha: number;
  readonly eps: number;
  private readonly beta: number | Schedule;
  private readonly sums: SumTree;
  private readonly mins: MinTree;
  /** Largest p = |δ| + ε seen so far (before the α power); new transitions get it. */
  private maxPriority = 1;

  constructor(opts: PrioritizedReplayOptions) {
    super(opts, "PrioritizedReplayBuffer");
    const { alpha = 0.6, beta = 0.4, eps = 1e-6 } = opts;
    if (!Number.isFinite(alpha) || alpha < 0) {
      throw new QscapeError(`PrioritizedReplayBuffer: alpha must be a finite number ≥ 0, got ${alpha}`);
    }
    if (typeof beta === "number") checkBeta(beta);
    else if (typeof beta !== "function") {
      throw new QscapeError("PrioritizedReplayBuffer: beta must be a number in [0, 1] or a schedule (step) => β");
    }
    if (!Number.isFinite(eps) || eps < 0) {
      throw new QscapeError(`PrioritizedReplayBuffer: eps must be a finite number ≥ 0, got ${eps}`);
    }
    this.alpha = alpha;
    this.beta = beta;
    this.eps = eps;
    this.sums = new SumTree(this.capacity);
    this.mins = new MinTree(this.capacity);
  }

  override get byteLength(): number {
    return super.byteLength + this.sums.byteLength + this.mins.byteLength;
  }

  override add(record: Record<string, FieldValue>): number {
    const slot = super.add(record);
    this.setLeaf(slot, this.maxPriority ** this.alpha);
    return slot;
  }

  override addBatch(batch: Record<string, ArrayLike<number>>): Int32Array {
    const slots = super.addBatch(batch);
    const leaf = this.maxPriority ** this.alpha;
    for (let i = 0; i < slots.length; i++) this.setLeaf(slots[i] as number, leaf);
    return slots;
  }

  /** β at `step` (the schedule's value, or the constant). */
  betaAt(step?: number): number {
    if (typeof this.beta === "number") return this.beta;
    if (step === undefined || !Number.isFinite(step)) {
      throw new QscapeError("PrioritizedReplayBuffer.sample: beta is a schedule, so pass the training step");
    }
    const b = this.beta(step);
    checkBeta(b);
    return b;
  }

  override sample(batchSize: number, rng: Rng, step?: number): PrioritizedSample {
    this.checkBatchSize(batchSize);
    const beta = this.betaAt(step);
    const total = this.sums.total;
    const indices = new Int32Array(batchSize);
    for (let i = 0; i < batchSize; i++) indices[i] = this.sums.find(rng.random() * total);
    // w_i / max_j w_j = (N·P_i)^−β / (N·P_min)^−β = (p_i^α / p_min^α)^−β.
    const minLeaf = this.mins.min;
    const weights = new Float32Array(batchSize);
    for (let i = 0; i < batchSize; i++) weights[i] = (this.sums.get(indices[i] as number) / minLeaf) ** -beta;
    return { indices, data: this.gatherUnchecked(indices), weights };
  }

  /** Sets p = priority + ε for each index (priority is typically |TD error|, so ≥ 0). */
  updatePriorities(indices: ArrayLike<number>, priorities: ArrayLike<number>): void {
    if (indices.length !== priorities.length) {
      throw new QscapeError(
        `PrioritizedReplayBuffer.updatePriorities: ${indices.length} indices but ${priorities.length} priorities`,
      );
    }
    this.checkIndices(indices, "updatePriorities");
    for (let i = 0; i < priorities.length; i++) {
      const p = priorities[i] as number;
      if (!Number.isFinite(p) || p < 0) {
        throw new QscapeError(
          `PrioritizedReplayBuffer.updatePriorities: priority ${p} at position ${i} must be finite and ≥ 0 (pass |TD error|)`,
        );
      }
      if (p + this.eps <= 0) {
        throw new QscapeError(
          "PrioritizedReplayBuffer.updatePriorities: priority 0 with eps 0 would make a transition unsampleable",
        );
      }
    }
    for (let i = 0; i < indices.length; i++) {
      const p = (priorities[i] as number) + this.eps;
      if (p > this.maxPriority) this.maxPriority = p;
      this.setLeaf(indices[i] as number, p ** this.alpha);
    }
  }

  /** The sampling probability P(i) of a filled slot. */
  probability(index: number): number {
    return this.sums.get(index) / this.sums.total;
  }

  override getState(): PrioritizedReplayState {
    const leaves = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) leaves[i] = this.sums.get(i);
    return { ...super.getState(), alpha: this.alpha, maxPriority: this.maxPriority, leaves };
  }

  override setState(state: Snapshot): void {
    const s = state as Partial<PrioritizedReplayState> | null;
    const fail = (why: string): never => {
      throw new QscapeError(`PrioritizedReplayBuffer.setState: ${why}`);
    };
    if (s === null || typeof s !== "object" || !(s.leaves instanceof Float64Array)) fail("state has no priorities");
    const { alpha, maxPriority, leaves, size } = s as PrioritizedReplayState;
    if (alpha !== this.alpha) fail(`state was saved with alpha ${alpha}, this buffer uses ${this.alpha}`);
    if (leaves.length !== size) fail(`${leaves.length} priorities for ${size} transitions`);
    if (!leaves.every((p) => Number.isFinite(p) && p > 0)) fail("priorities must be finite and > 0");
    if (!Number.isFinite(maxPriority) || maxPriority <= 0) fail(`maxPriority ${maxPriority} must be > 0`);
    super.setState(state);
    this.maxPriority = maxPriority;
    const sumLeaves = new Float64Array(this.capacity);
    sumLeaves.set(leaves);
    this.sums.setAll(sumLeaves);
    const minLeaves = new Float64Array(this.capacity).fill(Number.POSITIVE_INFINITY);
    minLeaves.set(leaves);
    this.mins.setAll(minLeaves);
  }

  private setLeaf(slot: number, value: number): void {
    this.sums.set(slot, value);
    this.mins.set(slot, value);
  }
}

function checkBeta(b: number): void {
  if (!Number.isFinite(b) || b < 0 || b > 1) {
    throw new QscapeError(`PrioritizedReplayBuffer: beta must be in [0, 1], got ${b}`);
  }
}
