/**
 * Uniform experience replay: a ring of preallocated slots. Fields are declared up front (shape and
 * dtype), so a buffer holds whatever an algorithm needs (obs, action, reward, flags, QMLE's stored
 * argmax, …) without per-item objects.
 *
 * Storage is one ArrayBuffer with the fields of a slot stored next to each other (4-byte fields
 * first, then uint8 fields, the row padded to 4 bytes). Sampling reads random slots, and one slot
 * then costs one or two cache lines and one TLB entry instead of one per field: measured 2–3× faster
 * random-batch gathers than one array per field for Hopper-shaped rows.
 * Slots are physical ring positions: slot i stays valid until it is overwritten, which lets
 * `write` and prioritized replay address transitions by the index `sample` returned.
 */
import type { Snapshot } from "../agent.js";
import { QscapeError } from "../errors.js";
import type { Rng } from "../rng.js";

export type FieldDtype = "float32" | "int32" | "uint8";

/** One stored field; shape [] is a scalar. dtype defaults to float32. */
export interface FieldSpec {
  shape: number[];
  dtype?: FieldDtype;
}

export type FieldArray = Float32Array | Int32Array | Uint8Array;

/** Rows of every field, each `rows * prod(shape)` long, row-major. */
export type Batch = Record<string, FieldArray>;

/** What `add` accepts per field: a row (any array-like), or a number/boolean for scalar fields. */
export type FieldValue = ArrayLike<number> | number | boolean;

export interface ReplayBufferOptions {
  capacity: number;
  fields: Record<string, FieldSpec>;
}

export interface ReplaySample {
  indices: Int32Array;
  data: Batch;
}

/** The serialisable state: specs (to check on load), ring pointer and the filled rows. */
export type ReplayState = {
  kind: "replay";
  version: 1;
  capacity: number;
  size: number;
  next: number;
  fields: Record<string, { shape: number[]; dtype: FieldDtype }>;
  data: Record<string, FieldArray>;
};

interface Column {
  name: string;
  dtype: FieldDtype;
  shape: number[];
  rowSize: number;
  /** A view of the whole storage in this field's dtype. */
  view: FieldArray;
  /** Slot stride and field offset within the slot, in elements of `view`. */
  stride: number;
  offset: number;
}

const FLOAT32_MAX = 3.4028234663852886e38;

export function allocateFieldArray(dtype: FieldDtype, length: number): FieldArray {
  if (dtype === "float32") return new Float32Array(length);
  if (dtype === "int32") return new Int32Array(length);
  return new Uint8Array(length);
}

function dtypeOf(a: unknown): FieldDtype | undefined {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Uint8Array) return "uint8";
  return undefined;
}

/** Throws unless `v` can be stored in a field of this dtype. */
function checkValue(v: number, dtype: FieldDtype, what: string, at: number): void {
  if (dtype === "float32") {
    if (!Number.isFinite(v) || Math.abs(v) > FLOAT32_MAX) {
      throw new QscapeError(`${what} must be finite float32 values, got ${v} at index ${at}`);
    }
  } else if (dtype === "int32") {
    if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
      throw new QscapeError(`${what} must be int32 integers, got ${v} at index ${at}`);
    }
  } else if (!Number.isInteger(v) || v < 0 || v > 255) {
    throw new QscapeError(`${what} must be uint8 integers in [0, 255], got ${v} at index ${at}`);
  }
}

function isPositiveInt(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n > 0;
}

export class ReplayBuffer {
  readonly capacity: number;
  readonly fieldSpecs: Readonly<Record<string, Readonly<{ shape: readonly number[]; dtype: FieldDtype }>>>;
  protected readonly columns: Column[];
  private readonly byName = new Map<string, Column>();
  private readonly storage: ArrayBuffer;
  /** Bytes per slot. */
  readonly rowBytes: number;
  private next = 0;
  private count = 0;
  protected readonly label: string;

