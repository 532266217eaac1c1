/**
 * A run directory, as `qscape train` leaves it:
 *
 *   run.json            what was asked (algorithm, env, seed, budget, the full validated config)
 *   checkpoint/         the whole training state (loop, agent, replay), for resuming; removed once finished
 *   best/  last/        models: the agent and what made it (config, env id, the evaluation that scored it)
 *   metrics.csv         step,name,value rows as training records them (episode returns, losses, evaluations)
 *   metrics.jsonl       the same rows as JSON lines
 *   evaluations.jsonl   one line per evaluation: step, episode seeds, returns, mean, std
 *
 * Every file here is read back through a zod schema, so a hand-edited or foreign file fails with
 * a message naming the field instead of a crash later.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { checkpointExists, loadCheckpoint, type Snapshot, saveCheckpoint } from "@qscape/core";
import { z } from "zod";
import { UsageError } from "./errors.js";

const widths = z.array(z.number().int().positive()).min(1);

/** What `qscape train` was asked to do; a rerun with the same arguments resumes, other arguments are refused. */
export const RunSpec = z
  .object({
    format: z.literal("qscape-run"),
    version: z.literal(1),
    algo: z.string().min(1),
    env: z.string().min(1),
    /** Passed to the env's constructor (`--env-kwarg key=value`). */
    envKwargs: z.record(z.string(), z.unknown()).default({}),
    /** Acting through nearest-item snapping in the env's action-representation space. */
    actionRepresentation: z.boolean().default(false),
    seed: z.number().int().nonnegative(),
    steps: z.number().int().positive(),
    warmupSteps: z.number().int().nonnegative(),
    updatesPerStep: z.number().int().positive(),
    hidden: widths,
    evaluation: z.object({ every: z.number().int().positive(), episodes: z.number().int().positive() }).strict(),
    /** The algorithm's config after defaults, presets and `--set`, as its schema parsed it. */
    config: z.record(z.string(), z.unknown()),
    /** Where the preset came from (`hyperparams/td3.yml#Pendulum-v1`), null when none applied. */
    preset: z.string().nullable(),
  })
  .strict();
export type RunSpec = z.output<typeof RunSpec>;

export const EvaluationRecord = z
  .object({
    /** 0 = the run's first evaluation; with the run's seed it fixes the episode seeds. */
    index: z.number().int().nonnegative(),
    step: z.number().int().nonnegative(),
    seeds: z.array(z.number().int().nonnegative()),
    returns: z.array(z.number()),
    lengths: z.array(z.number().int()),
    mean: z.number(),
    /** Population standard deviation (NumPy's default, as SB3's evaluate_policy reports). */
    std: z.number(),
    successRate: z.number().nullable(),
  })
  .strict();
export type EvaluationRecord = z.output<typeof EvaluationRecord>;

/** What a saved model says about itself: enough to rebuild the agent and to re-run its evaluation. */
export const ModelMeta = z
  .object({
    format: z.literal("qscape-model"),
    version: z.literal(1),
    /** best: highest mean evaluation return so far; last: the end of training; checkpoint: a resumable state. */
    kind: z.enum(["best", "last", "checkpoint"]),
    algo: z.string().min(1),
    env: z.string().min(1),
    envKwargs: z.record(z.string(), z.unknown()).default({}),
    actionRepresentation: z.boolean().default(false),
    seed: z.number().int().nonnegative(),
    hidden: widths,
    warmupSteps: z.number().int().nonnegative(),
    config: z.record(z.string(), z.unknown()),
    /** Env steps trained when saved. */
    step: z.number().int().nonnegative(),
    /** The latest evaluation at that time (for best and last: of exactly this policy). */
    evaluation: EvaluationRecord.nullable(),
  })
  .strict();
export type ModelMeta = z.output<typeof ModelMeta>;

const SnapshotValue = z.custom<Snapshot>((v) => v !== undefined, "missing");
const ModelFile = z.object({ model: ModelMeta, agent: SnapshotValue });

export const LogSizes = z.object({ csv: z.number().int(), jsonl: z.number().int(), evals: z.number().int() }).strict();
export type LogSizes = z.output<typeof LogSizes>;

/** The training checkpoint: a model (kind "checkpoint") plus the loop and how far the logs had got. */
export const TrainingCheckpoint = z.object({
  model: ModelMeta,
  agent: SnapshotValue,
  loop: SnapshotValue,
  logs: LogSizes,
});

/** JSON values as a snapshot (a deep copy: the snapshot must not alias live objects). */
export function jsonSnapshot(value: unknown): Snapshot {
  return JSON.parse(JSON.stringify(value));
}

export const paths = (dir: string) => ({
  spec: path.join(dir, "run.json"),
  lock: path.join(dir, "train.lock"),
  checkpoint: path.join(dir, "checkpoint"),
  best: path.join(dir, "best"),
  last: path.join(dir, "last"),
  csv: path.join(dir, "metrics.csv"),
  jsonl: path.join(dir, "metrics.jsonl"),
  evals: path.join(dir, "evaluations.jsonl"),
});

