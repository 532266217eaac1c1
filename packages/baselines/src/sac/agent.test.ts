import { initBackend, QscapeError, Rng } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { boxEnv, discreteEnv, fillReplay, leakedTensors } from "../testing.js";
import { SACAgent } from "./agent.js";

beforeAll(async () => {
  await initBackend();
});

const small = { actorHidden: [16, 16], criticHidden: [16, 16], batchSize: 32, bufferSize: 1000, seed: 5 };

describe("SACAgent", () => {
  it("rejects discrete action spaces", () => {
    expect(() => new SACAgent(discreteEnv(4, 3), small)).toThrow(QscapeError);
    expect(() => new SACAgent(discreteEnv(4, 3), small)).toThrow(/sac supports only 1-D continuous/);
  });

  it("α rises when the policy's entropy is below the target and falls when above", () => {
    // The initial policy has log σ ≈ −1.5 per dimension, entropy around −0.1 nats per dimension.
    const alphaAfter = (targetEntropy: number) => {
      const agent = new SACAgent(boxEnv(3, 2), { ...small, targetEntropy, policyFrequency: 1 });
      fillReplay(agent, new Rng(1), 64);
      const before = agent.alpha;
      for (let i = 0; i < 20; i++) agent.update();
      const after = agent.alpha;
      agent.dispose();
      return after / before;
    };
    expect(alphaAfter(1.0)).toBeGreaterThan(1.01);
    expect(alphaAfter(-10)).toBeLessThan(0.99);
  });

  it("fixed α stays put; updates leak no tensors; actions are inside the bounds", () => {
    const agent = new SACAgent(boxEnv(3, 2, 0.5), { ...small, autoAlpha: false, initialAlpha: 0.2 });
    fillReplay(agent, new Rng(1), 64, 0.5);
    agent.update();
    const leaked = leakedTensors(() => {
      for (let i = 0; i < 4; i++) {
        agent.update();
        agent.act(new Float32Array(3), { explore: true });
        agent.act(new Float32Array(3), { explore: false });
      }
    });
    expect(leaked).toBe(0);
    expect(agent.alpha).toBeCloseTo(0.2, 6);
    for (let i = 0; i < 20; i++) {
      for (const v of agent.act(new Float32Array([i, -i, 2 * i]), { explore: true }))
        expect(Math.abs(v)).toBeLessThanOrEqual(0.5);
    }
    agent.dispose();
  });

  it("save/load continues identically", () => {
    const a = new SACAgent(boxEnv(3, 1), small);
    fillReplay(a, new Rng(2), 64);
    a.update();
    const b = new SACAgent(boxEnv(3, 1), { ...small, seed: 77 });
    b.load(a.save());
    for (let i = 0; i < 2; i++) expect(b.update()).toEqual(a.update());
    a.dispose();
    b.dispose();
  });
});
