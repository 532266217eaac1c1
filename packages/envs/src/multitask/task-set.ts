/**
 * Multi-task env API for simultaneous multi-task RL (QMP paper §5.3): a task set is N tasks that
 * share one observation space and one action space. Each task is an ordinary Gymnasium-style env
 * with its own reward and dynamics-independent goal, reporting `info.success`. The learner cannot
 * relabel a transition with another task's reward, so the set exposes no reward function, only envs.
 *
 * - `taskIdInObservation` says whether the observation reveals the task. In the QMP settings
 *   (point reaching, Maze, Reacher) it does not: the goal is left out and each task's own policy
 *   "knows" its task.
 * - Per-task seeding: `reset(task, seed)` seeds task i with `taskSeed(seed, i)`, so one run seed
 *   gives N different but reproducible streams.
 * - A task may carry a `fixedPolicy`: a scripted state-independent Gaussian policy in the
 *   normalised action box (the didactic example's "fixed Gaussian policies", paper §5.5.2). A
 *   learner treats such a task as a source of behaviour to share, not a task to learn.
 */
import type { Env, Info, ResetArgs, StepResult } from "../env.js";
import { EnvError } from "../errors.js";
import type { Space } from "../spaces.js";
import { TimeLimit } from "../wrappers/time-limit.js";
import { ValidateStep } from "../wrappers/validate-step.js";

/** `makeTaskSet` with an id that no task set is registered under. */
export class UnknownTaskSetError extends EnvError {
  override name = "UnknownTaskSetError";
}

/** A task index or name that the task set does not have. */
export class UnknownTaskError extends EnvError {
  override name = "UnknownTaskError";
}

/** Tasks whose observation or action spaces differ (a task set must share both). */
export class TaskSpaceMismatchError extends EnvError {
  override name = "TaskSpaceMismatchError";
}

export type TaskEnv = Env<Float32Array, ArrayLike<number>>;

/** A scripted Gaussian policy N(mean, std²) in the action box, the same at every state. */
export interface FixedGaussianPolicy {
  mean: Float32Array;
  std: number;
}

export interface TaskDefinition {
  name: string;
  /** Builds the raw task env; the task set adds TimeLimit and ValidateStep around it. */
  make: () => TaskEnv;
  maxEpisodeSteps: number;
  fixedPolicy?: FixedGaussianPolicy;
}

export interface TaskInfo {
  readonly index: number;
  readonly name: string;
  readonly maxEpisodeSteps: number;
  readonly fixedPolicy: FixedGaussianPolicy | null;
}

/** Largest task count `taskSeed` keeps collision-free for distinct run seeds. */
export const MAX_TASKS = 1000;

/** The seed of task `task` under run seed `seed`: distinct per (seed, task) for task < MAX_TASKS. */
export function taskSeed(seed: number, task: number): number {
  return seed * MAX_TASKS + task;
}

export class TaskSet {
  readonly tasks: readonly TaskInfo[];
  readonly observationSpace: Space<Float32Array>;
  readonly actionSpace: Space<ArrayLike<number>>;
  private readonly envs: TaskEnv[];

  /** A caveat shown with the id (e.g. "approximate" for a substitute of the paper's environment). */
  readonly label: string | undefined;
  /**
   * The lowest one-step reward any task of the set can give, or null when not stated. Data-sharing
   * baselines (UDS, QMP paper §5.6.2) relabel another task's transitions with it, because a
   * transition cannot be relabelled with this task's own reward (§5.3).
   */
  readonly minReward: number | null;

