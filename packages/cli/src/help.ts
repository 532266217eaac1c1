/** Help texts; `qscape train --algo X --help` lists X's hyperparameters with their defaults. */
import { type AlgorithmEntry, isBox, isDiscrete } from "@qscape/core";
import { loadMujoco, make, registry } from "@qscape/envs";
import { z } from "zod";
import { algorithms } from "./algorithms.js";
import { findPreset, presetAlgorithms } from "./hyperparams.js";
import { DEFAULTS, resolveConfig } from "./settings.js";

export const MAIN_HELP = `qscape — train one agent, keep it, watch it

Usage:
  qscape train --algo ALGO --env ENV [--steps N] [--seed S] [--set key=value ...] [--out DIR]
  qscape evaluate DIR [--episodes N] [--seed S] [--model best|last] [--json]
  qscape enjoy DIR [--episodes N] [--frames N] [--out FILE.gif] [--model best|last]
  qscape list                      algorithms, and environments with their spaces
  qscape COMMAND --help            a command's options (train --algo ALGO --help: its hyperparameters)

Example:
  qscape train --algo td3 --env Pendulum-v1 --steps 20000
  qscape evaluate runs/td3-Pendulum-v1-s0 --episodes 10
  qscape enjoy runs/td3-Pendulum-v1-s0 --out pendulum.gif
`;

export const TRAIN_HELP = `qscape train --algo ALGO --env ENV [options]

Trains one agent, evaluating it on a schedule, and keeps its best and last models in the run
directory. Killed or stopped (Ctrl-C checkpoints first), the same command resumes it.

Options (a flag beats the preset in hyperparams/ALGO.yml, which beats the default):
  --algo ALGO              algorithm id (qscape list)
  --env ENV                environment id, e.g. Pendulum-v1, Hopper-v5
  --steps N                env steps to train (default ${DEFAULTS.steps})
  --seed S                 seeds the agent, the env and the evaluation episodes (default 0)
  --set key=value          a hyperparameter, checked by the algorithm's schema; repeatable.
                           Values are JSON, or lists like 256,256; nested fields with dots
                           (--set explorationNoise.sigma=0.2); --set hidden=64,64 sets every network's widths
  --env-kwarg key=value    passed to the env's constructor (repeatable; values as for --set)
  --action-representation  act in the env's item-embedding space, snapped to the nearest item (MineWorld,
                           RecSim): continuous-control learners on large discrete action sets
  --hidden W,W             hidden widths of every network (default ${DEFAULTS.hidden.join(",")})
  --warmup-steps N         random-action steps before learning (default ${DEFAULTS.warmupSteps}, at most a quarter of --steps)
  --eval-every N           evaluate every N env steps (default ${DEFAULTS.evalEvery})
  --eval-episodes N        deterministic episodes per evaluation (default ${DEFAULTS.evalEpisodes})
  --out DIR                run directory (default runs/ALGO-ENV-sSEED)
  --checkpoint-every N     checkpoint at the first episode end after every N env steps (default 10000)
  --log-interval SEC       seconds between progress lines when stdout is not a terminal (default 10)
  --hyperparams FILE       presets from FILE instead of the shipped hyperparams/ALGO.yml
  --quiet                  only evaluations and the summary

Writes DIR/run.json, DIR/metrics.csv and metrics.jsonl (step,name,value as they happen),
DIR/evaluations.jsonl, DIR/best/ and DIR/last/ (models), DIR/checkpoint/ while training.
Exit codes: 0 done, 1 failed, 2 bad arguments (nothing written), 130/143 stopped by Ctrl-C/SIGTERM.
`;

export const EVALUATE_HELP = `qscape evaluate DIR [options]

Prints the mean ± std return of the model's deterministic policy. By default the episodes are
those of the training evaluation that scored the model, so the numbers equal that evaluation's.

  --episodes N         episodes (default: as many as the training evaluations ran)
  --seed S             reset the episodes with seeds S, S+1, … instead
  --model best|last    which model of a run directory (default last; an unfinished run's checkpoint)
  --json               one JSON line: seeds, returns, lengths, mean, std
`;

export const ENJOY_HELP = `qscape enjoy DIR [options]

Renders the model's deterministic policy (render_mode rgb_array) and writes an animated GIF.

  --episodes N         episodes (default 3), those of the model's training evaluation
  --frames N           stop after N frames (the reset frame counts)
  --out FILE.gif       where to write (default DIR/MODEL.gif)
  --fps F              playback rate (default: the env's render fps)
  --seed S             reset the episodes with seeds S, S+1, … instead
  --model best|last    which model (default last)
`;

