import { Rng } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../env.js";
import { make } from "../registry.js";
import { loadMujoco, wasmHeapBytes } from "./adapter.js";
import { MUJOCO_TASKS } from "./index.js";
import { AntEnv } from "./tasks/ant.js";
import { HalfCheetahEnv } from "./tasks/half-cheetah.js";
import { HopperEnv } from "./tasks/hopper.js";
import { HumanoidEnv } from "./tasks/humanoid.js";
import { InvertedDoublePendulumEnv } from "./tasks/inverted-double-pendulum.js";
import { InvertedPendulumEnv } from "./tasks/inverted-pendulum.js";
import { ReacherEnv } from "./tasks/reacher.js";
import { Walker2dEnv } from "./tasks/walker2d.js";

beforeAll(async () => {
  await loadMujoco();
});

/** Runs `steps` steps (or to the end of the episode) with `policy`; returns all results. */
function rollout(env: Env, steps: number, policy: (t: number) => ArrayLike<number>) {
  const out: { obs: Float32Array; reward: number; terminated: boolean; info: Record<string, unknown> }[] = [];
  for (let t = 0; t < steps; t++) {
    const [obs, reward, terminated, truncated, info] = env.step(policy(t));
    out.push({ obs, reward, terminated, info });
    if (terminated || truncated) break;
  }
  return out;
}

describe("observation and action sizes (Gymnasium v5 and v4)", () => {
  const sizes: Record<string, [obs: number, act: number]> = {
    "Hopper-v5": [11, 3],
    "Hopper-v4": [11, 3],
    "Walker2d-v5": [17, 6],
    "Walker2d-v4": [17, 6],
    "HalfCheetah-v5": [17, 6],
    "HalfCheetah-v4": [17, 6],
    "Ant-v5": [105, 8],
    "Ant-v4": [27, 8],
    "Swimmer-v5": [8, 2],
    "Swimmer-v4": [8, 2],
    "Humanoid-v5": [348, 17],
    "Humanoid-v4": [376, 17],
    "InvertedPendulum-v5": [4, 1],
    "InvertedPendulum-v4": [4, 1],
    "InvertedDoublePendulum-v5": [9, 1],
    "InvertedDoublePendulum-v4": [11, 1],
    "Reacher-v5": [10, 2],
    "Reacher-v4": [11, 2],
  };
  it("covers every registered task", () => {
    expect(Object.keys(sizes).sort()).toEqual(MUJOCO_TASKS.flatMap((t) => [`${t.name}-v4`, `${t.name}-v5`]).sort());
  });
  it.each(Object.entries(sizes))("%s", (id, [obsSize, actSize]) => {
    const env = make(id);
    const [obs] = env.reset({ seed: 3 });
    expect(env.observationSpace.shape).toEqual([obsSize]);
    expect(env.actionSpace.shape).toEqual([actSize]);
    expect(obs).toBeInstanceOf(Float32Array);
    expect(obs.length).toBe(obsSize);
    const [next, reward] = env.step(env.actionSpace.sample());
    expect(next.length).toBe(obsSize);
    expect(Number.isFinite(reward)).toBe(true);
    env.close();
  });
  it("Ant-v4 with useContactForces observes all 14 bodies' contact forces (111)", () => {
    const env = new AntEnv({ version: "v4", useContactForces: true });
    expect(env.reset({ seed: 0 })[0].length).toBe(111);
    env.close();
  });
  it("rejects unknown or ill-typed kwargs with the env name", () => {
    expect(() => make("Hopper-v5", { ctrlCostWeight: "high" })).toThrow(/Hopper: invalid options: ctrlCostWeight/);
    expect(() => make("Walker2d-v5", { healthyZ: [0, 1] })).toThrow(/Walker2d: invalid options/);
  });
});

