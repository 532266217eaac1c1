/**
 * Segment trees over a fixed number of leaves for proportional prioritized replay: a sum tree
 * (O(log n) update and prefix-sum search) and a min tree (the smallest priority, which gives the
 * largest importance weight). Leaves live at [size, 2·size) with size a power of two; node k's
 * children are 2k and 2k+1. Parents are recomputed from their children on every update rather
 * than adjusted by deltas, so float error does not accumulate over millions of updates.
 */
import { QscapeError } from "../errors.js";

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

abstract class SegmentTree {
  readonly capacity: number;
  protected readonly leaves: number;
  protected readonly nodes: Float64Array;

  constructor(capacity: number, empty: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) {
      throw new QscapeError(`${this.constructor.name}: capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.leaves = nextPowerOfTwo(capacity);
    this.nodes = new Float64Array(2 * this.leaves).fill(empty);
  }

  protected abstract combine(a: number, b: number): number;

  get byteLength(): number {
    return this.nodes.byteLength;
  }

  get(i: number): number {
    return this.nodes[this.leaves + i] as number;
  }

  set(i: number, value: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.capacity) {
      throw new QscapeError(`${this.constructor.name}.set: index ${i} outside [0, ${this.capacity})`);
    }
    let k = this.leaves + i;
    this.nodes[k] = value;
    k >>= 1;
    while (k >= 1) {
      this.nodes[k] = this.combine(this.nodes[2 * k] as number, this.nodes[2 * k + 1] as number);
      k >>= 1;
    }
  }

  /** Replaces leaves 0 … values.length−1 (the rest keep their value) and rebuilds in O(size). */
  setAll(values: ArrayLike<number>): void {
    if (values.length > this.capacity) {
      throw new QscapeError(`${this.constructor.name}.setAll: ${values.length} values for ${this.capacity} leaves`);
    }
    for (let i = 0; i < values.length; i++) this.nodes[this.leaves + i] = values[i] as number;
    for (let k = this.leaves - 1; k >= 1; k--) {
      this.nodes[k] = this.combine(this.nodes[2 * k] as number, this.nodes[2 * k + 1] as number);
    }
  }
}

export class SumTree extends SegmentTree {
  constructor(capacity: number) {
    super(capacity, 0);
  }

  protected combine(a: number, b: number): number {
    return a + b;
  }

  get total(): number {
    return this.nodes[1] as number;
  }

  /**
   * The leaf i where the running sum of leaves 0…i first exceeds `mass` (0 ≤ mass < total).
   * Rounding can leave `mass` just past a subtree's sum; the walk then never steps into an
   * all-zero subtree, so it always ends on a leaf with positive value.
   */
  find(mass: number): number {
    let k = 1;
    while (k < this.leaves) {
      const left = 2 * k;
      const leftSum = this.nodes[left] as number;
      if (mass < leftSum || (this.nodes[left + 1] as number) <= 0) {
        k = left;
      } else {
        mass -= leftSum;
        k = left + 1;
      }
    }
    return k - this.leaves;
  }
}

export class MinTree extends SegmentTree {
  constructor(capacity: number) {
    super(capacity, Number.POSITIVE_INFINITY);
  }

  protected combine(a: number, b: number): number {
    return Math.min(a, b);
  }

  get min(): number {
    return this.nodes[1] as number;
  }
}
