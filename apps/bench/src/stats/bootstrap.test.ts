import { Rng } from "@qscape/core";
import { describe, expect, it } from "vitest";
import { iqm, mean } from "./aggregate.js";
import { quantileSorted, stratifiedBootstrapCI, stratifiedBootstrapCIs } from "./bootstrap.js";
import { aggregateIntervals } from "./intervals.js";
import { taskMeans } from "./matrix.js";

describe("stratified bootstrap", () => {
  it("quantiles interpolate linearly like numpy.percentile", () => {
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 1)).toBe(4);
    expect(quantileSorted([7], 0.3)).toBe(7);
  });

  it("two runs {0, 1}: the bootstrap mean is 0, ½ or 1, so the 95 % percentile CI is [0, 1]", () => {
    const ci = stratifiedBootstrapCI([[0], [1]], mean, { reps: 4000, rng: new Rng(1) });
    expect(ci).toEqual({ point: 0.5, lo: 0, hi: 1 });
    // At 40 % confidence the quantiles 0.3 / 0.7 both fall on the ½ outcome (probability ½).
    expect(stratifiedBootstrapCI([[0], [1]], mean, { reps: 4000, confidence: 0.4, rng: new Rng(1) })).toEqual({
      point: 0.5,
      lo: 0.5,
      hi: 0.5,
    });
  });

  it("resamples runs within each task: per-task constant columns give a zero-width mean CI", () => {
    // Without stratification the mean of a resample of all 8 values would vary.
    const scores = [
      [0, 1],
      [0, 1],
      [0, 1],
      [0, 1],
    ];
    expect(stratifiedBootstrapCI(scores, mean, { reps: 500, rng: new Rng(2) })).toEqual({
      point: 0.5,
      lo: 0.5,
      hi: 0.5,
    });
  });

  it("is reproducible from the seed and differs across seeds", () => {
    const scores = [
      [0.1, 0.9],
      [0.4, 0.3],
      [0.8, 0.5],
      [0.2, 0.7],
      [0.6, 0.2],
    ];
    const a = stratifiedBootstrapCI(scores, iqm, { reps: 300, rng: new Rng(42) });
    const b = stratifiedBootstrapCI(scores, iqm, { reps: 300, rng: new Rng(42) });
    const c = stratifiedBootstrapCI(scores, iqm, { reps: 300, rng: new Rng(43) });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.lo).toBeLessThan(a.point);
    expect(a.hi).toBeGreaterThan(a.point);
  });

  it("basic CIs reflect the percentile interval about the point", () => {
    const scores = [[0], [0], [0], [1]];
    const pct = stratifiedBootstrapCI(scores, mean, { reps: 2000, rng: new Rng(9) });
    const basic = stratifiedBootstrapCI(scores, mean, { reps: 2000, rng: new Rng(9), method: "basic" });
    expect(basic.lo).toBeCloseTo(2 * pct.point - pct.hi, 12);
    expect(basic.hi).toBeCloseTo(2 * pct.point - pct.lo, 12);
  });

  it("vector statistics share replicates; aggregateIntervals returns all four rliable metrics", () => {
    const cis = stratifiedBootstrapCIs(
      [
        [1, 5],
        [3, 7],
      ],
      taskMeans,
      { reps: 2000, rng: new Rng(3) },
    );
    expect(cis.map((c) => c.point)).toEqual([2, 6]);
    expect(cis[0]).toMatchObject({ lo: 1, hi: 3 });
    expect(cis[1]).toMatchObject({ lo: 5, hi: 7 });
    const agg = aggregateIntervals(
      {
        a: [
          [0.2, 1.4],
          [0.6, 0.8],
          [0.4, 1.2],
        ],
      },
      { reps: 1000, rng: new Rng(4) },
    ).a!;
    expect(agg.mean.point).toBeCloseTo(0.7666666666666667, 12);
    expect(agg.median.point).toBeCloseTo(0.7666666666666667, 12);
    expect(agg.iqm.point).toBeCloseTo(
      iqm([
        [0.2, 1.4],
        [0.6, 0.8],
        [0.4, 1.2],
      ]),
      12,
    );
    expect(agg.optimalityGap.point).toBeCloseTo(1 - (0.2 + 1 + 0.6 + 0.8 + 0.4 + 1) / 6, 12);
    for (const ci of Object.values(agg)) {
      expect(ci.lo).toBeLessThanOrEqual(ci.point);
      expect(ci.hi).toBeGreaterThanOrEqual(ci.point);
    }
  });

  it("rejects bad options with the option named", () => {
    expect(() => stratifiedBootstrapCI([[1]], mean, { reps: 0, rng: new Rng(1) })).toThrow(
      /reps must be a positive integer/,
    );
    expect(() => stratifiedBootstrapCI([[1]], mean, { confidence: 95, rng: new Rng(1) })).toThrow(
      /confidence must be in/,
    );
  });
});
