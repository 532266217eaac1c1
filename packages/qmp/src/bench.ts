/**
 * QMP's bench entries (`pnpm bench` collects them). They are multi-task: a run is (algorithm,
 * task set id, seed), the budget is env steps summed over the tasks, and the score is the mean
 * success over tasks of the deterministic π_i (§8; the paper evaluates π_i, not the
 * mixture). The QMP entries share one code path and differ only in how behaviour is chosen:
 *
 * - `qmp`: the Q-switch at every step (Def. 5.4.2).
 * - `qmp-h`: the Q-switch re-selecting every H steps (§5.7.3); H defaults to Table D.2's, 25 on
 *   Maze and 10 on the other task sets.
 * - `no-sharing`: each task collects with its own policy (Separated SAC, Table D.2's "No-QMP").
 * - `qmp-uniform`: a uniformly random task policy at each re-selection (§5.7.4).
 * - `qmp-softmax`: the probabilistic mixture, j ~ softmax(Q_i(s, μ_j) / T) (App. G.1).
 * - `qmp-sampled`: the Q-switch scoring by the sampled expectation of min-Q, M actions per policy (App. G.2).
 * - `qmp-domain`: QMP-Domain-Knowledge, j ~ the fixed hand-crafted p_{j→i} (App. D D.1); only on
 *   task sets that have one (MultistageReacherMT5-v0).
 * - `param-sharing`, `qmp-param-sharing`, `fully-shared`: the sharing baselines of §5.6.2 and QMP
 *   composed with parameter sharing, on their own agents in the same loop (`shared-bench.ts`).
 *
 * The baselines `dnc-reg-only`, `dnc` and `uds` (§5.6.2) collect like `no-sharing` and change how
 * the tasks learn (`DncAgent`, `UdsAgent`, built through `createQmpRun`'s agent factory).
 *
 * Loop settings default to Table D.4's Maze column (600 env and 100 gradient steps per task per
 * epoch, minimum buffer 3000); a scaled-down suite overrides them.
 */
import {
  defineMultiTaskAlgorithm,
  isBox,
  type MultiTaskContext,
  type MultiTaskEpoch,
  type MultiTaskRun,
} from "@qscape/core";
import { makeTaskSet, type TaskSet, taskSetIds } from "@qscape/envs";
import { z } from "zod";
import { QmpAgent } from "./agent.js";
import { type QmpConfigInput, TABLE_D4 } from "./config.js";
import { DncAgent } from "./dnc.js";
import { FullySharedAgent } from "./fully-shared.js";
import { domainMixtureIds } from "./mixtures.js";
import type { MultiTaskAgent } from "./multitask-agent.js";
import { ParamSharingAgent } from "./param-sharing.js";
import { createSharedRun, supportsSharedTaskSet } from "./shared-bench.js";
import { learningTasks } from "./train.js";
import { UdsAgent } from "./uds.js";

const common = {
  seed: z.number().int().nonnegative().default(0),
  /** The harness's matched widths, used by every π_i and Q_i unless `sac` sets its own. */
  hidden: z.array(z.number().int().positive()).min(1).default([256, 256]),
  ownPolicyProb: z.number().min(0).max(1).default(0),
  /** SAC settings over QMP's defaults (App. D H), checked by SAC's schema when the agent is built. */
  sac: z.record(z.string(), z.unknown()).default({}),
  /** Table D.4: env steps per task per epoch. */
  envStepsPerUpdate: z.number().int().positive().default(TABLE_D4.maze.train.envStepsPerUpdate),
  /** Table D.4: gradient steps per task per epoch. */
  gradStepsPerUpdate: z.number().int().nonnegative().default(TABLE_D4.maze.train.gradStepsPerUpdate),
  /** Table D.4: no updates for a task before its buffer holds this many transitions. */
  minBufferSize: z.number().int().nonnegative().default(TABLE_D4.maze.train.minBufferSize),
};
const holdSteps = z.number().int().min(1, "holdSteps (H) must be an integer ≥ 1");

