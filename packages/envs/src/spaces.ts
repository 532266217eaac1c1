/**
 * Gymnasium-style spaces. A space describes the set of valid observations or actions, samples from
 * it with its own seeded `Rng`, and serialises to JSON. Box values are `Float32Array` (flat, row
 * major, length = product of `shape`); Discrete values are plain integers.
 *
 * Unseeded spaces start from `DEFAULT_SPACE_SEED` so that sampling is reproducible by default
 * (Gymnasium draws OS entropy instead); call `seed(n)` for an independent stream.
 */
import { QscapeError, Rng } from "@qscape/core";
import { ActionSetSizeError, EnvError } from "./errors.js";

export type Dtype = "float32" | "float64" | "int32" | "int64" | "int8" | "uint8" | "object";

export const DEFAULT_SPACE_SEED = 0;

/** JSON form of a space (`spaceFromJSON` inverts it). Infinite bounds are written as strings. */
export type SpaceJSON =
  | { type: "Box"; low: (number | string)[]; high: (number | string)[]; shape: number[]; dtype: Dtype }
  | { type: "Discrete"; n: number; start: number }
  | { type: "ActionSubset"; n: number; maxAvailable: number }
  | { type: "MultiDiscrete"; nvec: number[]; start: number[] }
  | { type: "ActionSlate"; n: number; maxAvailable: number; slateSize: number }
  | { type: "MultiBinary"; n: number }
  | { type: "Tuple"; spaces: SpaceJSON[] }
  | { type: "Dict"; spaces: Record<string, SpaceJSON> };

export interface Space<T> {
  readonly shape: number[];
  readonly dtype: Dtype;
  sample(): T;
  contains(x: unknown): boolean;
  seed(seed: number): void;
  toJSON(): SpaceJSON;
  toString(): string;
}

/** Any space, when the value type does not matter. */
// biome-ignore lint/suspicious/noExplicitAny: spaces are invariant in T; `any` lets heterogeneous spaces mix
export type AnySpace = Space<any>;

/** The value type of a space. */
export type ValueOf<S> = S extends Space<infer T> ? T : never;

function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function isArrayLikeOfNumbers(x: unknown): x is ArrayLike<number> {
  if (ArrayBuffer.isView(x) && !(x instanceof DataView))
    return !(x instanceof BigInt64Array || x instanceof BigUint64Array);
  return Array.isArray(x) && x.every((v) => typeof v === "number");
}

function fmtNum(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return "inf";
  if (v === Number.NEGATIVE_INFINITY) return "-inf";
  return String(Math.fround(v) === v ? Number(v.toPrecision(7)) : v);
}

function encodeBound(v: number): number | string {
  return Number.isFinite(v) ? v : v > 0 ? "inf" : "-inf";
}

function decodeBound(v: number | string): number {
  if (v === "inf") return Number.POSITIVE_INFINITY;
  if (v === "-inf") return Number.NEGATIVE_INFINITY;
  if (typeof v !== "number") throw new QscapeError(`spaceFromJSON: bad bound ${JSON.stringify(v)}`);
  return v;
}

/** A (possibly unbounded) box in R^shape. Values are flat `Float32Array`s. */
export class Box implements Space<Float32Array> {
  readonly shape: number[];
  readonly dtype: Dtype;
  readonly low: Float32Array;
  readonly high: Float32Array;
  /** Number of scalar elements (product of shape). */
  readonly size: number;
  private rng = new Rng(DEFAULT_SPACE_SEED);

  /**
   * `low`/`high` are scalars (broadcast to `shape`) or arrays (then `shape` defaults to
   * `[length]`). Bounds may be ±Infinity; NaN bounds and `low > high` are rejected.
   */
  constructor(
    low: number | ArrayLike<number>,
    high: number | ArrayLike<number>,
    shape?: readonly number[],
    dtype: Dtype = "float32",
  ) {
    let resolved = shape ? [...shape] : undefined;
    if (!resolved) {
      if (typeof low !== "number") resolved = [low.length];
      else if (typeof high !== "number") resolved = [high.length];
      else resolved = [1];
    }
    if (resolved.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new QscapeError(`Box: shape must be non-negative integers, got [${resolved.join(", ")}]`);
    }
    this.shape = resolved;
    this.dtype = dtype;
    this.size = product(resolved);
    this.low = Box.broadcast(low, this.size, "low");
    this.high = Box.broadcast(high, this.size, "high");
    for (let i = 0; i < this.size; i++) {
      const lo = this.low[i] as number;
      const hi = this.high[i] as number;
      if (Number.isNaN(lo) || Number.isNaN(hi)) throw new QscapeError(`Box: bound at index ${i} is NaN`);
      if (lo > hi) throw new QscapeError(`Box: low[${i}] = ${lo} > high[${i}] = ${hi}`);
    }
  }

