/**
 * Running mean and variance (Chan et al. parallel update), as Gymnasium's `RunningMeanStd`:
 * starts at mean 0, var 1, count 1e-4. Its state is plain JSON so checkpoints can save it.
 */
export interface RunningMeanStdState {
  mean: number[];
  var: number[];
  count: number;
}

export class RunningMeanStd {
  readonly mean: Float64Array;
  readonly var: Float64Array;
  count: number;

  constructor(
    readonly size: number,
    epsilon = 1e-4,
  ) {
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
    this.count = epsilon;
  }

  /** Folds one sample (length `size`) into the statistics. */
  update(x: ArrayLike<number>): void {
    const total = this.count + 1;
    for (let i = 0; i < this.size; i++) {
      const delta = (x[i] as number) - (this.mean[i] as number);
      const m2 = (this.var[i] as number) * this.count + (delta * delta * this.count) / total;
      this.mean[i] = (this.mean[i] as number) + delta / total;
      this.var[i] = m2 / total;
    }
    this.count = total;
  }

  getState(): RunningMeanStdState {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }

  setState(state: RunningMeanStdState): void {
    if (state.mean.length !== this.size || state.var.length !== this.size) {
      throw new RangeError(`RunningMeanStd.setState: expected ${this.size} entries, got ${state.mean.length}`);
    }
    this.mean.set(state.mean);
    this.var.set(state.var);
    this.count = state.count;
  }
}
