import { describe, expect, it } from "vitest";
import {
  Box,
  Dict,
  Discrete,
  flatdim,
  flatten,
  flattenSpace,
  MultiBinary,
  MultiDiscrete,
  type Space,
  spaceFromJSON,
  Tuple,
} from "./spaces.js";

const spaces: [string, () => Space<unknown>][] = [
  ["bounded Box", () => new Box(-1, [1, 2, 3])],
  ["half-bounded Box", () => new Box([0, Number.NEGATIVE_INFINITY], [Number.POSITIVE_INFINITY, 5])],
  ["unbounded Box", () => new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, [2, 3])],
  ["Discrete", () => new Discrete(5, -2)],
  ["MultiDiscrete", () => new MultiDiscrete([2, 3, 4])],
  ["MultiBinary", () => new MultiBinary(6)],
  ["Tuple", () => new Tuple([new Discrete(3), new Box(0, 1, [2])])],
  ["Dict", () => new Dict({ pos: new Box(-1, 1, [2]), index: new Discrete(4) })],
];

describe.each(spaces)("%s", (_, build) => {
  it("samples lie in the space", () => {
    const space = build();
    space.seed(3);
    for (let i = 0; i < 500; i++) expect(space.contains(space.sample())).toBe(true);
  });

  it("seeded sampling is reproducible and seed-dependent", () => {
    const a = build();
    const b = build();
    a.seed(7);
    b.seed(7);
    const sa = Array.from({ length: 20 }, () =>
      JSON.stringify(a.sample(), (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v)),
    );
    const sb = Array.from({ length: 20 }, () =>
      JSON.stringify(b.sample(), (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v)),
    );
    expect(sa).toEqual(sb);
    b.seed(8);
    const sc = Array.from({ length: 20 }, () =>
      JSON.stringify(b.sample(), (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v)),
    );
    expect(sc).not.toEqual(sa);
  });

  it("round-trips through JSON", () => {
    const space = build();
    const back = spaceFromJSON(JSON.parse(JSON.stringify(space.toJSON())));
    expect(back.toJSON()).toEqual(space.toJSON());
    expect(String(back)).toBe(String(space));
  });
});

describe("Box", () => {
  const box = new Box(-1, 1, [3]);

  it("rejects wrong shape, NaN, out-of-range values and wrong types", () => {
    expect(box.contains(Float32Array.of(0, 0.5, -1))).toBe(true);
    expect(box.contains([0, 0.5, 1])).toBe(true);
    expect(box.contains(Float32Array.of(0, 0))).toBe(false);
    expect(box.contains(Float32Array.of(0, Number.NaN, 0))).toBe(false);
    expect(box.contains([0, 1.01, 0])).toBe(false);
    expect(box.contains(0.5)).toBe(false);
    expect(box.contains("abc")).toBe(false);
    expect(box.explain(Float32Array.of(0, Number.NaN, 0))).toMatch(/NaN at index 1/);
    expect(box.explain([0, 0])).toMatch(/2 elements, expected shape \[3\]/);
    expect(box.explain([0, 2, 0])).toMatch(/element 1 = 2 is outside \[-1, 1\]/);
  });

  it("accepts its own float32-rounded bounds", () => {
    const b = new Box(-0.07, 0.07, [1]);
    expect(b.contains(Float32Array.of(-0.07))).toBe(true);
    expect(b.contains([0.07])).toBe(true);
  });

  it("validates its construction arguments", () => {
    expect(() => new Box(1, 0, [2])).toThrow(/low\[0\] = 1 > high\[0\] = 0/);
    expect(() => new Box([0, 0], [1, 1, 1])).toThrow(/high has 3 elements, shape needs 2/);
    expect(() => new Box(Number.NaN, 1)).toThrow(/NaN/);
  });

  it("samples uniformly on bounded dims and on the right side of half-bounded dims", () => {
    const b = new Box([0, 2, Number.NEGATIVE_INFINITY], [1, Number.POSITIVE_INFINITY, -3]);
    b.seed(1);
    let mean0 = 0;
    for (let i = 0; i < 4000; i++) {
      const x = b.sample();
      mean0 += (x[0] as number) / 4000;
      expect(x[1]).toBeGreaterThanOrEqual(2);
      expect(x[2]).toBeLessThanOrEqual(-3);
    }
    expect(mean0).toBeCloseTo(0.5, 1);
    expect(b.isBounded("below")).toBe(false);
    expect(new Box(-1, 1, [2]).isBounded()).toBe(true);
  });

  it("prints like Gymnasium", () => {
    expect(String(new Box(-1, 1, [2]))).toBe("Box(-1, 1, (2,), float32)");
  });
});

describe("Discrete and friends", () => {
  it("Discrete respects start and rejects non-integers", () => {
    const d = new Discrete(3, 1);
    expect(d.contains(1)).toBe(true);
    expect(d.contains(3)).toBe(true);
    expect(d.contains(0)).toBe(false);
    expect(d.contains(4)).toBe(false);
    expect(d.contains(1.5)).toBe(false);
    expect(d.contains(Number.NaN)).toBe(false);
    expect(d.contains("1")).toBe(false);
  });

  it("Discrete masked sampling only returns allowed values", () => {
    const d = new Discrete(5);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(d.sample([0, 1, 0, 1, 0]));
    expect([...seen].sort()).toEqual([1, 3]);
    expect(() => d.sample([0, 0, 0, 0, 0])).toThrow(/allows no action/);
  });

  it("MultiDiscrete / MultiBinary check element ranges", () => {
    const md = new MultiDiscrete([2, 3]);
    expect(md.contains([1, 2])).toBe(true);
    expect(md.contains([2, 0])).toBe(false);
    expect(md.contains([1])).toBe(false);
    const mb = new MultiBinary(3);
    expect(mb.contains([0, 1, 1])).toBe(true);
    expect(mb.contains([0, 2, 1])).toBe(false);
  });

  it("Dict sorts keys and checks every key; Tuple checks every element", () => {
    const d = new Dict({ b: new Discrete(2), a: new Box(0, 1, [1]) });
    expect(d.keys).toEqual(["a", "b"]);
    expect(d.contains({ a: [0.5], b: 1 })).toBe(true);
    expect(d.explain({ a: [0.5] })).toMatch(/missing key "b"/);
    expect(d.explain({ a: [0.5], b: 1, c: 0 })).toMatch(/unexpected keys c/);
    expect(d.explain({ a: [1.5], b: 1 })).toMatch(/key "a": element 0 = 1.5/);
    const t = new Tuple([new Discrete(2), new Discrete(3)]);
    expect(t.contains([1, 2])).toBe(true);
    expect(t.explain([1, 3])).toMatch(/element 1: 3 is outside/);
  });
});

describe("flatten", () => {
  it("one-hot encodes discrete parts and concatenates Dict values in key order", () => {
    const space = new Dict({ pos: new Box(-1, 1, [2]), index: new Discrete(3), bits: new MultiBinary(2) });
    expect(flatdim(space)).toBe(7);
    const flat = flatten(space, { pos: Float32Array.of(0.25, -0.5), index: 2, bits: Int8Array.of(1, 0) });
    // keys sorted: bits, index, pos
    expect(Array.from(flat)).toEqual([1, 0, 0, 0, 1, 0.25, -0.5]);
    const box = flattenSpace(space);
    expect(box.shape).toEqual([7]);
    expect(box.contains(flat)).toBe(true);
  });
});
