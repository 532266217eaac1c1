/**
 * Suite definitions: algorithms × environments × seeds under one matched protocol. Suites live in
 * `benchmarks/*.ts` as plain data; everything is validated here, before anything runs, with errors
 * that name the field.
 */
import { findPreset } from "@qscape/cli";
import { taskSetIds, taskSetScore } from "@qscape/envs";
import { z } from "zod";
import { SlurmSchema } from "./slurm/config.js";

export const AlgorithmEntrySchema = z
  .object({
    /** Name shown in the report; defaults to `algo`. */
    label: z.string().min(1).optional(),
    /** Algorithm id from `pnpm bench list`. */
    algo: z.string().min(1),
    /** Hyperparameter overrides on top of the algorithm's paper defaults. */
    config: z.record(z.string(), z.unknown()).default({}),
    /**
     * Start each env's runs from the `config` of that env's preset in `qscape`'s hyperparams/<algo>.yml
     * (the suite's `config` overrides it field by field). Budgets stay the suite's: they are matched.
     */
    presets: z.boolean().default(false),
  })
  .strict();

export const EnvEntrySchema = z
  .object({
    id: z.string().min(1),
    kwargs: z.record(z.string(), z.unknown()).default({}),
    /**
     * Act in the env's action-representation space: continuous proto-actions snapped to the
     * nearest item (MineWorld, RecSim), so continuous-control learners run on discrete tasks.
     */
    actionRepresentation: z.boolean().default(false),
    /**
     * Levels for min–max normalisation, (score − random) / (reference − random). Either may be
     * given alone: the report takes the other from the runs (0: the untrained mean at step 0; 1: the
     * best algorithm's final mean). Action splits are normalised with the same levels.
     */
    randomScore: z.number().optional(),
    referenceScore: z.number().optional(),
    /**
     * This env's own env-step budget and evaluation schedule, where one suite mixes a one-step
     * bandit with a locomotion task. Everything else (seeds, widths, updates per step, caps) stays
     * the suite's, and every algorithm still gets the same budget on each env.
     */
    envSteps: z.number().int().positive().optional(),
    warmupSteps: z.number().int().nonnegative().optional(),
    evaluation: z
      .object({ every: z.number().int().positive(), episodes: z.number().int().positive() })
      .strict()
      .optional(),
    /**
     * Config overrides on this env only, by algorithm label: e.g. an update schedule the paper
     * uses on its illustrative bandit but not on its benchmark tasks.
     */
    algorithmConfig: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
    /**
     * Action splits to evaluate on as well, at every evaluation point, with the same episodes' seeds:
     * a copy of the env built with `split` set (envs with a varying action set: SkillGridWorld,
     * CREATE, RecoGym, RecSim). New-actions §A8 and AGILE §B6 report train-action and unseen
     * test-action performance side by side; the run's score stays the training env's.
     */
    evalSplits: z
      .array(z.enum(["validation", "test"]))
      .default([])
      .refine((s) => new Set(s).size === s.length, "splits must be distinct"),
  })
  .strict()
  .refine((e) => e.randomScore === undefined || e.referenceScore === undefined || e.referenceScore > e.randomScore, {
    path: ["referenceScore"],
    message: "must be above randomScore (scores are higher-is-better)",
  });

