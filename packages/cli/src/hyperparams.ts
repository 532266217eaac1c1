/**
 * Hyperparameter presets per (algorithm, environment), kept as YAML a user can read and copy, in
 * RL-Zoo's `hyperparams/<algo>.yml` habit: one file per algorithm, one key per env id, and a
 * `default` key for envs not listed. `qscape train` starts from the preset, then applies its
 * flags and `--set` overrides; the algorithm's own schema checks the result.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { UsageError } from "./errors.js";
import { issues } from "./run.js";

export const Preset = z
  .object({
    /** Env steps to train for. */
    steps: z.number().int().positive().optional(),
    /** Random-action steps before the agent acts (off-policy learners). */
    warmupSteps: z.number().int().nonnegative().optional(),
    /** Gradient updates per env step. */
    updatesPerStep: z.number().int().positive().optional(),
    /** Hidden widths of every network (the bench's matched setting); config fields override per network. */
    hidden: z.array(z.number().int().positive()).min(1).optional(),
    evalEvery: z.number().int().positive().optional(),
    evalEpisodes: z.number().int().positive().optional(),
    /** The algorithm's own hyperparameters, checked by its schema. */
    config: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type Preset = z.output<typeof Preset>;

export const PresetFile = z.record(z.string(), Preset);

/** The presets shipped with the package (`hyperparams/` next to `src/` and `dist/`). */
export const hyperparamsDir = fileURLToPath(new URL("../hyperparams/", import.meta.url));

export function readPresetFile(file: string): z.output<typeof PresetFile> {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`${file}: not valid YAML (${(err as Error).message.split("\n")[0]})`);
  }
  const parsed = PresetFile.safeParse(raw ?? {});
  if (!parsed.success) throw new UsageError(`${file}: ${issues(parsed.error)}`);
  return parsed.data;
}

/** Algorithms with a shipped preset file. */
export function presetAlgorithms(): string[] {
  if (!existsSync(hyperparamsDir)) return [];
  return readdirSync(hyperparamsDir)
    .filter((f) => f.endsWith(".yml"))
    .map((f) => f.slice(0, -4))
    .sort();
}

export interface FoundPreset {
  preset: Preset;
  /** `file#key`, recorded in the run so it says where its settings came from. */
  source: string;
}

/**
 * The preset for (algo, env): from `file` when given, else the shipped `hyperparams/<algo>.yml`;
 * the env's own key, else `default`, else none.
 */
export function findPreset(algo: string, env: string, file?: string): FoundPreset | null {
  const path = file ?? `${hyperparamsDir}${algo}.yml`;
  if (!existsSync(path)) {
    if (file !== undefined) throw new UsageError(`--hyperparams ${file}: no such file`);
    return null;
  }
  const presets = readPresetFile(path);
  const key = env in presets ? env : "default" in presets ? "default" : null;
  if (key === null) return null;
  const shown = file ?? `hyperparams/${algo}.yml`;
  return { preset: presets[key] as Preset, source: `${shown}#${key}` };
}
