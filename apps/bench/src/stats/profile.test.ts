import { Rng } from "@qscape/core";
import { describe, expect, it } from "vitest";
import { averageScoreDistribution, linspace, performanceProfile, scoreDistribution } from "./profile.js";

describe("performance profiles", () => {
  const scores = [
    [0.1, 0.5],
    [0.5, 0.9],
  ];

  it("run-score distribution counts scores strictly above τ", () => {
    // At τ = 0.5 the two scores equal to 0.5 do not count: only 0.9 is above.
    expect(Array.from(scoreDistribution(scores, [0, 0.1, 0.5, 0.9, 1]))).toEqual([1, 0.75, 0.25, 0, 0]);
  });

  it("average-score distribution uses per-task means (0.3 and 0.7)", () => {
    expect(Array.from(averageScoreDistribution(scores, [0.2, 0.3, 0.5, 0.7]))).toEqual([1, 0.5, 0.5, 0]);
  });

  it("linspace builds an inclusive grid", () => {
    expect(linspace(0, 1, 5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(linspace(0, 1, 101)[100]).toBe(1);
  });

  it("bands bracket the profile, are reproducible and per algorithm", () => {
    const taus = linspace(0, 1, 11);
    const data = {
      good: [
        [0.9, 0.8],
        [0.7, 0.95],
        [0.85, 0.6],
      ],
      bad: [
        [0.1, 0.3],
        [0.2, 0.05],
        [0.4, 0.15],
      ],
    };
    const a = performanceProfile(data, taus, { rng: new Rng(1), reps: 500 });
    const b = performanceProfile(data, taus, { rng: new Rng(1), reps: 500 });
    expect(a).toEqual(b);
    expect(Object.keys(a)).toEqual(["good", "bad"]);
    for (const p of Object.values(a)) {
      expect(p.tau).toEqual(taus);
      p.profile.forEach((v, i) => {
        expect(p.lo[i]).toBeLessThanOrEqual(v);
        expect(p.hi[i]).toBeGreaterThanOrEqual(v);
      });
    }
    // At τ = 0.5 every good run and no bad run is above.
    expect(a.good!.profile[5]).toBe(1);
    expect(a.bad!.profile[5]).toBe(0);
    // At τ = 0.8: 0.9, 0.95, 0.85 are above; the 0.8 itself is not (strict).
    expect(a.good!.profile[8]).toBe(0.5);
    expect(a.good!.lo[8]).toBeLessThan(a.good!.hi[8]!);
  });

  it("rejects an empty or unsorted τ grid", () => {
    expect(() => performanceProfile({ a: scores }, [], { rng: new Rng(1) })).toThrow(/τ grid is empty/);
    expect(() => performanceProfile({ a: scores }, [0, 0.5, 0.2], { rng: new Rng(1) })).toThrow(/must increase/);
  });
});
