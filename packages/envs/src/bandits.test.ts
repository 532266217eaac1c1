import { Rng } from "@qscape/core";
import { describe, expect, it } from "vitest";
import {
  BANDIT_1D_BUMPS,
  BANDIT_2D_BUMPS,
  BIMODAL_2D_BUMPS,
  ClimbingGame,
  GaussianBumpBandit,
  SmoothieBandit,
} from "./bandits.js";
import { checkEnv } from "./checker.js";
import { RenderModeError } from "./errors.js";
import { make } from "./registry.js";
import type { RgbFrame } from "./render/frame.js";

/** Strict local maxima of f on a regular grid over [-1, 1]^dim (plateaus do not count). */
function gridMaxima(
  f: (a: number[]) => number,
  dim: 1 | 2,
  n: number,
): { argmax: number[]; max: number; count: number } {
  const x = (i: number) => -1 + (2 * i) / (n - 1);
  let best = { argmax: [0], max: Number.NEGATIVE_INFINITY };
  let count = 0;
  if (dim === 1) {
    const v = Array.from({ length: n }, (_, i) => f([x(i)]));
    v.forEach((y, i) => {
      if (y > best.max) best = { argmax: [x(i)], max: y };
      if (i > 0 && i < n - 1 && y > (v[i - 1] as number) && y > (v[i + 1] as number)) count++;
    });
  } else {
    const v = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => f([x(i), x(j)])));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const y = v[i]?.[j] as number;
        if (y > best.max) best = { argmax: [x(i), x(j)], max: y };
        if (i === 0 || j === 0 || i === n - 1 || j === n - 1) continue;
        let strict = true;
        for (let di = -1; di <= 1; di++)
          for (let dj = -1; dj <= 1; dj++) if ((di || dj) && !(y > (v[i + di]?.[j + dj] as number))) strict = false;
        if (strict) count++;
      }
    }
  }
  return { ...best, count };
}

describe.each([
  ["Bandit1D-v0", BANDIT_1D_BUMPS, 1, 1001],
  ["Bandit2D-v0", BANDIT_2D_BUMPS, 2, 201],
  ["BimodalBandit2D-v0", BIMODAL_2D_BUMPS, 2, 201],
] as const)("%s", (id, bumps, dim, n) => {
  const env = new GaussianBumpBandit({ bumps: bumps as never });

  it("has one strict local maximum per bump, the best first, agreeing with a dense grid", () => {
    expect(env.optima.length).toBe(bumps.length);
    const grid = gridMaxima((a) => env.q(a), dim, n);
    expect(grid.count).toBe(bumps.length);
    expect(env.globalOptimum.value).toBeGreaterThanOrEqual(grid.max);
    for (let i = 0; i < dim; i++) expect(env.globalOptimum.action[i]).toBeCloseTo(grid.argmax[i] as number, 2);
    expect(env.localOptima.length).toBe(bumps.length - 1);
    for (let k = 1; k < env.optima.length; k++)
      expect(env.optima[k - 1]?.value).toBeGreaterThan(env.optima[k]?.value as number);
  });

  it("optima are stationary with negative-definite Hessians, and values match the bump weights", () => {
    for (const o of env.optima) {
      for (const g of env.gradQ(o.action)) expect(Math.abs(g)).toBeLessThan(1e-9);
      const h = env.hessianQ(o.action);
      expect(h[0]).toBeLessThan(0);
      if (dim === 2)
        expect((h[0] as number) * (h[3] as number) - (h[1] as number) * (h[2] as number)).toBeGreaterThan(0);
    }
    const weights = bumps.map((b) => b.weight).sort((a, b) => b - a);
    expect(env.optima.map((o) => Number(o.value.toFixed(3)))).toEqual(weights);
  });

  it("gradQ matches finite differences", () => {
    const a = dim === 1 ? [0.33] : [0.2, -0.3];
    const g = env.gradQ(a);
    for (let i = 0; i < dim; i++) {
      const p = [...a];
      const m = [...a];
      p[i] = (p[i] as number) + 1e-6;
      m[i] = (m[i] as number) - 1e-6;
      expect(g[i]).toBeCloseTo((env.q(p) - env.q(m)) / 2e-6, 6);
    }
  });

  it("is a one-step episode paying q(action) through make, and passes checkEnv", () => {
    const e = make(id);
    e.reset({ seed: 0 });
    const a = Float32Array.from(env.globalOptimum.action);
    const [, r, term, trunc] = e.step(a);
    expect(r).toBeCloseTo(env.globalOptimum.value, 5);
    expect([term, trunc]).toEqual([true, false]);
    expect(() => e.step(a)).toThrow(/after the episode was terminated/);
    expect(() => checkEnv(new GaussianBumpBandit({ bumps: bumps as never }))).not.toThrow();
  });
});

