import { describe, expect, it } from "vitest";
import { Env } from "../env.js";
import { InvalidActionError, ResetNeededError } from "../errors.js";
import { loadMujoco } from "../mujoco/adapter.js";
import { Box } from "../spaces.js";
import {
  LARGE_MAZE,
  MAZE_EPISODE_STEPS,
  MAZE_LARGE_TASKS,
  makeTaskSet,
  POINT_REACH_STEPS,
  PointMazeEnv,
  TaskSet,
  TaskSpaceMismatchError,
  taskSeed,
  taskSetIds,
  taskSetScore,
  UnknownTaskError,
  UnknownTaskSetError,
} from "./index.js";

/** Shortest path length in cells (4-connected BFS over free cells). */
function bfs(start: readonly [number, number], goal: readonly [number, number]): number {
  const key = (r: number, c: number) => r * 100 + c;
  const dist = new Map([[key(start[0], start[1]), 0]]);
  const queue: [number, number][] = [[start[0], start[1]]];
  while (queue.length > 0) {
    const [r, c] = queue.shift() as [number, number];
    const d = dist.get(key(r, c)) as number;
    if (r === goal[0] && c === goal[1]) return d;
    for (const [dr, dc] of [
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ] as const) {
      if (LARGE_MAZE[r + dr]?.[c + dc] === 0 && !dist.has(key(r + dr, c + dc))) {
        dist.set(key(r + dr, c + dc), d + 1);
        queue.push([r + dr, c + dc]);
      }
    }
  }
  return Number.POSITIVE_INFINITY;
}

class OtherSpaces extends Env<Float32Array, ArrayLike<number>> {
  readonly observationSpace = new Box(-1, 1, [3]);
  readonly actionSpace = new Box(-1, 1, [2]);
  reset(): [Float32Array, Record<string, unknown>] {
    return [new Float32Array(3), {}];
  }
  step(): [Float32Array, number, boolean, boolean, Record<string, unknown>] {
    return [new Float32Array(3), 0, false, false, {}];
  }
}

describe("task sets", () => {
  it("registers the point-reaching and maze sets; unknown ids and tasks throw named errors", () => {
    expect(taskSetIds()).toEqual(expect.arrayContaining(["PointReachMT-v0", "MazeLargeMT10-v0", "MazeLargeMT3-v0"]));
    expect(() => makeTaskSet("MazeLargeMT11-v0")).toThrow(UnknownTaskSetError);
    expect(() => makeTaskSet("MazeLargeMT11-v0")).toThrow(/No task set registered with id "MazeLargeMT11-v0"/);
    const set = makeTaskSet("MazeLargeMT3-v0");
    expect(set.numTasks).toBe(3);
    expect(set.tasks.map((t) => t.name)).toEqual(["T0", "T4", "T8"]);
    expect(set.taskIdInObservation).toBe(false);
    expect(() => set.env(3)).toThrow(UnknownTaskError);
    expect(() => set.env(-1)).toThrow(/task -1 is not in \[0, 3\)/);
    expect(() => set.env("T9")).toThrow(/no task named "T9"/);
    expect(set.taskIndex("T4")).toBe(1);
  });

  it("says how results on each set are scored: mean success over tasks, Walker by return (Table D.2)", () => {
    for (const id of ["PointReachMT-v0", "MazeLargeMT10-v0", "MazeLargeMT3-v0", "MultistageReacherMT5-v0"]) {
      expect(taskSetScore(id)).toBe("success");
    }
    expect(taskSetScore("Walker2dMT4-v0")).toBe("return");
    expect(() => taskSetScore("MazeLargeMT11-v0")).toThrow(UnknownTaskSetError);
  });

  it("rejects tasks whose spaces differ, naming the task", () => {
    const maze = () => new PointMazeEnv([1, 1], [1, 2]);
    expect(
      () =>
        new TaskSet(
          "Bad-v0",
          [
            { name: "a", make: maze, maxEpisodeSteps: 5 },
            { name: "b", make: () => new OtherSpaces(), maxEpisodeSteps: 5 },
          ],
          false,
        ),
    ).toThrow(TaskSpaceMismatchError);
    expect(
      () =>
        new TaskSet(
          "Bad-v0",
          [
            { name: "a", make: maze, maxEpisodeSteps: 5 },
            { name: "b", make: maze, maxEpisodeSteps: 5, fixedPolicy: { mean: new Float32Array(3), std: 0.1 } },
          ],
          false,
        ),
    ).toThrow(/task 1 \(b\) fixedPolicy.mean has 3 values/);
  });

  it("seeds each task with its own stream; the same run seed reproduces every task", () => {
    const a = makeTaskSet("MazeLargeMT10-v0");
    const b = makeTaskSet("MazeLargeMT10-v0");
    const starts = (set: TaskSet, seed: number) => set.tasks.map((t) => Array.from(set.reset(t.index, seed)[0]));
    expect(starts(a, 3)).toEqual(starts(b, 3));
    expect(starts(a, 3)).not.toEqual(starts(a, 4));
    expect(taskSeed(3, 1)).not.toBe(taskSeed(3, 2));
    // Task T0 and T4 share a start cell; their seeded noise differs.
    expect(a.reset(0, 3)[0]).not.toEqual(a.reset(4, 3)[0]);
  });
});

