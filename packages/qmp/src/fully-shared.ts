/**
 * Fully-Shared-Behaviors (§5.6.2): one SAC policy, one twin critic and one replay buffer for all
 * tasks, so a state gets the same action whatever the task (the observation carries no task id).
 * Every task's transitions, each with that task's reward, go to the one buffer.
 *
 * The paper scales the single learner's env steps and gradient steps per update by N. The
 * multi-task loop already does: each of the N tasks collects its per-task share into the shared
 * buffer, and each ready task's turn is one gradient step of the same SAC, so one epoch is
 * N × `envStepsPerUpdate` env steps and N × `gradStepsPerUpdate` gradient steps. The buffer holds
 * N × `sac.bufferSize`, and the loop's per-task minimum buffer size is read as N × it for the
 * shared buffer (`replaySize` is the shared size over N).
 *
 * The agent holds a `SACAgent` from `@qscape/baselines` as it is.
 */
import { SACAgent } from "@qscape/baselines";
import { QscapeError, type Snapshot, type Transition } from "@qscape/core";
import type { TaskSpaces } from "./agent.js";
import {
  type FullySharedConfigInput,
  type FullySharedConfigRecord,
  type FullySharedSettings,
  resolveFullySharedConfig,
} from "./config.js";
import type { MultiTaskAgent } from "./multitask-agent.js";

export class FullySharedAgent implements MultiTaskAgent {
  readonly name = "fully-shared";
  readonly config: FullySharedSettings;
  readonly numTasks: number;
  readonly actionDim: number;
  readonly learner: SACAgent;
  /** Every task's learner is the one SAC. */
  readonly learners: readonly SACAgent[];
  /** steps[i]: env steps task i has collected (all with the one policy). */
  private readonly steps: Float64Array;

  constructor(taskSet: TaskSpaces, config: FullySharedConfigInput | FullySharedConfigRecord = {}) {
    this.config = resolveFullySharedConfig(config);
    this.numTasks = taskSet.tasks.length;
    if (this.numTasks === 0) throw new QscapeError("fully-shared: the task set has no tasks");
    const fixed = taskSet.tasks.findIndex((t) => t.fixedPolicy !== null);
    if (fixed >= 0) {
      throw new QscapeError(
        `fully-shared: task ${fixed} (${taskSet.tasks[fixed]?.name}) has a fixed policy; every task must learn with the shared policy`,
      );
    }
    const { sac, seed } = this.config;
    this.learner = new SACAgent(
      taskSet,
      { ...sac, bufferSize: sac.bufferSize * this.numTasks, seed },
      { name: this.name },
    );
    this.actionDim = this.learner.actionDim;
    this.learners = taskSet.tasks.map(() => this.learner);
    this.steps = new Float64Array(this.numTasks);
  }

  private checkTask(task: number): number {
    if (!Number.isInteger(task) || task < 0 || task >= this.numTasks) {
      throw new QscapeError(`fully-shared: task ${task} is not in [0, ${this.numTasks})`);
    }
    return task;
  }

  beginEpisode(task: number): void {
    this.checkTask(task);
  }

  /** A sample of the shared policy; the task does not enter. */
  behave(task: number, obs: Float32Array): { action: Float32Array; policy: number } {
    this.steps[this.checkTask(task)] = (this.steps[task] as number) + 1;
    return { action: this.learner.act(obs, { explore: true }), policy: task };
  }

  /** The shared policy's mean; there is no mixture to evaluate. */
  evalAction(task: number, obs: Float32Array): Float32Array {
    this.checkTask(task);
    return this.learner.act(obs, { explore: false });
  }

  /** Task i's transition, with task i's reward, into the shared buffer. */
  observe(task: number, t: Transition<Float32Array, Float32Array>): void {
    this.checkTask(task);
    this.learner.observe(t);
  }

  /** One gradient step of the shared SAC (task i's turn; the minibatch mixes all tasks). */
  update(task: number): Record<string, number> {
    this.checkTask(task);
    return this.learner.update();
  }

  /** The shared buffer's size over N: the loop's per-task minimum then asks for N × it in all. */
  replaySize(task: number): number {
    this.checkTask(task);
    return Math.floor(this.learner.replay.size / this.numTasks);
  }

  /** One policy acts for every task: all of task i's steps sit on the diagonal. */
  selectionCounts(): number[][] {
    return Array.from({ length: this.numTasks }, (_, i) =>
      Array.from({ length: this.numTasks }, (_, j) => (i === j ? (this.steps[i] as number) : 0)),
    );
  }

  gradientUpdates(): number {
    return this.learner.counts.gradientUpdates;
  }

  save(): Snapshot {
    return {
      name: this.name,
      numTasks: this.numTasks,
      learner: this.learner.save(),
      steps: Float64Array.from(this.steps),
    };
  }

  load(state: Snapshot): void {
    const s = state as Record<string, Snapshot> | null;
    if (s === null || typeof s !== "object" || s.name !== this.name) {
      throw new QscapeError(`fully-shared.load: not a fully-shared snapshot (name ${String(s?.name)})`);
    }
    if (s.numTasks !== this.numTasks) {
      throw new QscapeError(`fully-shared.load: snapshot has ${String(s.numTasks)} tasks, this agent ${this.numTasks}`);
    }
    this.learner.load(s.learner as Snapshot);
    this.steps.set(s.steps as Float64Array);
  }

  dispose(): void {
    this.learner.dispose();
  }
}
