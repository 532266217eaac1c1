/**
 * NearestItemWrapper: turns a discrete env that publishes an action representation into a
 * continuous one. The agent's action is a proto-action in representation space; the wrapper
 * executes the nearest item (1-NN, SAVO / Wolpertinger), skipping items the representation marks
 * unavailable. The executed item is reported as `info.item`.
 */
import type { Env, Info, StepResult } from "../env.js";
import { Wrapper } from "../env.js";
import { EnvError } from "../errors.js";
import { Box } from "../spaces.js";
import { type ActionRepresentation, getActionRepresentation } from "./action-representation.js";
import { KnnIndex, type KnnIndexOptions } from "./knn.js";

export class NearestItemWrapper<Obs> extends Wrapper<Obs, Float32Array, Obs, number> {
  readonly representation: ActionRepresentation;
  readonly index: KnnIndex;

  constructor(env: Env<Obs, number>, options: KnnIndexOptions = {}) {
    super(env);
    this.representation = getActionRepresentation(env);
    const { itemEmbeddings, numItems, dim } = this.representation;
    this.index = new KnnIndex(itemEmbeddings, numItems, dim, options);
    // The proto-action box is the bounding box of the items.
    const low = new Float32Array(dim).fill(Number.POSITIVE_INFINITY);
    const high = new Float32Array(dim).fill(Number.NEGATIVE_INFINITY);
    for (let i = 0; i < numItems; i++) {
      for (let j = 0; j < dim; j++) {
        const v = itemEmbeddings[i * dim + j] as number;
        if (v < (low[j] as number)) low[j] = v;
        if (v > (high[j] as number)) high[j] = v;
      }
    }
    this.actionSpace = new Box(low, high);
  }

  /** The item executed for `proto` (nearest available item). */
  nearestItem(proto: ArrayLike<number>): number {
    const { dim, available } = this.representation;
    if (proto.length !== dim) {
      throw new EnvError(`NearestItemWrapper: proto-action has ${proto.length} values, expected dim ${dim}`);
    }
    const { indices } = this.index.query(Float32Array.from(proto), 1, 1, available);
    const item = indices[0] as number;
    if (item < 0) throw new EnvError("NearestItemWrapper: no item is available");
    return item;
  }

  override step(action: Float32Array): StepResult<Obs> {
    const item = this.nearestItem(action);
    const [obs, reward, terminated, truncated, info] = this.env.step(item);
    return [obs, reward, terminated, truncated, { ...(info as Info), item }];
  }

  override close(): void {
    this.index.dispose();
    super.close();
  }
}
