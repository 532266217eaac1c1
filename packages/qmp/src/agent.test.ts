import { SACAgent } from "@qscape/baselines";
import { initBackend, QscapeError, Rng, tf } from "@qscape/core";
import { MAZE_LARGE_MT3_TASKS, MAZE_LARGE_TASKS, makeTaskSet } from "@qscape/envs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { QmpAgent } from "./agent.js";
import { QMP_SAC_DEFAULTS, resolveQmpConfig, TABLE_D4 } from "./config.js";
import { trainMultiTask } from "./train.js";

beforeAll(async () => {
  await initBackend();
});

const sac = { actorHidden: [16, 16], criticHidden: [16, 16], batchSize: 16, bufferSize: 2000 };
const small = { seed: 3, sac };

/**
 * Replaces task `task`'s twin-min critic with a hand-built Q(a) (the state is ignored); returns the
 * spy, with every batch of actions it scored in `seen`.
 */
function stubCritic(agent: QmpAgent, task: number, q: (a: number[]) => number) {
  const seen: number[][][] = [];
  const spy = vi.spyOn(agent.learner(task).critics, "min").mockImplementation((_obs, action) => {
    const rows = action.arraySync() as number[][];
    seen.push(rows);
    return tf.tensor2d(
      rows.map((a) => [q(a)]),
      [rows.length, 1],
    );
  });
  return Object.assign(spy, { seen });
}

const dist2 = (a: number[], b: readonly number[]) => a.reduce((s, v, i) => s + (v - (b[i] as number)) ** 2, 0);

describe("config", () => {
  it("paper defaults; H < 1 and bad SAC fields are errors that name the field", () => {
    const c = resolveQmpConfig();
    expect(c).toMatchObject({ sharing: "qSwitch", holdSteps: 1, ownPolicyProb: 0 });
    expect(c.sac).toMatchObject({ ...QMP_SAC_DEFAULTS, autoAlpha: true });
    expect(TABLE_D4.maze).toEqual({
      train: { minBufferSize: 3000, envStepsPerUpdate: 600, gradStepsPerUpdate: 100 },
      sac: { batchSize: 256, actorLr: 3e-4, criticLr: 3e-4, alphaLr: 3e-4 },
    });
    expect(() => resolveQmpConfig({ holdSteps: 0 })).toThrow(QscapeError);
    expect(() => resolveQmpConfig({ holdSteps: 0 })).toThrow(/holdSteps: holdSteps \(H\) must be an integer ≥ 1/);
    expect(() => resolveQmpConfig({ holdSteps: 2.5 })).toThrow(/holdSteps/);
    expect(() => resolveQmpConfig({ ownPolicyProb: 1.5 })).toThrow(/ownPolicyProb/);
    expect(() => resolveQmpConfig({ sac: { batchSize: -1 } })).toThrow(/qmp sac config: batchSize/);
    expect(() => resolveQmpConfig({ sac: { seed: 1 } as never })).toThrow(/sac.seed/);
    expect(() => resolveQmpConfig({ sharing: "argmin" } as never)).toThrow(/sharing/);
    expect(() => resolveQmpConfig({ temperature: 0 })).toThrow(/temperature: temperature \(T\) must be > 0/);
  });

  it("one SAC learner per learning task, none for fixed-policy tasks", () => {
    const agent = new QmpAgent(makeTaskSet("PointReachMT-v0"), small);
    expect(agent.learners.map((l) => l !== null)).toEqual([true, false, false, false]);
    expect(() => agent.learner(1)).toThrow(/task 1 has a fixed policy and no learner/);
    expect(() => agent.behave(4, new Float32Array(2))).toThrow(/task 4 is not in \[0, 4\)/);
    expect(() => agent.behave(0, new Float32Array(3))).toThrow(/observation has 3 values, expected 2/);
    agent.dispose();
  });
});

