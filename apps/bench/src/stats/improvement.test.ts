import { Rng } from "@qscape/core";
import { describe, expect, it } from "vitest";
import { probabilityOfImprovement, probabilityOfImprovementCI } from "./improvement.js";

describe("probability of improvement", () => {
  it("reproduces the rliable test vector P(x > y) = 1/3", () => {
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
    expect(probabilityOfImprovement(x, y)).toBeCloseTo(1 / 3, 12);
  });

  it("counts ties as ½", () => {
    // Pairs: 1v2 → 0, 1v3 → 0, 2v2 → ½, 2v3 → 0: U = ½ over 4 pairs.
    expect(probabilityOfImprovement([[1], [2]], [[2], [3]])).toBe(0.125);
    const same = [
      [0.3, 0.7],
      [0.5, 0.1],
    ];
    expect(probabilityOfImprovement(same, same)).toBe(0.5);
    expect(probabilityOfImprovement([[5, 5]], [[5, 5]])).toBe(0.5);
  });

  it("averages per-task probabilities and is antisymmetric", () => {
    // Task 0: x always wins (1); task 1: x always loses (0) → ½.
    const x = [
      [2, 0],
      [3, 1],
    ];
    const y = [
      [1, 2],
      [0, 3],
    ];
    expect(probabilityOfImprovement(x, y)).toBe(0.5);
    const a = [
      [0.2, 0.9],
      [0.6, 0.4],
      [0.3, 0.8],
    ];
    const b = [
      [0.5, 0.7],
      [0.1, 0.6],
    ];
    expect(probabilityOfImprovement(a, b) + probabilityOfImprovement(b, a)).toBeCloseTo(1, 12);
  });

  it("bootstraps each algorithm independently within tasks", () => {
    const x = [[0.9], [0.8], [0.7], [0.95]];
    const y = [[0.1], [0.2], [0.3], [0.05]];
    expect(probabilityOfImprovementCI(x, y, { reps: 200, rng: new Rng(1) })).toEqual({ point: 1, lo: 1, hi: 1 });
    const mixed = probabilityOfImprovementCI([[0.5], [0.2], [0.9]], [[0.4], [0.6], [0.1]], {
      reps: 2000,
      rng: new Rng(2),
    });
    // 0.5 beats 0.4, 0.1; 0.2 beats 0.1; 0.9 beats all three → 6 of 9 pairs.
    expect(mixed.point).toBeCloseTo(2 / 3, 12);
    expect(mixed.lo).toBeLessThan(mixed.point);
    expect(mixed.hi).toBeGreaterThan(mixed.point);
  });

  it("requires the same tasks", () => {
    expect(() => probabilityOfImprovement([[1, 2]], [[1]])).toThrow(/x has 2 tasks, y has 1/);
  });
});
