import { describe, expect, it } from "vitest";
import { iqm, mean, median, medianOf, optimalityGap, trimmedMeanOf } from "./aggregate.js";
import { toScoreMatrix } from "./matrix.js";

describe("rliable point estimates", () => {
  // rliable tests/rliable/metrics_test.py vectors.
  const x = [
    [1, 2],
    [2, 2],
    [1, 1],
    [2, 1],
  ];
  const y = [
    [1, 1],
    [2, 2],
    [3, 3],
  ];

  it("reproduces the rliable test vectors", () => {
    expect(median(x)).toBe(1.5);
    expect(mean(x)).toBe(1.5);
    expect(iqm(x)).toBe(1.5);
    expect(median(y)).toBe(2);
    expect(mean(y)).toBe(2);
    expect(iqm(y)).toBe(2);
  });

  it("IQM drops ⌊K/4⌋ values from each end of the flattened matrix (scipy trim_mean 0.25)", () => {
    // 8 values: drop 2 each side → mean(3,4,5,6).
    expect(
      iqm([
        [8, 1],
        [7, 2],
        [6, 3],
        [5, 4],
      ]),
    ).toBe(4.5);
    // 6 values, ⌊1.5⌋ = 1 dropped each side → mean(2, 3, 4, 10) = 4.75; the outlier 100 is cut.
    expect(
      iqm([
        [10, 1, 3],
        [2, 100, 4],
      ]),
    ).toBe(4.75);
    // 3 values: nothing is cut, IQM = mean.
    expect(iqm([[1], [2], [9]])).toBe(4);
    expect(trimmedMeanOf([5, 1, 4, 2, 3], 0.25)).toBe(3);
  });

  it("median is the median of per-task means, not of all values", () => {
    // Task means 1, 2, 10 → median 2; the median of all six values would be 2.5.
    const m = [
      [0, 1, 10],
      [2, 3, 10],
    ];
    expect(median(m)).toBe(2);
    expect(mean(m)).toBeCloseTo(13 / 3, 12);
    expect(medianOf([4, 1, 3, 2])).toBe(2.5);
  });

  it("optimality gap clips at γ before averaging", () => {
    expect(
      optimalityGap([
        [0.5, 1.5],
        [0.2, 1],
      ]),
    ).toBeCloseTo(1 - (0.5 + 1 + 0.2 + 1) / 4, 12);
    expect(optimalityGap([[2, 3]])).toBe(0);
    expect(optimalityGap([[50, 100]], 100)).toBe(25);
  });

  it("accepts Float64Array rows and rejects ragged, empty and non-finite input by name", () => {
    expect(iqm([Float64Array.of(1, 2), Float64Array.of(3, 4)])).toBe(2.5);
    expect(() => toScoreMatrix([[1, 2], [3]], "algo A")).toThrow(/algo A: run 1 has 1 task scores, run 0 has 2/);
    expect(() => toScoreMatrix([])).toThrow(/no runs/);
    expect(() => mean([[1, Number.NaN]])).toThrow(/run 0, task 1 is NaN/);
  });
});
