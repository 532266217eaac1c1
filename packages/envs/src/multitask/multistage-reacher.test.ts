import { describe, expect, it } from "vitest";
import { HAND_START, MultistageReacherEnv, makeTaskSet, REACHER_STEPS, TABLE_D1 } from "./index.js";

/** Steps the hand straight to `goal` at full speed until within 0.01, returning the rewards. */
function driveTo(env: MultistageReacherEnv, from: Float32Array, goal: readonly number[]) {
  let obs = from;
  const rewards: number[] = [];
  let last: ReturnType<MultistageReacherEnv["step"]> | null = null;
  for (let k = 0; k < 100; k++) {
    const delta = goal.map((g, i) => g - (obs[i] as number));
    const norm = Math.hypot(...delta);
    if (norm < 0.01) break;
    const scale = Math.min(1, norm / 0.05) / norm;
    last = env.step(Float32Array.from(delta.map((d) => d * scale)));
    obs = last[0];
    rewards.push(last[1]);
    if (last[2]) break;
  }
  return { obs, rewards, last };
}

describe("MultistageReacherMT5-v0 (approximate substitute of §6.1)", () => {
  it("is a 5-task set with a 10-d observation (position, velocity, stage one-hot), 3-d actions, 200 steps, labelled approximate", () => {
    const set = makeTaskSet("MultistageReacherMT5-v0");
    expect(set.numTasks).toBe(5);
    expect(set.label).toMatch(/approximate/);
    expect(set.taskIdInObservation).toBe(false);
    expect(set.tasks.map((t) => t.maxEpisodeSteps)).toEqual([200, 200, 200, 200, 200]);
    const [obs] = set.reset(0, 1);
    expect(obs).toHaveLength(10);
    expect(Array.from(obs.subarray(6))).toEqual([1, 0, 0, 0]);
    for (let k = 0; k < 3; k++)
      expect(Math.abs((obs[k] as number) - (HAND_START[k] as number))).toBeLessThanOrEqual(0.01);
    expect(REACHER_STEPS).toBe(200);
  });

  it("follows Table D.1's subgoals: the stage advances at each, success after the third ends the episode", () => {
    const env = new MultistageReacherEnv(0);
    let [obs] = env.reset({ seed: 0 });
    for (let s = 0; s < 3; s++) {
      const { obs: next, last } = driveTo(env, obs, TABLE_D1[0]?.[s] as readonly number[]);
      obs = next;
      expect(last?.[4].stage).toBe(s + 1);
      expect(last?.[2]).toBe(s === 2);
      expect(last?.[4].success).toBe(s === 2);
    }
  });

  it("rewards: dense distance with a time penalty (T0), shifted by −2 with a bonus per subgoal (T1), sparse (T3), stay (T4)", () => {
    const still = new Float32Array(3);
    const t0 = new MultistageReacherEnv(0);
    t0.reset({ seed: 0 });
    const [, r0, , , i0] = t0.step(still);
    expect(r0).toBeCloseTo(-(i0.distance as number) - 0.4 * 3, 6);
    const t3 = new MultistageReacherEnv(3);
    t3.reset({ seed: 0 });
    expect(t3.step(still)[1]).toBeCloseTo(-1.2, 6); // no distance term: only the time reward
    const t1 = new MultistageReacherEnv(1);
    let [obs] = t1.reset({ seed: 0 });
    const [, r1, , , i1] = t1.step(still);
    expect(r1).toBeCloseTo(-(i1.distance as number) - 2, 6);
    [obs] = t1.reset({ seed: 0 });
    const { rewards } = driveTo(t1, obs, TABLE_D1[1]?.[0] as readonly number[]);
    expect(rewards.filter((r) => r > 190)).toHaveLength(1); // (|−2| + 1)·200/3 = 200 on completing a subgoal
    // The stay task: 30 steps at the start position per stage, 90 for success.
    const t4 = new MultistageReacherEnv(4);
    t4.reset({ seed: 0 });
    let done = false;
    let steps = 0;
    while (!done) {
      const r = t4.step(still);
      done = r[2];
      steps += 1;
      expect(r[1]).toBeLessThanOrEqual(0);
    }
    expect(steps).toBe(90);
  });
});
