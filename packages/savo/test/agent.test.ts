import type { TD3Sample } from "@qscape/baselines";
import { initBackend, type MLP, QscapeError, Rng, tf } from "@qscape/core";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { SavoAgent } from "../src/agent.js";
import { successiveTargets } from "../src/chain.js";
import type { SavoConfigInput } from "../src/config.js";
import { boxEnv, fillReplay, leakedTensors } from "./fixtures.js";

beforeAll(async () => {
  await initBackend();
});

const small: SavoConfigInput = {
  actorHidden: [16, 16],
  criticHidden: [16, 16],
  summarizerHidden: 8,
  summarySize: 8,
  batchSize: 16,
  bufferSize: 500,
  seed: 3,
};

/** SAVO's TD target (with the config's smoothing), from its public steps. */
function target(agent: SavoAgent, data: TD3Sample["data"]): Float32Array {
  return tf.tidy(() => agent.tdTarget(agent.td3.toBatch(data), agent.td3.smoothingNoise()).dataSync() as Float32Array);
}

const arr = (t: tf.Tensor) => Array.from(t.dataSync());

describe("successiveTargets (Eq. 7)", () => {
  it("Ψi = max{Q(x), max_{j<i} Q(aj)} at the anchor and at ai, with running thresholds", () => {
    const out = tf.tidy(() => {
      // Two states; chain values Q(a0), Q(a1), Q(a2) and the anchor's Q.
      const qChain = [tf.tensor2d([[1], [5]]), tf.tensor2d([[3], [2]]), tf.tensor2d([[2], [7]])] as tf.Tensor2D[];
      const qAnchor = tf.tensor2d([[2.5], [-1]]) as tf.Tensor2D;
      const t = successiveTargets(qAnchor, qChain);
      return {
        thresholds: t.thresholds.map(arr),
        anchor: t.anchor.map(arr),
        own: t.own.map(arr),
      };
    });
    expect(out.thresholds).toEqual([
      [1, 5],
      [3, 5],
    ]);
    expect(out.anchor).toEqual([
      [2.5, 5],
      [3, 5],
    ]);
    expect(out.own).toEqual([
      [3, 5],
      [3, 7],
    ]);
  });
});

