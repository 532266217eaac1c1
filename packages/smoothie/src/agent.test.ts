import { initBackend, QscapeError, Rng, tf } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { SmoothieAgent } from "./agent.js";

beforeAll(async () => {
  await initBackend();
});

function boxEnv(obsDim: number, actionDim: number, low = -2, high = 2) {
  return {
    id: `box-${obsDim}-${actionDim}`,
    observationSpace: {
      shape: [obsDim],
      low: new Float32Array(obsDim).fill(-10),
      high: new Float32Array(obsDim).fill(10),
    },
    actionSpace: {
      shape: [actionDim],
      low: new Float32Array(actionDim).fill(low),
      high: new Float32Array(actionDim).fill(high),
    },
  };
}

const small = { actorHidden: [16], criticHidden: [16, 16], batchSize: 32, bufferSize: 1000, seed: 3 };

function fill(agent: SmoothieAgent, rng: Rng, count: number): void {
  for (let i = 0; i < count; i++) {
    const obs = rng.fillNormal(new Float32Array(agent.obsDim)) as Float32Array;
    const action = agent.act(obs, { explore: true });
    const nextObs = rng.fillNormal(new Float32Array(agent.obsDim)) as Float32Array;
    agent.observe({ obs, action, reward: rng.normal(), nextObs, terminated: rng.random() < 0.2, truncated: false });
  }
}