  private static broadcast(v: number | ArrayLike<number>, size: number, what: string): Float32Array {
    if (typeof v === "number") return new Float32Array(size).fill(v);
    if (v.length !== size) throw new QscapeError(`Box: ${what} has ${v.length} elements, shape needs ${size}`);
    return Float32Array.from(v);
  }

  /** True when every dimension is bounded on the requested side(s) (Gymnasium `is_bounded`). */
  isBounded(manner: "both" | "below" | "above" = "both"): boolean {
    const below = this.low.every((v) => Number.isFinite(v));
    const above = this.high.every((v) => Number.isFinite(v));
    return manner === "both" ? below && above : manner === "below" ? below : above;
  }

  seed(seed: number): void {
    this.rng = new Rng(seed);
  }

  /** Uniform on bounded dims, shifted exponential on half-bounded dims, normal on unbounded dims. */
  sample(): Float32Array {
    const out = new Float32Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const lo = this.low[i] as number;
      const hi = this.high[i] as number;
      const finLo = Number.isFinite(lo);
      const finHi = Number.isFinite(hi);
      let v: number;
      if (finLo && finHi) v = this.rng.uniform(lo, hi);
      else if (finLo) v = lo - Math.log(1 - this.rng.random());
      else if (finHi) v = hi + Math.log(1 - this.rng.random());
      else v = this.rng.normal();
      // Rounding to float32 can push a uniform draw onto or past `high`; keep samples inside.
      const f = Math.fround(v);
      out[i] = Math.min(hi, Math.max(lo, f));
    }
    return out;
  }

  /** Why `x` is not in this box, or null when it is. Used for error messages. */
  explain(x: unknown): string | null {
    if (!isArrayLikeOfNumbers(x)) {
      return `expected a Float32Array or number[] of shape [${this.shape.join(", ")}], got ${describeValue(x)}`;
    }
    if (x.length !== this.size)
      return `has ${x.length} elements, expected shape [${this.shape.join(", ")}] (${this.size} elements)`;
    for (let i = 0; i < this.size; i++) {
      const v = Math.fround(x[i] as number);
      if (Number.isNaN(v)) return `contains NaN at index ${i}`;
      if (v < (this.low[i] as number) || v > (this.high[i] as number)) {
        return `element ${i} = ${x[i]} is outside [${fmtNum(this.low[i] as number)}, ${fmtNum(this.high[i] as number)}]`;
      }
    }
    return null;
  }

  contains(x: unknown): boolean {
    return this.explain(x) === null;
  }

  toJSON(): SpaceJSON {
    return {
      type: "Box",
      low: Array.from(this.low, encodeBound),
      high: Array.from(this.high, encodeBound),
      shape: [...this.shape],
      dtype: this.dtype,
    };
  }

  toString(): string {
    const uniform = (a: Float32Array) => a.every((v) => v === a[0]);
    const bound = (a: Float32Array) =>
      uniform(a) && a.length > 0 ? fmtNum(a[0] as number) : `[${Array.from(a, fmtNum).join(", ")}]`;
    return `Box(${bound(this.low)}, ${bound(this.high)}, (${this.shape.join(", ")}${this.shape.length === 1 ? "," : ""}), ${this.dtype})`;
  }
}

/** Integers {start, …, start + n − 1}. */
export class Discrete implements Space<number> {
  readonly shape: number[] = [];
  readonly dtype: Dtype = "int64";
  protected rng = new Rng(DEFAULT_SPACE_SEED);