  constructor(opts: ReplayBufferOptions, label = "ReplayBuffer") {
    this.label = label;
    if (!isPositiveInt(opts?.capacity) || opts.capacity > 2 ** 31 - 1) {
      throw new QscapeError(`${label}: capacity must be a positive integer below 2^31, got ${opts?.capacity}`);
    }
    const names = Object.keys(opts.fields ?? {});
    if (names.length === 0) throw new QscapeError(`${label}: fields must declare at least one field`);
    this.capacity = opts.capacity;
    const specs = names.map((name) => {
      const spec = opts.fields[name] as FieldSpec;
      const dtype = spec.dtype ?? "float32";
      if (dtype !== "float32" && dtype !== "int32" && dtype !== "uint8") {
        throw new QscapeError(`${label}: field "${name}" has dtype "${dtype}", expected float32, int32 or uint8`);
      }
      if (!Array.isArray(spec.shape) || !spec.shape.every(isPositiveInt)) {
        throw new QscapeError(
          `${label}: field "${name}" needs a shape of positive integers ([] for a scalar), got ${JSON.stringify(spec.shape)}`,
        );
      }
      return { name, dtype, shape: [...spec.shape], rowSize: spec.shape.reduce((a, b) => a * b, 1) };
    });
    // Byte layout of one slot: 4-byte fields first so they stay aligned, then uint8 fields.
    const byteOffsets = new Map<string, number>();
    let rowBytes = 0;
    for (const wide of [true, false]) {
      for (const f of specs) {
        if ((f.dtype !== "uint8") !== wide) continue;
        byteOffsets.set(f.name, rowBytes);
        rowBytes += f.rowSize * (wide ? 4 : 1);
      }
    }
    this.rowBytes = Math.ceil(rowBytes / 4) * 4;
    try {
      this.storage = new ArrayBuffer(this.rowBytes * opts.capacity);
    } catch (e) {
      throw new QscapeError(
        `${label}: cannot allocate ${opts.capacity} slots × ${this.rowBytes} bytes: ${(e as Error).message}`,
      );
    }
    const f32 = new Float32Array(this.storage);
    const i32 = new Int32Array(this.storage);
    const u8 = new Uint8Array(this.storage);
    this.columns = specs.map((f) => {
      const bytes = f.dtype === "uint8" ? 1 : 4;
      const view = f.dtype === "float32" ? f32 : f.dtype === "int32" ? i32 : u8;
      const offset = (byteOffsets.get(f.name) as number) / bytes;
      return { ...f, view, stride: this.rowBytes / bytes, offset };
    });
    for (const c of this.columns) this.byName.set(c.name, c);
    this.fieldSpecs = Object.fromEntries(this.columns.map((c) => [c.name, { shape: c.shape, dtype: c.dtype }]));
  }

  /** Number of stored transitions (≤ capacity). Valid slots are 0 … size−1. */
  get size(): number {
    return this.count;
  }

  /** Bytes of storage (capacity × rowBytes). */
  get byteLength(): number {
    return this.storage.byteLength;
  }

  /** Stores one transition in the next ring slot (overwriting the oldest when full); returns the slot. */
  add(record: Record<string, FieldValue>): number {
    this.checkRecord(record);
    const slot = this.next;
    for (const c of this.columns) {
      const v = record[c.name] as FieldValue;
      const base = slot * c.stride + c.offset;
      if (typeof v === "number") c.view[base] = v;
      else if (typeof v === "boolean") c.view[base] = v ? 1 : 0;
      else for (let j = 0; j < c.rowSize; j++) c.view[base + j] = v[j] as number;
    }
    this.advance(1);
    return slot;
  }

  /**
   * Stores `rows` transitions at once: each field holds rows × prod(shape) values, row-major.
   * Returns the slots written, in order.
   */
  addBatch(batch: Record<string, ArrayLike<number>>): Int32Array {
    const rows = this.checkBatch(batch);
    const slots = new Int32Array(rows);
    for (let i = 0; i < rows; i++) slots[i] = (this.next + i) % this.capacity;
    for (const c of this.columns) {
      const src = batch[c.name] as ArrayLike<number>;
      const { view, stride, offset, rowSize } = c;
      for (let i = 0; i < rows; i++) {
        const base = (slots[i] as number) * stride + offset;
        const from = i * rowSize;
        for (let j = 0; j < rowSize; j++) view[base + j] = src[from + j] as number;
      }
    }
    this.advance(rows);
    return slots;
  }

