import { describe, expect, it } from "vitest";
import { linearSchedule } from "../noise.js";
import { Rng } from "../rng.js";
import { PrioritizedReplayBuffer } from "./prioritized.js";
import { MinTree, SumTree } from "./sum-tree.js";

describe("SumTree and MinTree", () => {
  it("keep sums and minima under updates; find matches a linear prefix-sum scan", () => {
    const n = 37; // not a power of two
    const sums = new SumTree(n);
    const mins = new MinTree(n);
    const values = new Float64Array(n);
    const rng = new Rng(1);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < n; i++) {
        const v = round === 2 && i % 5 === 0 ? 0 : rng.uniform(0.1, 10);
        values[i] = v;
        sums.set(i, v);
        mins.set(i, v);
      }
    }
    const total = values.reduce((a, b) => a + b, 0);
    expect(sums.total).toBeCloseTo(total, 9);
    expect(mins.min).toBe(Math.min(...values));
    for (let t = 0; t < 2000; t++) {
      const mass = rng.random() * total;
      let i = 0;
      let acc = values[0] as number;
      while (acc <= mass) acc += values[++i] as number;
      expect(sums.find(mass)).toBe(i);
    }
    // Masses at the very top (rounding) still land on a positive leaf, never past the end.
    const top = sums.find(total * (1 - 1e-16));
    expect(values[top]).toBeGreaterThan(0);
    expect(sums.find(sums.total)).toBeLessThan(n);
    expect(values[sums.find(sums.total)]).toBeGreaterThan(0);
  });

  it("setAll rebuilds the same trees as individual sets", () => {
    const a = new SumTree(10);
    const b = new SumTree(10);
    const vals = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
    for (const [i, v] of vals.entries()) a.set(i, v);
    b.setAll(vals);
    expect(b.total).toBe(a.total);
    for (let m = 0; m < 39; m += 0.5) expect(b.find(m)).toBe(a.find(m));
    expect(() => a.set(10, 1)).toThrow(/index 10 outside \[0, 10\)/);
  });
});

const fields = { x: { shape: [] } };

/** A PER buffer holding x = 0…n−1 with the given raw priorities. */
function filled(priorities: number[], opts: { alpha?: number; beta?: number | ((t: number) => number); eps?: number }) {
  const buf = new PrioritizedReplayBuffer({ capacity: priorities.length, fields, ...opts });
  for (let k = 0; k < priorities.length; k++) buf.add({ x: k });
  buf.updatePriorities(
    priorities.map((_, k) => k),
    priorities,
  );
  return buf;
}

