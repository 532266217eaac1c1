/**
 * Bench entries: how an algorithm package tells `pnpm bench` (or any harness) what it offers.
 * Each package exports its entries, made with `defineAlgorithm`; the harness collects the entries
 * of the packages it depends on and of the plug-in modules a suite names, and knows algorithms only
 * through them.
 */
import { z } from "zod";
import type { Agent, Snapshot } from "../agent.js";
import { QscapeError } from "../errors.js";
import { type EnvSpaces, isBox, isDiscrete } from "./spaces.js";

/** The settings a harness matches across algorithms, plus this algorithm's own overrides. */
export interface AlgorithmContext {
  seed: number;
  /** Hidden layer widths every network uses (matched capacity). */
  hidden: number[];
  /** Random-action warm-up steps the loop takes before the agent acts (off-policy). */
  warmupSteps: number;
  /** Hyperparameter overrides, validated by the entry's schema. */
  config: Record<string, unknown>;
}

/** How the training loop drives the agent, when it differs from the off-policy default. */
export interface LoopShape {
  /** On-policy learners: one update per rollout of this many steps, no random warm-up. */
  rolloutSteps?: number;
  /**
   * The learner's own wait before its first gradient step, in env steps (listwise CDQN's warm start,
   * App. B C.2): the loop calls no update before it, so update counts and timings are real ones.
   */
  learningStarts?: number;
}

/** An agent whatever its observation and action types: the loop passes the env's values through. */
export type AnyAgent = Agent<unknown, unknown>;

export interface AlgorithmEntry {
  /**
   * Set on multi-task algorithms (one learner per task of a task set, e.g. QMP): the harness runs
   * them on task sets through this, and `supports` / `create` refuse single envs.
   */
  readonly multiTask?: MultiTaskShape;
  /** The id suites and the CLI use, e.g. "td3". */
  readonly id: string;
  readonly description: string;
  /** Its hyperparameters with their defaults (zod); a suite's `config` is checked against it. */
  readonly schema: z.ZodType;
  /**
   * null when the env's spaces are supported, else why not. With `config` (a suite's overrides)
   * the answer is for that configuration: some settings need more of an env than others.
   */
  supports(spaces: EnvSpaces, config?: Record<string, unknown>): string | null;
  /** Throws, naming the field, when `config` is not valid for this algorithm. */
  checkConfig(config: Record<string, unknown>): void;
  /** Its agents honour `ActOptions.rng`, so a harness may evaluate them by sampling (`evalPolicy: "sampled"`). */
  readonly sampledEvaluation?: boolean;
  /**
   * The config `create` would build the agent from: the matched settings mapped to this
   * algorithm's names, overridden by `ctx.config`, parsed by the schema (defaults filled in). As
   * JSON, so a saved model can state exactly what made it. Throws like `checkConfig`.
   */
  resolveConfig(ctx: AlgorithmContext): Record<string, unknown>;
  create(spaces: EnvSpaces, ctx: AlgorithmContext): { agent: AnyAgent; loop: LoopShape };
  /** The loop shape `create` would return, without building the agent (a harness prices runs with it). */
  loop?(ctx: AlgorithmContext): LoopShape;
}

export interface AlgorithmDefinition<S extends z.ZodType> {
  id: string;
  description: string;
  /** The agent's config schema; overrides are parsed with it before `create` sees them. */
  schema: S;
  /**
   * null when the env's spaces are supported, else why not; `config` is the parsed config (the
   * defaults when the harness names no overrides, or when its overrides do not parse: those are
   * `checkConfig`'s to report).
   */
  supports(spaces: EnvSpaces, config: z.output<S>): string | null;
  /** True when its agents honour `ActOptions.rng` (`samplesWithGivenRng`): sampled evaluation. */
  sampledEvaluation?: boolean;
  /**
   * Builds the agent. `matched` holds the harness's settings mapped to this algorithm's config
   * names by `matched`, overridden by the suite's config, parsed by `schema`.
   */
  create(spaces: EnvSpaces, config: z.output<S>): AnyAgent;
  /** Maps the matched settings to config fields (e.g. hidden → actorHidden, criticHidden). */
  matched(ctx: Omit<AlgorithmContext, "config">): Record<string, unknown>;
  /** The loop shape for a parsed config (default: off-policy). */
  loop?(config: z.output<S>): LoopShape;
}

