/**
 * Nearest-item snapping for SAVO on discrete tasks: every proposal is replaced by the
 * representation of its nearest item (the envs package's `KnnIndex`) before it is ranked by Q and
 * before it conditions the next actor.
 */
import { tf } from "@qscape/core";
import { type ActionRepresentation, KnnIndex } from "@qscape/envs";
import type { Snap } from "./chain.js";

/** Nearest-item snapping in the agent's normalised action box. */
export class ItemSnapper {
  readonly index: KnnIndex;
  private readonly available: Uint8Array | Int32Array | undefined;
  /** [numItems × D] item representations in [−1, 1] units. */
  readonly normalised: Float32Array;
  constructor(
    items: ActionRepresentation,
    toNormalised: (a: ArrayLike<number>) => Float32Array,
    readonly dim: number,
  ) {
    this.normalised = new Float32Array(items.numItems * dim);
    for (let i = 0; i < items.numItems; i++) {
      this.normalised.set(toNormalised(items.itemEmbeddings.subarray(i * dim, (i + 1) * dim)), i * dim);
    }
    this.index = new KnnIndex(this.normalised, items.numItems, dim);
    this.available = items.available;
  }

  /** Nearest item of each row of `actions` [B × D]; returns the items' representations. */
  snapArray(actions: Float32Array): { items: Int32Array; actions: Float32Array } {
    const batch = actions.length / this.dim;
    const { indices } = this.index.query(actions, batch, 1, this.available);
    const out = new Float32Array(actions.length);
    for (let b = 0; b < batch; b++) {
      const item = indices[b] as number;
      out.set(this.normalised.subarray(item * this.dim, (item + 1) * this.dim), b * this.dim);
    }
    return { items: indices, actions: out };
  }

  /** The tensor form (one sync), for use inside the chain. */
  readonly snap: Snap = (actions) => {
    const { actions: snapped } = this.snapArray(actions.dataSync() as Float32Array);
    return tf.tensor2d(snapped, actions.shape);
  };

  dispose(): void {
    this.index.dispose();
  }
}
