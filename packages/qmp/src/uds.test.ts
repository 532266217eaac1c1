import type { SACSample } from "@qscape/baselines";
import { type Batch, initBackend, Rng, tf } from "@qscape/core";
import { MAZE_MIN_REWARD, makeTaskSet, PointMazeEnv, TaskSet } from "@qscape/envs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { QmpAgent } from "./agent.js";
import { resolveUdsConfig } from "./config.js";
import { percentile, UdsAgent, udsKeep } from "./uds.js";

beforeAll(async () => {
  await initBackend();
});

const sac = { actorHidden: [16, 16], criticHidden: [16, 16], batchSize: 16, bufferSize: 2000 };

/** Task `task`'s twin-min critic replaced by Q(s, a) = s₀ (the first observation coordinate). */
function criticIsFirstObs(agent: UdsAgent, task: number) {
  return vi
    .spyOn(agent.learner(task).critics, "min")
    .mockImplementation((obs) => tf.tidy(() => tf.slice(obs, [0, 0], [-1, 1]) as tf.Tensor2D));
}

/** A hand-built batch: row r has obs (s0[r], r, 0, 0), action (r/100, −r/100), reward r, nextObs (r, …), terminated r odd. */
function batch(s0: number[]): Batch {
  return {
    obs: Float32Array.from(s0.flatMap((v, r) => [v, r, 0, 0])),
    action: Float32Array.from(s0.flatMap((_, r) => [r / 100, -r / 100])),
    reward: Float32Array.from(s0.map((_, r) => r)),
    nextObs: Float32Array.from(s0.flatMap((_, r) => [r, r, r, r])),
    terminated: Uint8Array.from(s0.map((_, r) => r % 2)),
  };
}

function fill(agent: UdsAgent, n: number) {
  const rng = new Rng(5);
  for (const i of [0, 1, 2]) {
    for (let k = 0; k < n; k++) {
      agent.observe(i, {
        obs: rng.fillUniform(new Float32Array(4), 1, 7) as Float32Array,
        action: rng.fillUniform(new Float32Array(2), -1, 1) as Float32Array,
        reward: -0.1 * (i + 1),
        nextObs: rng.fillUniform(new Float32Array(4), 1, 7) as Float32Array,
        terminated: k % 7 === 0,
        truncated: false,
      });
    }
  }
}

describe("UDS: the filter", () => {
  it("P_k interpolates linearly between order statistics", () => {
    expect(percentile([5, 1, 4, 2, 3], 0)).toBe(1);
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([5, 1, 4, 2, 3], 80)).toBeCloseTo(4.2, 12);
    expect(percentile([5, 1, 4, 2, 3], 100)).toBe(5);
    expect(Array.from(udsKeep([1, 2, 3, 4, 5], [2.9, 3, 7, -1, 3.1], 50))).toEqual([1, 2, 4]);
  });

  it("keeps exactly the shared rows with Q_i ≥ P_k[Q_i on β_i], relabelled with the minimum reward", () => {
    const agent = new UdsAgent(makeTaskSet("MazeLargeMT3-v0"), { sac, sharingQuantile: 75 });
    criticIsFirstObs(agent, 0);
    // Own Q values 0..7: P_75 = 5.25. Shared rows at, above and below it.
    const own = batch([0, 1, 2, 3, 4, 5, 6, 7]);
    const sharedQ = [5.25, 9, 5.2, -3, 6, 5.3];
    const { data, kept } = agent.shareInto(0, own, batch(sharedQ));
    expect(kept).toBe(4);
    const keptRows = [0, 1, 4, 5];
    const shared = batch(sharedQ);
    for (const [field, values] of Object.entries(data)) {
      const size = values.length / 12;
      // β_i comes first, untouched.
      expect(Array.from(values.subarray(0, 8 * size))).toEqual(
        Array.from((own[field] as Batch[string]).subarray(0, 8 * size)),
      );
      keptRows.forEach((r, k) => {
        const row = Array.from(values.subarray((8 + k) * size, (9 + k) * size));
        const source = Array.from((shared[field] as Batch[string]).subarray(r * size, (r + 1) * size));
        expect(row).toEqual(field === "reward" ? [MAZE_MIN_REWARD] : source);
      });
    }
    expect(agent.minReward).toBe(-1);
    agent.dispose();
  });

  it("each SAC step of task i sees β_i plus the kept rows of the other tasks' buffers", () => {
    const agent = new UdsAgent(makeTaskSet("MazeLargeMT3-v0"), { sac, sharingQuantile: 50 });
    fill(agent, 30);
    criticIsFirstObs(agent, 1);
    const learner = agent.learner(1);
    const seen: SACSample[] = [];
    const updateFrom = learner.updateFrom.bind(learner);
    vi.spyOn(learner, "updateFrom").mockImplementation((sample, options) => {
      seen.push(sample);
      return updateFrom(sample, options);
    });
    for (let k = 0; k < 4; k++) {
      const out = agent.update(1);
      const data = (seen[k] as SACSample).data;
      const rows = (data.reward as Float32Array).length;
      expect(rows).toBe(16 + (out.sharedKept as number));
      const obs = data.obs as Float32Array;
      const ownQ = Array.from({ length: 16 }, (_, r) => obs[4 * r] as number);
      const threshold = percentile(ownQ, 50);
      for (let r = 0; r < rows; r++) {
        const reward = (data.reward as Float32Array)[r] as number;
        if (r < 16)
          expect(reward).toBeCloseTo(-0.2, 6); // task 1's own data
        else {
          expect(reward).toBe(-1);
          expect(obs[4 * r]).toBeGreaterThanOrEqual(threshold);
        }
      }
    }
    const { drawn, kept } = agent.sharing();
    expect(drawn).toBe(64);
    expect(kept).toBeGreaterThan(8);
    expect(kept).toBeLessThan(56);
    agent.dispose();
  });
});