/** A typed bench entry: the suite's overrides are parsed by the algorithm's own schema. */
export function defineAlgorithm<S extends z.ZodType>(def: AlgorithmDefinition<S>): AlgorithmEntry {
  const parse = (ctx: AlgorithmContext): z.output<S> => {
    const result = def.schema.safeParse({ ...def.matched(ctx), ...ctx.config });
    if (!result.success) {
      const issues = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
      throw new QscapeError(`${def.id} config: ${issues}`);
    }
    return result.data;
  };
  return {
    id: def.id,
    description: def.description,
    schema: def.schema,
    ...(def.sampledEvaluation ? { sampledEvaluation: true } : {}),
    supports: (spaces, config = {}) => {
      let parsed: z.output<S>;
      try {
        parsed = parse({ seed: 0, hidden: [1], warmupSteps: 0, config });
      } catch {
        parsed = parse({ seed: 0, hidden: [1], warmupSteps: 0, config: {} });
      }
      return def.supports(spaces, parsed);
    },
    checkConfig: (config) => {
      parse({ seed: 0, hidden: [1], warmupSteps: 0, config });
    },
    resolveConfig: (ctx) => z.record(z.string(), z.unknown()).parse(JSON.parse(JSON.stringify(parse(ctx)))),
    create: (spaces, ctx) => {
      const config = parse(ctx);
      return { agent: def.create(spaces, config), loop: def.loop?.(config) ?? {} };
    },
    loop: (ctx) => def.loop?.(parse(ctx)) ?? {},
  };
}

/** One learning task's deterministic evaluation. */
export interface TaskScore {
  task: string;
  /** Fraction of the evaluation episodes that ended with `info.success`. */
  success: number;
  meanReturn: number;
}

/**
 * A multi-task training run that a harness drives between epochs: it evaluates, checkpoints
 * (`save` with the run's own loop state; `load` before the first epoch) and stops there.
 */
export interface MultiTaskRun {
  /** Names of the learning tasks, in the order of `evaluate`'s scores and the selection rows. */
  readonly tasks: readonly string[];
  /** Names of the policies behaviour can come from (the selection columns): every task's. */
  readonly policies: readonly string[];
  /** Env steps so far, summed over the learning tasks. */
  readonly envSteps: number;
  readonly done: boolean;
  /** One epoch of collection and updates. */
  runEpoch(): void;
  evaluate(): TaskScore[];
  /** counts[i][j]: task i's training steps acted by policy j so far, or null when behaviour is not shared. */
  selectionCounts(): number[][] | null;
  counters(): Record<string, number>;
  /**
   * Seconds this process has spent in each phase of `runEpoch`, as a single-env loop times them:
   * `act` (behaviour actions), `env` (env steps and resets), `update` (gradient updates), and
   * `afterEpoch` (per-epoch work besides them, e.g. DnC's distillations). Wall time only: never part
   * of a result or a snapshot. Optional: a run without it stores only whole-epoch times.
   */
  timings?(): Record<string, number>;
  save(): Snapshot;
  load(snapshot: Snapshot): void;
  dispose(): void;
}

/**
 * A multi-task algorithm's epoch (QMP Algorithm 4, Table D.4's per-task settings): every learning
 * task collects `envStepsPerTask` steps, then every task whose buffer holds `minBufferPerTask`
 * transitions takes `updatesPerTask` gradient updates. A harness plans and prices runs with it.
 */
export interface MultiTaskEpoch {
  /** Tasks that collect and learn (a task with a fixed policy does neither). */
  learningTasks: number;
  envStepsPerTask: number;
  updatesPerTask: number;
  minBufferPerTask: number;
}

/**
 * The gradient updates of a run of `totalEnvSteps` env steps (summed over tasks) under `epoch`:
 * the epochs replayed in arithmetic, the last one cut where the budget ends as the loop cuts it
 * (the tasks collect in order, each up to what is left).
 */
export function multiTaskGradientUpdates(epoch: MultiTaskEpoch, totalEnvSteps: number): number {
  const { learningTasks, envStepsPerTask, updatesPerTask, minBufferPerTask } = epoch;
  if (learningTasks < 1 || envStepsPerTask < 1) return 0;
  const buffers = new Array<number>(learningTasks).fill(0);
  let steps = 0;
  let updates = 0;
  while (steps < totalEnvSteps) {
    for (let i = 0; i < learningTasks; i++) {
      const k = Math.min(envStepsPerTask, totalEnvSteps - steps);
      buffers[i] = (buffers[i] as number) + k;
      steps += k;
    }
    updates += updatesPerTask * buffers.filter((b) => b >= minBufferPerTask).length;
  }
  return updates;
}

/** Env steps (over tasks) to the end of the first epoch with gradient updates: the tasks' buffers fill together. */
export function multiTaskStepsToFirstUpdate(epoch: MultiTaskEpoch): number {
  const epochs = Math.max(1, Math.ceil(epoch.minBufferPerTask / epoch.envStepsPerTask));
  return epochs * epoch.learningTasks * epoch.envStepsPerTask;
}

/** The harness's matched settings for one multi-task run. */
export interface MultiTaskContext {
  seed: number;
  hidden: number[];
  /** The budget: env steps summed over the tasks. */
  totalEnvSteps: number;
  /** Deterministic evaluation episodes per task. */
  evalEpisodes: number;
  config: Record<string, unknown>;
}