  constructor(
    readonly n: number,
    readonly start = 0,
  ) {
    if (!Number.isInteger(n) || n <= 0) throw new QscapeError(`Discrete: n must be a positive integer, got ${n}`);
    if (!Number.isInteger(start)) throw new QscapeError(`Discrete: start must be an integer, got ${start}`);
  }

  seed(seed: number): void {
    this.rng = new Rng(seed);
  }

  /** Uniform sample; with `mask` (length n, 1 = allowed) uniform over allowed values. */
  sample(mask?: ArrayLike<number>): number {
    if (!mask) return this.start + this.rng.int(0, this.n);
    if (mask.length !== this.n)
      throw new QscapeError(`Discrete.sample: mask has ${mask.length} entries, expected ${this.n}`);
    const allowed: number[] = [];
    for (let i = 0; i < this.n; i++) if (mask[i]) allowed.push(i);
    if (allowed.length === 0) throw new QscapeError("Discrete.sample: mask allows no action");
    return this.start + this.rng.choice(allowed);
  }

  explain(x: unknown): string | null {
    if (typeof x !== "number" || !Number.isInteger(x)) return `expected an integer, got ${describeValue(x)}`;
    if (x < this.start || x >= this.start + this.n)
      return `${x} is outside {${this.start}, …, ${this.start + this.n - 1}}`;
    return null;
  }

  contains(x: unknown): boolean {
    return this.explain(x) === null;
  }

  toJSON(): SpaceJSON {
    return { type: "Discrete", n: this.n, start: this.start };
  }

  toString(): string {
    return this.start === 0 ? `Discrete(${this.n})` : `Discrete(${this.n}, start=${this.start})`;
  }
}

/**
 * An episode's available subset of a large action inventory {0, …, n − 1}: a `Discrete(n)` whose
 * `sample` and `contains` only admit the inventory indices made available by the env's last reset
 * (new-actions paper §A1 "𝒜 ⊂ 𝔸"; AGILE §B1 varying action sets). At most `maxAvailable` actions
 * are available at once, the fixed padding of the action-set observation.
 *
 * `mask` (length n, 1 = available) is one array updated in place, the per-inventory mask of
 * MaskablePPO's `action_masks()`; wrappers share the space instance, so `env.actionSpace.mask` is
 * current through any wrapper that keeps the action space. Batched by vector envs as `Discrete`
 * (an `Int32Array` of inventory indices per step); batched sampling ignores availability, so
 * vector agents sample from the observation's padded action set instead.
 */
export class ActionSubset extends Discrete {
  readonly mask: Uint8Array;
  private ids = new Int32Array(0);

  constructor(
    n: number,
    readonly maxAvailable: number,
  ) {
    super(n);
    if (!Number.isInteger(maxAvailable) || maxAvailable < 1 || maxAvailable > n) {
      throw new ActionSetSizeError(`ActionSubset: maxAvailable must be an integer in 1..${n}, got ${maxAvailable}`);
    }
    this.mask = new Uint8Array(n);
  }

  /** The available inventory indices, in slot order (a copy). */
  get available(): Int32Array {
    return this.ids.slice();
  }

  /** Makes exactly `ids` available (distinct inventory indices, at most `maxAvailable`). */
  setAvailable(ids: ArrayLike<number>): void {
    if (ids.length < 1 || ids.length > this.maxAvailable) {
      throw new ActionSetSizeError(
        `ActionSubset: ${ids.length} available actions, expected 1..${this.maxAvailable} (the padding)`,
      );
    }
    const next = new Uint8Array(this.n);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (!Number.isInteger(id) || id < 0 || id >= this.n) {
        throw new EnvError(`ActionSubset: ${id} is not an inventory index in 0..${this.n - 1}`);
      }
      if (next[id]) throw new EnvError(`ActionSubset: action ${id} is listed twice`);
      next[id] = 1;
    }
    this.mask.set(next);
    this.ids = Int32Array.from(ids);
  }

  /** Uniform over the available actions; with `mask` (length n) over those it also allows. */
  override sample(mask?: ArrayLike<number>): number {
    if (mask && mask.length !== this.n)
      throw new QscapeError(`ActionSubset.sample: mask has ${mask.length} entries, expected ${this.n}`);
    const allowed = mask ? Array.from(this.ids).filter((id) => mask[id]) : Array.from(this.ids);
    if (allowed.length === 0) {
      throw new EnvError(
        this.ids.length === 0
          ? "ActionSubset.sample: no action is available yet (reset the env first)"
          : "ActionSubset.sample: the mask allows no available action",
      );
    }
    return this.rng.choice(allowed);
  }

  /** True when `x` is an inventory index (in `Discrete(n)`) that is not available this episode. */
  isUnavailable(x: unknown): boolean {
    return super.explain(x) === null && !this.mask[x as number];
  }

  override explain(x: unknown): string | null {
    const why = super.explain(x);
    if (why !== null) return why;
    return this.mask[x as number] ? null : `action ${x} is not in this episode's available action set`;
  }

  override toJSON(): SpaceJSON {
    return { type: "ActionSubset", n: this.n, maxAvailable: this.maxAvailable };
  }

  override toString(): string {
    return `ActionSubset(${this.n}, maxAvailable=${this.maxAvailable})`;
  }
}

