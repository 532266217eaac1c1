/**
 * Bench runs of the parameter- and behaviour-sharing baselines (§5.6.2): Parameter-Sharing, QMP +
 * Parameter-Sharing and Fully-Shared-Behaviors. They run in the same multi-task loop as QMP
 * (`MultiTaskTrainer`), with the same budget, evaluation (each task's own deterministic policy, §8)
 * and checkpoint format ({ agent, trainer }); only the agent differs. The entries are in `bench.ts`.
 */
import { isBox, type MultiTaskContext, type MultiTaskRun, QscapeError, type Snapshot } from "@qscape/core";
import { makeTaskSet, type TaskSet, taskSetIds } from "@qscape/envs";
import { z } from "zod";
import type { TrainConfigInput } from "./config.js";
import type { MultiTaskAgent } from "./multitask-agent.js";
import { learningTasks, MultiTaskTrainer } from "./train.js";

/** An agent the bench can count gradient steps of. */
export type SharedBenchAgent = MultiTaskAgent & { gradientUpdates(): number };

/** null when every task of the set can learn in a shared network, else why not. */
export function supportsSharedTaskSet(id: string): string | null {
  if (!taskSetIds().includes(id)) return `unknown task set "${id}" (known: ${taskSetIds().join(", ")})`;
  const set = makeTaskSet(id);
  try {
    if (!isBox(set.observationSpace) || !isBox(set.actionSpace)) return "needs Box observation and action spaces";
    const fixed = set.tasks.find((t) => t.fixedPolicy !== null);
    if (fixed) return `task ${fixed.name} has a fixed policy: a shared network needs every task to learn`;
    return null;
  } finally {
    set.close();
  }
}

const SavedRun = z.object({ agent: z.custom<Snapshot>(), trainer: z.custom<Snapshot>() }).strict();

/** The loop settings a bench entry passes on (Table D.4's per-task ratio and minimum buffer). */
export type LoopSettings = Pick<TrainConfigInput, "envStepsPerUpdate" | "gradStepsPerUpdate" | "minBufferSize"> & {
  seed: number;
};

/**
 * A bench run of `makeAgent`'s agent on fresh instances of the task set (every multi-task entry's,
 * QMP's included). `showSelections`: the run reports which policy acted for each task (the
 * Q-switch's choices), else null. `gradientUpdates`: the agent's gradient steps so far.
 */
export function createSharedRun<A extends MultiTaskAgent>(
  taskSetId: string,
  makeAgent: (spaces: TaskSet) => A,
  loop: LoopSettings,
  ctx: Pick<MultiTaskContext, "totalEnvSteps" | "evalEpisodes">,
  showSelections: boolean,
  gradientUpdates: (agent: A) => number,
): MultiTaskRun {
  const [spaces, taskSet, evalSet] = [makeTaskSet(taskSetId), makeTaskSet(taskSetId), makeTaskSet(taskSetId)];
  let agent: A;
  try {
    agent = makeAgent(spaces);
  } catch (e) {
    for (const set of [taskSet, evalSet]) set.close();
    throw e;
  } finally {
    spaces.close();
  }
  const trainer = new MultiTaskTrainer(
    agent,
    taskSet,
    evalSet,
    { ...loop, totalEnvSteps: ctx.totalEnvSteps, evalEpisodes: ctx.evalEpisodes },
    { evalMixture: false },
  );
  const learning = learningTasks(agent);
  const names = taskSet.tasks.map((t) => t.name);
  return {
    tasks: learning.map((i) => names[i] as string),
    policies: names,
    get envSteps() {
      return trainer.envSteps;
    },
    get done() {
      return trainer.done;
    },
    runEpoch: () => trainer.runEpoch(),
    evaluate: () =>
      trainer.evaluate().own.map((t) => ({ task: t.task, success: t.successRate, meanReturn: t.meanReturn })),
    selectionCounts: () => {
      if (!showSelections) return null;
      const counts = agent.selectionCounts();
      return learning.map((i) => counts[i] as number[]);
    },
    counters: () => ({ epochs: trainer.epochs, gradientUpdates: gradientUpdates(agent) }),
    timings: () => trainer.timings,
    save: () => ({ agent: agent.save(), trainer: trainer.save() }),
    load: (snapshot) => {
      const parsed = SavedRun.safeParse(snapshot);
      if (!parsed.success) throw new QscapeError("multi-task run load: not a run snapshot ({ agent, trainer })");
      agent.load(parsed.data.agent);
      trainer.load(parsed.data.trainer);
    },
    dispose: () => {
      agent.dispose();
      taskSet.close();
      evalSet.close();
    },
  };
}