export const QmpBenchConfig = z.object({ ...common, holdSteps: holdSteps.default(1) }).strict();
export const QmpHBenchConfig = z.object({ ...common, holdSteps: holdSteps.optional() }).strict();
export const FixedBehaviourBenchConfig = z.object(common).strict();
/** App. G.2: the Q-switch scoring each policy by its min-Q averaged over M sampled actions (M = 10 there). */
export const QmpSampledBenchConfig = z
  .object({
    ...common,
    holdSteps: holdSteps.default(1),
    expectationSamples: z.number().int().positive("expectationSamples must be an integer ≥ 1").default(10),
  })
  .strict();
export const SoftmaxBenchConfig = z
  .object({ ...common, temperature: z.number().positive("temperature (T) must be > 0").default(1) })
  .strict();

const { ownPolicyProb: _ownPolicyProb, ...sharedNetwork } = common;
/** Parameter-Sharing and Fully-Shared-Behaviors: the same loop and SAC settings, no Q-switch options. */
export const SharedNetworkBenchConfig = z.object(sharedNetwork).strict();
export const QmpParamSharingBenchConfig = z
  .object({
    ...sharedNetwork,
    /** App. D H.5's mixture warm-up in epochs (task i's own head first); default 100 on Maze, 0 elsewhere. */
    mixtureWarmupEpochs: z.number().int().nonnegative().optional(),
    /** H of the hold over the heads (§5.7.3); 1, the paper's QMP + Parameter-Sharing, by default. */
    holdSteps: holdSteps.default(1),
  })
  .strict();

/** App. D H.5's tuned warm-up of QMP + Parameter-Sharing: 100 for Maze, 0 for Multistage Reacher (and the rest). */
export function tableH5Warmup(taskSetId: string): number {
  return taskSetId.startsWith("Maze") ? 100 : 0;
}

type SharedNetworkSettings = z.output<typeof SharedNetworkBenchConfig>;
const loopOf = (c: SharedNetworkSettings) => ({
  seed: c.seed,
  envStepsPerUpdate: c.envStepsPerUpdate,
  gradStepsPerUpdate: c.gradStepsPerUpdate,
  minBufferSize: c.minBufferSize,
});
const sacOf = (c: SharedNetworkSettings) => ({ actorHidden: c.hidden, criticHidden: c.hidden, ...c.sac });

/** The baselines that collect like No-Sharing take no QMP behaviour settings. */
const klCoef = z.number().nonnegative();
export const DncRegOnlyBenchConfig = z.object({ ...sharedNetwork, klCoef: klCoef.optional() }).strict();
export const DncBenchConfig = z
  .object({
    ...sharedNetwork,
    klCoef: klCoef.default(0.001),
    /** App. D H: 10 distillations over the run, 500 epochs each. */
    distillations: z.number().int().positive().default(10),
    distillEpochs: z.number().int().positive().default(500),
  })
  .strict();
const sharingQuantile = z.number().min(0).max(100).default(50);
export const UdsBenchConfig = z.object({ ...sharedNetwork, sharingQuantile }).strict();
export const QmpUdsBenchConfig = z.object({ ...common, holdSteps: holdSteps.default(1), sharingQuantile }).strict();

/** App. D H's β for DnC (Regularization Only): 0.0001 on Maze, 0.001 elsewhere (Reacher, Meta-World). */
export function regOnlyKlCoef(taskSetId: string): number {
  return taskSetId.startsWith("Maze") ? 1e-4 : 1e-3;
}

type Sharing = "qSwitch" | "none" | "uniform" | "softmax" | "domain";
type BenchSettings = z.output<typeof FixedBehaviourBenchConfig> & {
  holdSteps?: number | undefined;
  temperature?: number | undefined;
  expectationSamples?: number | undefined;
};

/** Table D.2's H column: 25 for Maze, 10 for every other environment. */
export function tableD2Hold(taskSetId: string): number {
  return taskSetId.startsWith("Maze") ? 25 : 10;
}

function supportsTaskSet(id: string): string | null {
  if (!taskSetIds().includes(id)) return `unknown task set "${id}" (known: ${taskSetIds().join(", ")})`;
  const set = makeTaskSet(id);
  try {
    if (!isBox(set.observationSpace) || !isBox(set.actionSpace)) return "needs Box observation and action spaces";
    return null;
  } finally {
    set.close();
  }
}

