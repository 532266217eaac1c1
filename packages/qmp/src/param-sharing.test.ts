import { initBackend, QscapeError, Rng, type Snapshot, tf } from "@qscape/core";
import { makeTaskSet } from "@qscape/envs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { QMP_SAC_DEFAULTS, resolveParamSharingConfig } from "./config.js";
import { ParamSharingAgent } from "./param-sharing.js";

beforeAll(async () => {
  await initBackend();
});

// MazeLargeMT3-v0: 3 tasks, 4-d observations, 2-d actions in [−1, 1] (env units = the agent's box).
const maze = () => makeTaskSet("MazeLargeMT3-v0");
const sac = { actorHidden: [16, 16], criticHidden: [16, 16], batchSize: 16, bufferSize: 500 };

/** Fills every task's buffer with `n` random transitions (rewards per task from `reward`). */
function fill(agent: ParamSharingAgent, n: number, seed: number, reward = (_task: number, _a: Float32Array) => 0) {
  const rng = new Rng(seed);
  for (let i = 0; i < agent.numTasks; i++) {
    for (let k = 0; k < n; k++) {
      const obs = rng.fillUniform(new Float32Array(4), 0, 1) as Float32Array;
      const action = rng.fillUniform(new Float32Array(2), -1, 1) as Float32Array;
      const nextObs = rng.fillUniform(new Float32Array(4), 0, 1) as Float32Array;
      agent.observe(i, { obs, action, reward: reward(i, action), nextObs, terminated: true, truncated: false });
    }
  }
}

/** Every variable's values by name. */
const values = (vars: tf.Variable[]) => new Map(vars.map((v) => [v.name, Array.from(v.dataSync())]));

/**
 * Replaces the multi-head critic's twin-min with a table: row r of a batch scored by head h gets
 * `table[h][r]`. Returns the heads it was asked for and the batch sizes.
 */
function stubCritic(agent: ParamSharingAgent, table: number[][]) {
  const calls: { head: number; rows: number }[] = [];
  vi.spyOn(agent.learner.critics, "min").mockImplementation((_obs, action, head) => {
    const rows = action.shape[0];
    calls.push({ head, rows });
    return tf.tensor2d(
      Array.from({ length: rows }, (_, r) => [table[head]?.[r] as number]),
      [rows, 1],
    );
  });
  return calls;
}

describe("param-sharing config", () => {
  it("defaults to Parameter-Sharing with QMP's SAC; errors name the field", () => {
    const c = resolveParamSharingConfig();
    expect(c).toMatchObject({ sharing: "none", mixtureWarmupSteps: 0 });
    expect(c.sac).toMatchObject(QMP_SAC_DEFAULTS);
    expect(() => resolveParamSharingConfig({ mixtureWarmupSteps: 5 })).toThrow(QscapeError);
    expect(() => resolveParamSharingConfig({ mixtureWarmupSteps: 5 })).toThrow(
      /mixtureWarmupSteps: only the Q-switch has a warm-up/,
    );
    expect(() => resolveParamSharingConfig({ sharing: "qSwitch", mixtureWarmupSteps: -1 })).toThrow(
      /mixtureWarmupSteps/,
    );
    expect(() => resolveParamSharingConfig({ sharing: "uniform" } as never)).toThrow(/sharing/);
    expect(() => resolveParamSharingConfig({ holdSteps: 2 })).toThrow(/holdSteps: only the Q-switch holds a choice/);
    expect(resolveParamSharingConfig({ sharing: "qSwitch", holdSteps: 2 }).holdSteps).toBe(2);
    expect(() => resolveParamSharingConfig({ sac: { batchSize: 0 } })).toThrow(/param-sharing sac config: batchSize/);
    expect(() => resolveParamSharingConfig({ sac: { seed: 1 } as never })).toThrow(/sac.seed/);
  });

  it("refuses fixed-policy tasks (every head must learn)", () => {
    expect(() => new ParamSharingAgent(makeTaskSet("PointReachMT-v0"), { sac })).toThrow(
      /task 1 \(up\) has a fixed policy/,
    );
  });
});

