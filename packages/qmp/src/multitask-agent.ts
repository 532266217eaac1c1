/**
 * What the multi-task loop (`train.ts`) and the bench drive: a learner of N tasks that picks task
 * i's behaviour action, stores task i's transitions, and takes task i's gradient steps. QMP
 * (`QmpAgent`), Parameter-Sharing and its QMP composition (`ParamSharingAgent`) and
 * Fully-Shared-Behaviors (`FullySharedAgent`) all fit it, so they share one loop and one
 * checkpoint format (Algorithm 4's epoch, §5.6.2's baselines).
 */
import type { Snapshot, Transition } from "@qscape/core";

export interface MultiTaskAgent {
  readonly numTasks: number;
  readonly actionDim: number;
  /**
   * The learner behind each task, or null for a task with a fixed policy (it neither collects nor
   * learns). Tasks may share one learner (Parameter-Sharing, Fully-Shared-Behaviors).
   */
  readonly learners: readonly (object | null)[];
  /** Starts a new training episode of task i (the H-step hold restarts). */
  beginEpisode(task: number): void;
  /** Task i's behaviour action (env units) and the policy that produced it. */
  behave(task: number, obs: Float32Array): { action: Float32Array; policy: number };
  /** Deterministic evaluation action of task i: its own policy, or the deterministic mixture where there is one. */
  evalAction(task: number, obs: Float32Array, mode?: "own" | "mixture"): Float32Array;
  observe(task: number, t: Transition<Float32Array, Float32Array>): void;
  /** One gradient step for task i. */
  update(task: number): Record<string, number>;
  /** Transitions of task i in replay (the loop's per-task minimum buffer size is checked against it). */
  replaySize(task: number): number;
  /** counts[i][j]: task-i training steps acted by policy j. */
  selectionCounts(): number[][];
  /** Called after each epoch's updates with the loop's env steps so far and its budget (DnC's distillations). */
  afterEpoch?(envSteps: number, totalEnvSteps: number): void;
  save(): Snapshot;
  load(state: Snapshot): void;
  dispose(): void;
}
