import { describe, expect, it } from "vitest";
import { QscapeError } from "../errors.js";
import { Rng } from "../rng.js";
import { type FieldSpec, ReplayBuffer } from "./replay-buffer.js";

const fields: Record<string, FieldSpec> = {
  obs: { shape: [2] },
  action: { shape: [], dtype: "int32" },
  reward: { shape: [] },
  done: { shape: [], dtype: "uint8" },
};

/** Transition k: obs [k, −k], action k % 7, reward k/2, done on every 3rd. */
function item(k: number) {
  return { obs: [k, -k], action: k % 7, reward: k / 2, done: k % 3 === 0 };
}

/** Pearson's χ² statistic of `counts` against equal expected counts. */
function chiSquareUniform(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}

describe("ReplayBuffer", () => {
  it("stores typed rows and wraps around, overwriting the oldest", () => {
    const buf = new ReplayBuffer({ capacity: 5, fields });
    const slots = Array.from({ length: 8 }, (_, k) => buf.add(item(k)));
    expect(slots).toEqual([0, 1, 2, 3, 4, 0, 1, 2]);
    expect(buf.size).toBe(5);
    expect(buf.capacity).toBe(5);
    const rows = buf.gather([0, 1, 2, 3, 4]);
    // Slots 0–2 now hold transitions 5–7; slots 3–4 still hold 3–4.
    expect(Array.from(rows.obs as Float32Array)).toEqual([5, -5, 6, -6, 7, -7, 3, -3, 4, -4]);
    expect(rows.action).toBeInstanceOf(Int32Array);
    expect(Array.from(rows.action as Int32Array)).toEqual([5, 6, 0, 3, 4]);
    expect(Array.from(rows.reward as Float32Array)).toEqual([2.5, 3, 3.5, 1.5, 2]);
    expect(rows.done).toBeInstanceOf(Uint8Array);
    expect(Array.from(rows.done as Uint8Array)).toEqual([0, 1, 0, 1, 0]);
  });

  it("keeps fields of mixed dtypes and odd sizes apart within a slot", () => {
    const mixed: Record<string, FieldSpec> = {
      flags: { shape: [3], dtype: "uint8" },
      x: { shape: [5] },
      ids: { shape: [2], dtype: "int32" },
      bit: { shape: [], dtype: "uint8" },
      grid: { shape: [2, 2] },
    };
    const buf = new ReplayBuffer({ capacity: 20, fields: mixed });
    expect(buf.rowBytes).toBe(4 * (5 + 2 + 4) + 4); // 3 + 1 uint8 bytes fill the last word exactly
    const rng = new Rng(4);
    const records = Array.from({ length: 50 }, () => ({
      flags: [rng.int(0, 256), rng.int(0, 256), rng.int(0, 256)],
      x: Array.from({ length: 5 }, () => Math.fround(rng.normal())),
      ids: [rng.int(-1e9, 1e9), rng.int(-1e9, 1e9)],
      bit: rng.int(0, 2),
      grid: Array.from({ length: 4 }, () => Math.fround(rng.normal())),
    }));
    for (const r of records) buf.add(r);
    const slots = Array.from({ length: 20 }, (_, i) => i);
    const rows = buf.gather(slots);
    // After 50 adds into 20 slots: slots 0–9 hold records 40–49, slots 10–19 records 30–39.
    const expected = slots.map((i) => records[i < 10 ? 40 + i : 20 + i] as (typeof records)[number]);
    for (const name of Object.keys(mixed)) {
      expect(Array.from(rows[name] as ArrayLike<number>)).toEqual(expected.flatMap((r) => r[name as keyof typeof r]));
    }
  });

  it("addBatch gives the same contents and slots as adding one by one, across the wrap", () => {
    const one = new ReplayBuffer({ capacity: 7, fields });
    const many = new ReplayBuffer({ capacity: 7, fields });
    for (let k = 0; k < 5; k++) {
      one.add(item(k));
      many.add(item(k));
    }
    const ks = [5, 6, 7, 8, 9, 10];
    const oneSlots = ks.map((k) => one.add(item(k)));
    const manySlots = many.addBatch({
      obs: ks.flatMap((k) => [k, -k]),
      action: ks.map((k) => k % 7),
      reward: ks.map((k) => k / 2),
      done: ks.map((k) => (k % 3 === 0 ? 1 : 0)),
    });
    expect(Array.from(manySlots)).toEqual(oneSlots);
    expect(many.getState()).toEqual(one.getState());
  });

  it("rejects bad records with errors naming the field", () => {
    const buf = new ReplayBuffer({ capacity: 4, fields });
    const good = item(1);
    expect(() => buf.add({ ...good, obs: undefined as never })).toThrow(/field "obs" is missing/);
    expect(() => buf.add({ ...good, obs: [1, 2, 3] })).toThrow(/field "obs" has 3 values, expected 2/);
    expect(() => buf.add({ ...good, obs: [1, Number.NaN] })).toThrow(/field "obs" must be finite.*NaN at index 1/);
    expect(() => buf.add({ ...good, reward: Number.POSITIVE_INFINITY })).toThrow(/field "reward" must be finite/);
    expect(() => buf.add({ ...good, obs: 3 })).toThrow(/field "obs" is a scalar, expected 2 values/);
    expect(() => buf.add({ ...good, action: 1.5 })).toThrow(/field "action" must be int32 integers/);
    expect(() => buf.add({ ...good, done: 300 })).toThrow(/field "done" must be uint8/);
    expect(() => buf.add({ ...good, rewrad: 1 })).toThrow(/unknown field "rewrad"/);
    expect(() => buf.addBatch({ obs: [1, 2, 3, 4], action: [1], reward: [1], done: [0] })).toThrow(
      /field "action" holds 1 rows, other fields 2/,
    );
    // A rejected record leaves the buffer unchanged.
    expect(buf.size).toBe(0);
    expect(() => new ReplayBuffer({ capacity: 0, fields })).toThrow(/capacity must be a positive integer/);
    expect(() => new ReplayBuffer({ capacity: 3, fields: { x: { shape: [0] } } })).toThrow(/field "x" needs a shape/);
    expect(() => new ReplayBuffer({ capacity: 3, fields: { x: { shape: [], dtype: "int8" as never } } })).toThrow(
      /dtype "int8"/,
    );
  });

  it("refuses to sample an empty buffer and checks indices", () => {
    const buf = new ReplayBuffer({ capacity: 4, fields });
    expect(() => buf.sample(8, new Rng(0))).toThrow(QscapeError);
    expect(() => buf.sample(8, new Rng(0))).toThrow(/empty/);
    buf.add(item(0));
    expect(() => buf.sample(0, new Rng(0))).toThrow(/batchSize/);
    expect(() => buf.gather([1])).toThrow(/index 1 .* not a filled slot \[0, 1\)/);
    expect(() => buf.write("reward", [-1], [0])).toThrow(/index -1/);
  });

  it("samples filled slots uniformly with replacement, reproducibly per seed", () => {
    const buf = new ReplayBuffer({ capacity: 16, fields });
    for (let k = 0; k < 10; k++) buf.add(item(k));
    const counts = new Array(10).fill(0) as number[];
    const rng = new Rng(3);
    let mismatched = 0;
    for (let b = 0; b < 100; b++) {
      const { indices, data } = buf.sample(200, rng);
      expect(indices.length).toBe(200);
      expect((data.obs as Float32Array).length).toBe(400);
      for (let i = 0; i < indices.length; i++) {
        const k = indices[i] as number;
        counts[k] = (counts[k] as number) + 1;
        // Rows belong to their index.
        if ((data.obs as Float32Array)[2 * i] !== k || (data.reward as Float32Array)[i] !== k / 2) mismatched++;
      }
    }
    expect(mismatched).toBe(0);
    // 20,000 draws over 10 slots; χ²(9) exceeds 30 with probability ≈ 4e-4. Unfilled slots never appear.
    expect(counts.every((c) => c > 0)).toBe(true);
    expect(chiSquareUniform(counts)).toBeLessThan(30);
    expect(Array.from(buf.sample(50, new Rng(9)).indices)).toEqual(Array.from(buf.sample(50, new Rng(9)).indices));
  });

  it("write updates a field in place (e.g. QMLE's stored argmax)", () => {
    const buf = new ReplayBuffer({ capacity: 4, fields: { obs: { shape: [1] }, argmax: { shape: [2] } } });
    for (let k = 0; k < 3; k++) buf.add({ obs: [k], argmax: [k, k] });
    buf.write("argmax", [2, 0], [0.5, -0.5, 9, 8]);
    expect(Array.from(buf.gather([0, 1, 2]).argmax as Float32Array)).toEqual([9, 8, 1, 1, 0.5, -0.5]);
    expect(() => buf.write("argmax", [0], [1])).toThrow(/length 1, expected 1 indices × 2 = 2/);
    expect(() => buf.write("argmx", [0], [1, 1])).toThrow(/unknown field "argmx"/);
    expect(() => buf.write("argmax", [0], [1, Number.NaN])).toThrow(/finite/);
  });

  it("round-trips its state, including the ring pointer", () => {
    const a = new ReplayBuffer({ capacity: 6, fields });
    for (let k = 0; k < 9; k++) a.add(item(k));
    const state = a.getState();
    expect(state.data.obs).toBeInstanceOf(Float32Array);
    expect(state.data.done).toBeInstanceOf(Uint8Array);
    const b = new ReplayBuffer({ capacity: 6, fields });
    b.setState(state);
    expect(b.size).toBe(6);
    // Both continue identically: same next slot, same contents, same samples.
    expect(b.add(item(100))).toBe(a.add(item(100)));
    expect(b.getState()).toEqual(a.getState());
    expect(b.sample(32, new Rng(5))).toEqual(a.sample(32, new Rng(5)));
    // The snapshot is a copy: later adds do not change it.
    expect(Array.from(state.data.obs as Float32Array).slice(0, 2)).toEqual([6, -6]);

    expect(() => new ReplayBuffer({ capacity: 7, fields }).setState(state)).toThrow(/capacity 6, this buffer 7/);
    const otherFields = new ReplayBuffer({ capacity: 6, fields: { ...fields, obs: { shape: [3] } } });
    expect(() => otherFields.setState(state)).toThrow(/fields .* differ/);
    expect(() => b.setState({ kind: "replay" })).toThrow(/cannot load state/);
  });

  it("holds 1M Hopper transitions (obs 11, action 3, reward, next obs 11, two flags) in ≤ 120 MB", () => {
    const hopper: Record<string, FieldSpec> = {
      obs: { shape: [11] },
      action: { shape: [3] },
      reward: { shape: [] },
      nextObs: { shape: [11] },
      terminated: { shape: [], dtype: "uint8" },
      truncated: { shape: [], dtype: "uint8" },
    };
    const before = process.memoryUsage().arrayBuffers;
    const buf = new ReplayBuffer({ capacity: 1_000_000, fields: hopper });
    const grown = process.memoryUsage().arrayBuffers - before;
    // 4·(11 + 3 + 1 + 11) + 2 = 106 bytes per transition, padded to 108 so every slot stays 4-byte aligned.
    expect(buf.rowBytes).toBe(108);
    expect(buf.byteLength).toBe(108_000_000);
    expect(buf.byteLength).toBeLessThanOrEqual(120_000_000);
    // Node's own count of ArrayBuffer memory agrees (other buffers freed meanwhile may offset it slightly).
    expect(grown).toBeGreaterThan(0.99 * buf.byteLength);
    expect(grown).toBeLessThan(120_000_000);

    // Fill it for real, in chunks, and read the last transition back.
    const rows = 100_000;
    const chunk = {
      obs: new Float32Array(rows * 11).fill(0.5),
      action: new Float32Array(rows * 3).fill(-1),
      reward: new Float32Array(rows).fill(1),
      nextObs: new Float32Array(rows * 11).fill(0.25),
      terminated: new Uint8Array(rows),
      truncated: new Uint8Array(rows),
    };
    for (let i = 0; i < 10; i++) buf.addBatch(chunk);
    expect(buf.size).toBe(1_000_000);
    buf.add({
      obs: new Float32Array(11).fill(7),
      action: [1, 2, 3],
      reward: 2,
      nextObs: new Float32Array(11),
      terminated: true,
      truncated: false,
    });
    const last = buf.gather([0, 999_999]);
    expect(Array.from(last.action as Float32Array)).toEqual([1, 2, 3, -1, -1, -1]);
    expect(Array.from(last.terminated as Uint8Array)).toEqual([1, 0]);
  });
});