  /** `batchSize` slots drawn uniformly with replacement, and their rows. */
  sample(batchSize: number, rng: Rng): ReplaySample {
    this.checkBatchSize(batchSize);
    const indices = new Int32Array(batchSize);
    for (let i = 0; i < batchSize; i++) indices[i] = rng.int(0, this.count);
    return { indices, data: this.gatherUnchecked(indices) };
  }

  /** The rows at `indices` (slots in 0 … size−1), one array per field. */
  gather(indices: ArrayLike<number>): Batch {
    this.checkIndices(indices, "gather");
    return this.gatherUnchecked(indices);
  }

  /** Overwrites `field` at `indices` with `values` (indices.length × prod(shape), row-major). */
  write(field: string, indices: ArrayLike<number>, values: ArrayLike<number>): void {
    const c = this.column(field, "write");
    this.checkIndices(indices, "write");
    const what = `${this.label}.write: values for field "${field}"`;
    if (values.length !== indices.length * c.rowSize) {
      throw new QscapeError(
        `${what} has length ${values.length}, expected ${indices.length} indices × ${c.rowSize} = ${indices.length * c.rowSize}`,
      );
    }
    for (let i = 0; i < values.length; i++) checkValue(values[i] as number, c.dtype, what, i);
    for (let i = 0; i < indices.length; i++) {
      const base = (indices[i] as number) * c.stride + c.offset;
      for (let j = 0; j < c.rowSize; j++) c.view[base + j] = values[i * c.rowSize + j] as number;
    }
  }

  getState(): ReplayState {
    return {
      kind: "replay",
      version: 1,
      capacity: this.capacity,
      size: this.count,
      next: this.next,
      fields: this.getSpecs(),
      data: this.gatherUnchecked(Int32Array.from({ length: this.count }, (_, i) => i)),
    };
  }

  setState(state: Snapshot): void {
    const { size, next, data } = this.validateState(state);
    new Uint8Array(this.storage).fill(0);
    for (const c of this.columns) {
      const src = data[c.name] as FieldArray;
      const { view, stride, offset, rowSize } = c;
      for (let i = 0; i < size; i++) {
        for (let j = 0; j < rowSize; j++) view[i * stride + offset + j] = src[i * rowSize + j] as number;
      }
    }
    this.count = size;
    this.next = next;
  }

  /** Throws a clear error unless `state` is a replay state this buffer can load; returns it typed. */
  validateState(state: Snapshot): ReplayState {
    const s = state as Partial<ReplayState> | null;
    const fail = (why: string): never => {
      throw new QscapeError(`${this.label}: cannot load state: ${why}`);
    };
    if (s === null || typeof s !== "object" || s.kind !== "replay") fail("not a replay buffer state");
    if (s?.version !== 1) fail(`unsupported state version ${s?.version}`);
    const { capacity, size, next, fields, data } = s as ReplayState;
    if (capacity !== this.capacity) fail(`state has capacity ${capacity}, this buffer ${this.capacity}`);
    if (!Number.isInteger(size) || size < 0 || size > capacity) fail(`size ${size} is out of range`);
    if (!Number.isInteger(next) || next < 0 || next >= capacity || (size < capacity && next !== size)) {
      fail(`ring pointer ${next} does not fit size ${size}`);
    }
    const mine = this.getSpecs();
    const sameFields =
      fields !== null &&
      typeof fields === "object" &&
      Object.keys(fields).length === this.columns.length &&
      this.columns.every((c) => JSON.stringify(fields[c.name]) === JSON.stringify(mine[c.name]));
    if (!sameFields) fail(`state fields ${JSON.stringify(fields)} differ from this buffer's ${JSON.stringify(mine)}`);
    for (const c of this.columns) {
      const d = data?.[c.name];
      if (dtypeOf(d) !== c.dtype) fail(`field "${c.name}" must be a ${c.dtype} typed array`);
      if ((d as FieldArray).length !== size * c.rowSize) {
        fail(`field "${c.name}" has ${(d as FieldArray).length} values, expected ${size * c.rowSize}`);
      }
    }
    return s as ReplayState;
  }

  protected getSpecs(): Record<string, { shape: number[]; dtype: FieldDtype }> {
    return Object.fromEntries(this.columns.map((c) => [c.name, { shape: [...c.shape], dtype: c.dtype }]));
  }

