import { initBackend, type PrioritizedReplayBuffer, QscapeError, Rng, tf } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { boxEnv, fillReplay, leakedTensors } from "../test/fixtures.js";
import { QmleAgent } from "./agent.js";
import { resolveQmleConfig } from "./config.js";

beforeAll(async () => {
  await initBackend();
});

const small = {
  width: 16,
  batchSize: 16,
  bufferSize: 500,
  seed: 4,
  learningStarts: 0,
  greedyCandidates: 50,
  targetCandidates: 20,
};

describe("QmleAgent construction and config", () => {
  it("rejects non-Box action spaces and bad configs with errors naming the problem", () => {
    const discrete = { ...boxEnv(3, 1), actionSpace: { n: 4 } };
    expect(() => new QmleAgent(discrete, small)).toThrow(QscapeError);
    expect(() => new QmleAgent(discrete, small)).toThrow(/qmle supports only 1-D continuous \(Box\) action spaces/);
    expect(() => new QmleAgent(boxEnv(3, 1), { ...small, deltaRatio: 0.5 })).toThrow(
      /uniformRatio \+ deltaRatio \+ categoricalRatio must be 1/,
    );
    expect(() => new QmleAgent(boxEnv(3, 1), { ...small, hidden: [4] } as never)).toThrow(/qmle config/);
    expect(() => new QmleAgent(boxEnv(3, 1), { ...small, batchSize: 0 })).toThrow(/batchSize/);
  });

  it("paper defaults; the officialCode preset switches every §10 conflict; explicit fields win", () => {
    const paper = resolveQmleConfig({});
    expect(paper).toMatchObject({
      lr: 5e-4,
      batchSize: 256,
      updateEvery: 10,
      learningStarts: 1000,
      targetUpdateInterval: 2000,
      epsilon: 0.1,
      greedyCandidates: 1000,
      targetCandidates: 100,
      mleTarget: "refreshed",
      categoricalLoss: "logits",
      prioritized: { alpha: 0.6, beta: 0.2, eps: 1e-6 },
    });
    expect(resolveQmleConfig({ preset: "officialCode" })).toMatchObject({
      targetUpdateInterval: 200,
      mleTarget: "stored",
      categoricalLoss: "probabilities",
    });
    expect(resolveQmleConfig({ preset: "officialCode", mleTarget: "refreshed" }).mleTarget).toBe("refreshed");
  });
});

