/**
 * From a `qscape train` command line to a validated run description, with nothing written and no
 * backend started: unknown algorithms and envs, presets, flags and `--set` overrides are all
 * checked here, the config by the algorithm's own schema, so a typo costs one line and exit 2.
 */
import path from "node:path";
import { type AlgorithmEntry, initBackend, QscapeError } from "@qscape/core";
import { type AnyEnv, EnvError, editDistance, spec as envSpec, loadMujoco } from "@qscape/envs";
import { z } from "zod";
import { algorithm } from "./algorithms.js";
import { hasActionRepresentation, makeRunEnv } from "./env.js";
import { UsageError } from "./errors.js";
import { findPreset } from "./hyperparams.js";
import { applySets, parseSets, type SetItem } from "./overrides.js";
import { RunSpec } from "./run.js";

/** Used where neither a flag nor the preset says otherwise. */
export const DEFAULTS = {
  steps: 100_000,
  /** RL-Zoo's learning_starts for TD3/SAC on MuJoCo; short runs use a quarter of their budget at most. */
  warmupSteps: 10_000,
  updatesPerStep: 1,
  /** The bench's matched width (and the TD3 / SAC author code's). */
  hidden: [256, 256],
  evalEvery: 10_000,
  evalEpisodes: 10,
} as const;

const positiveInt = z.coerce.number().int().positive();
const widths = z.array(z.number().int().positive()).min(1);

/** `qscape train`'s options, after parsing the command line. */
export const TrainOptions = z
  .object({
    algo: z.string({ error: "--algo is required (e.g. --algo td3)" }).min(1),
    env: z.string({ error: "--env is required (e.g. --env Pendulum-v1)" }).min(1),
    steps: positiveInt.optional(),
    seed: z.coerce.number().int().nonnegative().default(0),
    set: z.array(z.string()).default([]),
    envKwarg: z.array(z.string()).default([]),
    actionRepresentation: z.boolean().default(false),
    out: z.string().min(1).optional(),
    hidden: z
      .string()
      .transform((s, ctx) => {
        const parsed = widths.safeParse(s.split(",").map((v) => Number(v.trim())));
        if (!parsed.success) ctx.addIssue({ code: "custom", message: "expected widths like 256,256" });
        return parsed.data ?? [];
      })
      .optional(),
    warmupSteps: z.coerce.number().int().nonnegative().optional(),
    evalEvery: positiveInt.optional(),
    evalEpisodes: positiveInt.optional(),
    checkpointEvery: positiveInt.default(10_000),
    logInterval: z.coerce.number().positive().default(10),
    hyperparams: z.string().min(1).optional(),
    quiet: z.boolean().default(false),
  })
  .strict();
export type TrainOptions = z.output<typeof TrainOptions>;

export interface Plan {
  spec: RunSpec;
  entry: AlgorithmEntry;
  /** Absolute run directory. */
  dir: string;
  checkpointEvery: number;
}

/** Throws a usage error, with the registry's suggestions, when `id` is not a registered env. */
export function checkEnvId(id: string): void {
  try {
    envSpec(id);
  } catch (err) {
    if (err instanceof EnvError) throw new UsageError(`unknown environment: ${err.message} (see \`qscape list\`)`);
    throw err;
  }
}

function closest(word: string, words: readonly string[]): string | null {
  const scored = words
    .map((w) => ({ w, d: editDistance(word.toLowerCase(), w.toLowerCase()) }))
    .sort((a, b) => a.d - b.d);
  const best = scored[0];
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.w : null;
}

/** The algorithm's full config for these settings; a schema error becomes a usage error naming the field. */
export function resolveConfig(
  entry: AlgorithmEntry,
  ctx: { seed: number; hidden: number[]; warmupSteps: number; config: Record<string, unknown> },
): Record<string, unknown> {
  try {
    return entry.resolveConfig(ctx);
  } catch (err) {
    if (!(err instanceof QscapeError)) throw err;
    let hint = "";
    const unknown = /Unrecognized keys?: "([^"]+)"/.exec(err.message)?.[1];
    if (unknown) {
      const fields = Object.keys(entry.resolveConfig({ ...ctx, config: {} }));
      const near = closest(unknown, fields);
      hint = `${near ? ` (did you mean ${near}?)` : ""}; \`qscape train --algo ${entry.id} --help\` lists the fields`;
    }
    throw new UsageError(`${err.message}${hint}`);
  }
}