export const SuiteSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "use lower-case letters, digits and dashes"),
    description: z.string(),
    /**
     * The author's guess of the wall time on 2 cores, shown only while none of the suite's
     * (algorithm, env) pairs has a measured speed in benchmarks/speeds.json.
     */
    estimatedMinutes: z.number().positive().optional(),
    algorithms: z.array(AlgorithmEntrySchema).min(1),
    envs: z.array(EnvEntrySchema).min(1),
    seeds: z.array(z.number().int().nonnegative()).min(1),
    budget: z
      .object({
        envSteps: z.number().int().positive(),
        warmupSteps: z.number().int().nonnegative().default(1000),
        /** Gradient updates per env step (the same for every algorithm in the suite). */
        updatesPerStep: z.number().int().positive().default(1),
        /** Compute-matched mode: caps that end a run early, recorded in the report. */
        maxUpdates: z.number().int().positive().optional(),
        maxQEvaluations: z.number().int().positive().optional(),
        maxWallSeconds: z.number().positive().optional(),
      })
      .strict(),
    evaluation: z
      .object({
        every: z.number().int().positive(),
        episodes: z.number().int().positive(),
        /**
         * "greedy" (the default): deterministic episodes. "sampled": actions drawn from the policy
         * (Ch. 2 Eq. 2.1's a ∼ π), each episode from a generator of its own, so training is unchanged
         * (`evalPolicy` in @qscape/core). For policies whose argmax is degenerate early in training
         * (CREATE: the same tool at the same point every step, each placement after the first an
         * overlap). Only algorithms whose entries declare `sampledEvaluation`.
         */
        policy: z.enum(["greedy", "sampled"]).optional(),
      })
      .strict(),
    /** Network width/depth every algorithm uses (matched capacity). */
    hidden: z.array(z.number().int().positive()).min(1).default([256, 256]),
    /** The algorithm (label) others are compared against in probability-of-improvement plots. */
    baseline: z.string().optional(),
    /**
     * Modules with more algorithms: paths relative to the suite file, or package names. Each
     * exports `algorithms`, entries made with `defineAlgorithm` from @qscape/core.
     */
    plugins: z.array(z.string().min(1)).default([]),
    /** Defaults for `--executor slurm` (partition, time, cpusPerTask, mem, maxConcurrent, sbatchArgs). */
    slurm: SlurmSchema.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const labels = s.algorithms.map((a) => a.label ?? a.algo);
    const dup = labels.find((l, i) => labels.indexOf(l) !== i);
    if (dup) ctx.addIssue({ code: "custom", path: ["algorithms"], message: `duplicate algorithm label "${dup}"` });
    if (s.baseline !== undefined && !labels.includes(s.baseline)) {
      ctx.addIssue({
        code: "custom",
        path: ["baseline"],
        message: `"${s.baseline}" is not one of ${labels.join(", ")}`,
      });
    }
    if (s.budget.warmupSteps >= s.budget.envSteps) {
      ctx.addIssue({
        code: "custom",
        path: ["budget", "warmupSteps"],
        message: "must be smaller than budget.envSteps",
      });
    }
    if (new Set(s.seeds).size !== s.seeds.length) {
      ctx.addIssue({ code: "custom", path: ["seeds"], message: "seeds must be distinct" });
    }
    s.envs.forEach((e, i) => {
      for (const label of Object.keys(e.algorithmConfig))
        if (!labels.includes(label))
          ctx.addIssue({
            code: "custom",
            path: ["envs", i, "algorithmConfig", label],
            message: `"${label}" is not one of ${labels.join(", ")}`,
          });
      const envSteps = e.envSteps ?? s.budget.envSteps;
      if (e.warmupSteps !== undefined && e.warmupSteps >= envSteps)
        ctx.addIssue({
          code: "custom",
          path: ["envs", i, "warmupSteps"],
          message: `must be smaller than ${envSteps} env steps`,
        });
    });
  });

export type SuiteDefinition = z.input<typeof SuiteSchema>;
export type Suite = z.output<typeof SuiteSchema>;

export class SuiteError extends Error {
  override name = "SuiteError";
}

/** Validate a suite; the error lists every problem with its field path. */
export function parseSuite(input: unknown, source = "suite"): Suite {
  const res = SuiteSchema.safeParse(input);
  if (!res.success) {
    const lines = res.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new SuiteError(`${source} is invalid:\n${lines.join("\n")}`);
  }
  return res.data;
}

export function labelOf(a: Suite["algorithms"][number]): string {
  return a.label ?? a.algo;
}

/** A task-set id (multi-task runs) rather than a single env's. */
export function isTaskSet(id: string): boolean {
  return taskSetIds().includes(id);
}

/**
 * How runs are scored: on task sets, what the task set says (QMP §8: the mean success over tasks;
 * Walker2dMT4-v0: the mean return over tasks, as Table D.2 reports it), the return elsewhere. A suite
 * scores all its runs one way (`checkScores` refuses a mix).
 */
export function scoreOf(suite: Suite): "return" | "success" {
  return suite.envs.some((e) => isTaskSet(e.id) && taskSetScore(e.id) === "success") ? "success" : "return";
}

/** null when every env of the suite is scored the same way, else why not. */
export function checkScores(suite: Suite): string | null {
  const scores = suite.envs.map((e) => ({
    id: e.id,
    score: isTaskSet(e.id) ? taskSetScore(e.id) : ("return" as const),
  }));
  const success = scores.filter((x) => x.score === "success").map((x) => x.id);
  const other = scores.filter((x) => x.score !== "success").map((x) => x.id);
  if (success.length === 0 || other.length === 0) return null;
  return `a suite scores all its runs one way: ${success.join(", ")} by mean success over tasks, ${other.join(", ")} by return; put them in separate suites`;
}

/** One unit of work: an (algorithm, env, seed) triple of a suite. */
export interface RunTask {
  suite: string;
  label: string;
  algo: string;
  algoConfig: Record<string, unknown>;
  env: string;
  /** `env` is a task set (`makeTaskSet`): the run is multi-task, scored by mean success over tasks. */
  taskSet: boolean;
  envKwargs: Record<string, unknown>;
  actionRepresentation: boolean;
  /** Action splits also evaluated on at every evaluation (stored apart from the run's score). */
  evalSplits: string[];
  seed: number;
  budget: Suite["budget"];
  evaluation: Suite["evaluation"];
  hidden: number[];
  /** The suite's plug-in modules (resolved specifiers), loaded by the worker before it builds the agent. */
  plugins: string[];
}

