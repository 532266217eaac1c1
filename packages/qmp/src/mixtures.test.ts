import { initBackend, tf } from "@qscape/core";
import { makeTaskSet, type TaskSet } from "@qscape/envs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { QmpAgent } from "./agent.js";
import { qmpAlgorithms } from "./bench.js";
import { domainMixture, NoDomainMixtureError, softmaxProbabilities, subgoalMixture } from "./mixtures.js";
import { MultiTaskTrainer } from "./train.js";

beforeAll(async () => {
  await initBackend();
});

const sac = { actorHidden: [8, 8], criticHidden: [8, 8], batchSize: 8, bufferSize: 500 };

/** Task `task`'s critic scores the k-th candidate row (own policy first) with `scores[k]`, whatever the state. */
function stubScores(agent: QmpAgent, task: number, scores: readonly number[]) {
  return vi.spyOn(agent.learner(task).critics, "min").mockImplementation((_obs, action) => {
    const rows = action.shape[0];
    return tf.tensor2d(scores.slice(0, rows) as number[], [rows, 1]);
  });
}

/** Fraction of `n` behaviour steps of `task` taken by each policy. */
function frequencies(agent: QmpAgent, task: number, obs: Float32Array, n: number): number[] {
  const counts = new Array<number>(agent.numTasks).fill(0);
  for (let k = 0; k < n; k++) {
    const j = agent.behave(task, obs).policy;
    counts[j] = (counts[j] as number) + 1;
  }
  return counts.map((c) => c / n);
}

const third = 1 / 3;
/** §5's QMP-Domain mixtures for the Multistage Reacher (App. D D.1), row i = task i. */
const PAPER_DOMAIN = [
  [2 * third, third, 0, 0, 0],
  [third, 2 * third, 0, 0, 0],
  [0, 0, 5 / 6, 1 / 6, 0],
  [0, 0, 1 / 6, 5 / 6, 0],
  [0, 0, 0, 0, 1],
];

describe("probabilistic (softmax) mixture, App. G.1", () => {
  it("softmax(scores / T): normalised, ordered like the scores, one-hot on the argmax as T → 0, uniform as T → ∞", () => {
    const scores = [0.2, 1.5, -3, 1.4];
    const p = Array.from(softmaxProbabilities(scores, 1));
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(p[1]).toBeGreaterThan(p[3] as number);
    expect(p[3]).toBeGreaterThan(p[0] as number);
    expect(p[1]).toBeCloseTo(Math.exp(1.5) / scores.reduce((a, s) => a + Math.exp(s), 0), 12);
    let previous = 0;
    for (const t of [10, 1, 0.1, 0.01]) {
      const best = softmaxProbabilities(scores, t)[1] as number;
      expect(best).toBeGreaterThan(previous);
      previous = best;
    }
    expect(Array.from(softmaxProbabilities(scores, 1e-4))).toEqual([0, 1, 0, 0]);
    for (const q of softmaxProbabilities(scores, 1e6)) expect(q).toBeCloseTo(0.25, 5);
    // Large Q scales do not overflow.
    expect(Array.from(softmaxProbabilities([1000, 990], 1)).every(Number.isFinite)).toBe(true);
    expect(() => softmaxProbabilities(scores, 0)).toThrow(/temperature must be > 0/);
  });

  it("draws each policy with its softmax probability under task i's own critic", () => {
    const agent = new QmpAgent(makeTaskSet("PointReachMT-v0"), { seed: 5, sac, sharing: "softmax", temperature: 0.5 });
    const scores = [0, 0.4, -0.5, 0.2];
    const spy = stubScores(agent, 0, scores);
    const expected = Array.from(softmaxProbabilities(scores, 0.5));
    const seen = frequencies(agent, 0, new Float32Array([1, 1]), 500);
    // ±0.07 is over 3 standard errors for n = 500.
    seen.forEach((f, j) => {
      expect(Math.abs(f - (expected[j] as number))).toBeLessThan(0.07);
    });
    expect(spy).toHaveBeenCalledTimes(500);
    expect(agent.selectionCounts()[0]?.reduce((a, b) => a + b, 0)).toBe(500);
    agent.dispose();
  });

  it("as T → 0 it acts like the Q-switch's argmax", () => {
    const agent = new QmpAgent(makeTaskSet("PointReachMT-v0"), { seed: 6, sac, sharing: "softmax", temperature: 1e-3 });
    const scores = [0, -0.2, 0.3, 0.25];
    stubScores(agent, 0, scores);
    expect(frequencies(agent, 0, new Float32Array(2), 100)).toEqual([0, 0, 1, 0]);
    expect(QmpAgent.argmax(scores)).toBe(2);
    agent.dispose();
  });
});