describe("SavoAgent", () => {
  it("rejects bad configs with errors naming the field", () => {
    expect(() => new SavoAgent(boxEnv(3, 1), { ...small, numCandidates: 0 })).toThrow(/numCandidates/);
    expect(() => new SavoAgent(boxEnv(3, 1), { ...small, summarizer: "gru" } as never)).toThrow(/summarizer/);
    expect(() => new SavoAgent(boxEnv(3, 1), { ...small, filmm: true } as never)).toThrow(QscapeError);
    expect(() => new SavoAgent(boxEnv(3, 1), { ...small, jointAction: true, numCandidates: 1 })).toThrow(
      /jointAction needs numCandidates ≥ 2/,
    );
  });

  it("TD target is r + γ(1 − terminated)·max_i min(Q1', Q2')(s', ai) over the noise-free chain, no smoothing", () => {
    const agent = new SavoAgent(boxEnv(3, 2), small);
    const rng = new Rng(7);
    fillReplay(agent, rng, 100);
    const { data } = agent.td3.replay.sample(16, rng);
    const batch = data as Record<string, Float32Array | Uint8Array>;
    const y = target(agent, batch);
    const expected = tf.tidy(() => {
      const b = agent.td3.toBatch(batch);
      const mu = (agent.td3.actors[0] as MLP).apply(b.nextObs);
      const chain = agent.chain.propose(b.nextObs, mu).clean;
      expect(chain).toHaveLength(3);
      const values = chain.map((a) => {
        const input = tf.concat([b.nextObs, a], 1);
        const [q1, q2] = agent.td3.targetCritics.nets.map((n) => n.apply(input)) as [tf.Tensor2D, tf.Tensor2D];
        return tf.minimum(q1, q2);
      });
      const best = tf.max(tf.concat(values, 1), 1, true);
      // The maximizer really matters: on some states a later actor beats μ.
      const later = tf.sum(tf.cast(tf.greater(best, values[0] as tf.Tensor2D), "float32")).dataSync()[0] as number;
      expect(later).toBeGreaterThan(0);
      return arr(tf.add(b.reward, tf.mul(tf.mul(b.notDone, 0.99), best)));
    });
    // The agent splits each critic's first layer into state and action rows: equal up to float rounding.
    expect(y).toHaveLength(expected.length);
    y.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i] as number, 5);
    });
    agent.dispose();
  });

  it("fits Ψ̂ at the stored executed action and at each actor's proposal, with online twin-min targets", () => {
    const agent = new SavoAgent(boxEnv(3, 2), { ...small, policyDelay: 1 });
    fillReplay(agent, new Rng(2), 100);
    const stored = new Set<string>();
    const recorded: { anchor: number[]; expected: number[][]; got: number[][] }[] = [];
    const fit = agent.chain.fitSurrogates.bind(agent.chain);
    agent.chain.fitSurrogates = (obs, anchor, chain, targets) => {
      const qm = (a: tf.Tensor2D) => agent.td3.critics.min(obs, a);
      const expected = chain.slice(1).flatMap((_, j) => {
        const i = j + 1;
        const tau = chain
          .slice(0, i)
          .map(qm)
          .reduce((p, c) => tf.maximum(p, c));
        return [arr(tf.maximum(qm(anchor), tau)), arr(tf.maximum(qm(chain[i] as tf.Tensor2D), tau))];
      });
      const got = targets.anchor.flatMap((t, j) => [arr(t), arr(targets.own[j] as tf.Tensor2D)]);
      recorded.push({ anchor: arr(anchor), expected, got });
      return fit(obs, anchor, chain, targets);
    };
    const m = agent.update();
    expect(m.surrogateLoss).toBeGreaterThan(0);
    expect(m.successorLoss).toBeDefined();
    expect(recorded).toHaveLength(1);
    const r = recorded[0] as (typeof recorded)[0];
    for (let i = 0; i < r.expected.length; i++) {
      const e = r.expected[i] as number[];
      (r.got[i] as number[]).forEach((v, j) => {
        expect(v).toBeCloseTo(e[j] as number, 5);
      });
    }
    // The anchor rows are executed actions from the replay (normalised units = env units here).
    const replayActions = new Set<string>();
    const all = agent.td3.replay.sample(500, new Rng(0)).data.action as Float32Array;
    for (let i = 0; i < all.length; i += 2) replayActions.add(`${all[i]},${all[i + 1]}`);
    for (let i = 0; i < r.anchor.length; i += 2) stored.add(`${r.anchor[i]},${r.anchor[i + 1]}`);
    for (const a of stored) expect(replayActions.has(a)).toBe(true);
    agent.dispose();
  });

  it("updates surrogates and successors every policyDelay steps, leaks no tensors, acts within bounds", () => {
    const agent = new SavoAgent(boxEnv(3, 2, 3), { ...small, policyDelay: 2 });
    fillReplay(agent, new Rng(1), 64, 3);
    const steps = [1, 2, 3, 4].map(() => agent.update());
    expect(steps.map((m) => "surrogateLoss" in m && "successorLoss" in m && "actorLoss" in m)).toEqual([
      false,
      true,
      false,
      true,
    ]);
    expect(agent.counters().gradientUpdates).toBe(4);
    const leaked = leakedTensors(() => {
      for (let i = 0; i < 3; i++) {
        agent.update();
        agent.act(new Float32Array(3), { explore: true });
        agent.act(new Float32Array(3), { explore: false });
      }
    });
    expect(leaked).toBe(0);
    for (let i = 0; i < 30; i++) {
      const a = agent.act(
        new Float32Array([10, -10, 10]).map((v) => v * i),
        { explore: true },
      );
      for (const v of a) expect(Math.abs(v)).toBeLessThanOrEqual(3);
    }
    agent.dispose();
  });

  it("every ablation flag builds, updates and acts without leaking", () => {
    const variants: SavoConfigInput[] = [
      { surrogate: "exact" },
      { previousActions: false },
      { targetPolicyNoise: 0.2 },
      { jointAction: true },
      { summarizer: "attention" },
      { summarizer: "lstm" },
      { film: false },
      { numCandidates: 1 },
      { numCandidates: 5 },
      { inference: "firstActor" },
      { deepsetPool: "max", surrogateTargetCritic: "target", targetActions: "target" },
      { surrogateAnchor: "maximizer", noiseBeforeCascade: true },
      { explorationNoise: { type: "gaussian", sigma: 0.1 } },
      { actorLayerNorm: true },
      { actorLayerNorm: true, jointAction: true },
    ];
    for (const v of variants) {
      const agent = new SavoAgent(boxEnv(3, 2), { ...small, policyDelay: 1, ...v });
      fillReplay(agent, new Rng(5), 40);
      agent.update();
      const leaked = leakedTensors(() => {
        const m = agent.update();
        expect(Number.isFinite(m.criticLoss), JSON.stringify(v)).toBe(true);
        agent.act(new Float32Array(3), { explore: true });
        agent.act(new Float32Array(3), { explore: false });
      });
      expect(leaked, JSON.stringify(v)).toBe(0);
      agent.dispose();
    }
  });

  it("counts which proposal μM picks while exploring (maximizerPicks<i>: the argmax of Q1), not while evaluating", () => {
    const agent = new SavoAgent(boxEnv(3, 2), small);
    const rng = new Rng(4);
    const obs = () => rng.fillUniform(new Float32Array(3), -1, 1) as Float32Array;
    for (let t = 0; t < 5; t++) agent.act(obs(), { explore: false });
    const picks = () => [0, 1, 2].map((i) => agent.counters()[`maximizerPicks${i}`]);
    expect(picks()).toEqual([0, 0, 0]);
    const expected = [0, 0, 0];
    const choose = agent.selector.choose.bind(agent.selector);
    vi.spyOn(agent.selector, "choose").mockImplementation((...args) => {
      const c = choose(...args);
      const q = c.q as Float32Array;
      const best = q.indexOf(Math.max(...q));
      expected[best] = (expected[best] as number) + 1;
      return c;
    });
    for (let t = 0; t < 12; t++) agent.act(obs(), { explore: true });
    expect(picks()).toEqual(expected);
    expect(expected.reduce((a, b) => a + b, 0)).toBe(12);
    agent.dispose();
  });

  it("first-actor inference acts with μ alone; the maximizer with the best of the chain", () => {
    const obs = new Float32Array([0.3, -0.2, 0.5]);
    const first = new SavoAgent(boxEnv(3, 2), { ...small, inference: "firstActor" });
    const mu = tf.tidy(() => arr((first.td3.actors[0] as MLP).apply(tf.tensor2d(obs, [1, 3]))));
    expect(Array.from(first.act(obs, { explore: false }))).toEqual(mu.map((v) => Math.fround(v)));
    const choice = first.chooseAction(obs, false);
    expect(choice.candidates).toHaveLength(1);
    first.dispose();
    const full = new SavoAgent(boxEnv(3, 2), small);
    const c = full.chooseAction(obs, false);
    expect(c.candidates).toHaveLength(3);
    const q = c.q as Float32Array;
    expect(Array.from(c.action)).toEqual(Array.from(c.candidates[q.indexOf(Math.max(...q))] as Float32Array));
    full.dispose();
  });

  it("actorLayerNorm normalises every actor's output before tanh (at init, ±tanh(1) in 2-D)", () => {
    // LayerNorm over two outputs leaves ±1; with the initial γ = 1, β = 0 each proposal is ±tanh(1).
    const agent = new SavoAgent(boxEnv(3, 2), { ...small, actorLayerNorm: true });
    const { candidates } = agent.chooseAction(new Float32Array([0.3, -0.2, 0.5]), false);
    expect(candidates).toHaveLength(3);
    for (const c of candidates) {
      expect(Math.abs(c[0] as number)).toBeCloseTo(Math.tanh(1), 3);
      expect((c[0] as number) + (c[1] as number)).toBeCloseTo(0, 3);
    }
    agent.dispose();
  });

  it("save/load restores every network, optimizer, noise and counter: both continue identically", () => {
    const a = new SavoAgent(boxEnv(3, 1), { ...small, policyDelay: 1 });
    fillReplay(a, new Rng(2), 80);
    for (let i = 0; i < 3; i++) a.update();
    a.act(new Float32Array(3), { explore: true });
    const snapshot = a.save();
    const b = new SavoAgent(boxEnv(3, 1), { ...small, policyDelay: 1, seed: 99 });
    b.load(snapshot);
    const obs = new Float32Array([0.1, 0.2, 0.3]);
    for (let i = 0; i < 3; i++) {
      expect(b.update()).toEqual(a.update());
      expect(Array.from(b.act(obs, { explore: true }))).toEqual(Array.from(a.act(obs, { explore: true })));
    }
    expect(b.epsilon()).toBe(a.epsilon());
    expect(b.counters()).toEqual(a.counters());
    const other = new SavoAgent(boxEnv(3, 1), { ...small, numCandidates: 4 });
    expect(() => other.load(snapshot)).toThrow(/different chain/);
    a.dispose();
    b.dispose();
    other.dispose();
  });
});
