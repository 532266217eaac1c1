import { Rng } from "@qscape/core";
import { describe, expect, it } from "vitest";
import { bestCandidates, candidateCounts, sampleCandidates, totalCandidates } from "./candidates.js";
import { resolveQmleConfig } from "./config.js";

const paper = resolveQmleConfig({});

describe("candidateCounts", () => {
  it("matches the spec's table (§3.5): 450/450/90/10 for acting, 45/45/9/1 + prior for targets", () => {
    expect(candidateCounts(1000, paper, false)).toEqual({ box: 450, grid: 450, categorical: 90, delta: 10, prior: 0 });
    const target = candidateCounts(100, paper, true);
    expect(target).toEqual({ box: 45, grid: 45, categorical: 9, delta: 1, prior: 1 });
    expect(totalCandidates(target)).toBe(101);
  });

  it("gives flooring remainders to the box and the whole uniform share to it without the grid", () => {
    expect(candidateCounts(1, paper, false)).toEqual({ box: 1, grid: 0, categorical: 0, delta: 0, prior: 0 });
    expect(candidateCounts(100, { ...paper, uniformSampling: "box" }, false)).toEqual({
      box: 90,
      grid: 0,
      categorical: 9,
      delta: 1,
      prior: 0,
    });
    expect(() => candidateCounts(0, paper, false)).toThrow(/m must be ≥ 1/);
  });
});

describe("sampleCandidates", () => {
  const d = 2;
  const counts = { box: 40, grid: 40, categorical: 30, delta: 5, prior: 1 };
  const m = totalCandidates(counts);
  const prior = Float32Array.of(0.3, -0.7, 0.1, 0.2);
  // State 0 puts all categorical mass on bin 2 (+1) in dim 0 and bin 0 (−1) in dim 1.
  const probs = Float32Array.of(0, 0, 1, 1, 0, 0, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3);
  const deltaMean = Float32Array.of(0.5, -0.25, 0.95, 0);
  const cands = sampleCandidates(new Rng(1), {
    batch: 2,
    dim: d,
    bins: 3,
    counts,
    deltaMean,
    categoricalProbs: probs,
    prior,
    deltaNoiseStd: 0.1,
  });
  const at = (b: number, i: number) => Array.from(cands.subarray((b * m + i) * d, (b * m + i + 1) * d));

  it("puts the prior first, then box, grid, categorical and delta candidates in [−1, 1]", () => {
    expect(cands.length).toBe(2 * m * d);
    expect(at(0, 0)).toEqual([Math.fround(0.3), Math.fround(-0.7)]);
    expect(at(1, 0)).toEqual([Math.fround(0.1), Math.fround(0.2)]);
    for (const v of cands) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    const grid = new Set<number>();
    for (let i = 1 + 40; i < 1 + 80; i++) for (const v of at(1, i)) grid.add(v);
    expect([...grid].sort()).toEqual([-1, 0, 1]);
    for (let i = 1 + 80; i < 1 + 110; i++) expect(at(0, i)).toEqual([1, -1]);
    expect(at(0, 111)).toEqual([Math.fround(0.5), Math.fround(-0.25)]);
    const perturbed = at(0, 112);
    expect(perturbed).not.toEqual([Math.fround(0.5), Math.fround(-0.25)]);
    expect(Math.abs((perturbed[0] as number) - 0.5)).toBeLessThan(0.6);
  });

  it("rejects a missing prior", () => {
    expect(() =>
      sampleCandidates(new Rng(1), {
        batch: 2,
        dim: d,
        bins: 3,
        counts,
        deltaMean,
        categoricalProbs: probs,
        prior: null,
        deltaNoiseStd: 0.1,
      }),
    ).toThrow(/prior needs 4 values/);
  });
});

describe("bestCandidates", () => {
  it("takes the first maximum per state and returns its action", () => {
    const q = Float32Array.of(1, 3, 3, 0, -1, -2);
    const cands = Float32Array.of(0, 1, 2, 3, 4, 5);
    const best = bestCandidates(q, cands, 2, 1);
    expect(Array.from(best.indices)).toEqual([1, 0]);
    expect(Array.from(best.actions)).toEqual([1, 3]);
    expect(Array.from(best.values)).toEqual([3, 0]);
  });
});