describe("Q-switch", () => {
  it("picks argmax_j Q_i(s, μ_j) over every policy incl. its own, and executes a sample of the winner", () => {
    const set = makeTaskSet("PointReachMT-v0");
    const agent = new QmpAgent(set, small);
    const s = new Float32Array([0.5, -1]);
    const own = Array.from(agent.evalAction(0, s));
    // Each candidate in turn is made the best under task 0's Q; ↗ = [1, 1], ↑ = [0, 1], → = [1, 0].
    const means = [own, [0, 1], [1, 0], [1, 1]];
    means.forEach((target, j) => {
      const spy = stubCritic(agent, 0, (a) => -dist2(a, target));
      const scores = agent.scores(0, s);
      expect(QmpAgent.argmax(scores)).toBe(j);
      // The critic saw all N mean actions, own policy first.
      const seen = spy.seen[0] as number[][];
      expect(seen.length).toBe(4);
      seen.forEach((a, k) => {
        for (let d = 0; d < 2; d++) expect(a[d]).toBeCloseTo(means[k]?.[d] as number, 5);
      });
      const { action, policy } = agent.behave(0, s);
      expect(policy).toBe(j);
      // A sample, not the mean: close to the winner's mean but not equal to it (↗'s sample may clip to it).
      expect(Math.sqrt(dist2(Array.from(action), target))).toBeLessThan(0.5);
      if (j < 3) expect(Array.from(action)).not.toEqual(target);
      spy.mockRestore();
    });
    expect(agent.selectionCounts()).toEqual([
      [1, 1, 1, 1],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    agent.dispose();
  });

  it("App. G.2's sampled expectation: each policy scored by the mean of min-Q over M of its sampled actions", () => {
    const set = makeTaskSet("PointReachMT-v0");
    const agent = new QmpAgent(set, { ...small, expectationSamples: 10 });
    const s = new Float32Array([0.5, -1]);
    const q = (a: number[]) => 3 * (a[0] as number) - (a[1] as number) ** 2;
    const spy = stubCritic(agent, 0, q);
    const scores = agent.scores(0, s);
    const seen = spy.seen[0] as number[][];
    // 4 policies × 10 draws, policy-major; the score is the mean of Q over a policy's own draws.
    expect(seen.length).toBe(40);
    for (let j = 0; j < 4; j++) {
      const rows = seen.slice(10 * j, 10 * j + 10);
      expect(scores[j]).toBeCloseTo(rows.reduce((sum, a) => sum + q(a), 0) / 10, 5);
      // Samples, not the mean: the draws differ (a helper's may clip to the action box's corner).
      expect(new Set(rows.map((a) => a.join())).size).toBeGreaterThan(j === 0 ? 9 : 1);
    }
    // The fixed helpers' draws scatter around their means (↑ = [0, 1], → = [1, 0], ↗ = [1, 1]).
    const meanOf = (j: number) =>
      [0, 1].map((d) => seen.slice(10 * j, 10 * j + 10).reduce((sum, a) => sum + (a[d] as number), 0) / 10);
    expect(Math.sqrt(dist2(meanOf(2), [1, 0]))).toBeLessThan(0.5);
    // Acting scores the same way: the chosen policy is the argmax of its call's sampled means.
    const { policy } = agent.behave(0, s);
    const acted = spy.seen[1] as number[][];
    expect(acted.length).toBe(40);
    const means = [0, 1, 2, 3].map((j) => acted.slice(10 * j, 10 * j + 10).reduce((sum, a) => sum + q(a), 0) / 10);
    expect(policy).toBe(QmpAgent.argmax(means));
    spy.mockRestore();
    agent.dispose();
    // Only a rule that scores policies takes it; it must be a count.
    expect(() => resolveQmpConfig({ sharing: "none", expectationSamples: 10 })).toThrow(
      /expectationSamples: expectationSamples scores policies/,
    );
    expect(() => resolveQmpConfig({ expectationSamples: -1 })).toThrow(/expectationSamples must be an integer ≥ 0/);
    expect(resolveQmpConfig({ sharing: "softmax", expectationSamples: 3 }).expectationSamples).toBe(3);
  });

  it("task i is scored by its own critic only", () => {
    const agent = new QmpAgent(makeTaskSet("MazeLargeMT3-v0"), small);
    const s = new Float32Array([1, 3, 0, 0]);
    const spies = [0, 1, 2].map((i) => stubCritic(agent, i, (a) => (i === 1 ? -1 : 1) * (a[0] as number)));
    // Q_0 prefers the largest x-velocity, Q_1 the smallest; the candidates are the policies' means.
    const means = [0, 1, 2].map((j) => agent.evalAction(j, s)[0] as number);
    const best = (sign: number) => QmpAgent.argmax(means.map((m) => sign * m));
    expect(agent.behave(0, s).policy).toBe(best(1));
    expect(agent.behave(1, s).policy).toBe(best(-1));
    expect(spies.map((sp) => sp.mock.calls.length)).toEqual([1, 1, 0]);
    agent.dispose();
  });

  it("No-Sharing acts with the task's own policy and never consults a critic", () => {
    const agent = new QmpAgent(makeTaskSet("PointReachMT-v0"), { ...small, sharing: "none" });
    const spy = stubCritic(agent, 0, (a) => dist2(a, [0, 0]));
    for (let k = 0; k < 5; k++) expect(agent.behave(0, new Float32Array([k, k])).policy).toBe(0);
    expect(spy).not.toHaveBeenCalled();
    expect(agent.selectionCounts()[0]).toEqual([5, 0, 0, 0]);
    agent.dispose();
  });

  it("QMP-Uniform picks every policy about equally often, never consults a critic, and evaluates π_i", () => {
    const agent = new QmpAgent(makeTaskSet("PointReachMT-v0"), { ...small, sharing: "uniform" });
    const spy = stubCritic(agent, 0, (a) => -dist2(a, [1, 1]));
    for (let k = 0; k < 400; k++) agent.behave(0, new Float32Array(2));
    for (const count of agent.selectionCounts()[0] as number[]) {
      expect(count).toBeGreaterThan(70);
      expect(count).toBeLessThan(130);
    }
    const s = new Float32Array([1, 2]);
    expect(agent.evalAction(0, s, "mixture")).toEqual(agent.evalAction(0, s));
    expect(spy).not.toHaveBeenCalled();
    agent.dispose();
  });

  it("H-step variant: the choice is held for H steps, then re-selected; a new episode re-selects", () => {
    const agent = new QmpAgent(makeTaskSet("PointReachMT-v0"), { ...small, holdSteps: 3 });
    let preferred: number[] = [0, 1];
    const spy = stubCritic(agent, 0, (a) => -dist2(a, preferred));
    const policies: number[] = [];
    for (let k = 0; k < 9; k++) {
      // The preference flips every step; the held policy must not follow it within a block.
      preferred = k % 3 === 0 ? [0, 1] : [1, 0];
      policies.push(agent.behave(0, new Float32Array([k, 0])).policy);
    }
    expect(policies).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(spy.mock.calls.length).toBe(3);
    preferred = [1, 0];
    agent.beginEpisode(0);
    expect(agent.behave(0, new Float32Array(2)).policy).toBe(2);
    preferred = [1, 1];
    expect(agent.behave(0, new Float32Array(2)).policy).toBe(2);
    expect(spy.mock.calls.length).toBe(4);
    agent.dispose();
  });

  it("ownPolicyProb 0.7: the own policy acts ~70 % of the steps, the Q-switch the rest", () => {
    const agent = new QmpAgent(makeTaskSet("PointReachMT-v0"), { ...small, ownPolicyProb: 0.7 });
    stubCritic(agent, 0, (a) => -dist2(a, [1, 1]));
    let own = 0;
    const n = 400;
    for (let k = 0; k < n; k++) if (agent.behave(0, new Float32Array(2)).policy === 0) own += 1;
    expect(own / n).toBeGreaterThan(0.63);
    expect(own / n).toBeLessThan(0.77);
    expect(agent.selectionCounts()[0]).toEqual([own, 0, 0, n - own]);
    agent.dispose();
  });

  it("behave and evalAction leave no tensors behind", () => {
    const agent = new QmpAgent(makeTaskSet("PointReachMT-v0"), { ...small, holdSteps: 2 });
    agent.behave(0, new Float32Array(2));
    const before = tf.memory().numTensors;
    for (let k = 0; k < 4; k++) {
      agent.behave(0, new Float32Array([k, 1]));
      agent.evalAction(0, new Float32Array([k, 1]), "mixture");
      agent.evalAction(0, new Float32Array([k, 1]));
      agent.scores(0, new Float32Array([k, 1]));
    }
    expect(tf.memory().numTensors).toBe(before);
    agent.dispose();
  });
});

describe("data and learning", () => {
  it("each transition goes only to its own task's buffer, labelled with that task's reward", () => {
    const agent = new QmpAgent(makeTaskSet("MazeLargeMT3-v0"), small);
    const stored: { task: number; reward: number; next: Float32Array }[][] = [[], [], []];
    [0, 1, 2].forEach((i) => {
      const learner = agent.learner(i);
      const original = learner.observe.bind(learner);
      vi.spyOn(learner, "observe").mockImplementation((t) => {
        stored[i]?.push({ task: i, reward: t.reward, next: t.nextObs });
        original(t);
      });
    });
    const set = makeTaskSet("MazeLargeMT3-v0");
    const result = trainMultiTask(
      agent,
      set,
      makeTaskSet("MazeLargeMT3-v0"),
      {
        totalEnvSteps: 90,
        envStepsPerUpdate: 15,
        gradStepsPerUpdate: 1,
        minBufferSize: 10,
        evalEpisodes: 1,
        evalEvery: 100,
      },
      { evalMixture: false },
    );
    expect(result.envSteps).toBe(90);
    expect(stored.map((s) => s.length)).toEqual([30, 30, 30]);
    expect([0, 1, 2].map((i) => agent.replaySize(i))).toEqual([30, 30, 30]);
    stored.forEach((rows, i) => {
      const goal = MAZE_LARGE_TASKS[MAZE_LARGE_MT3_TASKS[i] as number]?.goal as readonly [number, number];
      for (const { reward, next } of rows) {
        const d = Math.hypot((next[0] as number) - goal[0], (next[1] as number) - goal[1]);
        expect(reward).toBeCloseTo(Math.exp(-d) - 1, 5);
      }
    });
    // Every training step was taken by some policy: each task's selection row sums to its step count.
    expect(result.selections.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([30, 30, 30]);
    agent.dispose();
  });

  it("SAC's losses and targets are untouched: task i's updates equal a standalone SAC's on the same data", () => {
    const set = makeTaskSet("MazeLargeMT3-v0");
    const agent = new QmpAgent(set, small);
    const learner = agent.learner(1);
    const plain = new SACAgent(set, { ...learner.config });
    const rng = new Rng(9);
    for (let k = 0; k < 40; k++) {
      const t = {
        obs: rng.fillUniform(new Float32Array(4), 1, 7) as Float32Array,
        action: rng.fillUniform(new Float32Array(2), -1, 1) as Float32Array,
        reward: rng.uniform(-1, 0),
        nextObs: rng.fillUniform(new Float32Array(4), 1, 7) as Float32Array,
        terminated: k % 13 === 0,
        truncated: false,
      };
      agent.observe(1, t);
      plain.observe(t);
    }
    for (let k = 0; k < 3; k++) expect(agent.update(1)).toEqual(plain.update());
    expect(agent.replaySize(0)).toBe(0);
    expect(agent.replaySize(2)).toBe(0);
    agent.dispose();
    plain.dispose();
  });

  it("the same seed gives an identical trace; save/load continues identically", () => {
    const run = () => {
      const agent = new QmpAgent(makeTaskSet("MazeLargeMT3-v0"), { ...small, holdSteps: 2 });
      const result = trainMultiTask(agent, makeTaskSet("MazeLargeMT3-v0"), makeTaskSet("MazeLargeMT3-v0"), {
        seed: 4,
        totalEnvSteps: 120,
        envStepsPerUpdate: 20,
        gradStepsPerUpdate: 2,
        minBufferSize: 16,
        evalEpisodes: 1,
        evalEvery: 2,
      });
      return { agent, result };
    };
    const a = run();
    const b = run();
    expect(b.result).toEqual(a.result);
    expect(a.result.evaluations.length).toBe(1);

    // Continue `a` and a copy loaded into a differently seeded agent: identical behaviour and updates.
    const copy = new QmpAgent(makeTaskSet("MazeLargeMT3-v0"), { ...small, holdSteps: 2, seed: 77 });
    copy.load(a.agent.save());
    const s = new Float32Array([1.2, 3.1, 0.5, -0.5]);
    for (let k = 0; k < 5; k++) {
      for (const i of [0, 1, 2]) {
        expect(copy.behave(i, s)).toEqual(a.agent.behave(i, s));
        expect(copy.update(i)).toEqual(a.agent.update(i));
      }
    }
    expect(copy.selectionCounts()).toEqual(a.agent.selectionCounts());

    expect(() => copy.load({ name: "sac" })).toThrow(/not a qmp snapshot/);
    const point = new QmpAgent(makeTaskSet("PointReachMT-v0"), small);
    expect(() => point.load(a.agent.save())).toThrow(/snapshot has 3 tasks, this agent 4/);
    for (const agent of [a.agent, b.agent, copy, point]) agent.dispose();
  });
});
