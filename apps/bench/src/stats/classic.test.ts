import { describe, expect, it } from "vitest";
import { clippedStdBand, lastNMean, maxAverageReturn, meanStd, standardError, std } from "./classic.js";
import { minMaxNormalise, normaliseScore, savoNormalisationBounds } from "./normalise.js";

describe("paper statistics", () => {
  it("std uses the population convention by default; SE uses ddof 1", () => {
    expect(std([2, 4, 4, 4, 5, 5, 7, 9])).toBe(2);
    expect(std([1, 3], 1)).toBeCloseTo(Math.SQRT2, 12);
    expect(standardError([1, 3])).toBeCloseTo(1, 12);
    expect(meanStd([1, 3])).toEqual({ mean: 2, std: 1 });
  });

  it("max average return averages over seeds first, then takes the first max", () => {
    // Means per eval: 1, 3, 3, 2 → first max at eval 1; seeds there are 2 and 4 → std 1.
    const curves = [
      [0, 2, 5, 1],
      [2, 4, 1, 3],
    ];
    expect(maxAverageReturn(curves)).toEqual({ value: 3, std: 1, evalIndex: 1 });
  });

  it("last-n mean averages each seed's tail, then the seeds", () => {
    const r = lastNMean(
      [
        [100, 1, 3],
        [100, 5, 7],
      ],
      2,
    );
    expect(r.perSeed).toEqual([2, 6]);
    expect(r.value).toBe(4);
    expect(r.std).toBe(2);
    expect(() => lastNMean([[1, 2]], 3)).toThrow(/last 3 evaluations but runs have 2/);
  });

  it("Smoothie's band clips mean ± std at the seeds' min and max", () => {
    // mean 1, std ≈ 1.414: mean − std < min 0 is clipped to 0; mean + std < max 3 stays.
    const band = clippedStdBand([0, 0, 0, 0, 0, 3]);
    expect(band.mean).toBe(0.5);
    expect(band.lo).toBe(0);
    expect(band.hi).toBeCloseTo(0.5 + std([0, 0, 0, 0, 0, 3]), 12);
  });

  it("min–max normalisation per task, with SAVO's bounds", () => {
    expect(normaliseScore(55, 10, 100)).toBe(0.5);
    expect(() => normaliseScore(1, 5, 5, "task Hopper")).toThrow(/task Hopper: cannot normalise/);
    const bounds = savoNormalisationBounds(
      {
        a: [
          [0, 10],
          [2, 30],
        ],
        b: [[4, 20]],
      },
      {
        a: [
          [10, 110],
          [20, 90],
        ],
        b: [[30, 50]],
      },
    );
    expect(bounds.random).toEqual([2, 20]);
    expect(bounds.reference).toEqual([30, 100]);
    const n = minMaxNormalise([[16, 60]], bounds);
    expect(Array.from(n.data)).toEqual([0.5, 0.5]);
  });
});
