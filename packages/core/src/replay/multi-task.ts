/**
 * One replay ring per task (QMP keeps a buffer 𝒟_i per task; data-sharing baselines sample
 * across them). Indices are global: taskId · capacityPerTask + slot, so `gather` and `write`
 * address any task's transitions, and every batch carries an int32 `taskId` field.
 */
import type { Snapshot } from "../agent.js";
import { QscapeError } from "../errors.js";
import type { Rng } from "../rng.js";
import {
  allocateFieldArray,
  type Batch,
  type FieldArray,
  type FieldSpec,
  type FieldValue,
  ReplayBuffer,
  type ReplaySample,
  type ReplayState,
} from "./replay-buffer.js";

export interface MultiTaskReplayOptions {
  numTasks: number;
  capacityPerTask: number;
  fields: Record<string, FieldSpec>;
}

export type MultiTaskReplayState = {
  kind: "multi-task-replay";
  version: 1;
  numTasks: number;
  capacityPerTask: number;
  tasks: ReplayState[];
};

/** Name of the int32 field every batch gets, holding each row's task. */
export const TASK_ID_FIELD = "taskId";

export class MultiTaskReplayBuffer {
  readonly numTasks: number;
  readonly capacityPerTask: number;
  /** The per-task rings (slot-indexed, without the taskId field). */
  readonly tasks: readonly ReplayBuffer[];

  constructor(opts: MultiTaskReplayOptions) {
    if (!Number.isInteger(opts?.numTasks) || opts.numTasks < 1) {
      throw new QscapeError(`MultiTaskReplayBuffer: numTasks must be an integer ≥ 1, got ${opts?.numTasks}`);
    }
    if (!Number.isInteger(opts.capacityPerTask) || opts.capacityPerTask < 1) {
      throw new QscapeError(
        `MultiTaskReplayBuffer: capacityPerTask must be an integer ≥ 1, got ${opts.capacityPerTask}`,
      );
    }
    if (opts.numTasks * opts.capacityPerTask > 2 ** 31 - 1) {
      throw new QscapeError("MultiTaskReplayBuffer: numTasks × capacityPerTask must stay below 2^31");
    }
    if (opts.fields && TASK_ID_FIELD in opts.fields) {
      throw new QscapeError(`MultiTaskReplayBuffer: field name "${TASK_ID_FIELD}" is reserved for the task index`);
    }
    this.numTasks = opts.numTasks;
    this.capacityPerTask = opts.capacityPerTask;
    this.tasks = Array.from(
      { length: opts.numTasks },
      (_, i) =>
        new ReplayBuffer({ capacity: opts.capacityPerTask, fields: opts.fields }, `MultiTaskReplayBuffer[task ${i}]`),
    );
  }

  /** Transitions stored across all tasks. */
  get size(): number {
    return this.tasks.reduce((n, b) => n + b.size, 0);
  }

  get capacity(): number {
    return this.numTasks * this.capacityPerTask;
  }

  get byteLength(): number {
    return this.tasks.reduce((n, b) => n + b.byteLength, 0);
  }

  sizeOf(taskId: number): number {
    return this.task(taskId, "sizeOf").size;
  }

  /** Stores a transition in `taskId`'s ring; returns its global index. */
  add(taskId: number, record: Record<string, FieldValue>): number {
    return taskId * this.capacityPerTask + this.task(taskId, "add").add(record);
  }

