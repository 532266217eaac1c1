import { initBackend, Rng, tf } from "@qscape/core";
import { BANDIT_1D_BUMPS, BANDIT_2D_BUMPS, GaussianBumpBandit } from "@qscape/envs";
import { beforeAll, describe, expect, it } from "vitest";
import { SavoAgent } from "../src/agent.js";
import {
  analyzeLandscape,
  analyzeSourceLandscape,
  countStrictLocalMaxima,
  type LandscapeSource,
} from "../src/landscape.js";
import { bumpQ } from "./fixed-q.js";
import { boxEnv, fillReplay } from "./fixtures.js";

beforeAll(async () => {
  await initBackend();
});

/** A known Q with a fixed chain of anchors (no networks). */
function fixedSource(bumps: typeof BANDIT_1D_BUMPS, anchors: number[][]): LandscapeSource {
  const dim = (bumps[0] as (typeof bumps)[0]).center.length;
  return {
    obsDim: 1,
    actionDim: dim,
    q: bumpQ(bumps),
    chain: (obs) => anchors.map((a) => tf.tile(tf.tensor2d([a]), [obs.shape[0], 1]) as tf.Tensor2D),
    surrogates: [],
  };
}

describe("countStrictLocalMaxima", () => {
  it("counts strict maxima in 1-D and 2-D, including boundary maxima, and none on plateaus", () => {
    expect(countStrictLocalMaxima([0, 1, 0, 2, 0], [5])).toBe(2);
    expect(countStrictLocalMaxima([3, 1, 2], [3])).toBe(2);
    expect(countStrictLocalMaxima([1, 1, 1, 1], [4])).toBe(0);
    expect(countStrictLocalMaxima([0, 2, 2, 0], [4])).toBe(0);
    // 3×3 with a centre peak and a corner peak that only beats its 3 neighbours.
    expect(countStrictLocalMaxima([5, 0, 0, 0, 4, 0, 0, 0, 1], [3, 3])).toBe(1);
    expect(countStrictLocalMaxima([0, 0, 0, 0, 4, 0, 0, 0, 1], [3, 3])).toBe(1);
    expect(() => countStrictLocalMaxima([1, 2], [3])).toThrow(/2 values/);
  });
});

describe("Theorem 4.2 on the toy bandits", () => {
  it("the grid count of Q's maxima matches the bandits' closed-form optima", () => {
    const one = analyzeSourceLandscape(fixedSource(BANDIT_1D_BUMPS, [[0]]), [new Float32Array(1)], { dims: [0] });
    expect(one.states[0]?.localOptima.q).toBe(new GaussianBumpBandit({ bumps: BANDIT_1D_BUMPS }).optima.length);
    const two = analyzeSourceLandscape(fixedSource(BANDIT_2D_BUMPS, [[0, 0]]), [new Float32Array(1)], { dims: [0, 1] });
    expect(two.states[0]?.localOptima.q).toBe(new GaussianBumpBandit({ bumps: BANDIT_2D_BUMPS }).optima.length);
  });

  it("N_opt(Q) ≥ N_opt(Ψ1) ≥ … ≥ N_opt(Ψk) for random anchor chains, strictly somewhere", () => {
    const rng = new Rng(11);
    let strictDrops = 0;
    for (const bumps of [BANDIT_1D_BUMPS, BANDIT_2D_BUMPS]) {
      const dim = (bumps[0] as (typeof bumps)[0]).center.length;
      for (let trial = 0; trial < 12; trial++) {
        const anchors = Array.from({ length: 5 }, () => Array.from(rng.fillUniform(new Float32Array(dim), -1, 1)));
        const report = analyzeSourceLandscape(fixedSource(bumps, anchors), [new Float32Array(1)], {
          dims: dim === 1 ? [0] : [0, 1],
          resolution: dim === 1 ? 401 : 81,
        });
        const counts = report.states[0]?.localOptima as { q: number; exact: number[] };
        const chain = [counts.q, ...counts.exact];
        for (let i = 1; i < chain.length; i++) {
          expect(chain[i], `${dim}-D trial ${trial}: ${chain}`).toBeLessThanOrEqual(chain[i - 1] as number);
          if ((chain[i] as number) < (chain[i - 1] as number)) strictDrops += 1;
        }
      }
    }
    expect(strictDrops).toBeGreaterThan(5);
  });
});

describe("analyzeLandscape", () => {
  it("evaluates Q and every surrogate on a grid, marks the proposals and writes an SVG", () => {
    const agent = new SavoAgent(boxEnv(3, 2), {
      actorHidden: [16],
      criticHidden: [16],
      summarizerHidden: 8,
      summarySize: 8,
      batchSize: 16,
      policyDelay: 1,
      seed: 4,
    });
    fillReplay(agent, new Rng(3), 40);
    agent.update();
    const states = [new Float32Array([0.1, 0.2, 0.3]), new Float32Array([-1, 0, 1])];
    const oneD = analyzeLandscape(agent, states, { dims: [1], resolution: 51 });
    expect(oneD.states).toHaveLength(2);
    const s = oneD.states[0] as NonNullable<(typeof oneD.states)[0]>;
    expect(s.q).toHaveLength(51);
    expect(s.learned).toHaveLength(2);
    expect(s.exact).toHaveLength(2);
    expect(s.proposals).toHaveLength(3);
    // The grid's Q agrees with the agent's own Q evaluation, and Ψi ≥ max(Q, τi) exactly.
    const q = agent.evaluateQ(states[0] as Float32Array, s.proposals);
    expect(s.proposalQ[0]).toBeCloseTo(q[0] as number, 5);
    const tau = Math.max(s.proposalQ[0] as number, s.proposalQ[1] as number);
    expect(s.thresholds[1]).toBeCloseTo(tau, 6);
    s.exact[1]?.forEach((v, i) => {
      expect(v).toBeCloseTo(Math.max(s.q[i] as number, tau), 6);
    });
    expect(oneD.svg.startsWith("<svg")).toBe(true);
    expect(oneD.svg).toContain("a0");
    expect(oneD.svg).toContain("Ψ̂2");
    const twoD = analyzeLandscape(agent, [states[0] as Float32Array], { dims: [0, 1], resolution: 11 });
    expect(twoD.states[0]?.q).toHaveLength(121);
    expect((twoD.svg.match(/<rect /g) ?? []).length).toBeGreaterThan(3 * 121);
    expect(() => analyzeLandscape(agent, states, { dims: [2] })).toThrow(/dims/);
    expect(() => analyzeLandscape(agent, [new Float32Array(2)])).toThrow(/2 values, expected 3/);
    agent.dispose();
  });
});