  /** Rows at `indices` (not checked), copied out field by field. */
  protected gatherUnchecked(indices: ArrayLike<number>): Batch {
    const n = indices.length;
    const out: Batch = {};
    for (const c of this.columns) {
      const dst = allocateFieldArray(c.dtype, n * c.rowSize);
      const { view, stride, offset, rowSize } = c;
      // Element loops beat subarray()+set() for short rows (no view allocated per row).
      for (let i = 0; i < n; i++) {
        const from = (indices[i] as number) * stride + offset;
        const to = i * rowSize;
        for (let j = 0; j < rowSize; j++) dst[to + j] = view[from + j] as number;
      }
      out[c.name] = dst;
    }
    return out;
  }

  protected checkBatchSize(batchSize: number): void {
    if (!isPositiveInt(batchSize)) {
      throw new QscapeError(`${this.label}.sample: batchSize must be a positive integer, got ${batchSize}`);
    }
    if (this.count === 0) throw new QscapeError(`${this.label}.sample: the buffer is empty; add transitions first`);
  }

  protected checkIndices(indices: ArrayLike<number>, op: string): void {
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i] as number;
      if (!Number.isInteger(k) || k < 0 || k >= this.count) {
        throw new QscapeError(
          `${this.label}.${op}: index ${k} (position ${i}) is not a filled slot [0, ${this.count})`,
        );
      }
    }
  }

  private column(field: string, op: string): Column {
    const c = this.byName.get(field);
    if (!c) throw new QscapeError(`${this.label}.${op}: unknown field "${field}" (fields: ${this.fieldList()})`);
    return c;
  }

  private fieldList(): string {
    return this.columns.map((c) => c.name).join(", ");
  }

  private checkUnknownKeys(record: object, op: string): void {
    let n = 0;
    for (const _ in record) n++;
    if (n === this.columns.length) return; // every declared field is checked as present below
    for (const key of Object.keys(record)) {
      if (!this.byName.has(key)) {
        throw new QscapeError(`${this.label}.${op}: unknown field "${key}" (fields: ${this.fieldList()})`);
      }
    }
  }

  private checkRecord(record: Record<string, FieldValue>): void {
    if (record === null || typeof record !== "object") {
      throw new QscapeError(`${this.label}.add: expected an object with fields ${this.fieldList()}`);
    }
    for (const c of this.columns) {
      const v = record[c.name];
      const what = `${this.label}.add: field "${c.name}"`;
      if (v === undefined || v === null) throw new QscapeError(`${what} is missing`);
      if (typeof v === "number" || typeof v === "boolean") {
        if (c.rowSize !== 1) {
          throw new QscapeError(`${what} is a scalar, expected ${c.rowSize} values (shape [${c.shape.join(", ")}])`);
        }
        checkValue(Number(v), c.dtype, what, 0);
        continue;
      }
      if (typeof v.length !== "number") throw new QscapeError(`${what} must be a number or an array of numbers`);
      if (v.length !== c.rowSize) {
        throw new QscapeError(`${what} has ${v.length} values, expected ${c.rowSize} (shape [${c.shape.join(", ")}])`);
      }
      for (let j = 0; j < v.length; j++) checkValue(v[j] as number, c.dtype, what, j);
    }
    this.checkUnknownKeys(record, "add");
  }

  private checkBatch(batch: Record<string, ArrayLike<number>>): number {
    let rows = -1;
    for (const c of this.columns) {
      const v = batch?.[c.name];
      const what = `${this.label}.addBatch: field "${c.name}"`;
      if (v === undefined || v === null || typeof v.length !== "number") {
        throw new QscapeError(`${what} is missing or not an array`);
      }
      if (v.length % c.rowSize !== 0) {
        throw new QscapeError(`${what} has ${v.length} values, not a multiple of its row size ${c.rowSize}`);
      }
      const r = v.length / c.rowSize;
      if (rows === -1) rows = r;
      else if (r !== rows) throw new QscapeError(`${what} holds ${r} rows, other fields ${rows}`);
      for (let j = 0; j < v.length; j++) checkValue(v[j] as number, c.dtype, what, j);
    }
    this.checkUnknownKeys(batch, "addBatch");
    return rows;
  }

  private advance(rows: number): void {
    this.next = (this.next + rows) % this.capacity;
    this.count = Math.min(this.capacity, this.count + rows);
  }
}
