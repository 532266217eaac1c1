/**
 * The multi-task loop of Algorithm 4 and the evaluation protocol of §8.
 *
 * One epoch: every learning task i collects `envStepsPerUpdate` steps in its own env with its
 * behaviour policy (the Q-switch, or π_i for No-Sharing), storing them in 𝒟_i; then every task
 * whose buffer holds `minBufferSize` transitions takes `gradStepsPerUpdate` SAC steps (Table D.4's
 * per-task ratio). Episodes run on across epochs, each reset with a seed from the loop's own stream
 * (which makes the loop resumable between epochs: `MultiTaskTrainer`). The budget counts env steps over all learning
 * tasks. Tasks with fixed policies neither collect nor learn.
 *
 * Evaluation (every `evalEvery` epochs): `evalEpisodes` deterministic episodes per learning task
 * with π_i's mean action, success = the last step's `info.success`, on a separate task set so the
 * training episodes are not disturbed; optionally the deterministic mixture too.
 */
import { QscapeError, Rng, type Snapshot } from "@qscape/core";
import type { TaskSet } from "@qscape/envs";
import { z } from "zod";
import { resolveTrainConfig, type TrainConfigInput, type TrainSettings } from "./config.js";
import type { MultiTaskAgent } from "./multitask-agent.js";

export interface TaskEvaluation {
  task: string;
  successRate: number;
  meanReturn: number;
}

export interface EvaluationRecord {
  epoch: number;
  envSteps: number;
  /** π_i per learning task. */
  own: TaskEvaluation[];
  meanSuccess: number;
  /** The deterministic Q-switch mixture per learning task, when `evalMixture`. */
  mixture: TaskEvaluation[] | null;
}

export interface TrainResult {
  envSteps: number;
  epochs: number;
  evaluations: EvaluationRecord[];
  /** counts[i][j]: task-i training steps acted by π_j (the paper's selection-frequency analysis). */
  selections: number[][];
  /** Per task: training episodes finished, and how many of them ended with `info.success` (behaviour policy). */
  trainEpisodes: number[];
  trainSuccesses: number[];
}

export interface EvaluateOptions {
  episodes: number;
  /** Seeds the first episode of each task (through `taskSeed`); later episodes continue the stream. */
  seed: number;
  mode?: "own" | "mixture";
}

/** The learning tasks' indices (tasks with a learner). */
export function learningTasks(agent: Pick<MultiTaskAgent, "learners">): number[] {
  return agent.learners.flatMap((l, i) => (l ? [i] : []));
}

/** Success rate and mean return per learning task, deterministic actions. */
export function evaluate(agent: MultiTaskAgent, taskSet: TaskSet, { episodes, seed, mode = "own" }: EvaluateOptions) {
  return learningTasks(agent).map((i): TaskEvaluation => {
    let successes = 0;
    let total = 0;
    for (let e = 0; e < episodes; e++) {
      let [obs] = taskSet.reset(i, e === 0 ? seed : undefined);
      for (;;) {
        const [next, reward, terminated, truncated, info] = taskSet.step(i, agent.evalAction(i, obs, mode));
        total += reward;
        obs = next;
        if (terminated || truncated) {
          if (info.success === true) successes += 1;
          break;
        }
      }
    }
    return { task: taskSet.tasks[i]?.name as string, successRate: successes / episodes, meanReturn: total / episodes };
  });
}

export interface TrainOptions {
  /** Called after each evaluation (logging, early looks at learning curves). */
  onEvaluation?: (record: EvaluationRecord) => void;
  /** Also evaluate the deterministic mixture behaviour policy (default true). */
  evalMixture?: boolean;
}

/** A snapshot of the loop between epochs (`MultiTaskTrainer.save`), checked with zod on load. */
const TrainerSnapshotSchema = z
  .object({
    name: z.literal("qmp.trainer"),
    envSteps: z.number().int().nonnegative(),
    epochs: z.number().int().nonnegative(),
    rng: z.object({ s: z.tuple([z.number(), z.number(), z.number(), z.number()]), spare: z.number().nullable() }),
    trainEpisodes: z.array(z.number().int().nonnegative()),
    trainSuccesses: z.array(z.number().int().nonnegative()),
    /** Per learning task: the running episode's reset seed, its actions so far (flat), its last observation. */
    episodes: z.array(
      z.object({
        task: z.number().int().nonnegative(),
        seed: z.number().int().nonnegative(),
        actions: z.instanceof(Float32Array),
        obs: z.instanceof(Float32Array),
      }),
    ),
  })
  .strict();

interface RunningEpisode {
  seed: number;
  obs: Float32Array;
  actions: Float32Array[];
}