/** An agent a bench run can drive, checkpoint and free. */
export type BenchAgent = MultiTaskAgent & Pick<QmpAgent, "learner" | "save" | "load" | "dispose">;
/** Builds a run's agent from the task set and the QMP settings the run derived (default: a QmpAgent). */
export type BenchAgentFactory = (taskSet: TaskSet, qmp: QmpConfigInput) => BenchAgent;

/** A bench run of QMP (or a sibling) on fresh instances of the task set. */
export function createQmpRun(
  taskSetId: string,
  sharing: Sharing,
  config: BenchSettings,
  ctx: Pick<MultiTaskContext, "totalEnvSteps" | "evalEpisodes">,
  makeAgent: BenchAgentFactory = (spaces, qmp) => new QmpAgent(spaces, qmp),
): MultiTaskRun {
  const agentOf = (spaces: TaskSet) =>
    makeAgent(spaces, {
      seed: config.seed,
      sharing,
      holdSteps: config.holdSteps ?? tableD2Hold(taskSetId),
      ownPolicyProb: config.ownPolicyProb,
      ...(config.temperature !== undefined ? { temperature: config.temperature } : {}),
      ...(config.expectationSamples !== undefined ? { expectationSamples: config.expectationSamples } : {}),
      sac: { actorHidden: config.hidden, criticHidden: config.hidden, ...config.sac },
    });
  const loop = {
    seed: config.seed,
    envStepsPerUpdate: config.envStepsPerUpdate,
    gradStepsPerUpdate: config.gradStepsPerUpdate,
    minBufferSize: config.minBufferSize,
  };
  // No-Sharing's counts are its own policy only: nothing to show.
  return createSharedRun(taskSetId, agentOf, loop, ctx, sharing !== "none", (agent) =>
    learningTasks(agent).reduce((n, i) => n + (agent.learner(i).counters?.().gradientUpdates ?? 0), 0),
  );
}

/** UDS needs the task set's minimum reward to relabel shared rows with. */
const supportsUds = (id: string) => supportsTaskSet(id) ?? statesMinReward(id);

/**
 * UDS's agent for a run's QMP settings: No-Sharing's collection (`uds`), or the Q-switch's with its
 * hold and own-policy probability (`qmp-uds`, QMP + Data-Sharing).
 */
const udsAgent =
  (sharingQuantile: number): BenchAgentFactory =>
  (spaces, qmp) =>
    new UdsAgent(spaces, {
      seed: qmp.seed,
      sac: qmp.sac,
      sharingQuantile,
      ...(qmp.sharing === "qSwitch"
        ? { sharing: "qSwitch", holdSteps: qmp.holdSteps, ownPolicyProb: qmp.ownPolicyProb }
        : {}),
    });

const matched = ({ seed, hidden }: Pick<MultiTaskContext, "seed" | "hidden">) => ({ seed, hidden });

/**
 * A run's epoch on the task set (Table D.4's per-task settings, Algorithm 4): every task without a
 * fixed policy collects and learns. Every entry's loop is `MultiTaskTrainer`'s, so one function
 * prices them all; DnC's distillations come on top (`afterEpoch`, not gradient updates).
 */
export function epochOf(
  taskSetId: string,
  loop: Pick<SharedNetworkSettings, "envStepsPerUpdate" | "gradStepsPerUpdate" | "minBufferSize">,
): MultiTaskEpoch {
  const set = makeTaskSet(taskSetId);
  const learningTasks = set.tasks.filter((t) => t.fixedPolicy === null).length;
  set.close();
  return {
    learningTasks,
    envStepsPerTask: loop.envStepsPerUpdate,
    updatesPerTask: loop.gradStepsPerUpdate,
    minBufferPerTask: loop.minBufferSize,
  };
}