describe("multi-head SAC (Parameter-Sharing)", () => {
  it("task i's step moves the trunks and head i only (actor, critics, targets, α_i)", () => {
    const agent = new ParamSharingAgent(maze(), { seed: 1, sac });
    fill(agent, 40, 2);
    const { actor, critics, targetCritics } = agent.learner;
    agent.update(1); // head 1's optimizers have momentum now: it must not leak into task 0's step
    const all = () => [
      ...actor.parameters(),
      ...critics.parameters(),
      ...targetCritics.parameters(),
      ...agent.learner.logAlphas,
    ];
    const before = values(all());
    agent.update(0);
    const after = values(all());
    const changed = (vars: tf.Variable[]) =>
      vars.some((v) => before.get(v.name)?.some((x, k) => x !== after.get(v.name)?.[k]));
    expect(changed(actor.trunk.parameters())).toBe(true);
    expect(changed(actor.heads[0]?.parameters() ?? [])).toBe(true);
    expect(changed(critics.trunkParameters().parameters())).toBe(true);
    expect(changed(critics.headParameters(0).parameters())).toBe(true);
    expect(changed(targetCritics.headParameters(0).parameters())).toBe(true);
    expect(changed([agent.learner.logAlphas[0] as tf.Variable])).toBe(true);
    for (const j of [1, 2]) {
      expect(changed(actor.heads[j]?.parameters() ?? [])).toBe(false);
      expect(changed(critics.headParameters(j).parameters())).toBe(false);
      expect(changed(targetCritics.headParameters(j).parameters())).toBe(false);
      expect(changed([agent.learner.logAlphas[j] as tf.Variable])).toBe(false);
    }
    expect(agent.learner.counts).toMatchObject({
      gradientUpdates: 2,
      task0Updates: 1,
      task1Updates: 1,
      task2Updates: 0,
    });
    agent.dispose();
  });

  it("heads learn their own task: conflicting bandits pull heads 0 and 1 apart (a sign flip fails)", () => {
    // Task 0 is rewarded for a = (0.6, 0.6), task 1 for a = (−0.6, −0.6); one-step episodes.
    const target = [0.6, -0.6, 0];
    const agent = new ParamSharingAgent(maze(), {
      seed: 4,
      sac: { ...sac, actorLr: 1e-2, criticLr: 1e-2, alphaLr: 1e-2, batchSize: 32, logStdMin: -5 },
    });
    fill(agent, 300, 5, (i, a) => -a.reduce((s, v) => s + (v - (target[i] as number)) ** 2, 0));
    for (let g = 0; g < 100; g++) for (const i of [0, 1]) agent.update(i);
    const obs = new Float32Array([0.5, 0.5, 0.5, 0.5]);
    const a0 = agent.evalAction(0, obs);
    const a1 = agent.evalAction(1, obs);
    for (const v of a0) expect(v).toBeGreaterThan(0.3);
    for (const v of a1) expect(v).toBeLessThan(-0.3);
    agent.dispose();
  });

  it("Parameter-Sharing collects task i's data with head i into 𝒟_i only, never consulting a critic", () => {
    const agent = new ParamSharingAgent(maze(), { seed: 2, sac });
    const spy = vi.spyOn(agent.learner.critics, "min");
    const obs = new Float32Array([1, 2, 0, 0]);
    for (let k = 0; k < 5; k++) expect(agent.behave(2, obs).policy).toBe(2);
    expect(spy).not.toHaveBeenCalled();
    agent.observe(2, {
      obs,
      action: new Float32Array(2),
      reward: 1,
      nextObs: obs,
      terminated: false,
      truncated: false,
    });
    expect([0, 1, 2].map((i) => agent.replaySize(i))).toEqual([0, 0, 1]);
    expect(agent.selectionCounts()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 5],
    ]);
    agent.dispose();
  });
});