  constructor(
    readonly id: string,
    definitions: readonly TaskDefinition[],
    readonly taskIdInObservation: boolean,
    options: { label?: string; minReward?: number } = {},
  ) {
    this.label = options.label;
    if (options.minReward !== undefined && !Number.isFinite(options.minReward)) {
      throw new EnvError(`task set ${id}: minReward must be a finite number, got ${options.minReward}`);
    }
    this.minReward = options.minReward ?? null;
    if (definitions.length === 0) throw new EnvError(`task set ${id}: needs at least one task`);
    if (definitions.length > MAX_TASKS) {
      throw new EnvError(`task set ${id}: ${definitions.length} tasks, at most ${MAX_TASKS} supported`);
    }
    this.envs = definitions.map(
      (d) => new ValidateStep(new TimeLimit(d.make(), d.maxEpisodeSteps)) as unknown as TaskEnv,
    );
    const first = this.envs[0] as TaskEnv;
    this.observationSpace = first.observationSpace;
    this.actionSpace = first.actionSpace;
    const obsJson = JSON.stringify(first.observationSpace.toJSON());
    const actJson = JSON.stringify(first.actionSpace.toJSON());
    definitions.forEach((d, i) => {
      const env = this.envs[i] as TaskEnv;
      if (JSON.stringify(env.observationSpace.toJSON()) !== obsJson) {
        throw new TaskSpaceMismatchError(
          `task set ${id}: task ${i} (${d.name}) has observation space ${env.observationSpace}, task 0 has ${first.observationSpace}`,
        );
      }
      if (JSON.stringify(env.actionSpace.toJSON()) !== actJson) {
        throw new TaskSpaceMismatchError(
          `task set ${id}: task ${i} (${d.name}) has action space ${env.actionSpace}, task 0 has ${first.actionSpace}`,
        );
      }
      if (d.fixedPolicy && d.fixedPolicy.mean.length !== (first.actionSpace as { shape: number[] }).shape[0]) {
        throw new TaskSpaceMismatchError(
          `task set ${id}: task ${i} (${d.name}) fixedPolicy.mean has ${d.fixedPolicy.mean.length} values`,
        );
      }
    });
    this.tasks = definitions.map((d, index) => ({
      index,
      name: d.name,
      maxEpisodeSteps: d.maxEpisodeSteps,
      fixedPolicy: d.fixedPolicy ?? null,
    }));
  }

  get numTasks(): number {
    return this.tasks.length;
  }

  /** The index of a task given by index or name; anything else throws UnknownTaskError. */
  taskIndex(task: number | string): number {
    if (typeof task === "string") {
      const found = this.tasks.find((t) => t.name === task);
      if (found) return found.index;
      const names = this.tasks.map((t) => t.name).join(", ");
      throw new UnknownTaskError(`task set ${this.id}: no task named "${task}" (tasks: ${names})`);
    }
    if (!Number.isInteger(task) || task < 0 || task >= this.numTasks) {
      throw new UnknownTaskError(`task set ${this.id}: task ${task} is not in [0, ${this.numTasks})`);
    }
    return task;
  }

  /** Task `task`'s env (time-limited, steps validated). */
  env(task: number | string): TaskEnv {
    return this.envs[this.taskIndex(task)] as TaskEnv;
  }

  /** Resets task `task`; a run seed is turned into the task's own seed with `taskSeed`. */
  reset(task: number | string, seed?: number, options?: ResetArgs["options"]): [Float32Array, Info] {
    const i = this.taskIndex(task);
    const env = this.envs[i] as TaskEnv;
    return env.reset({ seed: seed === undefined ? undefined : taskSeed(seed, i), options });
  }

  step(task: number | string, action: ArrayLike<number>): StepResult<Float32Array> {
    return this.env(task).step(action);
  }

  close(): void {
    for (const env of this.envs) env.close();
  }
}

export type TaskSetCreator = (kwargs: Record<string, unknown>) => TaskSet;

/**
 * How results on a task set are scored: the mean success over its tasks (QMP §8, every task set with a
 * success criterion), or the mean return over its tasks (Walker, which Table D.2 reports by return).
 */
export type TaskSetScore = "success" | "return";

const taskSets = new Map<string, { create: TaskSetCreator; score: TaskSetScore }>();

/** Registers a task-set id; re-registering replaces it, as `register` does for envs. */
export function registerTaskSet(id: string, create: TaskSetCreator, options: { score?: TaskSetScore } = {}): void {
  taskSets.set(id, { create, score: options.score ?? "success" });
}

function registered(id: string): { create: TaskSetCreator; score: TaskSetScore } {
  const entry = taskSets.get(id);
  if (!entry) {
    throw new UnknownTaskSetError(`No task set registered with id "${id}" (registered: ${taskSetIds().join(", ")})`);
  }
  return entry;
}

/** How results on task set `id` are scored (without building it: a MuJoCo set needs `loadMujoco` first). */
export function taskSetScore(id: string): TaskSetScore {
  return registered(id).score;
}

export function taskSetIds(): string[] {
  return [...taskSets.keys()];
}

/** A fresh task set (new env instances) for `id`; kwargs go to its creator. */
export function makeTaskSet(id: string, kwargs: Record<string, unknown> = {}): TaskSet {
  return registered(id).create(kwargs);
}