  /**
   * `batchSize` rows with replacement: from task `taskId` only, or else each row from a task drawn
   * uniformly among those holding data, then a slot drawn uniformly within it.
   */
  sample(batchSize: number, rng: Rng, taskId?: number): ReplaySample {
    if (taskId !== undefined) {
      const buf = this.task(taskId, "sample");
      if (buf.size === 0) throw new QscapeError(`MultiTaskReplayBuffer.sample: task ${taskId} has no transitions yet`);
      const { indices } = buf.sample(batchSize, rng);
      for (let i = 0; i < indices.length; i++) indices[i] = (indices[i] as number) + taskId * this.capacityPerTask;
      return { indices, data: this.gatherUnchecked(indices) };
    }
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new QscapeError(`MultiTaskReplayBuffer.sample: batchSize must be a positive integer, got ${batchSize}`);
    }
    const filled = this.tasks.flatMap((b, i) => (b.size > 0 ? [i] : []));
    if (filled.length === 0)
      throw new QscapeError("MultiTaskReplayBuffer.sample: the buffer is empty; add transitions first");
    const indices = new Int32Array(batchSize);
    for (let i = 0; i < batchSize; i++) {
      const t = filled[rng.int(0, filled.length)] as number;
      indices[i] = t * this.capacityPerTask + rng.int(0, (this.tasks[t] as ReplayBuffer).size);
    }
    return { indices, data: this.gatherUnchecked(indices) };
  }

  /** Rows at global indices, plus the taskId field. */
  gather(indices: ArrayLike<number>): Batch {
    this.checkIndices(indices, "gather");
    return this.gatherUnchecked(indices);
  }

  /** Overwrites `field` at global indices (indices.length × prod(shape) values, row-major). */
  write(field: string, indices: ArrayLike<number>, values: ArrayLike<number>): void {
    this.checkIndices(indices, "write");
    const spec = (this.tasks[0] as ReplayBuffer).fieldSpecs[field];
    if (!spec) throw new QscapeError(`MultiTaskReplayBuffer.write: unknown field "${field}"`);
    const rowSize = spec.shape.reduce((a, b) => a * b, 1);
    if (values.length !== indices.length * rowSize) {
      throw new QscapeError(
        `MultiTaskReplayBuffer.write: values for field "${field}" has length ${values.length}, expected ${indices.length * rowSize}`,
      );
    }
    for (let i = 0; i < indices.length; i++) {
      const g = indices[i] as number;
      const t = Math.floor(g / this.capacityPerTask);
      const row = Array.prototype.slice.call(values, i * rowSize, (i + 1) * rowSize) as number[];
      (this.tasks[t] as ReplayBuffer).write(field, [g - t * this.capacityPerTask], row);
    }
  }

  getState(): MultiTaskReplayState {
    return {
      kind: "multi-task-replay",
      version: 1,
      numTasks: this.numTasks,
      capacityPerTask: this.capacityPerTask,
      tasks: this.tasks.map((b) => b.getState()),
    };
  }

  setState(state: Snapshot): void {
    const s = state as Partial<MultiTaskReplayState> | null;
    if (s === null || typeof s !== "object" || s.kind !== "multi-task-replay" || s.version !== 1) {
      throw new QscapeError("MultiTaskReplayBuffer.setState: not a version-1 multi-task replay state");
    }
    if (
      s.numTasks !== this.numTasks ||
      s.capacityPerTask !== this.capacityPerTask ||
      s.tasks?.length !== this.numTasks
    ) {
      throw new QscapeError(
        `MultiTaskReplayBuffer.setState: state has ${s.numTasks} tasks × ${s.capacityPerTask}, this buffer ${this.numTasks} × ${this.capacityPerTask}`,
      );
    }
    // Validate every task before changing any, so a bad state leaves this buffer untouched.
    s.tasks.forEach((t, i) => {
      (this.tasks[i] as ReplayBuffer).validateState(t);
    });
    s.tasks.forEach((t, i) => {
      (this.tasks[i] as ReplayBuffer).setState(t);
    });
  }

  private task(taskId: number, op: string): ReplayBuffer {
    const buf = Number.isInteger(taskId) ? this.tasks[taskId] : undefined;
    if (!buf) throw new QscapeError(`MultiTaskReplayBuffer.${op}: taskId ${taskId} outside [0, ${this.numTasks})`);
    return buf;
  }

  private checkIndices(indices: ArrayLike<number>, op: string): void {
    for (let i = 0; i < indices.length; i++) {
      const g = indices[i] as number;
      const t = Math.floor(g / this.capacityPerTask);
      const buf = Number.isInteger(g) && g >= 0 ? this.tasks[t] : undefined;
      if (!buf || g - t * this.capacityPerTask >= buf.size) {
        throw new QscapeError(`MultiTaskReplayBuffer.${op}: index ${g} (position ${i}) is not a filled slot`);
      }
    }
  }

  private gatherUnchecked(indices: ArrayLike<number>): Batch {
    const n = indices.length;
    const specs = (this.tasks[0] as ReplayBuffer).fieldSpecs;
    const out: Batch = {};
    for (const [name, spec] of Object.entries(specs)) {
      out[name] = allocateFieldArray(spec.dtype, n * spec.shape.reduce((a, b) => a * b, 1));
    }
    const taskIds = new Int32Array(n);
    for (let i = 0; i < n; i++) taskIds[i] = Math.floor((indices[i] as number) / this.capacityPerTask);
    // Gather each task's rows from its ring, then put them at their positions in the batch.
    for (let t = 0; t < this.numTasks; t++) {
      const positions: number[] = [];
      for (let i = 0; i < n; i++) if (taskIds[i] === t) positions.push(i);
      if (positions.length === 0) continue;
      const rows = (this.tasks[t] as ReplayBuffer).gather(
        positions.map((i) => (indices[i] as number) - t * this.capacityPerTask),
      );
      for (const [name, part] of Object.entries(rows)) {
        const dst = out[name] as FieldArray;
        const r = part.length / positions.length;
        positions.forEach((i, k) => {
          dst.set(part.subarray(k * r, (k + 1) * r), i * r);
        });
      }
    }
    out[TASK_ID_FIELD] = taskIds;
    return out;
  }
}