describe("QMP-Domain-Knowledge, App. D D.1", () => {
  it("the sub-goal formula gives §5's Multistage Reacher mixtures (⅔/⅓, ⅚/⅙, task 4 alone)", () => {
    const m = domainMixture("MultistageReacherMT5-v0");
    m.forEach((row, i) => {
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      row.forEach((p, j) => {
        expect(p).toBeCloseTo(PAPER_DOMAIN[i]?.[j] as number, 12);
      });
    });
    // Segments are matched stage by stage: [A → B] at stage 2 does not share with [A → B] at stage 3.
    const o = [0, 0];
    const [a, b, c] = [
      [1, 0],
      [2, 0],
      [3, 0],
    ];
    expect(subgoalMixture(o, [[a, b, c] as number[][], [c, a, b] as number[][]])).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });

  it("draws policies with the formula's per-task frequencies and never consults a critic", () => {
    const agent = new QmpAgent(makeTaskSet("MultistageReacherMT5-v0"), { seed: 7, sac, sharing: "domain" });
    const spies = [0, 1, 2, 3, 4].map((i) => stubScores(agent, i, [0, 0, 0, 0, 0]));
    const obs = makeTaskSet("MultistageReacherMT5-v0").reset(0, 0)[0];
    for (let i = 0; i < 5; i++) {
      const seen = frequencies(agent, i, obs, 250);
      seen.forEach((f, j) => {
        const p = PAPER_DOMAIN[i]?.[j] as number;
        if (p === 0) expect(f).toBe(0);
        else expect(Math.abs(f - p)).toBeLessThan(0.09); // > 3 standard errors at n = 250
      });
    }
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    agent.dispose();
  });

  it("a task set without a domain mixture is a named error, for the agent and the bench entry", () => {
    expect(() => new QmpAgent(makeTaskSet("PointReachMT-v0"), { sac, sharing: "domain" })).toThrow(
      NoDomainMixtureError,
    );
    expect(() => domainMixture("MazeLargeMT3-v0")).toThrow(/"MazeLargeMT3-v0" has no domain-knowledge mixture/);
    const domain = qmpAlgorithms.find((a) => a.id === "qmp-domain")?.multiTask;
    expect(domain?.supportsTaskSet("MazeLargeMT3-v0")).toMatch(/no domain-knowledge mixture for "MazeLargeMT3-v0"/);
    expect(domain?.supportsTaskSet("MultistageReacherMT5-v0")).toBeNull();
    const softmax = qmpAlgorithms.find((a) => a.id === "qmp-softmax");
    expect(() => softmax?.checkConfig({ temperature: -1 })).toThrow(/temperature/);
  });
});

describe("both ablations change only the behaviour policy", () => {
  it("each transition goes to its own task's buffer with its own reward, and no tensors leak", () => {
    for (const sharing of ["softmax", "domain"] as const) {
      const agent = new QmpAgent(makeTaskSet("MultistageReacherMT5-v0"), { seed: 8, sac, sharing });
      const observed: number[][] = [[], [], [], [], []];
      const returned: number[][] = [[], [], [], [], []];
      for (let i = 0; i < 5; i++) {
        const learner = agent.learner(i);
        const original = learner.observe.bind(learner);
        vi.spyOn(learner, "observe").mockImplementation((t) => {
          observed[i]?.push(t.reward);
          original(t);
        });
      }
      const set: TaskSet = makeTaskSet("MultistageReacherMT5-v0");
      const step = set.step.bind(set);
      vi.spyOn(set, "step").mockImplementation((task, action) => {
        const result = step(task, action);
        returned[task as number]?.push(result[1]);
        return result;
      });
      const before = tf.memory().numTensors;
      // Collection only (no evaluation, no SAC steps): what the ablations change.
      const trainer = new MultiTaskTrainer(agent, set, makeTaskSet("MultistageReacherMT5-v0"), {
        totalEnvSteps: 100,
        envStepsPerUpdate: 20,
        gradStepsPerUpdate: 0,
      });
      while (!trainer.done) trainer.runEpoch();
      const result = trainer.result();
      expect(tf.memory().numTensors).toBe(before);
      expect(observed).toEqual(returned);
      expect([0, 1, 2, 3, 4].map((i) => agent.replaySize(i))).toEqual([20, 20, 20, 20, 20]);
      expect(result.selections.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([20, 20, 20, 20, 20]);
      if (sharing === "domain") expect(result.selections[4]).toEqual([0, 0, 0, 0, 20]);
      set.close();
      agent.dispose();
    }
  });
});
