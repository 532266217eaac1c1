import { describe, expect, it } from "vitest";
import { Rng } from "../rng.js";
import { MultiTaskReplayBuffer, TASK_ID_FIELD } from "./multi-task.js";

const fields = { obs: { shape: [2] }, reward: { shape: [] } };

/** 3 tasks × capacity 4: task 0 full with 6 adds (wrapped), task 1 with one transition, task 2 empty. */
function make() {
  const buf = new MultiTaskReplayBuffer({ numTasks: 3, capacityPerTask: 4, fields });
  for (let k = 0; k < 6; k++) buf.add(0, { obs: [k, 0], reward: k });
  buf.add(1, { obs: [100, 1], reward: 100 });
  return buf;
}

describe("MultiTaskReplayBuffer", () => {
  it("keeps one ring per task and global indices", () => {
    const buf = make();
    expect(buf.size).toBe(5);
    expect(buf.capacity).toBe(12);
    expect([buf.sizeOf(0), buf.sizeOf(1), buf.sizeOf(2)]).toEqual([4, 1, 0]);
    expect(buf.add(2, { obs: [200, 2], reward: 200 })).toBe(8); // task 2, slot 0
    const rows = buf.gather([0, 3, 4, 8]);
    // Task 0 wrapped: slot 0 holds transition 4, slot 3 transition 3.
    expect(Array.from(rows.reward as Float32Array)).toEqual([4, 3, 100, 200]);
    expect(Array.from(rows[TASK_ID_FIELD] as Int32Array)).toEqual([0, 0, 1, 2]);
    expect(() => buf.gather([5])).toThrow(/index 5 .* not a filled slot/);
    expect(() => buf.add(3, { obs: [0, 0], reward: 0 })).toThrow(/taskId 3 outside \[0, 3\)/);
  });

  it("samples tasks uniformly (not by size) and one task on request", () => {
    const buf = make();
    const rng = new Rng(21);
    const perTask = [0, 0, 0];
    const draws = 20_000;
    const { indices, data } = buf.sample(draws, rng);
    let mismatched = 0;
    for (let i = 0; i < draws; i++) {
      const task = (data[TASK_ID_FIELD] as Int32Array)[i] as number;
      perTask[task] = (perTask[task] as number) + 1;
      if (task !== Math.floor((indices[i] as number) / 4)) mismatched++;
      if ((data.obs as Float32Array)[2 * i + 1] !== task) mismatched++;
    }
    expect(mismatched).toBe(0);
    // Task 0 holds 4× more data than task 1 but each gets half the rows; task 2 is empty.
    expect(perTask[2]).toBe(0);
    expect(Math.abs((perTask[0] as number) / draws - 0.5)).toBeLessThan(0.015);

    const only = buf.sample(64, rng, 1);
    expect(Array.from(only.indices).every((g) => g === 4)).toBe(true);
    expect(Array.from(only.data.reward as Float32Array).every((r) => r === 100)).toBe(true);
    expect(() => buf.sample(8, rng, 2)).toThrow(/task 2 has no transitions yet/);
    expect(() => new MultiTaskReplayBuffer({ numTasks: 2, capacityPerTask: 2, fields }).sample(8, rng)).toThrow(
      /empty/,
    );
  });

  it("writes through global indices and round-trips its state", () => {
    const buf = make();
    buf.write("reward", [4, 1], [-1, -2]);
    expect(Array.from(buf.gather([1, 4]).reward as Float32Array)).toEqual([-2, -1]);
    const copy = new MultiTaskReplayBuffer({ numTasks: 3, capacityPerTask: 4, fields });
    copy.setState(buf.getState());
    expect(copy.sample(50, new Rng(3))).toEqual(buf.sample(50, new Rng(3)));
    expect(copy.add(0, { obs: [9, 0], reward: 9 })).toBe(buf.add(0, { obs: [9, 0], reward: 9 }));
    const wrong = new MultiTaskReplayBuffer({ numTasks: 2, capacityPerTask: 4, fields });
    expect(() => wrong.setState(buf.getState())).toThrow(/3 tasks × 4, this buffer 2 × 4/);
    expect(
      () => new MultiTaskReplayBuffer({ numTasks: 2, capacityPerTask: 4, fields: { taskId: { shape: [] } } }),
    ).toThrow(/"taskId" is reserved/);
  });
});