describe("SmoothieBandit-v0", () => {
  const env = new SmoothieBandit();

  it("has the spec's optima r(−0.5) = 0.7979 (local) and r(1) = 1.5958 (global) on an unbounded action space", () => {
    expect(env.q([-0.5])).toBeCloseTo(0.7979, 4);
    expect(env.q([1.0])).toBeCloseTo(1.5958, 4);
    expect(env.globalOptimum.action[0]).toBeCloseTo(1.0, 6);
    expect(env.localOptima.map((o) => o.action[0])).toHaveLength(1);
    expect(env.localOptima[0]?.action[0]).toBeCloseTo(-0.5, 6);
    expect(env.actionSpace.isBounded("below")).toBe(false);
    const e = make("SmoothieBandit-v0");
    e.reset();
    expect(e.step([5])[1]).toBeCloseTo(env.q([5]), 12);
  });

  it("offset translates the landscape (the worse mode at 0 with offset 0.5) and bound boxes the actions", () => {
    const shifted = make("SmoothieBandit-v0", { offset: 0.5, bound: 2 });
    const inner = shifted.unwrapped as SmoothieBandit;
    expect(inner.localOptima[0]?.action[0]).toBeCloseTo(0, 6);
    expect(inner.globalOptimum.action[0]).toBeCloseTo(1.5, 6);
    expect(inner.q([0])).toBeCloseTo(env.q([-0.5]), 12);
    expect(inner.qTilde(1.5, 0.2)).toBeCloseTo(env.qTilde(1, 0.2), 12);
    expect(Array.from(inner.actionSpace.low)).toEqual([-2]);
    expect(Array.from(inner.actionSpace.high)).toEqual([2]);
    expect(() => new SmoothieBandit({ bound: 0 })).toThrow(/bound must be positive/);
    expect(() => new SmoothieBandit({ offset: Number.NaN })).toThrow(/offset must be finite/);
  });

  it("Q̃ reduces to q at σ² = 0, matches a Monte Carlo convolution, and its derivatives match finite differences", () => {
    expect(env.qTilde(0.3, 0)).toBeCloseTo(env.q([0.3]), 12);
    const rng = new Rng(1);
    const sigma = 0.5;
    let mc = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) mc += env.q([0.2 + sigma * rng.normal()]) / n;
    expect(env.qTilde(0.2, sigma ** 2)).toBeCloseTo(mc, 2);
    const h = 1e-5;
    expect(env.qTildeGrad(0.1, 0.3)).toBeCloseTo((env.qTilde(0.1 + h, 0.3) - env.qTilde(0.1 - h, 0.3)) / (2 * h), 7);
    expect(env.qTildeHess(0.1, 0.3)).toBeCloseTo(
      (env.qTildeGrad(0.1 + h, 0.3) - env.qTildeGrad(0.1 - h, 0.3)) / (2 * h),
      6,
    );
    expect(() => env.qTilde(0, -1)).toThrow(/sigma2 must be ≥ 0/);
  });

  it("reproduces the exact-gradient reference dynamics of smoothie.md §4.1", () => {
    // μ += η Q̃'(μ), φ += η ½ Q̃''(μ) e^φ with η = 0.02 from μ = −0.5, σ = 0.6.
    let mu = -0.5;
    let phi = Math.log(0.36);
    expect(env.qTilde(mu, Math.exp(phi))).toBeCloseTo(0.3497, 4);
    const table: Record<number, [number, number]> = {
      100: [-0.2653, 0.5836],
      300: [0.4527, 0.633],
      600: [0.9988, 0.3228],
      800: [1.0, 0.1869],
    };
    for (let it = 1; it <= 800; it++) {
      const s2 = Math.exp(phi);
      const g = env.qTildeGrad(mu, s2);
      const hess = env.qTildeHess(mu, s2);
      mu += 0.02 * g;
      phi += 0.02 * 0.5 * hess * s2;
      const ref = table[it];
      if (ref) {
        expect(mu).toBeCloseTo(ref[0], 3);
        expect(Math.sqrt(Math.exp(phi))).toBeCloseTo(ref[1], 3);
      }
    }
  });

  it("plain gradient ascent on the true q from −0.5 never leaves the local optimum", () => {
    let mu = -0.5;
    for (let it = 0; it < 20_000; it++) mu += 0.02 * (env.gradQ([mu])[0] as number);
    expect(mu).toBeCloseTo(-0.5, 6);
  });
});