/** Splits `--set` items into run settings (`hidden`) and algorithm fields; `seed` has its own flag. */
function splitSets(items: readonly SetItem[]): { hidden?: number[]; algo: SetItem[] } {
  let hidden: number[] | undefined;
  const algo: SetItem[] = [];
  for (const item of items) {
    const [head] = item.path;
    if (item.path.length === 1 && head === "hidden") {
      const parsed = widths.safeParse(typeof item.value === "number" ? [item.value] : item.value);
      if (!parsed.success) throw new UsageError("--set hidden: expected widths like 256,256");
      hidden = parsed.data;
    } else if (head === "seed") {
      throw new UsageError("--set seed: use --seed S (it seeds the agent, the env and the evaluations together)");
    } else algo.push(item);
  }
  return { ...(hidden ? { hidden } : {}), algo };
}

/** Checks everything a run needs and describes it; writes nothing. */
export async function planRun(o: TrainOptions, cwd: string): Promise<Plan> {
  const entry = algorithm(o.algo);
  checkEnvId(o.env);
  const found = findPreset(o.algo, o.env, o.hyperparams === undefined ? undefined : path.resolve(cwd, o.hyperparams));
  const preset = found?.preset;
  const sets = splitSets(parseSets(o.set));
  const hidden = sets.hidden ?? o.hidden ?? preset?.hidden ?? [...DEFAULTS.hidden];
  const steps = o.steps ?? preset?.steps ?? DEFAULTS.steps;
  let warmupSteps = o.warmupSteps ?? preset?.warmupSteps ?? DEFAULTS.warmupSteps;
  if (o.warmupSteps !== undefined && warmupSteps >= steps) {
    throw new UsageError(`--warmup-steps ${warmupSteps} must be smaller than the ${steps} training steps`);
  }
  // A short run (e.g. --steps 5000 with a 10k-step preset warm-up) keeps a proportionate warm-up.
  if (warmupSteps >= steps) warmupSteps = Math.floor(steps / 4);
  const evaluation = {
    every: Math.min(o.evalEvery ?? preset?.evalEvery ?? DEFAULTS.evalEvery, steps),
    episodes: o.evalEpisodes ?? preset?.evalEpisodes ?? DEFAULTS.evalEpisodes,
  };
  const overrides = applySets(preset?.config ?? {}, sets.algo);
  const envKwargs = applySets({}, parseSets(o.envKwarg, "--env-kwarg"));

  await loadMujoco();
  // The nearest-item index holds tensors: the backend is chosen before it is built.
  if (o.actionRepresentation) await initBackend();
  let env: AnyEnv;
  try {
    env = makeRunEnv({ env: o.env, envKwargs, actionRepresentation: o.actionRepresentation });
  } catch (err) {
    if (err instanceof EnvError || err instanceof QscapeError) throw new UsageError(`${o.env}: ${err.message}`);
    throw err;
  }
  let config: Record<string, unknown>;
  try {
    const why = entry.supports(env, overrides);
    if (why) {
      const hint =
        !o.actionRepresentation && hasActionRepresentation(env)
          ? "; with --action-representation it acts in the env's item-embedding space instead"
          : "";
      throw new UsageError(`${entry.id} cannot run on ${o.env}: ${why}${hint}`);
    }
    config = resolveConfig(entry, { seed: o.seed, hidden, warmupSteps, config: overrides });
  } finally {
    env.close();
  }
  const spec = RunSpec.parse({
    format: "qscape-run",
    version: 1,
    algo: entry.id,
    env: o.env,
    envKwargs,
    actionRepresentation: o.actionRepresentation,
    seed: o.seed,
    steps,
    warmupSteps,
    updatesPerStep: preset?.updatesPerStep ?? DEFAULTS.updatesPerStep,
    hidden,
    evaluation,
    config,
    preset: found?.source ?? null,
  });
  const dir = path.resolve(cwd, o.out ?? path.join("runs", `${entry.id}-${o.env}-s${o.seed}`));
  return { spec, entry, dir, checkpointEvery: o.checkpointEvery };
}

/** Fields of two run descriptions that differ (a rerun must ask for the same run to resume it). */
export function specDifferences(a: RunSpec, b: RunSpec): string[] {
  const stable = (v: unknown): string =>
    JSON.stringify(v, (_k, x: unknown) =>
      x && typeof x === "object" && !Array.isArray(x)
        ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => p.localeCompare(q)))
        : x,
    );
  const keys = Object.keys(RunSpec.shape) as (keyof RunSpec)[];
  return keys.flatMap((k) => {
    if (stable(a[k]) === stable(b[k])) return [];
    if (k !== "config") return [k];
    const fields = [...new Set([...Object.keys(a.config), ...Object.keys(b.config)])];
    return fields.filter((f) => stable(a.config[f]) !== stable(b.config[f])).map((f) => `config.${f}`);
  });
}
