import { initBackend, QscapeError, Rng, tf } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { boxEnv, discreteEnv, leakedTensors } from "../testing.js";
import { DQNAgent } from "./agent.js";

beforeAll(async () => {
  await initBackend();
});

const small = { hidden: [16, 16], batchSize: 16, bufferSize: 500, seed: 4 };

function fill(agent: DQNAgent, rng: Rng, count: number): void {
  for (let i = 0; i < count; i++) {
    agent.observe({
      obs: rng.fillNormal(new Float32Array(agent.obsDim)) as Float32Array,
      action: rng.int(0, agent.numActions),
      reward: rng.normal(),
      nextObs: rng.fillNormal(new Float32Array(agent.obsDim)) as Float32Array,
      terminated: rng.random() < 0.2,
      truncated: false,
    });
  }
}

describe("DQNAgent", () => {
  it("rejects continuous action spaces", () => {
    expect(() => new DQNAgent(boxEnv(3, 1), small)).toThrow(QscapeError);
    expect(() => new DQNAgent(boxEnv(3, 1), small)).toThrow(/dqn supports only Discrete action spaces/);
  });

  it("PER: loss is the importance-weighted TD error and priorities become |δ| + ε", () => {
    const agent = new DQNAgent(discreteEnv(4, 3), { ...small, prioritized: { alpha: 1, beta: 1, eps: 1e-6 } });
    fill(agent, new Rng(1), 200);
    // Skew priorities so the importance weights differ from 1.
    const replay = agent.replay as import("@qscape/core").PrioritizedReplayBuffer;
    replay.updatePriorities(
      Int32Array.from({ length: 200 }, (_, i) => i),
      Float32Array.from({ length: 200 }, (_, i) => 0.1 + (i % 7)),
    );
    let expectedLoss = Number.NaN;
    let expectedPriorities: Float32Array = new Float32Array();
    let seenIndices: Int32Array = new Int32Array();
    let weights: Float32Array = new Float32Array();
    const sample = replay.sample.bind(replay);
    replay.sample = (batchSize, rng, step) => {
      const s = sample(batchSize, rng, step);
      seenIndices = s.indices;
      weights = s.weights;
      // δ with the pre-update network, computed independently of the agent's update.
      const delta = tf.tidy(() => {
        const q = agent.qNetwork.apply(tf.tensor2d(s.data.obs as Float32Array, [batchSize, 4]));
        const qa = tf.sum(tf.mul(q, tf.oneHot(tf.tensor1d(s.data.action as Int32Array, "int32"), 3)), 1);
        return tf.sub(qa, agent.tdTarget(s.data)).dataSync() as Float32Array;
      });
      expectedPriorities = delta.map(Math.abs);
      expectedLoss = delta.reduce((acc, d, i) => acc + (s.weights[i] as number) * d * d, 0) / batchSize;
      return s;
    };
    const { loss } = agent.update() as { loss: number };
    expect(Math.min(...weights)).toBeLessThan(0.5);
    expect(Math.max(...weights)).toBeLessThanOrEqual(1);
    expect(loss).toBeCloseTo(expectedLoss, 4);
    const leaves = (replay.getState() as unknown as { leaves: Float64Array }).leaves;
    seenIndices.forEach((slot, i) => {
      expect(leaves[slot]).toBeCloseTo((expectedPriorities[i] as number) + 1e-6, 5);
    });
    agent.dispose();
  });

  it("double DQN evaluates the online argmax with the target network; plain DQN takes the target max", () => {
    const data = {
      obs: new Float32Array(8),
      action: new Int32Array(2),
      reward: Float32Array.of(1, 1),
      nextObs: Float32Array.of(0.3, -0.2, 0.9, 1.1, -1, 2, 0.5, 0),
      terminated: Uint8Array.of(0, 1),
      discount: Float32Array.of(0.99, 0.99),
    };
    for (const double of [true, false]) {
      const agent = new DQNAgent(discreteEnv(4, 3), { ...small, double, targetUpdateInterval: 1000 });
      fill(agent, new Rng(2), 50);
      for (let i = 0; i < 5; i++) agent.update(); // online and target nets now differ
      const y = tf.tidy(() => agent.tdTarget(data).dataSync() as Float32Array);
      const next = data.nextObs.subarray(0, 4);
      const online = agent.qValues(next);
      const target = tf.tidy(() => agent.targetNetwork.apply(tf.tensor2d(next, [1, 4])).dataSync() as Float32Array);
      const best = (xs: Float32Array) => xs.indexOf(Math.max(...xs));
      const bootstrap = double ? (target[best(online)] as number) : Math.max(...target);
      expect(y[0]).toBeCloseTo(1 + 0.99 * bootstrap, 5);
      expect(y[1]).toBeCloseTo(1, 6);
      agent.dispose();
    }
  });

  it("masks: acting and targets never use unavailable actions; no tensor leaks", () => {
    const onlyEven = () => [1, 0, 1, 0, 1];
    const agent = new DQNAgent(discreteEnv(4, 5), small, { actionMask: onlyEven });
    const rng = new Rng(3);
    fill(agent, rng, 64);
    const leaked = leakedTensors(() => {
      for (let i = 0; i < 3; i++) agent.update();
    });
    expect(leaked).toBe(0);
    for (let i = 0; i < 200; i++) {
      const obs = rng.fillNormal(new Float32Array(4)) as Float32Array;
      expect(agent.act(obs, { explore: i % 2 === 0 }) % 2).toBe(0);
    }
    agent.dispose();
  });
});