/** A vector of independent discrete variables, element i in {start[i], …, start[i] + nvec[i] − 1}. */
export class MultiDiscrete implements Space<Int32Array> {
  readonly shape: number[];
  readonly dtype: Dtype = "int64";
  readonly nvec: Int32Array;
  readonly start: Int32Array;
  private rng = new Rng(DEFAULT_SPACE_SEED);

  constructor(nvec: ArrayLike<number>, start?: ArrayLike<number>) {
    this.nvec = Int32Array.from(nvec);
    this.start = start ? Int32Array.from(start) : new Int32Array(this.nvec.length);
    this.shape = [this.nvec.length];
    if (this.start.length !== this.nvec.length) throw new QscapeError("MultiDiscrete: start and nvec differ in length");
    this.nvec.forEach((n, i) => {
      if (n <= 0 || n !== nvec[i])
        throw new QscapeError(`MultiDiscrete: nvec[${i}] must be a positive integer, got ${nvec[i]}`);
    });
  }

  seed(seed: number): void {
    this.rng = new Rng(seed);
  }

  sample(): Int32Array {
    return this.nvec.map((n, i) => (this.start[i] as number) + this.rng.int(0, n));
  }

  explain(x: unknown): string | null {
    if (!isArrayLikeOfNumbers(x)) return `expected an integer array, got ${describeValue(x)}`;
    if (x.length !== this.nvec.length) return `has ${x.length} elements, expected ${this.nvec.length}`;
    for (let i = 0; i < x.length; i++) {
      const v = x[i] as number;
      const lo = this.start[i] as number;
      if (!Number.isInteger(v) || v < lo || v >= lo + (this.nvec[i] as number)) {
        return `element ${i} = ${v} is outside {${lo}, …, ${lo + (this.nvec[i] as number) - 1}}`;
      }
    }
    return null;
  }

  contains(x: unknown): boolean {
    return this.explain(x) === null;
  }

  toJSON(): SpaceJSON {
    return { type: "MultiDiscrete", nvec: Array.from(this.nvec), start: Array.from(this.start) };
  }

  toString(): string {
    return `MultiDiscrete([${Array.from(this.nvec).join(", ")}])`;
  }
}

/**
 * A list of `slateSize` distinct actions of an `ActionSubset` (AGILE's listwise recommender, thesis
 * §3.5.3: a slate of 6 out of this episode's candidates). It shares the subset's `mask`, so it
 * follows the action set that the env makes available on every reset. As a `MultiDiscrete` it
 * batches like one; `sample()` draws distinct available actions and `explain()` / `contains()`
 * reject repeats and unavailable actions.
 */
export class ActionSlate extends MultiDiscrete {
  private slateRng = new Rng(DEFAULT_SPACE_SEED);

  constructor(
    readonly subset: ActionSubset,
    readonly slateSize: number,
  ) {
    super(new Array(slateSize).fill(subset.n));
    if (!Number.isInteger(slateSize) || slateSize < 1 || slateSize > subset.maxAvailable) {
      throw new ActionSetSizeError(
        `ActionSlate: slateSize must be an integer in 1..${subset.maxAvailable} (the action set's size), got ${slateSize}`,
      );
    }
  }