describe("MazeLargeMT10-v0", () => {
  it("every start and goal is a free cell and the path lengths fall in the paper's groups", () => {
    const lengths = MAZE_LARGE_TASKS.map(({ start, goal }) => {
      expect(LARGE_MAZE[start[0]]?.[start[1]]).toBe(0);
      expect(LARGE_MAZE[goal[0]]?.[goal[1]]).toBe(0);
      return bfs(start, goal);
    });
    for (const t of [0, 1, 2, 3]) expect(lengths[t]).toBeLessThanOrEqual(9);
    for (const t of [4, 5, 6, 7]) expect(lengths[t]).toBeGreaterThanOrEqual(10);
    for (const t of [4, 5, 6, 7]) expect(lengths[t]).toBeLessThanOrEqual(12);
    for (const t of [8, 9]) expect(lengths[t]).toBeGreaterThanOrEqual(13);
  });

  it("reward exp(−d) − 1, walls stop the agent, success terminates at d < 0.5, 600-step limit", () => {
    const set = makeTaskSet("MazeLargeMT10-v0");
    // T1 starts at (1, 10); (0, 10) is a wall: moving −x stops where the agent's square meets it.
    set.reset(1, 0);
    let out = set.step(1, [-1, 0]);
    for (let i = 0; i < 9; i++) out = set.step(1, [-1, 0]);
    const [blocked, r0, term0, trunc0, info0] = out;
    expect(blocked[0]).toBeGreaterThanOrEqual(0.6 - 1e-6);
    expect(blocked[0]).toBeLessThan(0.7);
    expect(blocked[2]).toBe(0);
    const d = Math.hypot((blocked[0] as number) - 2, (blocked[1] as number) - 4);
    expect(info0.distance).toBeCloseTo(d, 5);
    expect(r0).toBeCloseTo(Math.exp(-d) - 1, 5);
    expect([term0, trunc0, info0.success]).toEqual([false, false, false]);
    // Moving −y along the open corridor moves 0.1 per step at full speed.
    const [moved] = set.step(1, [0, -1]);
    expect(moved[1]).toBeCloseTo((blocked[1] as number) - 0.1, 5);
    expect(moved[3]).toBeCloseTo(-1, 5);
    // Standing still never succeeds: the episode is truncated after 600 steps.
    set.reset(1, 0);
    let steps = 0;
    let done = false;
    while (!done) {
      const [, , term, trunc] = set.step(1, [0, 0]);
      steps += 1;
      expect(term).toBe(false);
      done = trunc;
    }
    expect(steps).toBe(MAZE_EPISODE_STEPS);
    expect(() => set.step(1, [0, 0])).toThrow(ResetNeededError);
  });

  it("a scripted route reaches the goal of T0 and terminates with success", () => {
    const env = new PointMazeEnv([3, 3], [3, 5]);
    env.reset({ seed: 1 });
    let last: [Float32Array, number, boolean, boolean, Record<string, unknown>] | null = null;
    for (let i = 0; i < 40 && !last?.[2]; i++) last = env.step([0, 1]);
    expect(last?.[2]).toBe(true);
    expect(last?.[4].success).toBe(true);
    expect(last?.[1]).toBeGreaterThan(Math.exp(-0.5) - 1);
  });

  it("rejects bad actions with the task set's validation", () => {
    const set = makeTaskSet("MazeLargeMT3-v0");
    set.reset(0, 0);
    expect(() => set.step(0, [2, 0])).toThrow(InvalidActionError);
    expect(() => set.step(0, [Number.NaN, 0])).toThrow(/NaN/);
    expect(() => set.step(0, [0])).toThrow(/has 1 elements/);
  });
});