describe("PrioritizedReplayBuffer", () => {
  it("samples in proportion to p^α", () => {
    for (const alpha of [1, 0.5]) {
      const priorities = [1, 2, 3, 4];
      const buf = filled(priorities, { alpha, eps: 0 });
      const powered = priorities.map((p) => p ** alpha);
      const z = powered.reduce((a, b) => a + b, 0);
      const counts = [0, 0, 0, 0];
      const rng = new Rng(11);
      const draws = 40_000;
      for (let b = 0; b < draws / 250; b++) {
        const { indices, data } = buf.sample(250, rng);
        for (let i = 0; i < indices.length; i++) {
          const k = indices[i] as number;
          counts[k] = (counts[k] as number) + 1;
          expect((data.x as Float32Array)[i]).toBe(k);
        }
      }
      // Standard error of each frequency ≤ 0.0025; allow 4 of them.
      for (let k = 0; k < 4; k++) {
        expect(Math.abs((counts[k] as number) / draws - (powered[k] as number) / z)).toBeLessThan(0.01);
        expect(buf.probability(k)).toBeCloseTo((powered[k] as number) / z, 12);
      }
    }
  });

  it("gives importance weights (N·P(i))^−β normalised by the largest possible weight", () => {
    // α = 0.5, ε = 0, priorities 1, 4, 9, 16 → p^α = 1, 2, 3, 4; P = 0.1, 0.2, 0.3, 0.4; N = 4.
    const P = [0.1, 0.2, 0.3, 0.4];
    const hand = (beta: number) => {
      const w = P.map((p) => (4 * p) ** -beta);
      const max = (4 * 0.1) ** -beta; // the minimum-probability transition has the largest weight
      return w.map((x) => x / max);
    };
    const check = (buf: PrioritizedReplayBuffer, expected: number[], step?: number) => {
      const { indices, weights } = buf.sample(64, new Rng(2), step);
      expect(weights).toBeInstanceOf(Float32Array);
      for (let i = 0; i < indices.length; i++) {
        expect(weights[i]).toBeCloseTo(expected[indices[i] as number] as number, 6);
      }
      expect(new Set(indices).size).toBe(4);
    };
    // β = 0.5: 1, 1/√2, 1/√3, 1/2.
    expect(hand(0.5)[1]).toBeCloseTo(Math.SQRT1_2, 12);
    check(filled([1, 4, 9, 16], { alpha: 0.5, beta: 0.5, eps: 0 }), hand(0.5));
    // QMLE's constant β = 0.2.
    check(filled([1, 4, 9, 16], { alpha: 0.5, beta: 0.2, eps: 0 }), hand(0.2));

    // β annealed from 0.4 to 1 over 100 steps: 0.7 at step 50; 1 (full correction) from step 100.
    const annealed = filled([1, 4, 9, 16], { alpha: 0.5, beta: linearSchedule(0.4, 1, 100), eps: 0 });
    expect(annealed.betaAt(50)).toBeCloseTo(0.7, 12);
    check(annealed, hand(0.4), 0);
    check(annealed, hand(0.7), 50);
    check(annealed, [1, 1 / 2, 1 / 3, 1 / 4], 250);
    expect(() => annealed.sample(4, new Rng(0))).toThrow(/beta is a schedule, so pass the training step/);
  });

  it("adds eps to priorities and gives new transitions the running maximum", () => {
    const buf = new PrioritizedReplayBuffer({ capacity: 4, fields, alpha: 1, eps: 0.5 });
    buf.add({ x: 0 });
    buf.add({ x: 1 });
    // Fresh transitions share the initial maximum priority 1.
    expect(buf.probability(0)).toBeCloseTo(0.5, 12);
    buf.updatePriorities([0, 1], [9.5, 0]); // stored p = 10 and 0.5
    expect(buf.probability(0)).toBeCloseTo(10 / 10.5, 12);
    buf.add({ x: 2 }); // enters at the max seen so far, 10
    expect(buf.probability(2)).toBeCloseTo(10 / 20.5, 12);
    buf.add({ x: 3 });
    buf.updatePriorities([0, 2, 3], [0, 0, 0]);
    // Overwriting slot 0 on wrap-around resets its priority to the maximum (still 10).
    expect(buf.add({ x: 4 })).toBe(0);
    expect(buf.probability(0)).toBeCloseTo(10 / 11.5, 12);
  });

  it("rejects invalid priorities and options clearly", () => {
    const buf = filled([1, 1], { eps: 0 });
    expect(() => buf.updatePriorities([0], [-0.3])).toThrow(/priority -0.3 .* ≥ 0 \(pass \|TD error\|\)/);
    expect(() => buf.updatePriorities([0], [Number.NaN])).toThrow(/finite/);
    expect(() => buf.updatePriorities([0], [0])).toThrow(/eps 0/);
    expect(() => buf.updatePriorities([0, 1], [1])).toThrow(/2 indices but 1 priorities/);
    expect(() => buf.updatePriorities([5], [1])).toThrow(/index 5/);
    expect(() => new PrioritizedReplayBuffer({ capacity: 2, fields, beta: 1.5 })).toThrow(/beta must be in \[0, 1\]/);
    expect(() => new PrioritizedReplayBuffer({ capacity: 2, fields, alpha: -1 })).toThrow(/alpha/);
    expect(() => new PrioritizedReplayBuffer({ capacity: 2, fields }).sample(1, new Rng(0))).toThrow(/empty/);
  });

  it("round-trips its state, priorities and running maximum included", () => {
    const a = filled([0.5, 3, 1, 7, 2], { alpha: 0.6, beta: 0.4 });
    a.add({ x: 10 });
    const b = new PrioritizedReplayBuffer({ capacity: 5, fields, alpha: 0.6, beta: 0.4 });
    b.setState(a.getState());
    expect(b.sample(100, new Rng(4))).toEqual(a.sample(100, new Rng(4)));
    b.add({ x: 11 });
    a.add({ x: 11 });
    for (let k = 0; k < 5; k++) expect(b.probability(k)).toBeCloseTo(a.probability(k), 12);
    const other = new PrioritizedReplayBuffer({ capacity: 5, fields, alpha: 0.7 });
    expect(() => other.setState(a.getState())).toThrow(/alpha 0.6, this buffer uses 0.7/);
  });
});