  /** The mask of available inventory indices (the subset's, updated in place on reset). */
  get mask(): Uint8Array {
    return this.subset.mask;
  }

  override seed(seed: number): void {
    super.seed(seed);
    this.slateRng = new Rng(seed);
  }

  /** `slateSize` distinct available actions, uniformly at random, in random order. */
  override sample(): Int32Array {
    const ids = this.subset.available;
    if (ids.length < this.slateSize) {
      throw new EnvError(
        ids.length === 0
          ? "ActionSlate.sample: no action is available yet (reset the env first)"
          : `ActionSlate.sample: ${ids.length} available actions cannot fill a slate of ${this.slateSize}`,
      );
    }
    const order = this.slateRng.permutation(ids.length);
    return Int32Array.from(order.subarray(0, this.slateSize), (j) => ids[j] as number);
  }

  /** True when `x` is a slate of distinct inventory indices of which one is not available this episode. */
  isUnavailable(x: unknown): boolean {
    if (super.explain(x) !== null || !isArrayLikeOfNumbers(x)) return false;
    if (new Set(Array.from(x)).size !== x.length) return false;
    return Array.from(x).some((v) => !this.subset.mask[v]);
  }

  override explain(x: unknown): string | null {
    const why = super.explain(x);
    if (why !== null || !isArrayLikeOfNumbers(x)) return why;
    for (let i = 0; i < x.length; i++) {
      const v = x[i] as number;
      for (let j = 0; j < i; j++) if (x[j] === v) return `action ${v} appears twice in the slate`;
    }
    for (let i = 0; i < x.length; i++) {
      const v = x[i] as number;
      if (!this.subset.mask[v]) return `action ${v} is not in this episode's available action set`;
    }
    return null;
  }

  override toJSON(): SpaceJSON {
    return { type: "ActionSlate", n: this.subset.n, maxAvailable: this.subset.maxAvailable, slateSize: this.slateSize };
  }

  override toString(): string {
    return `ActionSlate(${this.slateSize} of ActionSubset(${this.subset.n}, maxAvailable=${this.subset.maxAvailable}))`;
  }
}

/** n binary variables; values are `Int8Array`s of 0/1. */
export class MultiBinary implements Space<Int8Array> {
  readonly shape: number[];
  readonly dtype: Dtype = "int8";
  private rng = new Rng(DEFAULT_SPACE_SEED);

  constructor(readonly n: number) {
    if (!Number.isInteger(n) || n <= 0) throw new QscapeError(`MultiBinary: n must be a positive integer, got ${n}`);
    this.shape = [n];
  }

  seed(seed: number): void {
    this.rng = new Rng(seed);
  }

  sample(): Int8Array {
    const out = new Int8Array(this.n);
    for (let i = 0; i < this.n; i++) out[i] = this.rng.int(0, 2);
    return out;
  }

  explain(x: unknown): string | null {
    if (!isArrayLikeOfNumbers(x)) return `expected a 0/1 array, got ${describeValue(x)}`;
    if (x.length !== this.n) return `has ${x.length} elements, expected ${this.n}`;
    for (let i = 0; i < x.length; i++) if (x[i] !== 0 && x[i] !== 1) return `element ${i} = ${x[i]} is not 0 or 1`;
    return null;
  }

  contains(x: unknown): boolean {
    return this.explain(x) === null;
  }

  toJSON(): SpaceJSON {
    return { type: "MultiBinary", n: this.n };
  }

  toString(): string {
    return `MultiBinary(${this.n})`;
  }
}

/** A product of spaces; values are arrays with one element per subspace. */
export class Tuple<T extends unknown[] = unknown[]> implements Space<T> {
  readonly shape: number[] = [];
  readonly dtype: Dtype = "object";

  constructor(readonly spaces: { [K in keyof T]: Space<T[K]> }) {
    if (spaces.length === 0) throw new QscapeError("Tuple: needs at least one subspace");
  }

  /** Seeds subspace i with the i-th seed drawn from `Rng(seed)`, as Gymnasium does. */
  seed(seed: number): void {
    const rng = new Rng(seed);
    for (const s of this.spaces as AnySpace[]) s.seed(rng.seed());
  }

