import { initBackend, Rng } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { boxEnv, discreteEnv, leakedTensors } from "../testing.js";
import { PPOAgent } from "./agent.js";

beforeAll(async () => {
  await initBackend();
});

const small = { hidden: [16, 16], rolloutSteps: 64, seed: 3 };

/** Feeds `steps` transitions of random observations through act/observe. */
function collect(agent: PPOAgent, rng: Rng, steps: number, obsDim: number): (number | Float32Array)[] {
  const actions: (number | Float32Array)[] = [];
  for (let i = 0; i < steps; i++) {
    const obs = rng.fillNormal(new Float32Array(obsDim)) as Float32Array;
    const action = agent.act(obs, { explore: true });
    actions.push(action);
    agent.observe({
      obs,
      action,
      reward: rng.normal(),
      nextObs: rng.fillNormal(new Float32Array(obsDim)) as Float32Array,
      terminated: i % 17 === 16,
      truncated: i % 23 === 22,
    });
  }
  return actions;
}

describe("PPOAgent", () => {
  it("continuous actions stay in the env's bounds; updates leak no tensors", () => {
    const agent = new PPOAgent(boxEnv(3, 2, 0.5), small);
    const actions = collect(agent, new Rng(1), 64, 3) as Float32Array[];
    for (const a of actions) for (const v of a) expect(Math.abs(v)).toBeLessThanOrEqual(0.5);
    let metrics: Record<string, number> = {};
    expect(
      leakedTensors(() => {
        metrics = agent.update();
      }),
    ).toBe(0);
    expect(Number.isFinite(metrics.policyLoss)).toBe(true);
    expect(agent.counters().gradientUpdates).toBe(4 * 4);
    agent.dispose();
  });

  it("masked actions are never sampled, and the update uses the stored masks", () => {
    const mask = [0, 1, 1, 0, 1];
    const agent = new PPOAgent(discreteEnv(4, 5), small, { actionMask: () => mask });
    const actions = collect(agent, new Rng(2), 64, 4) as number[];
    expect(actions.every((a) => mask[a] === 1)).toBe(true);
    expect(new Set(actions).size).toBe(3);
    const { entropy } = agent.update();
    // Entropy over 3 available actions is at most log 3 (≈ 1.0986), well below log 5.
    expect(entropy).toBeLessThanOrEqual(Math.log(3) + 1e-4);
    expect(entropy).toBeGreaterThan(1);
    agent.dispose();
  });

  it("rejects observe without a preceding exploring act", () => {
    const agent = new PPOAgent(discreteEnv(4, 2), small);
    const obs = new Float32Array(4);
    expect(() =>
      agent.observe({ obs, action: 0, reward: 0, nextObs: obs, terminated: false, truncated: false }),
    ).toThrow(/must follow an act/);
    agent.dispose();
  });
});
