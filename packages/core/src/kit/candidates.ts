/**
 * "Propose candidate actions, score them by Q, pick the best": the mechanism behind Wolpertinger,
 * ensembles, CEM and SAVO's maximizer actor, as two parts an agent holds.
 *
 *   proposer:  candidates = propose(s)          [B, k, A] in the normalised box (acting)
 *              candidates = proposeTarget(s')   [B, k, A] (the TD target: target networks)
 *   selector:  a = argmax_j Q1(s, candidates_j)  per state; a single candidate is returned as is
 */
import * as tf from "@tensorflow/tfjs";
import { QscapeError } from "../errors.js";
import { tileOverItems } from "../nn/ops.js";
import type { Critics } from "./critic.js";

/** Where candidate actions come from. */
export interface CandidateProposer {
  /** Candidates for acting in states `obs`, [B, k, A] (with the proposer's own exploration when `explore`). */
  propose(obs: tf.Tensor2D, explore: boolean): tf.Tensor3D;
  /** Candidates for the TD target at next states, [B, k, A] (from target networks where there are any). */
  proposeTarget(nextObs: tf.Tensor2D): tf.Tensor3D;
}

/** The action chosen in one state, with the candidates it was chosen from (normalised units). */
export interface ActionChoice {
  action: Float32Array;
  candidates: Float32Array[];
  /** Q1 of each candidate; null when there was a single candidate (no Q evaluation). */
  q: Float32Array | null;
}

/**
 * One-hot rows as float32. Built as int32 and cast: the WASM backend's OneHot writes int32 data
 * whatever dtype is asked for (tfjs 4.22), so `tf.oneHot(…, "float32")` reads as denormals there.
 */
export function oneHotFloat(indices: tf.Tensor, depth: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(indices as tf.Tensor1D, depth), "float32") as tf.Tensor2D;
}

/** Index of the largest value. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < values.length; j++) if ((values[j] as number) > (values[best] as number)) best = j;
  return best;
}

/**
 * Scores candidates by a critic's Q1 and picks the best per state. Every scored candidate is
 * added to `counts.qEvaluations` (the agent's counter, for the bench's compute-matched mode).
 */
export class CandidateSelector {
  constructor(
    /** The agent's name, for error messages. */
    readonly name: string,
    readonly obsDim: number,
    readonly actionDim: number,
    readonly counts: { qEvaluations: number },
  ) {}

  /** Q1 of every candidate, [B, k], uncounted (diagnostics and tests). */
  values(critics: Critics, obs: tf.Tensor2D, candidates: tf.Tensor3D): tf.Tensor2D {
    const [b, k, a] = candidates.shape;
    const repeated = tf.reshape(tileOverItems(obs, k), [b * k, this.obsDim]) as tf.Tensor2D;
    return tf.reshape(critics.q1(repeated, tf.reshape(candidates, [b * k, a])), [b, k]);
  }

  /** Q1 of every candidate, [B, k]; counts B·k evaluations. */
  score(critics: Critics, obs: tf.Tensor2D, candidates: tf.Tensor3D): tf.Tensor2D {
    const [b, k] = candidates.shape;
    this.counts.qEvaluations += b * k;
    return this.values(critics, obs, candidates);
  }

  /** The candidate with the highest Q1 per state, [B, A]; a single candidate is returned as is. */
  select(critics: Critics, obs: tf.Tensor2D, candidates: tf.Tensor3D): tf.Tensor2D {
    const [b, k, a] = candidates.shape;
    if (k === 1) return tf.reshape(candidates, [b, a]);
    const pick = tf.expandDims(oneHotFloat(tf.argMax(this.score(critics, obs, candidates), 1), k), 2);
    return tf.sum(tf.mul(candidates, pick), 1);
  }

  /**
   * The best of `propose`'s candidates in the single state `obs`, with the candidates and their Q1
   * (one `dataSync`).
   */
  choose(critics: Critics, obs: Float32Array, propose: (obs: tf.Tensor2D) => tf.Tensor3D): ActionChoice {
    if (obs.length !== this.obsDim) {
      throw new QscapeError(`${this.name}.act: observation has ${obs.length} values, expected ${this.obsDim}`);
    }
    const d = this.actionDim;
    const packed = tf.tidy(() => {
      const o = tf.tensor2d(obs, [1, this.obsDim]);
      const candidates = propose(o);
      const k = candidates.shape[1];
      const flat = tf.reshape(candidates, [k * d]);
      if (k === 1) return flat;
      return tf.concat([flat, tf.reshape(this.values(critics, o, candidates), [k])]);
    });
    const data = packed.dataSync() as Float32Array;
    packed.dispose();
    const k = data.length === d ? 1 : data.length / (d + 1);
    const candidates = Array.from({ length: k }, (_, j) => data.slice(j * d, (j + 1) * d));
    if (k === 1) return { action: candidates[0] as Float32Array, candidates, q: null };
    this.counts.qEvaluations += k;
    const q = data.slice(k * d);
    return { action: (candidates[argmax(q)] as Float32Array).slice(), candidates, q };
  }

  /** Q1 of `actions` in the single state `obs` (uncounted: diagnostics and tests). */
  evaluate(critics: Critics, obs: Float32Array, actions: Float32Array[]): Float32Array {
    const out = tf.tidy(() => {
      const o = tf.tensor2d(obs, [1, this.obsDim]);
      const candidates = tf.tensor3d(
        actions.flatMap((a) => Array.from(a)),
        [1, actions.length, this.actionDim],
      );
      return tf.reshape(this.values(critics, o, candidates), [actions.length]);
    });
    const q = out.dataSync() as Float32Array;
    out.dispose();
    return q;
  }
}

/**
 * candidates[b, indices[b, j]] → [B, J, A]. Written as one flat gather because the WASM
 * backend's gather with batchDims reads out of bounds (tfjs 4.22).
 */
export function gatherCandidates(candidates: tf.Tensor3D, indices: tf.Tensor2D): tf.Tensor3D {
  const [b, k, a] = candidates.shape;
  const j = indices.shape[1];
  const rowOffsets = tf.tensor2d(
    Int32Array.from({ length: b }, (_, i) => i * k),
    [b, 1],
    "int32",
  );
  const flat = tf.reshape(tf.add(tf.cast(indices, "int32"), rowOffsets), [b * j]);
  return tf.reshape(tf.gather(tf.reshape(candidates, [b * k, a]), flat), [b, j, a]);
}
