import { describe, expect, it } from "vitest";
import { exponentialSchedule, GaussianNoise, linearSchedule, OUNoise } from "./noise.js";
import { Rng } from "./rng.js";

describe("Rng", () => {
  it("is reproducible per seed and differs across seeds", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 5 }, () => a.random());
    expect(Array.from({ length: 5 }, () => b.random())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.random())).not.toEqual(xs);
  });

  it("has the right moments for uniform and normal draws", () => {
    const r = new Rng(7);
    const n = 200_000;
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.random();
      expect(u >= 0 && u < 1).toBe(true);
      su += u;
      const z = r.normal();
      sn += z;
      sn2 += z * z;
    }
    expect(su / n).toBeCloseTo(0.5, 2);
    expect(sn / n).toBeCloseTo(0, 2);
    expect(sn2 / n).toBeCloseTo(1, 1);
  });

  it("draws integers, choices and permutations over their whole range", () => {
    const r = new Rng(1);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 50_000; i++) counts[r.int(0, 5)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    const weighted = { a: 0, b: 0 };
    for (let i = 0; i < 20_000; i++) weighted[r.choice(["a", "b"] as const, [0.25, 0.75])]++;
    expect(weighted.b / 20_000).toBeCloseTo(0.75, 1);
    const p = Array.from(r.permutation(100));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(() => r.int(3, 3)).toThrow(/empty range/);
    expect(() => r.choice([])).toThrow(/empty/);
    expect(() => new Rng(Number.NaN)).toThrow(/finite/);
  });

  it("round-trips its state, including a cached normal", () => {
    const r = new Rng(9);
    r.normal();
    const state = JSON.parse(JSON.stringify(r.getState()));
    const expected = [r.normal(), r.random(), r.int(0, 1000)];
    const s = Rng.fromState(state);
    expect([s.normal(), s.random(), s.int(0, 1000)]).toEqual(expected);
  });

  it("forks independent streams deterministically", () => {
    const a = new Rng(5).fork();
    const b = new Rng(5).fork();
    expect(a.random()).toBe(b.random());
    const parent = new Rng(5);
    const child = parent.fork();
    expect(child.random()).not.toBe(parent.random());
  });
});

describe("noise and schedules", () => {
  it("Gaussian noise has the configured scale", () => {
    const g = new GaussianNoise(new Rng(0), 3, 0.2);
    let s2 = 0;
    for (let i = 0; i < 10_000; i++) for (const v of g.sample()) s2 += v * v;
    expect(Math.sqrt(s2 / 30_000)).toBeCloseTo(0.2, 2);
  });

  it("OU noise is temporally correlated, mean-reverting and resets", () => {
    const ou = new OUNoise(new Rng(0), 1, { theta: 0.15, sigma: 0.3, dt: 0.01 });
    const xs: number[] = [];
    for (let i = 0; i < 20_000; i++) xs.push(ou.sample()[0] as number);
    let lag1 = 0;
    let var0 = 0;
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    for (let i = 1; i < xs.length; i++) {
      lag1 += ((xs[i] as number) - mean) * ((xs[i - 1] as number) - mean);
      var0 += ((xs[i] as number) - mean) ** 2;
    }
    expect(lag1 / var0).toBeGreaterThan(0.95);
    const state = ou.getState();
    ou.sample();
    ou.setState(state);
    expect(ou.getState()).toEqual(state);
    ou.reset();
    expect(ou.getState()).toEqual([0]);
  });

  it("schedules interpolate and clamp", () => {
    const lin = linearSchedule(1, 0.1, 100);
    expect(lin(0)).toBe(1);
    expect(lin(50)).toBeCloseTo(0.55);
    expect(lin(1000)).toBeCloseTo(0.1);
    const ex = exponentialSchedule(1, 0.5, 10, 0.2);
    expect(ex(10)).toBeCloseTo(0.5);
    expect(ex(1000)).toBe(0.2);
  });
});