describe("task physics and rewards", () => {
  it("Hopper with zero torque falls over and terminates as unhealthy; v5 pays no survive reward then, v4 does", () => {
    for (const version of ["v5", "v4"] as const) {
      const env = new HopperEnv({ version });
      env.reset({ seed: 0 });
      const steps = rollout(env, 1000, () => [0, 0, 0]);
      const last = steps.at(-1);
      expect(last?.terminated).toBe(true);
      expect(steps.length).toBeLessThan(300);
      expect(env.isHealthy).toBe(false);
      expect(last?.info.reward_survive).toBe(version === "v5" ? 0 : 1);
      expect(steps[0]?.info.reward_survive).toBe(1);
      env.close();
    }
  });

  it("forward reward is the torso's x-velocity: it telescopes to the displacement and tracks qvel[0]", () => {
    const env = new HalfCheetahEnv();
    const [obs0, info0] = env.reset({ seed: 1 });
    expect(obs0.length).toBe(17);
    const rng = new Rng(2);
    const steps = rollout(env, 300, () => Array.from({ length: 6 }, () => rng.uniform(-1, 1)));
    const displacement = (steps.at(-1)?.info.x_position as number) - (info0.x_position as number);
    const integrated = steps.reduce((s, r) => s + (r.info.reward_forward as number) * env.dt, 0);
    expect(integrated).toBeCloseTo(displacement, 9);
    for (const r of steps) expect(r.info.reward_forward).toBe(r.info.x_velocity);
    // The finite-difference velocity follows the observed instantaneous velocity (obs[8] = qvel[0]).
    const fd = steps.map((r) => r.info.x_velocity as number);
    const inst = steps.map((r) => r.obs[8] as number);
    expect(correlation(fd, inst)).toBeGreaterThan(0.9);
    env.close();
  });

  it("Walker2d reward = survive + forward − ctrl, with info terms that add up", () => {
    const env = new Walker2dEnv();
    env.reset({ seed: 4 });
    const rng = new Rng(5);
    for (const r of rollout(env, 50, () => Array.from({ length: 6 }, () => rng.uniform(-1, 1)))) {
      const sum =
        (r.info.reward_survive as number) + (r.info.reward_forward as number) + (r.info.reward_ctrl as number);
      expect(r.reward).toBeCloseTo(sum, 12);
    }
    env.close();
  });

  it("Ant-v5 contact cost is positive once the legs touch the floor and its observation carries the forces", () => {
    const env = new AntEnv();
    env.reset({ seed: 0 });
    const steps = rollout(env, 30, () => new Array(8).fill(0));
    const last = steps.at(-1);
    expect(last?.info.reward_contact as number).toBeLessThan(0);
    expect(last?.obs.subarray(27).some((v) => v !== 0)).toBe(true);
    env.close();
  });

  it("Humanoid with zero action collapses and terminates; v5 charges contact cost, v4 does not", () => {
    for (const version of ["v5", "v4"] as const) {
      const env = new HumanoidEnv({ version });
      env.reset({ seed: 0 });
      const steps = rollout(env, 1000, () => new Array(17).fill(0));
      expect(steps.at(-1)?.terminated).toBe(true);
      const contact = steps.reduce((s, r) => s + (r.info.reward_contact as number), 0);
      if (version === "v5") expect(contact).toBeLessThan(0);
      else expect(contact).toBe(0);
      env.close();
    }
  });

  it("InvertedPendulum with zero force eventually falls past 0.2 rad", () => {
    const env = new InvertedPendulumEnv();
    env.reset({ seed: 7 });
    const steps = rollout(env, 1000, () => [0]);
    const last = steps.at(-1);
    expect(last?.terminated).toBe(true);
    expect(Math.abs(last?.obs[1] as number)).toBeGreaterThan(0.2);
    expect(steps.length).toBeLessThan(1000);
    expect(last?.reward).toBe(0);
    expect(steps[0]?.reward).toBe(1);
    env.close();
  });

  it("InvertedDoublePendulum ends when the tip drops to y ≤ 1 and rewards standing tall", () => {
    const env = new InvertedDoublePendulumEnv();
    env.reset({ seed: 0 });
    const steps = rollout(env, 1000, () => [0]);
    expect(steps.at(-1)?.terminated).toBe(true);
    expect(steps[0]?.reward).toBeGreaterThan(9);
    expect(steps.at(-1)?.info.reward_survive).toBe(0);
    env.close();
  });

  it("Reacher places the target in the 0.2 disc and rewards closing the distance", () => {
    const env = new ReacherEnv();
    const [obs] = env.reset({ seed: 11 });
    expect(Math.hypot(obs[4] as number, obs[5] as number)).toBeLessThan(0.2);
    const [next, reward, , , info] = env.step([0, 0]);
    expect(info.reward_ctrl).toBeCloseTo(0, 12);
    // v5 measures the distance after the step, the same state the observation shows.
    expect(reward).toBeCloseTo(-Math.hypot(next[8] as number, next[9] as number), 6);
    env.close();
  });
});

describe("seeding", () => {
  it("the same seed reproduces reset noise and trajectories; another seed does not", () => {
    const run = (seed: number) => {
      const env = make("Hopper-v5");
      const [obs0] = env.reset({ seed });
      const rng = new Rng(9);
      const obs = rollout(env, 20, () => Array.from({ length: 3 }, () => rng.uniform(-1, 1))).map((r) =>
        Array.from(r.obs),
      );
      env.close();
      return [Array.from(obs0), ...obs];
    };
    expect(run(42)).toEqual(run(42));
    expect(run(43)[0]).not.toEqual(run(42)[0]);
  });

  it("reset without a seed continues the stream instead of repeating it", () => {
    const env = new HalfCheetahEnv();
    const [a] = env.reset({ seed: 5 });
    const [b] = env.reset();
    const [c] = env.reset({ seed: 5 });
    expect(Array.from(b)).not.toEqual(Array.from(a));
    expect(Array.from(c)).toEqual(Array.from(a));
    env.close();
  });
});

describe("memory", () => {
  it("stays flat over 10k env steps with resets and 20 make/close cycles", () => {
    const env = make("InvertedDoublePendulum-v5");
    const rng = new Rng(0);
    const run = (steps: number) => {
      env.reset({ seed: 0 });
      for (let t = 0; t < steps; t++) {
        const [, , terminated, truncated] = env.step([rng.uniform(-1, 1)]);
        if (terminated || truncated) env.reset();
      }
    };
    run(1000);
    const heap = wasmHeapBytes();
    run(10_000);
    expect(wasmHeapBytes()).toBe(heap);
    env.close();
    for (let i = 0; i < 3; i++) make("Humanoid-v5").close();
    const heapAfterWarmup = wasmHeapBytes();
    for (let i = 0; i < 20; i++) {
      const h = make("Humanoid-v5");
      h.reset({ seed: i });
      h.step(new Float32Array(17));
      h.close();
    }
    expect(wasmHeapBytes()).toBe(heapAfterWarmup);
  });
});

function correlation(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] as number) - ma;
    const db = (b[i] as number) - mb;
    cov += da * db;
    va += da * da;
    vb += db * db;
  }
  return cov / Math.sqrt(va * vb);
}
