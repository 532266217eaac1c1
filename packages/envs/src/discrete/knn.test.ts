import { initBackend, Rng, tf } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { bruteForceKnn, type ItemMask, KnnIndex } from "./knn.js";

beforeAll(async () => {
  await initBackend();
});

function randomMatrix(rng: Rng, rows: number, cols: number, scale = 1, offset = 0): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = offset + scale * rng.normal();
  return out;
}

/** Same neighbours; a different index is only allowed at a float32 near-tie in distance. */
function expectSameNeighbours(got: { indices: Int32Array; distances: Float32Array }, want: typeof got) {
  expect(got.indices.length).toBe(want.indices.length);
  let differing = 0;
  for (let i = 0; i < want.indices.length; i++) {
    if (got.indices[i] === want.indices[i]) {
      expect(got.distances[i]).toBe(want.distances[i]);
    } else {
      differing++;
      expect(Math.abs((got.distances[i] as number) - (want.distances[i] as number))).toBeLessThan(1e-4);
    }
  }
  expect(differing).toBeLessThanOrEqual(Math.ceil(want.indices.length / 100));
}

describe("bruteForceKnn", () => {
  it("returns sorted exact neighbours with ties to the lower index", () => {
    // Items on a line: 0, 1, 1 (duplicate), 3. Query at 1.4 → items 1 and 2 tie at 0.4.
    const items = new Float32Array([0, 1, 1, 3]);
    const r = bruteForceKnn(items, 4, 1, new Float32Array([1.4]), 1, 4);
    expect(Array.from(r.indices)).toEqual([1, 2, 0, 3]);
    expect(r.distances[0]).toBeCloseTo(0.4, 6);
    expect(r.distances[1]).toBeCloseTo(0.4, 6);
    expect(r.distances[2]).toBeCloseTo(1.4, 6);
  });

  it("pads with -1 / Infinity when k exceeds the available items", () => {
    const items = new Float32Array([0, 0, 1, 1, 2, 2]);
    const r = bruteForceKnn(items, 3, 2, new Float32Array([2, 2]), 1, 3, new Uint8Array([1, 0, 1]));
    expect(Array.from(r.indices)).toEqual([2, 0, -1]);
    expect(r.distances[2]).toBe(Number.POSITIVE_INFINITY);
  });

  it("rejects bad shapes, k and masks with messages naming the field", () => {
    const items = new Float32Array(6);
    expect(() => bruteForceKnn(items, 3, 2, new Float32Array(3), 1, 1)).toThrow(/queries has 3 values/);
    expect(() => bruteForceKnn(items, 3, 2, new Float32Array(2), 1, 0)).toThrow(/k must be a positive integer/);
    expect(() => bruteForceKnn(items, 3, 2, new Float32Array(2), 1, 1, new Uint8Array(2))).toThrow(/mask has length 2/);
    expect(() => bruteForceKnn(items, 3, 2, new Float32Array([0, Number.NaN]), 1, 1)).toThrow(/queries contains NaN/);
  });
});