  sample(): T {
    return (this.spaces as AnySpace[]).map((s) => s.sample()) as T;
  }

  explain(x: unknown): string | null {
    const spaces = this.spaces as AnySpace[];
    if (!Array.isArray(x) || x.length !== spaces.length)
      return `expected an array of ${spaces.length} elements, got ${describeValue(x)}`;
    for (let i = 0; i < spaces.length; i++) {
      const why = explainValue(spaces[i] as AnySpace, x[i]);
      if (why) return `element ${i}: ${why}`;
    }
    return null;
  }

  contains(x: unknown): boolean {
    return this.explain(x) === null;
  }

  toJSON(): SpaceJSON {
    return { type: "Tuple", spaces: (this.spaces as AnySpace[]).map((s) => s.toJSON()) };
  }

  toString(): string {
    return `Tuple(${(this.spaces as AnySpace[]).map(String).join(", ")})`;
  }
}

/** A record of named spaces; keys are sorted as Gymnasium sorts plain dicts. */
export class Dict<T extends Record<string, unknown> = Record<string, unknown>> implements Space<T> {
  readonly shape: number[] = [];
  readonly dtype: Dtype = "object";
  readonly spaces: { [K in keyof T]: Space<T[K]> };
  readonly keys: string[];

  constructor(spaces: { [K in keyof T]: Space<T[K]> }) {
    this.keys = Object.keys(spaces).sort();
    if (this.keys.length === 0) throw new QscapeError("Dict: needs at least one subspace");
    const sorted: Record<string, AnySpace> = {};
    for (const k of this.keys) sorted[k] = (spaces as Record<string, AnySpace>)[k] as AnySpace;
    this.spaces = sorted as { [K in keyof T]: Space<T[K]> };
  }

  private get entries(): [string, AnySpace][] {
    return this.keys.map((k) => [k, (this.spaces as Record<string, AnySpace>)[k] as AnySpace]);
  }

  seed(seed: number): void {
    const rng = new Rng(seed);
    for (const [, s] of this.entries) s.seed(rng.seed());
  }

  sample(): T {
    const out: Record<string, unknown> = {};
    for (const [k, s] of this.entries) out[k] = s.sample();
    return out as T;
  }

  explain(x: unknown): string | null {
    if (typeof x !== "object" || x === null || Array.isArray(x)) return `expected an object, got ${describeValue(x)}`;
    const rec = x as Record<string, unknown>;
    const extra = Object.keys(rec).filter((k) => !this.keys.includes(k));
    if (extra.length > 0) return `unexpected keys ${extra.join(", ")}`;
    for (const [k, s] of this.entries) {
      if (!(k in rec)) return `missing key "${k}"`;
      const why = explainValue(s, rec[k]);
      if (why) return `key "${k}": ${why}`;
    }
    return null;
  }

  contains(x: unknown): boolean {
    return this.explain(x) === null;
  }

  toJSON(): SpaceJSON {
    const spaces: Record<string, SpaceJSON> = {};
    for (const [k, s] of this.entries) spaces[k] = s.toJSON();
    return { type: "Dict", spaces };
  }

  toString(): string {
    return `Dict(${this.entries.map(([k, s]) => `${k}: ${s}`).join(", ")})`;
  }
}

/** A short description of an arbitrary value for error messages. */
export function describeValue(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (typeof x === "number" || typeof x === "boolean") return `${typeof x} ${x}`;
  if (typeof x === "string") return `string ${JSON.stringify(x)}`;
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    return `${x.constructor.name}(${(x as unknown as ArrayLike<unknown>).length})`;
  }
  if (Array.isArray(x)) return `Array(${x.length})`;
  return typeof x === "object" ? (x.constructor?.name ?? "object") : typeof x;
}

/** Why `x` is not in `space` (null when it is). Falls back to `contains` for foreign spaces. */
export function explainValue(space: AnySpace, x: unknown): string | null {
  const explainer = (space as { explain?: (x: unknown) => string | null }).explain;
  if (typeof explainer === "function") return explainer.call(space, x);
  return space.contains(x) ? null : `${describeValue(x)} is not in ${space}`;
}