export const qmpAlgorithms = [
  defineMultiTaskAlgorithm({
    id: "qmp",
    description:
      "QMP: N SAC learners, behaviour by the Q-switch (argmax of task i's own min-Q over all policies' means)",
    schema: QmpBenchConfig,
    supportsTaskSet,
    matched,
    epoch: epochOf,
    create: (id, config, ctx) => createQmpRun(id, "qSwitch", config, ctx),
  }),
  defineMultiTaskAlgorithm({
    id: "qmp-h",
    description: "QMP with the H-step hold (§5.7.3); H defaults to Table D.2's: 25 on Maze, 10 elsewhere",
    schema: QmpHBenchConfig,
    supportsTaskSet,
    matched,
    epoch: epochOf,
    create: (id, config, ctx) => createQmpRun(id, "qSwitch", config, ctx),
  }),
  defineMultiTaskAlgorithm({
    id: "no-sharing",
    description: "No-Sharing: N independent SAC learners, each task collects with its own policy (multi-task)",
    schema: FixedBehaviourBenchConfig,
    supportsTaskSet,
    matched,
    epoch: epochOf,
    create: (id, config, ctx) => createQmpRun(id, "none", config, ctx),
  }),
  defineMultiTaskAlgorithm({
    id: "qmp-uniform",
    description: "QMP-Uniform (§5.7.4): a uniformly random task policy at each step, no critic consulted (multi-task)",
    schema: FixedBehaviourBenchConfig,
    supportsTaskSet,
    matched,
    epoch: epochOf,
    create: (id, config, ctx) => createQmpRun(id, "uniform", config, ctx),
  }),
  defineMultiTaskAlgorithm({
    id: "qmp-sampled",
    description:
      "QMP scoring each policy by task i's min-Q averaged over M sampled actions instead of at its mean (App. G.2; M = 10)",
    schema: QmpSampledBenchConfig,
    supportsTaskSet,
    matched,
    epoch: epochOf,
    create: (id, config, ctx) => createQmpRun(id, "qSwitch", config, ctx),
  }),
  defineMultiTaskAlgorithm({
    id: "qmp-softmax",
    description: "QMP's probabilistic mixture (App. G.1): policy j drawn by softmax of task i's min-Q / T (multi-task)",
    schema: SoftmaxBenchConfig,
    supportsTaskSet,
    matched,
    epoch: epochOf,
    create: (id, config, ctx) => createQmpRun(id, "softmax", config, ctx),
  }),
  defineMultiTaskAlgorithm({
    id: "qmp-domain",
    description: "QMP-Domain-Knowledge (App. D D.1): a fixed hand-crafted mixture from shared sub-goals (multi-task)",
    schema: FixedBehaviourBenchConfig,
    supportsTaskSet: (id) => {
      if (!domainMixtureIds().includes(id)) {
        return `no domain-knowledge mixture for "${id}" (QMP-Domain is defined for ${domainMixtureIds().join(", ")})`;
      }
      return supportsTaskSet(id);
    },
    matched,
    epoch: epochOf,
    create: (id, config, ctx) => createQmpRun(id, "domain", config, ctx),
  }),
  defineMultiTaskAlgorithm({
    id: "param-sharing",
    description:
      "Parameter-Sharing (multi-head SAC): shared trunks, task i acts and learns through head i (multi-task)",
    schema: SharedNetworkBenchConfig,
    supportsTaskSet: supportsSharedTaskSet,
    matched,
    epoch: epochOf,
    create: (id, config, ctx) =>
      createSharedRun(
        id,
        (spaces) => new ParamSharingAgent(spaces, { seed: config.seed, sac: sacOf(config) }),
        loopOf(config),
        ctx,
        false,
        (a) => a.gradientUpdates(),
      ),
  }),
  defineMultiTaskAlgorithm({
    id: "qmp-param-sharing",
    description:
      "QMP + Parameter-Sharing: the Q-switch over the N heads' mean actions, scored by task i's Q head in one pass",
    schema: QmpParamSharingBenchConfig,
    supportsTaskSet: supportsSharedTaskSet,
    matched,
    epoch: epochOf,
    create: (id, config, ctx) => {
      const warmupEpochs = config.mixtureWarmupEpochs ?? tableH5Warmup(id);
      const agent = (spaces: TaskSet) =>
        new ParamSharingAgent(spaces, {
          seed: config.seed,
          sharing: "qSwitch",
          mixtureWarmupSteps: warmupEpochs * config.envStepsPerUpdate,
          holdSteps: config.holdSteps,
          sac: sacOf(config),
        });
      return createSharedRun(id, agent, loopOf(config), ctx, true, (a) => a.gradientUpdates());
    },
  }),
  defineMultiTaskAlgorithm({
    id: "fully-shared",
    description:
      "Fully-Shared-Behaviors: one SAC policy and buffer for all tasks, N× env and gradient steps (multi-task)",
    schema: SharedNetworkBenchConfig,
    supportsTaskSet: supportsSharedTaskSet,
    matched,
    epoch: epochOf,
    create: (id, config, ctx) =>
      createSharedRun(
        id,
        (spaces) => new FullySharedAgent(spaces, { seed: config.seed, sac: sacOf(config) }),
        loopOf(config),
        ctx,
        false,
        (a) => a.gradientUpdates(),
      ),
  }),
  ...dataSharingAlgorithms(),
];