describe("KnnIndex (tfjs path)", () => {
  const cases = [
    { n: 1000, d: 8, batch: 7, k: 1 },
    { n: 5003, d: 20, batch: 300, k: 3 },
    { n: 777, d: 5, batch: 64, k: 10 },
  ];
  for (const { n, d, batch, k } of cases) {
    it(`matches brute force: n=${n} d=${d} batch=${batch} k=${k}`, () => {
      const rng = new Rng(n);
      const items = randomMatrix(rng, n, d, 2, 5);
      const queries = randomMatrix(rng, batch, d, 2, 5);
      const index = new KnnIndex(items, n, d, { method: "tfjs", chunkSize: 1024, blockSize: 16, queryBatch: 128 });
      try {
        expectSameNeighbours(index.query(queries, batch, k), bruteForceKnn(items, n, d, queries, batch, k));
      } finally {
        index.dispose();
      }
    });
  }

  it("respects masks, including fully masked blocks and k > available items", () => {
    const rng = new Rng(3);
    const n = 2000;
    const d = 6;
    const items = randomMatrix(rng, n, d);
    const queries = randomMatrix(rng, 40, d);
    const mask: ItemMask = new Int32Array(n);
    // Items 0..999 all unavailable (whole blocks and a whole chunk), then every 7th available.
    for (let i = 1000; i < n; i += 7) mask[i] = 1;
    const available = mask.reduce((s, v) => s + v, 0);
    const index = new KnnIndex(items, n, d, { method: "tfjs", chunkSize: 512, blockSize: 8 });
    try {
      const got = index.query(queries, 40, 5, mask);
      expectSameNeighbours(got, bruteForceKnn(items, n, d, queries, 40, 5, mask));
      for (const i of got.indices) expect(mask[i]).toBe(1);
      const few = new Uint8Array(n);
      few[17] = 1;
      few[1999] = 1;
      const r = index.query(queries, 40, 3, few);
      for (let q = 0; q < 40; q++) {
        expect(new Set([r.indices[q * 3], r.indices[q * 3 + 1]])).toEqual(new Set([17, 1999]));
        expect(r.indices[q * 3 + 2]).toBe(-1);
        expect(r.distances[q * 3 + 2]).toBe(Number.POSITIVE_INFINITY);
      }
      expect(available).toBeGreaterThan(100);
    } finally {
      index.dispose();
    }
  });

  it("breaks exact ties (duplicate items across blocks and chunks) towards the lower index", () => {
    const d = 4;
    const n = 300;
    const rng = new Rng(9);
    const items = randomMatrix(rng, n, d);
    // Items 250 and 40 and 120 are exact copies of item 260 → 40 must win, then 120, 250, 260.
    for (const copy of [40, 120, 250]) items.set(items.subarray(260 * d, 261 * d), copy * d);
    const query = items.slice(260 * d, 261 * d);
    const index = new KnnIndex(items, n, d, { method: "tfjs", chunkSize: 128, blockSize: 16 });
    try {
      const r = index.query(query, 1, 4);
      expect(Array.from(r.indices)).toEqual([40, 120, 250, 260]);
      expect(Array.from(r.distances)).toEqual([0, 0, 0, 0]);
    } finally {
      index.dispose();
    }
  });

  it("uses the JS path for small problems under method auto, with the same answers", () => {
    const rng = new Rng(5);
    const items = randomMatrix(rng, 54, 4);
    const q = randomMatrix(rng, 3, 4);
    const auto = new KnnIndex(items, 54, 4);
    expect(auto.memoryBytes()).toBeGreaterThan(0);
    const js = new KnnIndex(items, 54, 4, { method: "js" });
    expect(js.memoryBytes()).toBe(0);
    expect(auto.query(q, 3, 2)).toEqual(js.query(q, 3, 2));
    auto.dispose();
    js.dispose();
  });

  it("frees its tensors on dispose and leaks none per query", () => {
    const rng = new Rng(11);
    const items = randomMatrix(rng, 3000, 10);
    const before = tf.memory().numTensors;
    const index = new KnnIndex(items, 3000, 10, { method: "tfjs", chunkSize: 1000 });
    const afterBuild = tf.memory().numTensors;
    expect(afterBuild - before).toBe(3);
    index.query(randomMatrix(rng, 5, 10), 5, 2, new Uint8Array(3000).fill(1));
    expect(tf.memory().numTensors).toBe(afterBuild);
    index.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => index.query(new Float32Array(10), 1, 1)).toThrow(/after dispose/);
  });

  it("rejects embeddings that do not match numItems × dim", () => {
    expect(() => new KnnIndex(new Float32Array(10), 3, 4)).toThrow(
      /embeddings has 10 values, expected numItems × dim = 3 × 4/,
    );
    expect(() => new KnnIndex(new Float32Array(12), 3, 4, { blockSize: 0 })).toThrow(/blockSize/);
  });
});