/**
 * Algorithm 4's loop, one epoch at a time, so a harness can evaluate, checkpoint and stop between
 * epochs. Every training episode starts from a reset seed drawn from the trainer's own stream, and
 * the running episode's actions are kept: `save` at an epoch boundary stores them, and `load`
 * re-seeds each task's env and replays them, so a resumed run continues exactly where it stopped
 * (the task envs are deterministic given their reset seed and actions) without env snapshots.
 */
export class MultiTaskTrainer {
  readonly config: TrainSettings;
  readonly tasks: readonly number[];
  private readonly rng: Rng;
  private readonly running: RunningEpisode[] = [];
  private readonly trainEpisodes: number[];
  private readonly trainSuccesses: number[];
  private envStepsDone = 0;
  private epochsDone = 0;
  /** Wall seconds per phase in this process (a harness prices runs with them); never saved or compared. */
  private readonly seconds = { act: 0, env: 0, update: 0, afterEpoch: 0 };
  readonly evaluations: EvaluationRecord[] = [];

  constructor(
    readonly agent: MultiTaskAgent,
    readonly taskSet: TaskSet,
    readonly evalSet: TaskSet,
    config: TrainConfigInput,
    private readonly options: TrainOptions = {},
  ) {
    this.config = resolveTrainConfig(config);
    for (const set of [taskSet, evalSet]) {
      if (set.numTasks !== agent.numTasks) {
        throw new QscapeError(`qmp train: task set ${set.id} has ${set.numTasks} tasks, the agent ${agent.numTasks}`);
      }
    }
    this.tasks = learningTasks(agent);
    this.rng = new Rng(this.config.seed);
    this.trainEpisodes = taskSet.tasks.map(() => 0);
    this.trainSuccesses = taskSet.tasks.map(() => 0);
    for (const i of this.tasks) this.startEpisode(i);
  }

  get envSteps(): number {
    return this.envStepsDone;
  }

  get epochs(): number {
    return this.epochsDone;
  }

  get done(): boolean {
    return this.envStepsDone >= this.config.totalEnvSteps;
  }

  /** Seconds spent so far choosing behaviour actions, stepping and resetting envs, updating, and in `afterEpoch`. */
  get timings(): Record<string, number> {
    return { ...this.seconds };
  }

  /** True after an epoch that the config's cadence (`evalEvery` epochs, and the last) evaluates. */
  get evaluationDue(): boolean {
    return this.epochsDone > 0 && (this.epochsDone % this.config.evalEvery === 0 || this.done);
  }

  private startEpisode(i: number): void {
    const seed = this.rng.seed();
    const t0 = performance.now();
    const [obs] = this.taskSet.reset(i, seed);
    this.seconds.env += (performance.now() - t0) / 1000;
    this.running[i] = { seed, obs, actions: [] };
    this.agent.beginEpisode(i);
  }

  /** One epoch: each learning task collects its share with its behaviour policy, then takes its SAC steps. */
  runEpoch(): void {
    const c = this.config;
    for (const i of this.tasks) {
      for (let k = 0; k < c.envStepsPerUpdate && this.envStepsDone < c.totalEnvSteps; k++) {
        const ep = this.running[i] as RunningEpisode;
        const current = ep.obs;
        const ta = performance.now();
        const { action } = this.agent.behave(i, current);
        const te = performance.now();
        const [nextObs, reward, terminated, truncated, info] = this.taskSet.step(i, action);
        this.seconds.act += (te - ta) / 1000;
        this.seconds.env += (performance.now() - te) / 1000;
        this.agent.observe(i, { obs: current, action, reward, nextObs, terminated, truncated });
        this.envStepsDone += 1;
        if (terminated || truncated) {
          this.trainEpisodes[i] = (this.trainEpisodes[i] as number) + 1;
          if (info.success === true) this.trainSuccesses[i] = (this.trainSuccesses[i] as number) + 1;
          this.startEpisode(i);
        } else {
          ep.obs = nextObs;
          ep.actions.push(Float32Array.from(action));
        }
      }
    }
    // Step-major: the ready tasks take turns, one gradient step each. Independent learners (QMP,
    // No-Sharing) get the same numbers in any order; a shared network (Parameter-Sharing,
    // Fully-Shared-Behaviors) sees the tasks interleaved instead of one task's steps in a block.
    const ready = this.tasks.filter((i) => this.agent.replaySize(i) >= c.minBufferSize);
    const tu = performance.now();
    for (let g = 0; g < c.gradStepsPerUpdate; g++) for (const i of ready) this.agent.update(i);
    const tx = performance.now();
    this.agent.afterEpoch?.(this.envStepsDone, c.totalEnvSteps);
    this.seconds.update += (tx - tu) / 1000;
    this.seconds.afterEpoch += (performance.now() - tx) / 1000;
    this.epochsDone += 1;
  }