/** Writes `text` to `file` through a temporary file and a rename, so a kill leaves the old or the new file. */
export function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function readRunSpec(dir: string): RunSpec | null {
  const file = paths(dir).spec;
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readText(file));
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON (${(err as Error).message})`);
  }
  const parsed = RunSpec.safeParse(raw);
  if (!parsed.success) throw new UsageError(`${file} is not a qscape run description: ${issues(parsed.error)}`);
  return parsed.data;
}

function readText(file: string): string {
  return readFileSync(file, "utf8");
}

export function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
}

export function saveModel(dir: string, meta: ModelMeta, agent: Snapshot): void {
  saveCheckpoint(dir, { model: jsonSnapshot(ModelMeta.parse(meta)), agent });
}

export interface LoadedModel {
  meta: ModelMeta;
  agent: Snapshot;
  dir: string;
}

/** A model directory (`best/`, `last/`, a training `checkpoint/`), checked against its schema. */
export function loadModel(dir: string): LoadedModel {
  const parsed = ModelFile.safeParse(loadCheckpoint(dir));
  if (!parsed.success) throw new UsageError(`${dir} does not hold a qscape model: ${issues(parsed.error)}`);
  return { meta: parsed.data.model, agent: parsed.data.agent, dir };
}

/**
 * The model to evaluate or watch, given a run directory (`which` picks best or last; a run that
 * has not finished has no last model yet, so its training checkpoint stands in) or a model
 * directory itself.
 */
export function resolveModel(dir: string, which: "best" | "last"): LoadedModel {
  if (!existsSync(dir)) throw new UsageError(`no such directory: ${dir}`);
  const p = paths(dir);
  if (!existsSync(p.spec)) {
    if (checkpointExists(dir)) return loadModel(dir);
    throw new UsageError(`${dir} is neither a qscape run directory (no run.json) nor a model directory`);
  }
  if (checkpointExists(p[which])) return loadModel(p[which]);
  if (which === "last" && checkpointExists(p.checkpoint)) return loadModel(p.checkpoint);
  throw new UsageError(`${dir} has no ${which} model yet`);
}

/**
 * The run's live logs. Rows are written with synchronous appends, so what a killed process wrote
 * is in the files; a resumed run first cuts them back to their length at the checkpoint it
 * resumes from, so no row appears twice.
 */
export class RunLog {
  private readonly csv: number;
  private readonly jsonl: number;
  private readonly evals: number;

  constructor(dir: string, resumeAt: LogSizes | null) {
    const p = paths(dir);
    const open = (file: string, size: number | undefined) => {
      const fd = openSync(file, existsSync(file) ? "r+" : "w+");
      const keep = size ?? 0;
      ftruncateSync(fd, Math.min(keep, statSync(file).size));
      closeSync(fd);
      return openSync(file, "a");
    };
    this.csv = open(p.csv, resumeAt?.csv);
    this.jsonl = open(p.jsonl, resumeAt?.jsonl);
    this.evals = open(p.evals, resumeAt?.evals);
    if (statSync(p.csv).size === 0) writeSync(this.csv, "step,name,value\n");
  }

  metric(step: number, name: string, value: number): void {
    writeSync(this.csv, `${step},${name},${value}\n`);
    writeSync(this.jsonl, `${JSON.stringify({ step, name, value })}\n`);
  }

  evaluation(record: EvaluationRecord): void {
    writeSync(this.evals, `${JSON.stringify(record)}\n`);
  }

  sizes(): LogSizes {
    const size = (fd: number) => fstatSync(fd).size;
    return { csv: size(this.csv), jsonl: size(this.jsonl), evals: size(this.evals) };
  }

  close(): void {
    for (const fd of [this.csv, this.jsonl, this.evals]) closeSync(fd);
  }
}

/** Every evaluation in a run's evaluations.jsonl, checked line by line. */
export function readEvaluations(dir: string): EvaluationRecord[] {
  const file = paths(dir).evals;
  if (!existsSync(file)) return [];
  return readText(file)
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l, i) => {
      const parsed = EvaluationRecord.safeParse(JSON.parse(l));
      if (!parsed.success) throw new UsageError(`${file} line ${i + 1}: ${issues(parsed.error)}`);
      return parsed.data;
    });
}

/**
 * Claims the run directory for this process: a second `qscape train` on it while the first runs
 * would interleave their logs and checkpoints. A lock left by a killed process (its pid is gone) is
 * taken over. Returns the release function.
 */
export function lockRun(dir: string): () => void {
  const file = paths(dir).lock;
  const claim = () => writeFileSync(file, `${process.pid}\n`, { flag: "wx" });
  try {
    claim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    const pid = Number(readFileSync(file, "utf8").trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new UsageError(`${dir} is being trained by another qscape (pid ${pid}); wait for it or stop it first`);
    }
    unlinkSync(file);
    claim();
  }
  return () => {
    try {
      if (readFileSync(file, "utf8").trim() === String(process.pid)) unlinkSync(file);
    } catch {
      // already gone
    }
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
