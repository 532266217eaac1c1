/**
 * The `qscape` command: argument parsing and dispatch. Every command's options go through a zod
 * schema, so a wrong value is reported naming the flag; usage errors exit with code 2 before
 * anything is written.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { QscapeError } from "@qscape/core";
import type { z } from "zod";
import { algorithm } from "./algorithms.js";
import { UsageError } from "./errors.js";
import { ENJOY_HELP, EVALUATE_HELP, hyperparameterHelp, list, MAIN_HELP, TRAIN_HELP } from "./help.js";
import { EnjoyOptions, EvaluateOptions, enjoy, evaluate } from "./policy.js";
import { checkEnvId, planRun, TrainOptions } from "./settings.js";
import { checkRunDir, type Io, train } from "./train.js";

const camel = (s: string) => s.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

function parse(argv: string[], options: ParseArgsConfig["options"]) {
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) if (k !== "help") input[camel(k)] = v;
  return { input, positionals, help: values.help === true };
}

function check<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.join(".") ?? "";
    const flag = key ? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ` : "";
    throw new UsageError(`${flag}${issue?.message ?? "invalid arguments"}`);
  }
  return parsed.data;
}

const str = { type: "string" } as const;
const bool = { type: "boolean" } as const;

export interface Signals {
  stop: () => "INT" | "TERM" | null;
}

/** Runs one command line; returns the exit code (usage errors: 2). */
export async function main(argv: string[], io: Io, cwd: string, signals: Signals): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.write(MAIN_HELP);
        return command === undefined ? 2 : 0;
      case "train": {
        const { input, positionals, help } = parse(rest, {
          help: { type: "boolean", short: "h" },
          algo: str,
          env: str,
          steps: str,
          seed: str,
          set: { type: "string", multiple: true },
          "env-kwarg": { type: "string", multiple: true },
          "action-representation": bool,
          out: str,
          hidden: str,
          "warmup-steps": str,
          "eval-every": str,
          "eval-episodes": str,
          "checkpoint-every": str,
          "log-interval": str,
          hyperparams: str,
          quiet: bool,
        });
        if (help) {
          io.write(TRAIN_HELP);
          const algo = typeof input.algo === "string" ? input.algo : undefined;
          const env = typeof input.env === "string" ? input.env : undefined;
          if (algo) {
            if (env) checkEnvId(env);
            io.write(`\n${hyperparameterHelp(algorithm(algo), env)}\n`);
          } else io.write("\nqscape train --algo ALGO --help lists ALGO's hyperparameters with their defaults.\n");
          return 0;
        }
        if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
        const o = check(TrainOptions, input);
        const plan = await planRun(o, cwd);
        checkRunDir(plan);
        return await train(plan, io, { logInterval: o.logInterval, quiet: o.quiet }, signals);
      }
      case "evaluate": {
        const { input, positionals, help } = parse(rest, {
          help: { type: "boolean", short: "h" },
          episodes: str,
          seed: str,
          model: str,
          json: bool,
        });
        if (help) {
          io.write(EVALUATE_HELP);
          return 0;
        }
        if (positionals.length > 1) throw new UsageError(`one run directory, got ${positionals.join(" ")}`);
        return await evaluate(check(EvaluateOptions, { ...input, dir: positionals[0] }), cwd, io);
      }
      case "enjoy": {
        const { input, positionals, help } = parse(rest, {
          help: { type: "boolean", short: "h" },
          episodes: str,
          frames: str,
          fps: str,
          seed: str,
          model: str,
          out: str,
        });
        if (help) {
          io.write(ENJOY_HELP);
          return 0;
        }
        if (positionals.length > 1) throw new UsageError(`one run directory, got ${positionals.join(" ")}`);
        return await enjoy(check(EnjoyOptions, { ...input, dir: positionals[0] }), cwd, io);
      }
      case "list":
        io.write(await list());
        return 0;
      default:
        throw new UsageError(`unknown command "${command}" (train, evaluate, enjoy, list)`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.write(`qscape ${command ?? ""}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof QscapeError) {
      io.write(`qscape ${command}: ${err.name}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