  /** π_i's deterministic evaluation on every learning task (and the mixture's, unless turned off). */
  evaluate(): EvaluationRecord {
    const c = this.config;
    // Evaluation episodes start from the same seeded states every time, so curves compare like with like.
    const opts = { episodes: c.evalEpisodes, seed: c.seed + 1 };
    const own = evaluate(this.agent, this.evalSet, opts);
    const record: EvaluationRecord = {
      epoch: this.epochsDone,
      envSteps: this.envStepsDone,
      own,
      meanSuccess: own.reduce((a, t) => a + t.successRate, 0) / own.length,
      mixture:
        (this.options.evalMixture ?? true) ? evaluate(this.agent, this.evalSet, { ...opts, mode: "mixture" }) : null,
    };
    this.evaluations.push(record);
    this.options.onEvaluation?.(record);
    return record;
  }

  result(): TrainResult {
    return {
      envSteps: this.envStepsDone,
      epochs: this.epochsDone,
      evaluations: [...this.evaluations],
      selections: this.agent.selectionCounts(),
      trainEpisodes: [...this.trainEpisodes],
      trainSuccesses: [...this.trainSuccesses],
    };
  }

  /** The loop's state between epochs (the agent saves its own: `MultiTaskAgent.save`). */
  save(): Snapshot {
    const { s, spare } = this.rng.getState();
    return {
      name: "qmp.trainer",
      envSteps: this.envStepsDone,
      epochs: this.epochsDone,
      rng: { s: [...s], spare },
      trainEpisodes: [...this.trainEpisodes],
      trainSuccesses: [...this.trainSuccesses],
      episodes: this.tasks.map((i) => {
        const ep = this.running[i] as RunningEpisode;
        const actions = new Float32Array(ep.actions.length * this.agent.actionDim);
        ep.actions.forEach((a, k) => {
          actions.set(a, k * this.agent.actionDim);
        });
        return { task: i, seed: ep.seed, actions, obs: Float32Array.from(ep.obs) };
      }),
    };
  }

  /**
   * Restores `save`'s state: the counters, the seed stream, and each task's running episode, by
   * resetting its env with the episode's seed and replaying its actions. An env that does not end
   * where the saved observation says is an error (a non-deterministic task env cannot be resumed).
   * Load the agent's snapshot too (`MultiTaskAgent.load`: e.g. QMP's holds, counts, learners). Evaluation records
   * made before the save are not part of it: a harness stores those itself.
   */
  load(snapshot: Snapshot): void {
    const parsed = TrainerSnapshotSchema.safeParse(snapshot);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
      throw new QscapeError(`qmp trainer load: not a trainer snapshot (${issues})`);
    }
    const s = parsed.data;
    const tasks = s.episodes.map((e) => e.task);
    if (tasks.join() !== this.tasks.join()) {
      throw new QscapeError(`qmp trainer load: snapshot has learning tasks [${tasks}], this trainer [${this.tasks}]`);
    }
    this.envStepsDone = s.envSteps;
    this.epochsDone = s.epochs;
    this.rng.setState(s.rng);
    this.trainEpisodes.splice(0, this.trainEpisodes.length, ...s.trainEpisodes);
    this.trainSuccesses.splice(0, this.trainSuccesses.length, ...s.trainSuccesses);
    const dim = this.agent.actionDim;
    for (const e of s.episodes) {
      let [obs] = this.taskSet.reset(e.task, e.seed);
      const actions: Float32Array[] = [];
      for (let k = 0; k < e.actions.length / dim; k++) {
        const a = e.actions.slice(k * dim, (k + 1) * dim);
        [obs] = this.taskSet.step(e.task, a);
        actions.push(a);
      }
      if (obs.length !== e.obs.length || obs.some((v, k) => v !== e.obs[k])) {
        throw new QscapeError(
          `qmp trainer load: task ${e.task}'s env does not replay to the saved state (it must be deterministic given its reset seed and actions)`,
        );
      }
      this.running[e.task] = { seed: e.seed, obs, actions };
    }
  }
}

/** Trains `agent` on `taskSet`, evaluating on `evalSet` (another instance of the same task set). */
export function trainMultiTask(
  agent: MultiTaskAgent,
  taskSet: TaskSet,
  evalSet: TaskSet,
  config: TrainConfigInput,
  options: TrainOptions = {},
): TrainResult {
  const trainer = new MultiTaskTrainer(agent, taskSet, evalSet, config, options);
  while (!trainer.done) {
    trainer.runEpoch();
    if (trainer.evaluationDue) trainer.evaluate();
  }
  return trainer.result();
}