describe("QmleAgent learning step", () => {
  it("keeps its own update schedule: one update per updateEvery observed steps after learningStarts", () => {
    const agent = new QmleAgent(boxEnv(3, 1), { ...small, learningStarts: 20, updateEvery: 10 });
    const rng = new Rng(1);
    const updatedAt: number[] = [];
    for (let step = 1; step <= 60; step++) {
      fillReplay(agent, rng, 1);
      const before = agent.counters().gradientUpdates as number;
      const metrics = agent.update();
      if ((agent.counters().gradientUpdates as number) > before) {
        updatedAt.push(step);
        expect(Number.isFinite(metrics.qLoss)).toBe(true);
      } else expect(metrics).toEqual({});
    }
    expect(updatedAt).toEqual([30, 40, 50, 60]);
    // A loop that calls update() rarely gets the missed updates at once.
    fillReplay(agent, rng, 30);
    agent.update();
    expect(agent.counters().gradientUpdates).toBe(7);
    agent.dispose();
  });

  it("TD target = r + γ'·Q_target(s', a*) with a* written back to replay; PER priority = |Q(s,a) − y| + ε", () => {
    const agent = new QmleAgent(boxEnv(3, 2), {
      ...small,
      targetUpdateInterval: 1_000_000,
      prioritized: { alpha: 1, beta: 0.2, eps: 1e-6 },
    });
    const rng = new Rng(2);
    fillReplay(agent, rng, 100);
    for (let i = 0; i < 3; i++) agent.learn(); // online and target now differ
    const replay = agent.replay as PrioritizedReplayBuffer;
    const all = Int32Array.from({ length: 100 }, (_, i) => i);
    const before = replay.gather(all);
    const qTarget = (net: QmleAgent["target"], obs: Float32Array, actions: Float32Array, n: number) =>
      tf.tidy(() => net.q(net.features(tf.tensor2d(obs, [n, 3])), tf.tensor2d(actions, [n, 2]), 1).dataSync());
    const qOnlineBefore = qTarget(agent.online, before.obs as Float32Array, before.action as Float32Array, 100);
    const qPriorBefore = qTarget(agent.target, before.nextObs as Float32Array, before.argmax as Float32Array, 100);
    let sampled: Int32Array = new Int32Array();
    const sample = replay.sample.bind(replay);
    replay.sample = (b, r, s) => {
      const out = sample(b, r, s);
      sampled = out.indices;
      return out;
    };
    agent.learn();
    const after = replay.gather(all);
    const qArgmaxAfter = qTarget(agent.target, after.nextObs as Float32Array, after.argmax as Float32Array, 100);
    const leaves = (replay.getState() as unknown as { leaves: Float64Array }).leaves;
    const counts = new Map<number, number>();
    for (const i of sampled) counts.set(i, (counts.get(i) ?? 0) + 1);
    let checked = 0;
    for (const [i, n] of counts) {
      // The new a^max is at least as good as the stored one (which was a candidate).
      expect(qArgmaxAfter[i] as number).toBeGreaterThanOrEqual((qPriorBefore[i] as number) - 1e-6);
      if (n > 1) continue; // a repeated row keeps its last write; its priority came from one of them
      const y =
        ((after.reward as Float32Array)[i] as number) +
        ((after.discount as Float32Array)[i] as number) * (qArgmaxAfter[i] as number);
      expect(leaves[i]).toBeCloseTo(Math.abs((qOnlineBefore[i] as number) - y) + 1e-6, 4);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(8);
    // Rows that were not sampled keep their stored a^max.
    for (let i = 0; i < 100; i++) {
      if (counts.has(i)) continue;
      expect((after.argmax as Float32Array)[i * 2]).toBe((before.argmax as Float32Array)[i * 2]);
    }
    agent.dispose();
  });

  it("MLE target: the refreshed a^max (paper) or the stored one (official code)", () => {
    for (const mleTarget of ["refreshed", "stored"] as const) {
      // Batch 8 of 400 distinct rows (a repeated row would keep only its last write).
      const agent = new QmleAgent(boxEnv(3, 2), { ...small, batchSize: 8, prioritized: null, mleTarget });
      fillReplay(agent, new Rng(6), 400);
      const all = Int32Array.from({ length: 400 }, (_, i) => i);
      const before = agent.replay.gather(all);
      const delta = agent.predictions(before.nextObs as Float32Array, 400).deltaMean;
      let sampled: Int32Array = new Int32Array();
      const sample = agent.replay.sample.bind(agent.replay);
      agent.replay.sample = (b, r) => {
        const out = sample(b, r);
        sampled = out.indices;
        return out;
      };
      const { deltaLoss } = agent.learn();
      const after = agent.replay.gather(all);
      const target = (mleTarget === "refreshed" ? after.argmax : before.argmax) as Float32Array;
      let sum = 0;
      for (const i of sampled) {
        for (let j = 0; j < 2; j++) sum += ((delta[i * 2 + j] as number) - (target[i * 2 + j] as number)) ** 2;
      }
      expect(new Set(sampled).size).toBe(8);
      expect(after.argmax).not.toEqual(before.argmax); // the two targets differ
      expect(deltaLoss).toBeCloseTo(sum / 16, 5);
      agent.dispose();
    }
  });

  it("act, learn and update leave no tensors behind; actions stay in the env's bounds", () => {
    const agent = new QmleAgent(boxEnv(3, 2, 2), small);
    const rng = new Rng(3);
    fillReplay(agent, rng, 64, 2);
    agent.learn(); // first call builds lazily created kernels
    const leaked = leakedTensors(() => {
      for (let i = 0; i < 3; i++) agent.learn();
      for (let i = 0; i < 20; i++) {
        const a = agent.act(rng.fillNormal(new Float32Array(3)) as Float32Array, { explore: i % 2 === 0 });
        for (const v of a) expect(Math.abs(v)).toBeLessThanOrEqual(2);
      }
      agent.update();
      agent.evaluateQ(new Float32Array(3), new Float32Array(4));
      agent.predictions(new Float32Array(6), 2);
    });
    expect(leaked).toBe(0);
    expect(agent.counters().qEvaluations).toBeGreaterThan(0);
    agent.dispose();
  });

  it("save/load restores weights, optimizer, RNG, counters and the replay with its stored a^max", () => {
    const a = new QmleAgent(boxEnv(3, 2), small);
    fillReplay(a, new Rng(5), 80);
    for (let i = 0; i < 4; i++) a.learn();
    const snapshot = a.save();
    const b = new QmleAgent(boxEnv(3, 2), { ...small, seed: 99 });
    b.load(snapshot);
    const all = Int32Array.from({ length: 80 }, (_, i) => i);
    expect(b.replay.gather(all).argmax).toEqual(a.replay.gather(all).argmax);
    expect(b.counters()).toEqual(a.counters());
    const obs = Float32Array.of(0.1, -0.3, 0.7);
    expect(b.act(obs, { explore: true })).toEqual(a.act(obs, { explore: true }));
    expect(b.learn()).toEqual(a.learn());
    expect(b.replay.gather(all).argmax).toEqual(a.replay.gather(all).argmax);
    expect(() => b.load({ name: "td3" })).toThrow(/not a qmle snapshot/);
    a.dispose();
    b.dispose();
  });
});