/** The suite's budget with an env's own env steps / warm-up, where it sets them. */
export function budgetOf(suite: Suite, env: Suite["envs"][number]): Suite["budget"] {
  return {
    ...suite.budget,
    ...(env.envSteps !== undefined ? { envSteps: env.envSteps } : {}),
    ...(env.warmupSteps !== undefined ? { warmupSteps: env.warmupSteps } : {}),
  };
}

/**
 * An algorithm's config on one env: the config of `qscape`'s preset for that env when the entry asks
 * for presets, then the suite's, then the env's overrides for its label on top.
 */
export function configOn(algo: Suite["algorithms"][number], env: Suite["envs"][number]): Record<string, unknown> {
  const preset = algo.presets ? findPreset(algo.algo, env.id)?.preset.config : undefined;
  const own = env.algorithmConfig[labelOf(algo)];
  return preset || own ? { ...preset, ...algo.config, ...own } : algo.config;
}

/**
 * The suite's runs, seed by seed: every (env, algorithm) of the first seed, then of the next. The
 * executor starts them in this order, so a suite stopped part-way (or still running) has compared
 * every algorithm on the same seeds, instead of all seeds of the first algorithm and none of the last.
 */
export function expandRuns(suite: Suite): RunTask[] {
  const runs: RunTask[] = [];
  for (const seed of suite.seeds) {
    for (const env of suite.envs) {
      for (const algo of suite.algorithms) {
        runs.push({
          suite: suite.name,
          label: labelOf(algo),
          algo: algo.algo,
          algoConfig: configOn(algo, env),
          env: env.id,
          taskSet: isTaskSet(env.id),
          envKwargs: env.kwargs,
          actionRepresentation: env.actionRepresentation,
          evalSplits: env.evalSplits,
          seed,
          budget: budgetOf(suite, env),
          // An env's own schedule keeps the suite's evaluation policy (a protocol field).
          evaluation: { ...suite.evaluation, ...env.evaluation },
          hidden: suite.hidden,
          plugins: suite.plugins,
        });
      }
    }
  }
  return runs;
}

/** What every algorithm in the suite shares, stored with its results and stated in the report. */
export function protocolOf(suite: Suite, backend: string) {
  const own = suite.envs
    .filter((e) => e.envSteps !== undefined || e.warmupSteps !== undefined || e.evaluation !== undefined)
    .map((e) => {
      const b = budgetOf(suite, e);
      const ev = e.evaluation ?? suite.evaluation;
      return `${e.id}: ${b.envSteps} env steps (warm-up ${b.warmupSteps}), evaluation every ${ev.every} steps × ${ev.episodes} episodes`;
    });
  const score = scoreOf(suite);
  const multiTask = suite.envs.some((e) => isTaskSet(e.id))
    ? `Multi-task runs: the budget is env steps summed over a task set's tasks; each algorithm's own epoch (env and gradient steps per task, minimum buffer) replaces warm-up and updates per step; the score is the mean ${score === "success" ? "success" : "return"} over tasks of deterministic evaluation episodes per task.`
    : null;
  const splits = suite.envs
    .filter((e) => e.evalSplits.length > 0)
    .map((e) => `${e.id} also on the ${e.evalSplits.join(" and ")} action split${e.evalSplits.length > 1 ? "s" : ""}`);
  const allNotes = [
    ...(own.length > 0 ? [`Budgets of their own: ${own.join("; ")}.`] : []),
    ...(splits.length > 0
      ? [
          `Evaluated on more action splits at every evaluation, with the same episode seeds (the score stays the training actions'): ${splits.join("; ")}.`,
        ]
      : []),
    ...(multiTask ? [multiTask] : []),
  ];
  return {
    ...(allNotes.length > 0 ? { notes: allNotes.join(" ") } : {}),
    ...(score === "success" ? { score } : {}),
    envSteps: suite.budget.envSteps,
    seeds: suite.seeds,
    evaluation: {
      everySteps: suite.evaluation.every,
      episodes: suite.evaluation.episodes,
      deterministic: suite.evaluation.policy !== "sampled",
      ...(suite.evaluation.policy === "sampled" ? { sampled: true } : {}),
    },
    updatesPerStep: suite.budget.updatesPerStep,
    computeCaps: {
      hidden: suite.hidden.join("-"),
      warmupSteps: suite.budget.warmupSteps,
      ...(suite.budget.maxUpdates ? { maxUpdates: suite.budget.maxUpdates } : {}),
      ...(suite.budget.maxQEvaluations ? { maxQEvaluations: suite.budget.maxQEvaluations } : {}),
      ...(suite.budget.maxWallSeconds ? { maxWallSeconds: suite.budget.maxWallSeconds } : {}),
      backend,
    },
  };
}
