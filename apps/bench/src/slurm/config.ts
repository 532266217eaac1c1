/**
 * `--executor slurm` settings: a suite's `slurm` section gives defaults, command-line flags override
 * them, and the result is validated here (errors name the flag), then rendered into the sbatch
 * script of one job array.
 */
import { z } from "zod";
import type { RunTask } from "../suite.js";

export const SlurmSchema = z
  .object({
    partition: z.string().min(1).optional(),
    /** sbatch --time: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS. */
    time: z
      .string()
      .regex(/^(\d+-)?\d+(:\d{1,2}){0,2}$/, "use a Slurm time limit such as 04:00:00, 90 or 1-00:00:00")
      .optional(),
    cpusPerTask: z.number().int().positive().default(1),
    /** sbatch --mem: memory per node, e.g. 4G or 4000 (MB). */
    mem: z
      .string()
      .regex(/^\d+[KMGT]?$/, "use a Slurm memory size such as 4G or 4000")
      .optional(),
    /** Most array tasks running at once (the array's `%N`). */
    maxConcurrent: z.number().int().positive().optional(),
    /** Extra sbatch options, one per entry, e.g. "--account=rl" or "--qos=short". */
    sbatchArgs: z.array(z.string().regex(/^--?\w/, "each entry is one sbatch option starting with -")).default([]),
  })
  .strict();
export type SlurmSettings = z.output<typeof SlurmSchema>;

/** Command-line flag of each field, so an error names what the user typed. */
const FLAG: Record<string, string> = {
  partition: "--partition",
  time: "--time",
  cpusPerTask: "--cpus-per-task",
  mem: "--mem",
  maxConcurrent: "--max-concurrent",
  sbatchArgs: "--sbatch-arg",
};

export interface SlurmFlags {
  partition?: string;
  time?: string;
  "cpus-per-task"?: string;
  mem?: string;
  "max-concurrent"?: string;
  "sbatch-arg"?: string[];
}

export class SlurmError extends Error {
  override name = "SlurmError";
}

/** The suite's `slurm` section with the flags on top; throws naming each bad flag or field. */
export function slurmSettings(suiteSection: unknown, flags: SlurmFlags): SlurmSettings {
  const int = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const fromFlags = Object.fromEntries(
    Object.entries({
      partition: flags.partition,
      time: flags.time,
      cpusPerTask: int(flags["cpus-per-task"]),
      mem: flags.mem,
      maxConcurrent: int(flags["max-concurrent"]),
      sbatchArgs: flags["sbatch-arg"],
    }).filter(([, v]) => v !== undefined),
  );
  const res = SlurmSchema.safeParse({ ...((suiteSection as object | undefined) ?? {}), ...fromFlags });
  if (!res.success) {
    const lines = res.error.issues.map((i) => {
      const field = String(i.path[0] ?? "");
      const where = field in fromFlags ? FLAG[field] : `suite slurm.${i.path.join(".")}`;
      return `  ${where}: ${i.message}`;
    });
    throw new SlurmError(`slurm settings are invalid:\n${lines.join("\n")}`);
  }
  return res.data;
}

/** One array task's work: the run, where its checkpoint and shard live. */
export const ManifestSchema = z.object({
  suite: z.string(),
  checkpointEvery: z.number().int().positive(),
  runs: z.array(
    z.object({
      runId: z.number().int(),
      checkpointDir: z.string(),
      shard: z.string(),
      task: z.custom<RunTask>((v) => typeof v === "object" && v !== null && "algo" in v && "budget" in v),
    }),
  ),
});
export type Manifest = z.output<typeof ManifestSchema>;

const shellQuote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`);

/**
 * The sbatch script of one submission: array index i runs manifest.runs[i]. `command` is the node
 * invocation of the task entry (the same node and loader flags the local executor forks with).
 */
export function sbatchScript(opts: {
  jobName: string;
  tasks: number;
  settings: SlurmSettings;
  logDir: string;
  workDir: string;
  command: string[];
}): string {
  const { settings: s } = opts;
  const lines = [
    "#!/bin/bash",
    `#SBATCH --job-name=${opts.jobName}`,
    `#SBATCH --array=0-${opts.tasks - 1}${s.maxConcurrent ? `%${s.maxConcurrent}` : ""}`,
    `#SBATCH --cpus-per-task=${s.cpusPerTask}`,
    ...(s.partition ? [`#SBATCH --partition=${s.partition}`] : []),
    ...(s.time ? [`#SBATCH --time=${s.time}`] : []),
    ...(s.mem ? [`#SBATCH --mem=${s.mem}`] : []),
    `#SBATCH --output=${opts.logDir}/%A_%a.out`,
    `#SBATCH --error=${opts.logDir}/%A_%a.err`,
    // A requeued task would otherwise truncate the log of its earlier attempt.
    "#SBATCH --open-mode=append",
    ...s.sbatchArgs.map((a) => `#SBATCH ${a}`),
    "# One (algorithm, env, seed) run per array task: the task entry reads its run from the manifest",
    "# by SLURM_ARRAY_TASK_ID, appends its evaluations to the run's shard, checkpoints like a local",
    "# run, and on SIGTERM (scancel, the time limit) checkpoints at its episode end and stops.",
    `cd ${shellQuote(opts.workDir)}`,
    // exec: the signals Slurm sends reach node itself, not a shell waiting on it.
    `exec ${opts.command.map(shellQuote).join(" ")}`,
    "",
  ];
  return lines.join("\n");
}
