import { describe, expect, it } from "vitest";
import { type Sigmoid, sigmoid, tolerance } from "./rewards.js";

const ALL: Sigmoid[] = [
  "gaussian",
  "hyperbolic",
  "long_tail",
  "reciprocal",
  "cosine",
  "linear",
  "quadratic",
  "tanh_squared",
];

describe("tolerance", () => {
  it("is 1 inside the (inclusive) bounds and a hard indicator when margin is 0", () => {
    expect(tolerance(0.5, [0, 1])).toBe(1);
    expect(tolerance(0, [0, 1])).toBe(1);
    expect(tolerance(1, [0, 1])).toBe(1);
    expect(tolerance(1.0001, [0, 1])).toBe(0);
    expect(tolerance(-1e-9, [0, 1])).toBe(0);
    expect(tolerance(0)).toBe(1); // default bounds (0, 0)
    expect(tolerance(1e-12)).toBe(0);
    expect(tolerance(1e9, [10, Number.POSITIVE_INFINITY])).toBe(1);
  });

  it.each(ALL)("%s equals valueAtMargin at distance = margin, on either side", (kind) => {
    expect(tolerance(3.5, [1, 2], 1.5, kind, 0.1)).toBeCloseTo(0.1, 12);
    expect(tolerance(-0.5, [1, 2], 1.5, kind, 0.1)).toBeCloseTo(0.1, 12);
    expect(tolerance(2.75, [1, 2], 1.5, kind, 0.3)).toBeGreaterThan(0.3);
  });

  // Distance = half the margin (x = 0.5 in margin units), valueAtMargin 0.1, worked out by hand:
  const atHalf: Record<Sigmoid, number> = {
    gaussian: 0.1 ** 0.25, // exp(−½·¼·(−2 ln 0.1))
    hyperbolic: 1 / Math.sqrt((10 + 1) / 2), // 1/cosh(½·acosh 10) = 1/√((cosh a + 1)/2)
    long_tail: 1 / (0.25 * 9 + 1), // scale² = 1/0.1 − 1 = 9
    reciprocal: 1 / (0.5 * 9 + 1),
    cosine: (1 + Math.sqrt(0.1)) / 2, // cos(½·acos(−0.8)) = √((1 − 0.8)/2)
    linear: 1 - 0.5 * 0.9,
    quadratic: 1 - 0.25 * 0.9,
    tanh_squared: 0.4805061467040844, // 1 − tanh²(½·atanh √0.9)
  };
  it.each(ALL)("%s at half the margin matches the hand-computed value", (kind) => {
    expect(tolerance(1.25, [0, 1], 0.5, kind, 0.1)).toBeCloseTo(atHalf[kind], 12);
  });

  // Distance = twice the margin: the finite-support sigmoids are 0, the others keep a tail.
  const atTwice: Record<Sigmoid, number> = {
    gaussian: 1e-4, // 0.1^(2²)
    hyperbolic: 1 / 199, // 1/cosh(2a) = 1/(2·10² − 1)
    long_tail: 1 / 37,
    reciprocal: 1 / 19,
    cosine: 0,
    linear: 0,
    quadratic: 0,
    tanh_squared: 1 - Math.tanh(2 * Math.atanh(Math.sqrt(0.9))) ** 2,
  };
  it.each(ALL)("%s at twice the margin", (kind) => {
    expect(tolerance(-2, [0, 0], 1, kind)).toBeCloseTo(atTwice[kind], 12);
  });

  it("reproduces the DMC task terms it is used for", () => {
    // cheetah run: linear, 0 at margin, bounds (10, ∞), margin 10 → speed / 10 clipped to [0, 1]
    const run = (v: number) => tolerance(v, [10, Number.POSITIVE_INFINITY], 10, "linear", 0);
    expect(run(3)).toBeCloseTo(0.3, 12);
    expect(run(0)).toBe(0);
    expect(run(-2)).toBe(0);
    expect(run(12)).toBe(1);
    // walker walk: linear, 0.5 at margin 0.5, bounds (1, ∞)
    expect(tolerance(0.75, [1, Number.POSITIVE_INFINITY], 0.5, "linear", 0.5)).toBeCloseTo(0.75, 12);
    // cartpole small control: quadratic, 0 at margin 1 → 1 − u²
    expect(tolerance(0.6, [0, 0], 1, "quadratic", 0)).toBeCloseTo(0.64, 12);
    expect(tolerance(-1, [0, 0], 1, "quadratic", 0)).toBe(0);
  });

  it("is monotone in the distance for every sigmoid", () => {
    for (const kind of ALL) {
      let previous = 1;
      for (let d = 0.05; d < 3; d += 0.05) {
        const v = tolerance(1 + d, [0, 1], 1, kind);
        expect(v).toBeLessThanOrEqual(previous);
        expect(v).toBeGreaterThanOrEqual(0);
        previous = v;
      }
    }
  });

  it("rejects bad arguments with a clear message", () => {
    expect(() => tolerance(0, [1, 0])).toThrow(/lower bound 1 is above upper bound 0/);
    expect(() => tolerance(0, [0, 0], -1)).toThrow(/margin must be non-negative/);
    expect(() => tolerance(2, [0, 1], 1, "gaussian", 0)).toThrow(/strictly between 0 and 1/);
    expect(() => tolerance(2, [0, 1], 1, "linear", 1)).toThrow(/must be in \[0, 1\)/);
    expect(() => sigmoid(0.5, 0.1, "bogus" as Sigmoid)).toThrow(/unknown kind "bogus"/);
  });
});
