/**
 * One seedable PRNG for everything qscape does on the JS side, and the source of seeds for
 * tfjs initialisers. xoshiro128** (32-bit state words, fast in JS), seeded through splitmix32 so
 * nearby integer seeds give unrelated streams. The whole state is four uint32s plus a cached
 * normal, so it round-trips through JSON for checkpoints.
 */
export interface RngState {
  s: [number, number, number, number];
  spare: number | null;
}

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  constructor(seed = 0) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng: seed must be a finite number, got ${seed}`);
    const sm = splitmix32(Math.trunc(seed) ^ Math.trunc(seed / 2 ** 32));
    this.s0 = sm();
    this.s1 = sm();
    this.s2 = sm();
    this.s3 = sm();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next raw uint32. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /** Uniform in [0, 1) with 53 bits of resolution. */
  random(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.random();
  }

  /** Integer in [low, high). */
  int(low: number, high: number): number {
    if (!(high > low)) throw new RangeError(`Rng.int: empty range [${low}, ${high})`);
    return low + Math.floor(this.random() * (high - low));
  }

  /** Standard normal (Marsaglia polar method, caching the second draw). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return mean + std * v;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = this.random() * 2 - 1;
      v = this.random() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * m;
    return mean + std * u * m;
  }

  fillUniform(out: Float32Array | Float64Array, low = 0, high = 1): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(low, high);
    return out;
  }

  fillNormal(out: Float32Array | Float64Array, mean = 0, std = 1): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** One element of `items`, or with `p` one index-weighted element. */
  choice<T>(items: readonly T[], p?: ArrayLike<number>): T {
    if (items.length === 0) throw new RangeError("Rng.choice: empty list");
    if (!p) return items[this.int(0, items.length)] as T;
    if (p.length !== items.length) throw new RangeError("Rng.choice: p and items differ in length");
    let total = 0;
    for (let i = 0; i < p.length; i++) total += p[i] as number;
    let u = this.random() * total;
    for (let i = 0; i < items.length; i++) {
      u -= p[i] as number;
      if (u < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      const t = out[i] as number;
      out[i] = out[j] as number;
      out[j] = t;
    }
    return out;
  }

  /** A seed for tfjs initialisers or a child stream, drawn from this stream. */
  seed(): number {
    return this.nextUint32() & 0x7fffffff;
  }

  /** An independent child generator (for per-component streams that must not interleave). */
  fork(): Rng {
    return new Rng(this.nextUint32() * 4096 + (this.nextUint32() & 4095));
  }

  getState(): RngState {
    return { s: [this.s0, this.s1, this.s2, this.s3], spare: this.spare };
  }

  setState(state: RngState): void {
    [this.s0, this.s1, this.s2, this.s3] = state.s;
    this.spare = state.spare;
  }

  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    r.setState(state);
    return r;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
