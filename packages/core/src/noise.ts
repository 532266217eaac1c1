import type { Rng } from "./rng.js";

/** Additive exploration noise over an action vector. */
export interface ActionNoise {
  sample(out: Float32Array): Float32Array;
  reset(): void;
  getState(): number[];
  setState(s: number[]): void;
}

/** i.i.d. N(0, σ²) per dimension. */
export class GaussianNoise implements ActionNoise {
  constructor(
    private readonly rng: Rng,
    readonly dim: number,
    public sigma: number,
  ) {}
  sample(out: Float32Array = new Float32Array(this.dim)): Float32Array {
    for (let i = 0; i < this.dim; i++) out[i] = this.rng.normal(0, this.sigma);
    return out;
  }
  reset(): void {}
  getState(): number[] {
    return [];
  }
  setState(): void {}
}

/** Ornstein–Uhlenbeck: x ← x + θ(μ − x)dt + σ√dt·N(0,1); reset to x0 each episode. */
export class OUNoise implements ActionNoise {
  private x: Float64Array;
  constructor(
    private readonly rng: Rng,
    readonly dim: number,
    readonly opts: { theta?: number; sigma?: number; mu?: number; dt?: number; x0?: number } = {},
  ) {
    this.x = new Float64Array(dim).fill(opts.x0 ?? 0);
  }
  sample(out: Float32Array = new Float32Array(this.dim)): Float32Array {
    const theta = this.opts.theta ?? 0.15;
    const sigma = this.opts.sigma ?? 0.2;
    const mu = this.opts.mu ?? 0;
    const dt = this.opts.dt ?? 1e-2;
    for (let i = 0; i < this.dim; i++) {
      const x = this.x[i] as number;
      const nx = x + theta * (mu - x) * dt + sigma * Math.sqrt(dt) * this.rng.normal();
      this.x[i] = nx;
      out[i] = nx;
    }
    return out;
  }
  reset(): void {
    this.x.fill(this.opts.x0 ?? 0);
  }
  getState(): number[] {
    return Array.from(this.x);
  }
  setState(s: number[]): void {
    this.x = Float64Array.from(s);
  }
}

export type Schedule = (step: number) => number;

/** From `start` to `end` linearly over `duration` steps, then constant. */
export function linearSchedule(start: number, end: number, duration: number): Schedule {
  return (t) => (duration <= 0 ? end : start + (end - start) * Math.min(1, Math.max(0, t / duration)));
}

/** start·decay^(t/every), floored at `min`. */
export function exponentialSchedule(start: number, decay: number, every = 1, min = 0): Schedule {
  return (t) => Math.max(min, start * decay ** (t / every));
}

export function constantSchedule(value: number): Schedule {
  return () => value;
}