function typeOf(schema: Record<string, unknown> | undefined): string {
  if (!schema) return "";
  if (Array.isArray(schema.enum)) return schema.enum.map(String).join("|");
  if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) {
    const alts = (schema.anyOf ?? schema.oneOf) as Record<string, unknown>[];
    return alts.map((a) => ("const" in a ? JSON.stringify(a.const) : typeOf(a))).join("|");
  }
  if (schema.type === "object") {
    const tag = (schema.properties as Record<string, Record<string, unknown>> | undefined)?.type?.const;
    return tag === undefined ? "object" : `{type: ${JSON.stringify(tag)}, …}`;
  }
  if (schema.type === "array") return `${typeOf(schema.items as Record<string, unknown>)}[]`;
  const t = schema.type === "integer" ? "int" : String(schema.type ?? "value");
  const bounds: string[] = [];
  // zod states int's safe-integer range as bounds; only bounds a user chose are worth showing.
  const shown = (v: unknown): v is number => typeof v === "number" && Math.abs(v) < Number.MAX_SAFE_INTEGER;
  if (shown(schema.minimum)) bounds.push(`≥ ${schema.minimum}`);
  if (shown(schema.exclusiveMinimum)) bounds.push(`> ${schema.exclusiveMinimum}`);
  if (shown(schema.maximum)) bounds.push(`≤ ${schema.maximum}`);
  return bounds.length > 0 ? `${t} ${bounds.join(", ")}` : t;
}

/** The algorithm's hyperparameters: name, type, default (and the preset's value for `env`). */
export function hyperparameterHelp(entry: AlgorithmEntry, env?: string): string {
  const found = env ? findPreset(entry.id, env) : null;
  const ctx = { seed: 0, hidden: [...DEFAULTS.hidden], warmupSteps: DEFAULTS.warmupSteps, config: {} };
  const defaults = resolveConfig(entry, ctx);
  const preset = found ? resolveConfig(entry, { ...ctx, config: found.preset.config }) : null;
  let props: Record<string, Record<string, unknown>> = {};
  try {
    const json = z.toJSONSchema(entry.schema, { io: "input", unrepresentable: "any" });
    props = (json.properties ?? {}) as Record<string, Record<string, unknown>>;
  } catch {
    // a schema JSON Schema cannot describe: names and defaults are still listed
  }
  const rows = Object.keys(defaults)
    .filter((k) => k !== "seed")
    .map((k) => {
      const shown = JSON.stringify(defaults[k]);
      const fromPreset =
        preset && JSON.stringify(preset[k]) !== shown ? `  (preset: ${JSON.stringify(preset[k])})` : "";
      return `  ${k.padEnd(22)} ${typeOf(props[k]).padEnd(24)} ${shown}${fromPreset}`;
    });
  return [
    `${entry.id}: ${entry.description}`,
    "Defaults are the paper's / author code's as the description says; --set key=value overrides them.",
    found ? `Preset ${found.source} applies to ${env}.` : env ? `No preset for ${env}.` : "",
    "",
    `  ${"field".padEnd(22)} ${"type".padEnd(24)} default`,
    ...rows,
    "",
    "  seed comes from --seed; hidden (every network's widths, default 256,256) from --hidden or --set hidden=…",
  ]
    .filter((l, i) => l !== "" || i > 1)
    .join("\n");
}

export function algorithmList(): string {
  const presets = new Set(presetAlgorithms());
  return [...algorithms().values()]
    .map(
      (a) => `  ${a.id.padEnd(14)} ${a.description}${presets.has(a.id) ? `  [presets: hyperparams/${a.id}.yml]` : ""}`,
    )
    .join("\n");
}

const bound = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(3))) : v > 0 ? "inf" : "-inf");

/**
 * A space in one short line, in Gymnasium's notation: `Box(-8, 8, (3,))` (the smallest low and largest
 * high when bounds differ per dimension), `Discrete(4)`, `Dict(a: …, b: …)`; long vectors by their shape.
 */
export function describeSpace(space: unknown): string {
  if (isBox(space)) {
    const shape = `(${space.shape.join(", ")}${space.shape.length === 1 ? "," : ""})`;
    return `Box(${bound(Math.min(...Array.from(space.low)))}, ${bound(Math.max(...Array.from(space.high)))}, ${shape})`;
  }
  const sub = (space as { spaces?: unknown } | null)?.spaces;
  if (sub && typeof sub === "object") {
    return `Dict(${Object.entries(sub)
      .map(([k, v]) => `${k}: ${describeSpace(v)}`)
      .join(", ")})`;
  }
  const text = String(space);
  if (isDiscrete(space) || text.length <= 40) return text;
  const shape = (space as { shape?: unknown }).shape;
  const name = (space as object).constructor?.name ?? "Space";
  return Array.isArray(shape) ? `${name}(shape (${shape.join(", ")}))` : `${text.slice(0, 37)}…`;
}

export async function list(): Promise<string> {
  await loadMujoco();
  const lines = ["Algorithms:", algorithmList(), "", "Environments (observation space → action space):"];
  for (const id of [...registry.keys()].sort()) {
    let desc: string;
    try {
      const env = make(id);
      desc = `${describeSpace(env.observationSpace)} → ${describeSpace(env.actionSpace)}`;
      env.close();
    } catch (err) {
      desc = `(cannot be made without arguments: ${(err as Error).message.split("\n")[0]})`;
    }
    lines.push(`  ${id.padEnd(34)} ${desc}`);
  }
  return `${lines.join("\n")}\n`;
}