/** Rebuilds a space from `toJSON()` output. */
export function spaceFromJSON(json: SpaceJSON): AnySpace {
  switch (json.type) {
    case "Box":
      return new Box(json.low.map(decodeBound), json.high.map(decodeBound), json.shape, json.dtype);
    case "Discrete":
      return new Discrete(json.n, json.start);
    case "ActionSubset":
      return new ActionSubset(json.n, json.maxAvailable);
    case "MultiDiscrete":
      return new MultiDiscrete(json.nvec, json.start);
    case "ActionSlate":
      return new ActionSlate(new ActionSubset(json.n, json.maxAvailable), json.slateSize);
    case "MultiBinary":
      return new MultiBinary(json.n);
    case "Tuple":
      return new Tuple(json.spaces.map(spaceFromJSON));
    case "Dict": {
      const spaces: Record<string, AnySpace> = {};
      for (const [k, v] of Object.entries(json.spaces)) spaces[k] = spaceFromJSON(v);
      return new Dict(spaces);
    }
    default:
      throw new QscapeError(`spaceFromJSON: unknown space type ${JSON.stringify((json as { type: unknown }).type)}`);
  }
}

/** Number of scalars in the flattened form of a value of `space` (Gymnasium `flatdim`). */
export function flatdim(space: AnySpace): number {
  if (space instanceof Box) return space.size;
  if (space instanceof Discrete) return space.n;
  if (space instanceof MultiDiscrete) return space.nvec.reduce((a, b) => a + b, 0);
  if (space instanceof MultiBinary) return space.n;
  if (space instanceof Tuple) return (space.spaces as AnySpace[]).reduce((a: number, s) => a + flatdim(s), 0);
  if (space instanceof Dict)
    return space.keys.reduce((a, k) => a + flatdim((space.spaces as Record<string, AnySpace>)[k] as AnySpace), 0);
  throw new QscapeError(`flatdim: cannot flatten ${space}`);
}

/**
 * Flattens a value of `space` into a Float32Array (Gymnasium `flatten`): Box as is, Discrete and
 * MultiDiscrete one-hot, MultiBinary as 0/1, Tuple/Dict by concatenation (Dict in key order).
 */
export function flatten(space: AnySpace, x: unknown, out = new Float32Array(flatdim(space)), offset = 0): Float32Array {
  if (space instanceof Box) out.set(x as ArrayLike<number>, offset);
  else if (space instanceof Discrete) out[offset + (x as number) - space.start] = 1;
  else if (space instanceof MultiDiscrete) {
    let o = offset;
    space.nvec.forEach((n, i) => {
      out[o + ((x as ArrayLike<number>)[i] as number) - (space.start[i] as number)] = 1;
      o += n;
    });
  } else if (space instanceof MultiBinary) out.set(x as ArrayLike<number>, offset);
  else if (space instanceof Tuple) {
    let o = offset;
    (space.spaces as AnySpace[]).forEach((s, i) => {
      flatten(s, (x as unknown[])[i], out, o);
      o += flatdim(s);
    });
  } else if (space instanceof Dict) {
    let o = offset;
    for (const k of space.keys) {
      const s = (space.spaces as Record<string, AnySpace>)[k] as AnySpace;
      flatten(s, (x as Record<string, unknown>)[k], out, o);
      o += flatdim(s);
    }
  } else throw new QscapeError(`flatten: cannot flatten ${space}`);
  return out;
}

/** The Box that holds flattened values of `space` (Gymnasium `flatten_space`). */
export function flattenSpace(space: AnySpace): Box {
  if (space instanceof Box) return new Box(space.low, space.high, [space.size], space.dtype);
  const n = flatdim(space);
  if (space instanceof Tuple || space instanceof Dict) {
    const subs =
      space instanceof Tuple
        ? (space.spaces as AnySpace[])
        : space.keys.map((k) => (space.spaces as Record<string, AnySpace>)[k] as AnySpace);
    const low = new Float32Array(n);
    const high = new Float32Array(n);
    let o = 0;
    for (const s of subs) {
      const b = flattenSpace(s);
      low.set(b.low, o);
      high.set(b.high, o);
      o += b.size;
    }
    return new Box(low, high, [n]);
  }
  return new Box(0, 1, [n]);
}