describe("ClimbingGame-v0", () => {
  it("pays the climbing-game matrix by action bin", () => {
    const g = new ClimbingGame();
    expect(g.payoff([-0.9, -0.9])).toBe(11);
    expect(g.payoff([-0.9, 0])).toBe(-30);
    expect(g.payoff([0.9, 0.9])).toBe(5);
    expect(g.payoff([0, 0.5])).toBe(6);
    expect(ClimbingGame.bin(-1 / 3)).toBe(1);
    const e = make("ClimbingGame-v0");
    e.reset();
    expect(e.step([-1, -1]).slice(1, 3)).toEqual([11, true]);
    expect(() => checkEnv(new ClimbingGame())).not.toThrow();
  });
});

describe("rgb_array frames of the landscapes", () => {
  const RED = [220, 40, 40];
  const redPixels = (frame: RgbFrame) => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let p = 0; p < frame.width * frame.height; p++) {
      if ([0, 1, 2].every((c) => frame.data[3 * p + c] === RED[c])) {
        xs.push((p % frame.width) + 0.5);
        ys.push(Math.floor(p / frame.width) + 0.5);
      }
    }
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    return { n: xs.length, x: mean(xs), y: mean(ys) };
  };

  it("marks the last 1-D action with a red line at its place on the [−1, 1] axis", () => {
    const env = make("Bandit1D-v0", { renderMode: "rgb_array" });
    env.reset({ seed: 0 });
    expect(redPixels(env.render() as RgbFrame).n).toBe(0);
    for (const a of [-0.8, 0.1, 0.7]) {
      env.reset();
      env.step([a]);
      // The plot spans columns 30–570 for actions −1…1.
      expect(Math.abs(redPixels(env.render() as RgbFrame).x - (30 + ((a + 1) / 2) * 540))).toBeLessThan(1.5);
    }
  });

  it("marks the last 2-D action with a red dot, a[0] to the right and a[1] up", () => {
    for (const id of ["Bandit2D-v0", "ClimbingGame-v0"]) {
      const env = make(id, { renderMode: "rgb_array" });
      for (const [a0, a1] of [
        [0.5, 0.5],
        [-0.7, 0.2],
      ] as const) {
        env.reset({ seed: 0 });
        env.step([a0, a1]);
        const dot = redPixels(env.render() as RgbFrame);
        expect(Math.abs(dot.x - ((a0 + 1) / 2) * 400)).toBeLessThan(1);
        expect(Math.abs(dot.y - (400 - ((a1 + 1) / 2) * 400))).toBeLessThan(1);
      }
    }
  });

  it("offers no render mode for more than two action dimensions, and render() needs a mode", () => {
    const bumps = [{ weight: 1, center: [0, 0, 0], width: 0.2 }];
    expect(new GaussianBumpBandit({ bumps }).metadata.renderModes).toEqual([]);
    expect(() => new GaussianBumpBandit({ bumps, renderMode: "rgb_array" })).toThrow(RenderModeError);
    const env = make("SmoothieBandit-v0");
    env.reset({ seed: 0 });
    expect(() => env.render()).toThrow(RenderModeError);
  });
});