describe("PointReachMT-v0", () => {
  it("task 0 reaches (10, 10) with reward −d; helpers are fixed Gaussian policies", () => {
    const set = makeTaskSet("PointReachMT-v0");
    expect(set.tasks.map((t) => t.name)).toEqual(["reach", "up", "right", "upRight"]);
    expect(set.tasks[0]?.fixedPolicy).toBeNull();
    expect(Array.from(set.tasks[3]?.fixedPolicy?.mean ?? [])).toEqual([1, 1]);
    expect(set.tasks[3]?.fixedPolicy?.std).toBe(0.1);
    const irrelevant = makeTaskSet("PointReachMT-v0", { helpers: "irrelevant" });
    expect(irrelevant.tasks.map((t) => t.name)).toEqual(["reach", "up", "right", "downLeft"]);

    set.reset(0, 0);
    let out = set.step(0, [1, 1]);
    expect(out[1]).toBeCloseTo(-Math.hypot(9, 9), 5);
    for (let i = 0; i < 8; i++) out = set.step(0, [1, 1]);
    expect(out[2]).toBe(false);
    out = set.step(0, [1, 1]);
    expect(out[2]).toBe(true);
    expect(out[4].success).toBe(true);

    const exp = makeTaskSet("PointReachMT-v0", { reward: "expDistance" });
    exp.reset(0, 0);
    expect(exp.step(0, [1, 1])[1]).toBeCloseTo(Math.exp(-Math.hypot(9, 9)) - 1, 6);

    // Standing still: truncated at 50 steps, never successful.
    set.reset(0, 0);
    let steps = 0;
    for (;;) {
      const [, , term, trunc, info] = set.step(0, [0, 0]);
      steps += 1;
      expect(term || info.success).toBe(false);
      if (trunc) break;
    }
    expect(steps).toBe(POINT_REACH_STEPS);
  });

  it("a helper task rewards progress along its direction and succeeds after 10 units", () => {
    const set = makeTaskSet("PointReachMT-v0");
    set.reset("up", 0);
    expect(set.step("up", [1, 0])[1]).toBeCloseTo(0, 6);
    expect(set.step("up", [0, -1])[1]).toBeCloseTo(-1, 6);
    const diag = makeTaskSet("PointReachMT-v0");
    diag.reset("upRight", 0);
    expect(diag.step("upRight", [1, 1])[1]).toBeCloseTo(Math.SQRT2, 6);
    let out = diag.step("upRight", [1, 1]);
    for (let i = 0; i < 5; i++) out = diag.step("upRight", [1, 1]);
    expect(out[2]).toBe(false);
    out = diag.step("upRight", [1, 1]);
    expect(out[2]).toBe(true);
  });

  it("every registered set but Walker's states a minReward that no step goes below (UDS's relabel value)", async () => {
    await loadMujoco(); // Walker2dMT4-v0 is a MuJoCo task set
    const all = [
      ...taskSetIds().map((id) => makeTaskSet(id)),
      makeTaskSet("PointReachMT-v0", { reward: "expDistance" }),
    ];
    // Walker's rewards (velocity terms) have no floor, so it states none and UDS refuses it.
    expect(all.filter((s) => s.minReward === null).map((s) => s.id)).toEqual(["Walker2dMT4-v0"]);
    const sets = all.filter((s) => s.minReward !== null);
    for (const s of all) if (s.minReward === null) s.close();
    for (const set of sets) {
      const floor = set.minReward as number;
      expect(Number.isFinite(floor), set.id).toBe(true);
      const dim = (set.actionSpace as Box).shape[0] as number;
      for (const t of set.tasks) {
        set.reset(t.index, 1);
        // Extreme actions (box corners, the largest control cost), drifting away from the start.
        for (let k = 0; k < 150; k++) {
          const action = Array.from({ length: dim }, (_, d) => (Math.sin(7 * k + 3 * d + t.index) > -0.3 ? -1 : 1));
          const [, reward, term, trunc] = set.step(t.index, action);
          expect(reward, `${set.id} ${t.name}`).toBeGreaterThanOrEqual(floor);
          if (term || trunc) set.reset(t.index);
        }
      }
      set.close();
    }
    expect(
      () =>
        new TaskSet("Bad-v0", [{ name: "a", make: () => new OtherSpaces(), maxEpisodeSteps: 5 }], false, {
          minReward: Number.NaN,
        }),
    ).toThrow(/minReward must be a finite number/);
  });
});
