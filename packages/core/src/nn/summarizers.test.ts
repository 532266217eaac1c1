import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend.js";
import { QscapeError } from "../errors.js";
import { Rng } from "../rng.js";
import { DeepSetSummarizer, type ListSummarizer, makeSummarizer, type SummarizerKind } from "./summarizers.js";

beforeAll(async () => {
  await initBackend();
});

const B = 3;
const L = 5;
const D = 4;
const OUT = 6;
// Row 0 has padding in the middle and at the end, row 1 is full, row 2 is all padding.
const MASK = [
  [1, 1, 0, 1, 0],
  [1, 1, 1, 1, 1],
  [0, 0, 0, 0, 0],
];

function build(kind: SummarizerKind, seed = 1): ListSummarizer {
  return makeSummarizer(kind, new Rng(seed), { inputSize: D, hiddenSize: 8, outputSize: OUT, heads: 2 });
}

function randomItems(rng: Rng, b: number, l: number): number[][][] {
  return Array.from({ length: b }, () =>
    Array.from({ length: l }, () => Array.from({ length: D }, () => rng.normal())),
  );
}

/** Replace every padded item (mask 0) with fresh random values. */
function repad(items: number[][][], rng: Rng): number[][][] {
  return items.map((row, i) => row.map((item, j) => (MASK[i]?.[j] ? item : item.map(() => 10 * rng.normal()))));
}

function run(s: ListSummarizer, items: number[][][], mask?: number[][]): number[][] {
  return tf.tidy(() => {
    const x = tf.tensor3d(items.flat(2), [items.length, items[0]?.length ?? 0, D]);
    return s.apply(x, mask ? tf.tensor2d(mask) : undefined).arraySync() as number[][];
  });
}

function maxDiff(a: number[][], b: number[][]): number {
  let m = 0;
  a.forEach((row, i) => {
    row.forEach((v, j) => {
      m = Math.max(m, Math.abs(v - (b[i]?.[j] as number)));
    });
  });
  return m;
}

const KINDS: SummarizerKind[] = ["deepset", "lstm", "attention"];

describe.each(KINDS)("%s summarizer", (kind) => {
  it("maps [B, L, d] to [B, outputSize]", () => {
    const s = build(kind);
    const out = run(s, randomItems(new Rng(2), B, L));
    expect(out).toHaveLength(B);
    expect(out[0]).toHaveLength(OUT);
    expect(s.kind).toBe(kind);
    expect(s.outputSize).toBe(OUT);
  });

  it("ignores padded items: new padding values and the compacted list give the same summary", () => {
    const s = build(kind);
    const rng = new Rng(3);
    const items = randomItems(rng, B, L);
    const a = run(s, items, MASK);
    const b = run(s, repad(items, rng), MASK);
    expect(maxDiff(a, b)).toBeLessThan(1e-5);
    // Row 0 without its padding, as an unmasked list of 3 items.
    const compact = run(s, [[items[0]?.[0], items[0]?.[1], items[0]?.[3]] as number[][]]);
    expect(maxDiff([a[0] as number[]], compact)).toBeLessThan(1e-5);
    // The full row is unaffected by the mask.
    expect(maxDiff([a[1] as number[]], run(s, [items[1] as number[][]]))).toBeLessThan(1e-5);
    // The padding is not ignored without a mask (the test could fail).
    expect(maxDiff([a[0] as number[]], run(s, [items[0] as number[][]]))).toBeGreaterThan(1e-4);
  });

  it("summarizes an empty list (L = 0 or all padding) as zeros", () => {
    const s = build(kind);
    const items = randomItems(new Rng(4), B, L);
    const isZero = (row: number[] | undefined) => row?.length === OUT && row.every((v) => v === 0);
    expect(isZero(run(s, items, MASK)[2])).toBe(true);
    const empty = tf.tidy(() => s.apply(tf.zeros([2, 0, D])).arraySync() as number[][]);
    expect(empty.length === 2 && empty.every(isZero)).toBe(true);
  });

  it("passes gradients to every parameter", () => {
    const s = build(kind);
    tf.tidy(() => {
      const x = tf.tensor3d(randomItems(new Rng(5), B, L).flat(2), [B, L, D]);
      const vars = s.parameters();
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(s.apply(x, tf.tensor2d(MASK)))) as tf.Scalar, vars);
      for (const v of vars) {
        expect(tf.max(tf.abs(grads[v.name] as tf.Tensor)).dataSync()[0], v.name).toBeGreaterThan(0);
      }
    });
  });

  it("rejects items of the wrong width and masks of the wrong shape", () => {
    const s = build(kind);
    expect(() => tf.tidy(() => s.apply(tf.zeros([2, 3, D + 1])))).toThrow(QscapeError);
    expect(() => tf.tidy(() => s.apply(tf.zeros([2, 3, D]), tf.ones([2, 4])))).toThrow(/mask has shape/);
  });
});

describe("order", () => {
  const rng = new Rng(6);
  const items = randomItems(rng, 1, L);
  const perm = [3, 0, 4, 1, 2];
  const permuted = [perm.map((j) => items[0]?.[j] as number[])];
  const permMask = [perm.map((j) => MASK[0]?.[j] as number)];

  it.each(["deepset", "attention"] as const)("%s is permutation invariant, with and without a mask", (kind) => {
    const s = build(kind);
    expect(maxDiff(run(s, items), run(s, permuted))).toBeLessThan(1e-5);
    expect(maxDiff(run(s, items, [MASK[0] as number[]]), run(s, permuted, permMask))).toBeLessThan(1e-5);
  });

  it("max-pool DeepSet is permutation invariant and differs from mean pooling", () => {
    const maxPool = new DeepSetSummarizer(new Rng(1), { inputSize: D, hiddenSize: 8, outputSize: OUT, pool: "max" });
    const meanPool = new DeepSetSummarizer(new Rng(1), { inputSize: D, hiddenSize: 8, outputSize: OUT });
    expect(maxDiff(run(maxPool, items), run(maxPool, permuted))).toBeLessThan(1e-5);
    expect(maxDiff(run(maxPool, items), run(meanPool, items))).toBeGreaterThan(1e-4);
  });

  it("the Bi-LSTM depends on item order", () => {
    const s = build("lstm");
    expect(maxDiff(run(s, items), run(s, permuted))).toBeGreaterThan(1e-5);
  });
});

it("makeSummarizer names the bad kind", () => {
  expect(() =>
    makeSummarizer("gru" as SummarizerKind, new Rng(0), { inputSize: 1, hiddenSize: 1, outputSize: 1 }),
  ).toThrow(/unknown kind "gru"/);
});
