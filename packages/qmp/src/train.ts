/**
 * The multi-task loop of Algorithm 4 and the evaluation protocol of §8.
 *
 * One epoch: every learning task i collects `envStepsPerUpdate` steps in its own env with its
 * behaviour policy (the Q-switch, or π_i for No-Sharing), storing them in 𝒟_i; then every task
 * whose buffer holds `minBufferSize` transitions takes `gradStepsPerUpdate` SAC steps (Table D.4's
 * per-task ratio). Episodes run on across epochs. The budget counts env steps over all learning
 * tasks. Tasks with fixed policies neither collect nor learn.
 *
 * Evaluation (every `evalEvery` epochs): `evalEpisodes` deterministic episodes per learning task
 * with π_i's mean action, success = the last step's `info.success`, on a separate task set so the
 * training episodes are not disturbed; optionally the deterministic mixture too.
 */
import { QscapeError } from "@qscape/core";
import type { TaskSet } from "@qscape/envs";
import type { QmpAgent } from "./agent.js";
import { resolveTrainConfig, type TrainConfigInput } from "./config.js";

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
export function learningTasks(agent: QmpAgent): number[] {
  return agent.learners.flatMap((l, i) => (l ? [i] : []));
}

/** Success rate and mean return per learning task, deterministic actions. */
export function evaluate(agent: QmpAgent, taskSet: TaskSet, { episodes, seed, mode = "own" }: EvaluateOptions) {
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

/** Trains `agent` on `taskSet`, evaluating on `evalSet` (another instance of the same task set). */
export function trainMultiTask(
  agent: QmpAgent,
  taskSet: TaskSet,
  evalSet: TaskSet,
  config: TrainConfigInput,
  { onEvaluation, evalMixture = true }: TrainOptions = {},
): TrainResult {
  const c = resolveTrainConfig(config);
  for (const set of [taskSet, evalSet]) {
    if (set.numTasks !== agent.numTasks) {
      throw new QscapeError(`qmp train: task set ${set.id} has ${set.numTasks} tasks, the agent ${agent.numTasks}`);
    }
  }
  const tasks = learningTasks(agent);
  const obs: Float32Array[] = [];
  for (const i of tasks) {
    obs[i] = taskSet.reset(i, c.seed)[0];
    agent.beginEpisode(i);
  }
  // Evaluation episodes start from the same seeded states every time, so curves compare like with like.
  const evalSeed = c.seed + 1;
  const evaluations: EvaluationRecord[] = [];
  const trainEpisodes = taskSet.tasks.map(() => 0);
  const trainSuccesses = taskSet.tasks.map(() => 0);
  let envSteps = 0;
  let epochs = 0;
  while (envSteps < c.totalEnvSteps) {
    for (const i of tasks) {
      for (let k = 0; k < c.envStepsPerUpdate && envSteps < c.totalEnvSteps; k++) {
        const current = obs[i] as Float32Array;
        const { action } = agent.behave(i, current);
        const [nextObs, reward, terminated, truncated, info] = taskSet.step(i, action);
        agent.observe(i, { obs: current, action, reward, nextObs, terminated, truncated });
        envSteps += 1;
        if (terminated || truncated) {
          trainEpisodes[i] = (trainEpisodes[i] as number) + 1;
          if (info.success === true) trainSuccesses[i] = (trainSuccesses[i] as number) + 1;
          obs[i] = taskSet.reset(i)[0];
          agent.beginEpisode(i);
        } else obs[i] = nextObs;
      }
    }
    for (const i of tasks) {
      if (agent.replaySize(i) < c.minBufferSize) continue;
      for (let g = 0; g < c.gradStepsPerUpdate; g++) agent.update(i);
    }
    epochs += 1;
    if (epochs % c.evalEvery === 0 || envSteps >= c.totalEnvSteps) {
      const own = evaluate(agent, evalSet, { episodes: c.evalEpisodes, seed: evalSeed });
      const record: EvaluationRecord = {
        epoch: epochs,
        envSteps,
        own,
        meanSuccess: own.reduce((a, t) => a + t.successRate, 0) / own.length,
        mixture: evalMixture
          ? evaluate(agent, evalSet, { episodes: c.evalEpisodes, seed: evalSeed, mode: "mixture" })
          : null,
      };
      evaluations.push(record);
      onEvaluation?.(record);
    }
  }
  return {
    envSteps,
    epochs,
    evaluations,
    selections: agent.selectionCounts(),
    trainEpisodes,
    trainSuccesses,
  };
}
