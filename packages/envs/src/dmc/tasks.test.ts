import { Rng } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../env.js";
import { loadMujoco } from "../mujoco/adapter.js";
import { make } from "../registry.js";
import type { Box } from "../spaces.js";
import { DMC_TASKS, dmcIdFromName } from "./index.js";
import { CartpoleEnv } from "./tasks/cartpole.js";

beforeAll(async () => {
  await loadMujoco();
});

function randomPolicy(env: Env, seed: number): () => Float32Array {
  const rng = new Rng(seed);
  const n = (env.actionSpace as Box).size;
  return () => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
}

/** Sum of rewards over `steps` steps of `policy` (no reset in between). */
function episodeReturn(env: Env, steps: number, policy: () => ArrayLike<number>): number {
  let total = 0;
  for (let t = 0; t < steps; t++) total += env.step(policy())[1];
  return total;
}

// [observation size, action size] per id, from dm_control's observation and action specs.
const SIZES: Record<string, [number, number]> = {
  "dmc/cartpole-swingup": [5, 1],
  "dmc/cartpole-swingup_sparse": [5, 1],
  "dmc/cartpole-balance": [5, 1],
  "dmc/cartpole-balance_sparse": [5, 1],
};

describe("every DMC task", () => {
  it("has its expected sizes listed here", () => {
    expect(DMC_TASKS.map((t) => t.id).sort()).toEqual(Object.keys(SIZES).sort());
  });

  it.each(DMC_TASKS.map((t) => t.id))(
    "%s: sizes, [−1, 1] actions, rewards in [0, 1], 1000-step truncation, seeded resets",
    (id) => {
      const [obsSize, actSize] = SIZES[id] as [number, number];
      const env = make(id);
      const [obs] = env.reset({ seed: 1 });
      const unwrapped = env.unwrapped as CartpoleEnv;
      expect(obs).toBeInstanceOf(Float32Array);
      expect(obs.length).toBe(obsSize);
      expect(env.observationSpace.shape).toEqual([obsSize]);
      expect(unwrapped.observationLayout.reduce((n, e) => n + e.size, 0)).toBe(obsSize);
      const actions = env.actionSpace as Box;
      expect(actions.shape).toEqual([actSize]);
      expect(Array.from(actions.low)).toEqual(new Array(actSize).fill(-1));
      expect(Array.from(actions.high)).toEqual(new Array(actSize).fill(1));

      const policy = randomPolicy(env, 2);
      for (let t = 1; t <= 1000; t++) {
        const [next, reward, terminated, truncated] = env.step(policy());
        expect(reward).toBeGreaterThanOrEqual(0);
        expect(reward).toBeLessThanOrEqual(1);
        expect(terminated).toBe(false);
        expect(truncated).toBe(t === 1000);
        if (t % 100 === 0) expect(next.every(Number.isFinite)).toBe(true);
      }

      const rollout = (seed: number) => {
        const [first] = env.reset({ seed });
        const act = randomPolicy(env, 3);
        const trace = [Array.from(first)];
        for (let t = 0; t < 10; t++) trace.push(Array.from(env.step(act())[0]));
        return trace;
      };
      const a = rollout(7);
      expect(rollout(7)).toEqual(a);
      expect(rollout(8)[0]).not.toEqual(a[0]);
      env.close();
    },
  );

  it("maps QMLE's domain_task names to ids and rejects unknown ones", () => {
    expect(dmcIdFromName("cartpole_swingup")).toBe("dmc/cartpole-swingup");
    expect(() => dmcIdFromName("cartpole_fly")).toThrow(/no DMC task named "cartpole_fly"/);
    expect(() => make("dmc/cartpole-swingup", { task: "balance" })).toThrow(/the id fixes the task/);
    expect(() => make("dmc/cartpole-swingup", { gravity: 2 })).toThrow(/dmc\/cartpole: invalid options/);
  });
});

describe("cartpole", () => {
  it("swing-up starts centred with the pole hanging down, and an uncontrolled pole earns little", () => {
    const env = new CartpoleEnv({ task: "swingup" });
    const [obs] = env.reset({ seed: 0 });
    expect(Math.abs(obs[0] as number)).toBeLessThan(0.05);
    expect(obs[1]).toBeLessThan(-0.99); // cos θ
    expect(Math.abs(obs[2] as number)).toBeLessThan(0.05); // sin θ
    expect(episodeReturn(env, 1000, () => [0])).toBeLessThan(10);
    env.close();
  });

  it("balance starts near upright and pays ≈1 per step at first; sparse pays exactly 1", () => {
    const env = new CartpoleEnv({ task: "balance" });
    env.reset({ seed: 0 });
    expect(env.step([0])[1]).toBeGreaterThan(0.9);
    env.close();
    const sparse = new CartpoleEnv({ task: "balance_sparse" });
    sparse.reset({ seed: 0 });
    expect(sparse.step([0])[1]).toBe(1);
    sparse.close();
  });

  it("the smooth reward is 1 upright at rest without control, and control costs up to a fifth", () => {
    const env = new CartpoleEnv();
    env.reset({ seed: 0 });
    env.sim.setState([0, 0], [0, 0]);
    expect(env.reward()).toBeCloseTo(1, 12);
    env.sim.step([1], 0); // writes ctrl without stepping
    expect(env.reward()).toBeCloseTo(0.8, 12);
    // Pole horizontal: upright = 1/2; observation shows cos θ = 0, sin θ = 1.
    env.sim.step([0], 0);
    env.sim.setState([0, Math.PI / 2], [0, 0]);
    expect(env.reward()).toBeCloseTo(0.5, 12);
    const [obs] = env.step([0]);
    expect(obs[1]).toBeCloseTo(0, 2);
    expect(obs[2]).toBeCloseTo(1, 3);
    env.close();
  });

  it("pushing the cart moves it: a constant push to the right gives a positive cart velocity", () => {
    const env = new CartpoleEnv({ task: "balance" });
    env.reset({ seed: 3 });
    let obs = env.step([1])[0];
    for (let t = 0; t < 20; t++) obs = env.step([1])[0];
    expect(obs[3]).toBeGreaterThan(0.5);
    env.close();
  });
});