describe("QMP + UDS", () => {
  it("acts as QMP's Q-switch would (UDS acts with π_i), and learns through UDS's filter", () => {
    const set = makeTaskSet("MazeLargeMT3-v0");
    const mixed = new UdsAgent(set, { sac, sharing: "qSwitch" });
    const qmp = new QmpAgent(set, { sac, sharing: "qSwitch" });
    const own = new QmpAgent(set, { sac, sharing: "none" });
    const rng = new Rng(9);
    for (let k = 0; k < 20; k++) {
      const obs = rng.fillUniform(new Float32Array(4), 1, 7) as Float32Array;
      for (const i of [0, 1, 2]) {
        expect(mixed.behave(i, obs)).toEqual(qmp.behave(i, obs));
        expect(mixed.evalAction(i, obs)).toEqual(own.evalAction(i, obs, "own"));
      }
    }
    // The Q-switch picked another task's policy somewhere: the behaviour is not No-Sharing's.
    const counts = mixed.selectionCounts();
    expect(counts.some((row, i) => row.some((n, j) => j !== i && n > 0))).toBe(true);
    fill(mixed, 30);
    mixed.update(1);
    expect(mixed.sharing().drawn).toBe(16);
    for (const a of [mixed, qmp, own]) a.dispose();
  });
});

describe("UDS: config and tensors", () => {
  it("errors name the field; a task set without a minReward is refused", () => {
    expect(resolveUdsConfig().sharingQuantile).toBe(50);
    expect(() => resolveUdsConfig({ sharingQuantile: 120 })).toThrow(/uds config: sharingQuantile/);
    expect(() => resolveUdsConfig({ sharingQuantile: -1 })).toThrow(/uds config: sharingQuantile/);
    expect(() => resolveUdsConfig({ k: 80 } as never)).toThrow(/k/);
    expect(() => resolveUdsConfig({ holdSteps: 10 })).toThrow(
      /uds config: sharing: holdSteps and ownPolicyProb shape the Q-switch/,
    );
    expect(resolveUdsConfig({ sharing: "qSwitch", holdSteps: 10 }).holdSteps).toBe(10);
    const bare = new TaskSet(
      "Bare-v0",
      [{ name: "a", make: () => new PointMazeEnv([1, 1], [1, 2]), maxEpisodeSteps: 5 }],
      false,
    );
    expect(() => new UdsAgent(bare, { sac })).toThrow(/uds: task set Bare-v0 states no minReward/);
  });

  it("updates leave no tensors behind", () => {
    const agent = new UdsAgent(makeTaskSet("MazeLargeMT3-v0"), { sac });
    fill(agent, 20);
    agent.update(0);
    const before = tf.memory().numTensors;
    for (const i of [0, 1, 2]) agent.update(i);
    expect(tf.memory().numTensors).toBe(before);
    agent.dispose();
  });
});
