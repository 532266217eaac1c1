import { initBackend, type MLP, QscapeError, Rng, tf } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { boxEnv, discreteEnv, fillReplay, leakedTensors } from "../testing.js";
import { TD3Agent, type TD3Sample } from "./agent.js";

beforeAll(async () => {
  await initBackend();
});

const small = { actorHidden: [16, 16], criticHidden: [16, 16], batchSize: 32, bufferSize: 1000, seed: 3 };

/** The TD target of TD3's own update, from its public steps. */
function target(agent: TD3Agent, data: TD3Sample["data"], smoothing: Float32Array | null): Float32Array {
  return tf.tidy(() => {
    const batch = agent.toBatch(data);
    return agent.tdTarget(batch, agent.targetAction(batch.nextObs, smoothing)).dataSync() as Float32Array;
  });
}

describe("TD3Agent", () => {
  it("rejects discrete action spaces and bad configs with clear errors", () => {
    expect(() => new TD3Agent(discreteEnv(4, 2), small)).toThrow(
      /td3 supports only 1-D continuous \(Box\).*discrete-4-2 has Discrete\(2\)/,
    );
    expect(() => new TD3Agent(boxEnv(3, 1), { ...small, batchSize: -1 })).toThrow(QscapeError);
    expect(() => new TD3Agent(boxEnv(3, 1), { ...small, batchSize: -1 })).toThrow(/batchSize/);
    expect(() => new TD3Agent(boxEnv(3, 1), { ...small, policyDelays: 2 } as never)).toThrow(/policyDelays/);
  });

  it("TD target is r + γ(1 − terminated)·min of the twin target critics at the clipped-noise-smoothed target action", () => {
    const agent = new TD3Agent(boxEnv(3, 2), { ...small, targetPolicyNoise: 0.8, targetNoiseClip: 0.5 });
    const rng = new Rng(7);
    fillReplay(agent, rng, 100);
    const { data } = agent.replay.sample(32, rng);
    const smoothing = agent.smoothingNoise() as Float32Array;
    // σ = 0.8 with clip 0.5: many draws are clipped, none exceed the clip.
    expect(Math.max(...smoothing.map(Math.abs))).toBeLessThanOrEqual(0.5);
    expect(smoothing.filter((v) => Math.abs(v) === 0.5).length).toBeGreaterThan(10);
    const y = target(agent, data, smoothing);

    const expected = tf.tidy(() => {
      const b = agent.toBatch(data);
      const mu = (agent.targetActors[0] as MLP).apply(b.nextObs);
      const a = tf.clipByValue(tf.add(mu, tf.tensor2d(smoothing, [32, 2])), -1, 1) as tf.Tensor2D;
      const input = tf.concat([b.nextObs, a], 1);
      const [q1, q2] = agent.targetCritics.nets.map((n) => n.apply(input)) as [tf.Tensor2D, tf.Tensor2D];
      return tf.add(b.reward, tf.mul(tf.mul(b.notDone, 0.99), tf.minimum(q1, q2))).dataSync() as Float32Array;
    });
    expect(Array.from(y)).toEqual(Array.from(expected));
    // And the min really matters: the twins disagree on this batch.
    const twinsDiffer = tf.tidy(() => {
      const b = agent.toBatch(data);
      const input = tf.concat([b.nextObs, (agent.targetActors[0] as MLP).apply(b.nextObs)], 1);
      const [q1, q2] = agent.targetCritics.nets.map((n) => n.apply(input)) as [tf.Tensor2D, tf.Tensor2D];
      return tf.max(tf.abs(tf.sub(q1, q2))).dataSync()[0] as number;
    });
    expect(twinsDiffer).toBeGreaterThan(1e-3);
    agent.dispose();
  });

  it("terminated transitions do not bootstrap, truncated ones do", () => {
    const agent = new TD3Agent(boxEnv(2, 1), { ...small, batchSize: 2, targetPolicyNoise: 0 });
    const obs = new Float32Array([0.5, -0.5]);
    const data = {
      obs: new Float32Array([...obs, ...obs]),
      action: new Float32Array([0, 0]),
      reward: new Float32Array([1, 1]),
      nextObs: new Float32Array([...obs, ...obs]),
      terminated: new Uint8Array([1, 0]),
    };
    const [yTerminal, yBootstrap] = target(agent, data, null);
    expect(yTerminal).toBeCloseTo(1, 6);
    expect(yBootstrap).not.toBeCloseTo(1, 3);
    agent.dispose();
  });

  it("updates the actor every policyDelay critic updates, leaks no tensors, and acts within the bounds", () => {
    const agent = new TD3Agent(boxEnv(3, 2, 3), { ...small, policyDelay: 3 });
    fillReplay(agent, new Rng(1), 64, 3);
    const withActor = [1, 2, 3, 4, 5, 6].map(() => "actorLoss" in agent.update());
    expect(withActor).toEqual([false, false, true, false, false, true]);
    expect(agent.counters()).toEqual({ gradientUpdates: 6, qEvaluations: 0 });
    const leaked = leakedTensors(() => {
      for (let i = 0; i < 5; i++) {
        agent.update();
        agent.act(new Float32Array(3), { explore: true });
      }
    });
    expect(leaked).toBe(0);
    for (let i = 0; i < 50; i++) {
      const a = agent.act(
        new Float32Array([10, -10, 10]).map((v) => v * i),
        { explore: true },
      );
      for (const v of a) expect(Math.abs(v)).toBeLessThanOrEqual(3);
    }
    agent.dispose();
  });

  it("save/load restores weights, optimizer, RNG and replay: both continue identically", () => {
    const a = new TD3Agent(boxEnv(3, 1), small);
    fillReplay(a, new Rng(2), 80);
    for (let i = 0; i < 4; i++) a.update();
    const snapshot = a.save();
    const b = new TD3Agent(boxEnv(3, 1), { ...small, seed: 99 });
    b.load(snapshot);
    const obs = new Float32Array([0.1, 0.2, 0.3]);
    for (let i = 0; i < 3; i++) {
      expect(b.update()).toEqual(a.update());
      expect(Array.from(b.act(obs, { explore: true }))).toEqual(Array.from(a.act(obs, { explore: true })));
    }
    expect(b.replay.size).toBe(80);
    a.dispose();
    b.dispose();
  });

  it("same seed, same data → the same updates and actions", () => {
    const run = () => {
      const agent = new TD3Agent(boxEnv(3, 2), small);
      fillReplay(agent, new Rng(4), 100);
      const losses = Array.from({ length: 6 }, () => agent.update());
      const action = agent.act(new Float32Array([0.1, 0.2, 0.3]), { explore: true });
      agent.dispose();
      return { losses, action: Array.from(action) };
    };
    expect(run()).toEqual(run());
  });
});
