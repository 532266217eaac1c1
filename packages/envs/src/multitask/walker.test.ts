import { beforeAll, describe, expect, it } from "vitest";
import { loadMujoco, wasmHeapBytes } from "../mujoco/adapter.js";
import {
  makeTaskSet,
  WALKER_MT4_STEPS,
  WALKER_TASK_SETTINGS,
  WALKER_TASKS,
  type WalkerTask,
  WalkerTaskEnv,
} from "./index.js";

beforeAll(async () => {
  await loadMujoco();
});

const zero = new Float32Array(6);

/** Resets `env`, then gives the root an x velocity `vx` (everything else as reset left it). */
function launch(env: WalkerTaskEnv, vx: number, seed = 0): void {
  env.reset({ seed });
  const qpos = env.sim.read("qpos");
  const qvel = env.sim.read("qvel");
  qvel[0] = vx;
  env.sim.setState(qpos, qvel);
}

/** Puts a reset walker at root x = `x` (standing pose, zero velocity). */
function placeAt(env: WalkerTaskEnv, x: number): void {
  env.reset({ seed: 0 });
  const qpos = Float64Array.from(env.sim.initQpos);
  qpos[0] = x;
  env.sim.setState(qpos, new Float64Array(env.sim.nv));
}

describe("Walker2dMT4-v0 (approximate substitute of App. D D.4)", () => {
  it("has four tasks sharing a 17-d observation and 6-d action, 1000 steps each, labelled approximate", () => {
    const set = makeTaskSet("Walker2dMT4-v0");
    try {
      expect(set.tasks.map((t) => t.name)).toEqual([...WALKER_TASKS]);
      expect(set.tasks.map((t) => t.maxEpisodeSteps)).toEqual([1000, 1000, 1000, 1000]);
      expect(set.label).toMatch(/approximate/);
      expect(set.taskIdInObservation).toBe(false);
      for (let i = 0; i < 4; i++) {
        expect(set.env(i).observationSpace.toJSON()).toEqual(set.observationSpace.toJSON());
        expect(set.env(i).actionSpace.toJSON()).toEqual(set.actionSpace.toJSON());
        expect(set.reset(i, 3)[0]).toHaveLength(17);
      }
      expect((set.actionSpace as { shape: number[] }).shape).toEqual([6]);
    } finally {
      set.close();
    }
  });

  it("rewards the task's velocity: forward +ẋ, backward −ẋ (peaked at v* = 3), balance −|ẋ|", () => {
    const velocityReward = (task: WalkerTask, vx: number) => {
      const env = new WalkerTaskEnv(task, { pushScale: 0 });
      try {
        launch(env, vx);
        const [, reward, , , info] = env.step(zero);
        const parts = Object.entries(info).filter(([k]) => k.startsWith("reward_"));
        expect(reward).toBeCloseTo(
          parts.reduce((a, [, v]) => a + (v as number), 0),
          10,
        );
        const v = info.x_velocity as number;
        const w = WALKER_TASK_SETTINGS[task].velocity;
        const expected = task === "balance" ? -w * Math.abs(v) : w * (3 - Math.abs((task === "backward" ? -v : v) - 3));
        expect(info.reward_velocity).toBeCloseTo(expected, 10);
        return { v, r: info.reward_velocity as number };
      } finally {
        env.close();
      }
    };
    for (const vx of [1.5, -1.5]) {
      const fwd = velocityReward("forward", vx);
      expect(Math.sign(fwd.v)).toBe(Math.sign(vx));
      expect(Math.sign(fwd.r)).toBe(Math.sign(vx));
      expect(Math.sign(velocityReward("backward", vx).r)).toBe(-Math.sign(vx));
      expect(velocityReward("balance", vx).r).toBeLessThan(0);
      expect(velocityReward("crawl", vx).r * Math.sign(vx)).toBeGreaterThan(0);
    }
    // Past the target the velocity reward falls again.
    expect(velocityReward("forward", 2.9).r).toBeGreaterThan(velocityReward("forward", 6).r);
  });

  it("pushes are seeded: the same seed gives the same pushes and states, another seed others; pushScale 0 has none", () => {
    const trace = (seed: number, pushScale = 1) => {
      const env = new WalkerTaskEnv("balance", { terminateWhenUnhealthy: false, pushScale });
      try {
        env.reset({ seed });
        const pushes: number[] = [];
        let obs: ArrayLike<number> = [];
        for (let t = 0; t < 60; t++) {
          const [o, , , , info] = env.step(zero);
          obs = o;
          pushes.push(info.push_body as number);
          const wrench = env.sim.read("xfrc_applied");
          // Only the pushed body carries a wrench, and only until the next step.
          const loaded = [...Array(env.sim.nbody).keys()].filter((b) =>
            wrench.subarray(6 * b, 6 * b + 6).some((x) => x),
          );
          expect(loaded).toEqual(info.push_body === -1 ? [] : [info.push_body]);
        }
        return { pushes, obs: Array.from(obs) };
      } finally {
        env.close();
      }
    };
    const a = trace(7);
    expect(trace(7)).toEqual(a);
    expect(a.pushes.filter((b) => b >= 1).length).toBeGreaterThan(0);
    const b = trace(8);
    expect(b.pushes).not.toEqual(a.pushes);
    const calm = trace(7, 0);
    expect(calm.pushes.every((p) => p === -1)).toBe(true);
    expect(calm.obs).not.toEqual(a.obs);
  });

  it("crawl: standing under the ceiling touches it, costs 10 and terminates; before it, lying low, or under a higher one, it does not", () => {
    const crawl = new WalkerTaskEnv("crawl", { pushScale: 0 });
    const high = new WalkerTaskEnv("crawl", { pushScale: 0, ceilingHeight: 2 });
    const forward = new WalkerTaskEnv("forward", { pushScale: 0 });
    try {
      placeAt(crawl, 3);
      const [, , terminated, , info] = crawl.step(zero);
      expect(info.touches_ceiling).toBe(true);
      expect(info.reward_collision).toBe(-10);
      expect(terminated).toBe(true);
      placeAt(crawl, 0);
      expect(crawl.step(zero)[4].touches_ceiling).toBe(false);
      // Pitched forward, low, under the ceiling: a crawling posture passes without touching it.
      placeAt(crawl, 3);
      const low = Float64Array.from(crawl.sim.read("qpos"));
      low[1] = 0.45;
      low[2] = 1.3;
      crawl.sim.setState(low, new Float64Array(crawl.sim.nv));
      const [, , lowTerminated, , lowInfo] = crawl.step(zero);
      expect([lowInfo.touches_ceiling, lowTerminated]).toEqual([false, false]);
      placeAt(high, 3);
      const underHigh = high.step(zero);
      expect(underHigh[4].touches_ceiling).toBe(false);
      expect(underHigh[2]).toBe(false);
      expect(forward.ceilingGeom).toBe(-1);
      placeAt(forward, 3);
      expect(forward.step(zero)[4].touches_ceiling).toBe(false);
    } finally {
      crawl.close();
      high.close();
      forward.close();
    }
  });

  it("truncates at step 1000 with success; falling terminates earlier without success", () => {
    const endless = makeTaskSet("Walker2dMT4-v0", { terminateWhenUnhealthy: false, pushScale: 0 });
    const strict = makeTaskSet("Walker2dMT4-v0");
    try {
      endless.reset(0, 1);
      let steps = 0;
      for (;;) {
        const [, , terminated, truncated, info] = endless.step(0, zero);
        steps += 1;
        if (terminated || truncated) {
          expect([terminated, truncated, info.success]).toEqual([false, true, true]);
          break;
        }
        expect(info.success).toBe(false);
      }
      expect(steps).toBe(WALKER_MT4_STEPS);
      strict.reset(2, 1); // balance, no actions: the walker falls
      for (let t = 1; ; t++) {
        const [, , terminated, truncated, info] = strict.step(2, zero);
        if (terminated || truncated) {
          expect([terminated, truncated, info.success]).toEqual([true, false, false]);
          expect(t).toBeLessThan(WALKER_MT4_STEPS);
          break;
        }
      }
    } finally {
      endless.close();
      strict.close();
    }
  });

  it("frees its MuJoCo memory: the heap stays flat over make/close cycles with ceiling contacts", () => {
    const cycle = () => {
      const set = makeTaskSet("Walker2dMT4-v0");
      for (let i = 0; i < 4; i++) {
        set.reset(i, i);
        for (let t = 0; t < 20; t++) if (set.step(i, zero)[2]) set.reset(i);
      }
      set.reset(3, 0);
      const crawl = set.env(3).unwrapped as WalkerTaskEnv;
      const qpos = Float64Array.from(crawl.sim.initQpos);
      qpos[0] = 3;
      crawl.sim.setState(qpos, new Float64Array(crawl.sim.nv));
      expect(set.step(3, zero)[4].touches_ceiling).toBe(true);
      set.close();
    };
    for (let k = 0; k < 2; k++) cycle();
    const heap = wasmHeapBytes();
    for (let k = 0; k < 6; k++) cycle();
    expect(wasmHeapBytes()).toBe(heap);
  });
});