/** The settings that decide a multi-task run's config: the matched seed and widths, and the suite's config. */
type MatchedConfig = Pick<MultiTaskContext, "seed" | "hidden" | "config">;

export interface MultiTaskShape {
  /** null when the algorithm can run on this task set (a registered id), else why not. */
  supportsTaskSet(taskSetId: string): string | null;
  /** Builds the learner and its loop on fresh instances of the task set. */
  create(taskSetId: string, ctx: MultiTaskContext): MultiTaskRun;
  /** The run's epoch on this task set with these settings, without building a learner (for duration estimates). */
  epoch?(taskSetId: string, ctx: MatchedConfig): MultiTaskEpoch;
}

export interface MultiTaskAlgorithmDefinition<S extends z.ZodType> {
  id: string;
  description: string;
  schema: S;
  supportsTaskSet(taskSetId: string): string | null;
  /** Maps the matched settings (seed, hidden widths) to config fields; the suite's config goes on top. */
  matched(ctx: Pick<MultiTaskContext, "seed" | "hidden">): Record<string, unknown>;
  create(taskSetId: string, config: z.output<S>, ctx: MultiTaskContext): MultiTaskRun;
  /** The epoch a run with this config has on the task set (optional: without it a run cannot be priced). */
  epoch?(taskSetId: string, config: z.output<S>): MultiTaskEpoch;
}

/**
 * A typed bench entry for a multi-task algorithm: the suite's overrides are parsed by its schema,
 * and the harness runs it on task sets (`multiTask`); on a single env it says it needs a task set.
 */
export function defineMultiTaskAlgorithm<S extends z.ZodType>(def: MultiTaskAlgorithmDefinition<S>): AlgorithmEntry {
  const parse = (ctx: MatchedConfig): z.output<S> => {
    const result = def.schema.safeParse({ ...def.matched(ctx), ...ctx.config });
    if (!result.success) {
      const issues = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
      throw new QscapeError(`${def.id} config: ${issues}`);
    }
    return result.data;
  };
  const why = "is a multi-task algorithm: it runs on a task set (see `pnpm bench list`), not a single env";
  const epochOf = def.epoch;
  return {
    id: def.id,
    description: def.description,
    schema: def.schema,
    supports: () => why,
    checkConfig: (config) => {
      parse({ seed: 0, hidden: [1], config });
    },
    create: () => {
      throw new QscapeError(`${def.id} ${why}`);
    },
    resolveConfig: (ctx) =>
      z.record(z.string(), z.unknown()).parse(JSON.parse(JSON.stringify(parse({ ...ctx, config: ctx.config ?? {} })))),
    multiTask: {
      supportsTaskSet: def.supportsTaskSet,
      create: (taskSetId, ctx) => def.create(taskSetId, parse(ctx), ctx),
      ...(epochOf ? { epoch: (taskSetId: string, ctx: MatchedConfig) => epochOf(taskSetId, parse(ctx)) } : {}),
    },
  };
}

/** Entries by id; two entries with one id are an error naming both descriptions. */
export function collectAlgorithms(...groups: readonly (readonly AlgorithmEntry[])[]): Map<string, AlgorithmEntry> {
  const byId = new Map<string, AlgorithmEntry>();
  for (const entry of groups.flat()) {
    const other = byId.get(entry.id);
    if (other) {
      throw new QscapeError(
        `two algorithms are registered as "${entry.id}": "${other.description}" and "${entry.description}"`,
      );
    }
    byId.set(entry.id, entry);
  }
  return byId;
}

/** Box observations and Box actions. */
export function continuousControl(spaces: EnvSpaces): string | null {
  if (!isBox(spaces.observationSpace)) return "needs a Box observation space";
  return isBox(spaces.actionSpace) ? null : "needs a Box (continuous) action space";
}

/**
 * Box observations and a fixed Discrete action set. An action set that changes per episode (a
 * Discrete space with an availability `mask`, e.g. Dig Lava, CREATE) needs a learner that reads
 * the available actions, so it is refused here.
 */
export function discreteControl(spaces: EnvSpaces): string | null {
  if (!isBox(spaces.observationSpace)) return "needs a Box observation space";
  if (!isDiscrete(spaces.actionSpace)) return "needs a Discrete action space";
  return "mask" in (spaces.actionSpace as object)
    ? "needs a fixed action set, but the available actions change per episode (an action-set learner is needed)"
    : null;
}

/** Actor-critics name their widths actorHidden / criticHidden. */
export const actorCriticWidths = ({ seed, hidden }: Omit<AlgorithmContext, "config">) => ({
  seed,
  actorHidden: hidden,
  criticHidden: hidden,
});