describe("QMP + Parameter-Sharing", () => {
  it("the Q-switch picks the argmax of task i's own head over all heads' means, in one pass of N rows", () => {
    const agent = new ParamSharingAgent(maze(), {
      seed: 3,
      sharing: "qSwitch",
      sac: { ...sac, logStdMin: -20, logStdMax: -19 },
    });
    // Under head i, candidate (i + 1) mod 3 scores highest; under the other heads something else does.
    const table = [
      [0, 5, 1],
      [1, 0, 5],
      [5, 1, 0],
    ];
    const calls = stubCritic(agent, table);
    const obs = new Float32Array([3, 4, 0.1, -0.2]);
    for (const i of [0, 1, 2]) {
      const winner = (i + 1) % 3;
      expect(Array.from(agent.scores(i, obs))).toEqual(table[i]);
      const { policy, action } = agent.behave(i, obs);
      expect(policy).toBe(winner);
      // σ ≈ e^−19: the executed sample is the winning head's mean, the deterministic mixture's action.
      const winnerMean = agent.evalAction(winner, obs);
      Array.from(action).forEach((v, d) => {
        expect(v).toBeCloseTo(winnerMean[d] as number, 4);
      });
      expect(Array.from(agent.evalAction(i, obs, "mixture"))).toEqual(Array.from(winnerMean));
    }
    expect(calls.every((c) => c.rows === 3)).toBe(true);
    expect(calls.map((c) => c.head)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    expect(agent.selectionCounts()).toEqual([
      [0, 1, 0],
      [0, 0, 1],
      [1, 0, 0],
    ]);
    agent.dispose();
  });

  it("scores one batch equal to scoring each head's mean separately with task i's Q head", () => {
    const agent = new ParamSharingAgent(maze(), { seed: 6, sac, sharing: "qSwitch" });
    const obs = new Float32Array([2, 7, 0.3, 0.1]);
    const batched = agent.scores(1, obs);
    const separate = tf.tidy(() => {
      const s = tf.tensor2d(obs, [1, 4]);
      return [0, 1, 2].map(
        (j) => agent.learner.critics.min(s, agent.learner.actor.apply(s, j).mode(), 1).dataSync()[0] as number,
      );
    });
    separate.forEach((q, j) => {
      expect(batched[j]).toBeCloseTo(q, 5);
    });
    agent.dispose();
  });

  it("the warm-up runs task i's own head for its first steps", () => {
    const agent = new ParamSharingAgent(maze(), { seed: 3, sac, sharing: "qSwitch", mixtureWarmupSteps: 3 });
    stubCritic(agent, [
      [0, 9, 0],
      [0, 0, 9],
      [9, 0, 0],
    ]);
    const obs = new Float32Array([3, 4, 0, 0]);
    expect(Array.from({ length: 5 }, () => agent.behave(0, obs).policy)).toEqual([0, 0, 0, 1, 1]);
    expect(agent.behave(1, obs).policy).toBe(1); // task 1's own clock
    agent.dispose();
  });

  it("with H-step hold the chosen head acts H steps, sampled at each; a new episode switches again; a save mid-hold resumes it", () => {
    const agent = new ParamSharingAgent(maze(), { seed: 3, sac, sharing: "qSwitch", holdSteps: 3 });
    const table = [
      [0, 9, 0],
      [0, 0, 9],
      [9, 0, 0],
    ];
    const calls = stubCritic(agent, table);
    const obs = new Float32Array([3, 4, 0, 0]);
    const first = Array.from({ length: 2 }, () => agent.behave(0, obs));
    expect(first.map((b) => b.policy)).toEqual([1, 1]);
    expect(first[0]?.action).not.toEqual(first[1]?.action); // a fresh sample at each held step
    const saved: Snapshot = structuredClone(agent.save());
    table[0] = [0, 0, 9]; // the critic now prefers head 2, but head 1 is still held for one step
    expect(agent.behave(0, obs).policy).toBe(1);
    expect(agent.behave(0, obs).policy).toBe(2); // the switch ran again after H = 3 steps
    expect(calls.length).toBe(2);
    agent.beginEpisode(0);
    table[0] = [9, 0, 0];
    expect(agent.behave(0, obs).policy).toBe(0);
    const resumed = new ParamSharingAgent(maze(), { seed: 3, sac, sharing: "qSwitch", holdSteps: 3 });
    resumed.load(saved);
    stubCritic(resumed, [[0, 0, 9], table[1] as number[], table[2] as number[]]);
    expect([resumed.behave(0, obs).policy, resumed.behave(0, obs).policy]).toEqual([1, 2]);
    agent.dispose();
    resumed.dispose();
  });

  it("same seed, same numbers; no tensor leaks; save/load continues identically", () => {
    const run = (agent: ParamSharingAgent, steps: number) => {
      const out: number[] = [];
      const obs = new Float32Array([3, 4, 0.2, 0.1]);
      for (let k = 0; k < steps; k++) {
        for (const i of [0, 1, 2]) {
          const { action, policy } = agent.behave(i, obs);
          out.push(policy, ...action);
          const loss = agent.update(i);
          out.push(loss.criticLoss as number, loss.actorLoss as number);
        }
      }
      return out;
    };
    const make = (seed: number) => {
      const agent = new ParamSharingAgent(maze(), { seed, sac, sharing: "qSwitch" });
      fill(agent, 30, 9);
      return agent;
    };
    const a = make(7);
    const b = make(7);
    const c = make(8);
    run(a, 1); // compiles kernels before counting tensors
    const before = tf.memory().numTensors;
    const trace = run(a, 3);
    scoreAndEvaluate(a);
    expect(tf.memory().numTensors).toBe(before);
    run(b, 1);
    const saved: Snapshot = structuredClone(b.save());
    const firstB = run(b, 3);
    expect(firstB).toEqual(trace);
    run(c, 1);
    expect(run(c, 3)).not.toEqual(trace);
    const d = make(11);
    d.load(saved);
    expect(run(d, 3)).toEqual(trace);
    for (const x of [a, b, c, d]) x.dispose();
  });
});

function scoreAndEvaluate(agent: ParamSharingAgent) {
  const obs = new Float32Array([1, 1, 0, 0]);
  agent.scores(0, obs);
  agent.evalAction(1, obs, "mixture");
  agent.evalAction(2, obs);
}