describe("SmoothieAgent", () => {
  it("rejects non-Box action spaces and bad configs with clear errors", () => {
    const discrete = { id: "grid", observationSpace: boxEnv(2, 1).observationSpace, actionSpace: { n: 4 } };
    expect(() => new SmoothieAgent(discrete, small)).toThrow(QscapeError);
    expect(() => new SmoothieAgent(discrete, small)).toThrow(
      /1-D continuous \(Box\) action space, but grid has Discrete\(4\)/,
    );
    expect(() => new SmoothieAgent(boxEnv(2, 1), { ...small, criticActivation: "relu" as never })).toThrow(
      /criticActivation: the critic needs a smooth activation/,
    );
    expect(() => new SmoothieAgent(boxEnv(2, 1), { ...small, initStd: 5 })).toThrow(/initStd: must lie in/);
    expect(() => new SmoothieAgent(boxEnv(2, 1), { ...small, policyDelay: 2 } as never)).toThrow(/policyDelay/);
    const halfBounded = { ...boxEnv(2, 1), actionSpace: { shape: [1], low: [0], high: [Number.POSITIVE_INFINITY] } };
    expect(() => new SmoothieAgent(halfBounded, small)).toThrow(/half-bounded/);
  });

  it("explores by sampling its Gaussian, stores the unclipped sample, and evaluates with the mean", () => {
    const agent = new SmoothieAgent(boxEnv(3, 2, -1, 1), { ...small, initStd: 1.5, maxStd: 2 });
    const obs = new Float32Array([0.3, -0.2, 0.1]);
    const mean = agent.mean(obs);
    expect(Array.from(agent.act(obs, { explore: false }))).toEqual(Array.from(mean));
    let outside = 0;
    for (let i = 0; i < 400; i++) {
      const a = agent.act(obs, { explore: true });
      for (const v of a) expect(Math.abs(v)).toBeLessThanOrEqual(1);
      agent.observe({ obs, action: a, reward: 0, nextObs: obs, terminated: true, truncated: false });
      const stored = agent.replay.sample(1, new Rng(i)).data.action as Float32Array;
      if (Math.abs(stored[0] as number) > 1) outside += 1;
    }
    // σ = 1.5 around a mean inside [−1, 1]: many samples leave the box; replay keeps them as drawn.
    expect(outside).toBeGreaterThan(50);
    // Random (warm-up) actions are stored as given, normalised.
    const fresh = new SmoothieAgent(boxEnv(3, 2, -2, 2), small);
    fresh.observe({
      obs,
      action: new Float32Array([1, -2]),
      reward: 0,
      nextObs: obs,
      terminated: true,
      truncated: false,
    });
    expect(Array.from(fresh.replay.sample(1, new Rng(0)).data.action as Float32Array)).toEqual([0.5, -1]);
    agent.dispose();
    fresh.dispose();
  });

  it("one update moves μ along +∇ₐQ̃ (−∇ₐQ̃ when flipped) and φ with the sign of diag ∇²ₐQ̃", () => {
    for (const flipMeanUpdate of [false, true]) {
      const agent = new SmoothieAgent(boxEnv(2, 3), { ...small, actorLr: 1e-3, flipMeanUpdate });
      // One state only, so the policy batch is that state and the derivatives below are the update's.
      const obs = new Float32Array([0.4, -0.7]);
      for (let i = 0; i < 40; i++) {
        const action = agent.act(obs, { explore: true });
        agent.observe({
          obs,
          action,
          reward: -(action[0] as number),
          nextObs: obs,
          terminated: true,
          truncated: false,
        });
      }
      const mean = agent.mean(obs);
      const phi = agent.policy.logVariance.dataSync().slice();
      const { grad, hessianDiagonal } = agent.criticDerivatives(obs, mean);
      const stats = agent.update();
      expect(stats.meanHessianDiagonal).toBeCloseTo(hessianDiagonal.reduce((a, b) => a + b, 0) / 3, 5);
      const moved = agent.mean(obs);
      let along = 0;
      for (let i = 0; i < 3; i++) along += (grad[i] as number) * ((moved[i] as number) - (mean[i] as number));
      expect(Math.sign(along)).toBe(flipMeanUpdate ? -1 : 1);
      const phiAfter = agent.policy.logVariance.dataSync();
      for (let i = 0; i < 3; i++) {
        // Adam's first step is lr·sign(direction) per parameter.
        expect((phiAfter[i] as number) - (phi[i] as number)).toBeCloseTo(
          1e-3 * Math.sign(hessianDiagonal[i] as number),
          6,
        );
      }
      agent.dispose();
    }
  });

  it("the KL penalty pulls μ and φ toward the target policy; without it a flat critic moves nothing", () => {
    for (const klWeight of [0, 1]) {
      const agent = new SmoothieAgent(boxEnv(2, 2), { ...small, actorLr: 1e-2, klWeight });
      const obs = new Float32Array([0.1, 0.2]);
      fill(agent, new Rng(3), 40);
      // A zero output layer makes Q̃ flat: g = h = 0, so only the KL term acts.
      const out = agent.critic.layers.at(-1);
      tf.tidy(() => {
        for (const v of out?.parameters() ?? []) v.assign(tf.zerosLike(v));
      });
      // Offset the online policy from its target: φ up by 0.5, mean output shifted by +0.3.
      const meanLayer = agent.policy.mean.layers.at(-1);
      tf.tidy(() => {
        agent.policy.logVariance.assign(tf.add(agent.policy.logVariance, 0.5));
        meanLayer?.bias.assign(tf.add(meanLayer.bias, 0.3));
      });
      const phi = agent.policy.logVariance.dataSync().slice();
      const mean = agent.mean(obs);
      const targetMean = tf.tidy(() => agent.targetPolicy.mean.apply(tf.tensor2d(obs, [1, 2])).dataSync());
      const stats = agent.update();
      const phiAfter = agent.policy.logVariance.dataSync();
      const meanAfter = agent.mean(obs);
      for (let i = 0; i < 2; i++) {
        if (klWeight === 0) {
          expect(phiAfter[i]).toBe(phi[i]);
          expect(meanAfter[i]).toBe(mean[i]);
        } else {
          expect(phiAfter[i] as number).toBeLessThan(phi[i] as number);
          const gap = Math.abs((mean[i] as number) - (targetMean[i] as number));
          expect(Math.abs((meanAfter[i] as number) - (targetMean[i] as number))).toBeLessThan(gap);
        }
      }
      expect(stats.klToTarget).toBeGreaterThan(0.05);
      agent.dispose();
    }
  });

  it("updates and acting leak no tensors; counters count updates", () => {
    const agent = new SmoothieAgent(boxEnv(3, 2), { ...small, importanceWeights: true, klWeight: 0.1 });
    fill(agent, new Rng(1), 64);
    agent.update();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      agent.update();
      agent.act(new Float32Array(3), { explore: true });
      agent.act(new Float32Array(3), { explore: false });
      agent.criticDerivatives(new Float32Array(3), new Float32Array(2));
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(agent.counters()).toEqual({ gradientUpdates: 6, qEvaluations: 0 });
    agent.dispose();
  });

  it("save/load restores weights, optimizers, RNG and replay: both continue identically", () => {
    const a = new SmoothieAgent(boxEnv(3, 1), small);
    fill(a, new Rng(2), 80);
    for (let i = 0; i < 4; i++) a.update();
    const snapshot = a.save();
    const b = new SmoothieAgent(boxEnv(3, 1), { ...small, seed: 99 });
    b.load(snapshot);
    const obs = new Float32Array([0.1, 0.2, 0.3]);
    for (let i = 0; i < 3; i++) {
      expect(b.update()).toEqual(a.update());
      expect(Array.from(b.act(obs, { explore: true }))).toEqual(Array.from(a.act(obs, { explore: true })));
    }
    expect(Array.from(b.std())).toEqual(Array.from(a.std()));
    expect(b.replay.size).toBe(80);
    expect(() => b.load({ name: "td3" })).toThrow(/not a smoothie snapshot/);
    a.dispose();
    b.dispose();
  });
});