/** UDS relabels shared transitions with the task set's minimum reward: a set must state one. */
function statesMinReward(id: string): string | null {
  const set = makeTaskSet(id);
  set.close();
  return set.minReward === null ? "the task set states no minReward (UDS relabels shared data with it)" : null;
}

/** DnC, DnC (Regularization Only) and online UDS (§5.6.2): No-Sharing's collection, other learning. */
function dataSharingAlgorithms() {
  return [
    defineMultiTaskAlgorithm({
      id: "dnc-reg-only",
      description:
        "DnC (Regularization Only): N SAC learners, actor loss + Σ_j β·KL(π_j‖π_i); β 1e-4 on Maze, 1e-3 elsewhere (multi-task)",
      schema: DncRegOnlyBenchConfig,
      supportsTaskSet,
      matched,
      epoch: epochOf,
      create: (id, config, ctx) =>
        createQmpRun(
          id,
          "none",
          { ...config, ownPolicyProb: 0 },
          ctx,
          (spaces, qmp) =>
            new DncAgent(spaces, {
              seed: qmp.seed,
              sac: qmp.sac,
              klCoef: config.klCoef ?? regOnlyKlCoef(id),
              distillations: 0,
            }),
        ),
    }),
    defineMultiTaskAlgorithm({
      id: "dnc",
      description:
        "DnC: the pairwise KL regulariser plus 10 distillations into a central policy that resets every π_i (multi-task)",
      schema: DncBenchConfig,
      supportsTaskSet,
      matched,
      epoch: epochOf,
      create: (id, config, ctx) =>
        createQmpRun(
          id,
          "none",
          { ...config, ownPolicyProb: 0 },
          ctx,
          (spaces, qmp) =>
            new DncAgent(spaces, {
              seed: qmp.seed,
              sac: qmp.sac,
              klCoef: config.klCoef,
              distillations: config.distillations,
              distillEpochs: config.distillEpochs,
            }),
        ),
    }),
    defineMultiTaskAlgorithm({
      id: "uds",
      description:
        "Online UDS: other tasks' transitions with Q_i ≥ the k-th percentile of Q_i on β_i join task i's batch, reward = the set's minimum (multi-task)",
      schema: UdsBenchConfig,
      supportsTaskSet: supportsUds,
      matched,
      epoch: epochOf,
      create: (id, config, ctx) =>
        createQmpRun(id, "none", { ...config, ownPolicyProb: 0 }, ctx, udsAgent(config.sharingQuantile)),
    }),
    defineMultiTaskAlgorithm({
      id: "qmp-uds",
      description:
        "QMP + Data-Sharing (§5.6.2): the Q-switch collects, each SAC batch takes UDS's filtered, min-reward-relabelled rows of the other tasks (multi-task)",
      schema: QmpUdsBenchConfig,
      supportsTaskSet: supportsUds,
      matched,
      epoch: epochOf,
      create: (id, config, ctx) => createQmpRun(id, "qSwitch", config, ctx, udsAgent(config.sharingQuantile)),
    }),
  ];
}
