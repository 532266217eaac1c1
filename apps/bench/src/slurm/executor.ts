/**
 * Slurm executor: a suite's unfinished runs become one job array (one array task per run, `%N`
 * throttling); each task runs the worker's runTask through `task.ts` and appends to its run's shard;
 * the parent — the only writer of results.db, as with the local executor — merges the shards
 * (see shard.ts), follows the job through `squeue`, and writes the report.
 *
 * Layout of the results folder, which every node must see at the same path:
 *   results.db                 built by the merge (parent only)
 *   checkpoints/<runId>/       as local runs (deleted once the run is merged as finished)
 *   shards/<runId>.jsonl       what the run's worker reported, appended across attempts
 *   slurm/submit-<k>.json      manifest of submission k: array index → run
 *   slurm/submit-<k>.sbatch    its script; slurm/jobs.jsonl: one line per submitted job
 *   slurm/suite.json           the suite, for `collect`'s report
 *   slurm/logs/<job>_<i>.{out,err}
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { ResultsDb } from "../db/index.js";
import { runConfigOf } from "../executor.js";
import type { Progress } from "../progress.js";
import type { RunTask, Suite } from "../suite.js";
import { type Manifest, SlurmError, type SlurmSettings, sbatchScript } from "./config.js";
import { readShardLines, ShardMerger, type ShardState } from "./shard.js";

const taskEntry = fileURLToPath(new URL("./task.ts", import.meta.url));

/** Run a Slurm client command; a missing command or a down controller becomes a SlurmError. */
function slurmCmd(cmd: string, args: string[], input?: string): string {
  const res = spawnSync(cmd, args, { encoding: "utf8", timeout: 60_000, ...(input ? { input } : {}) });
  if (res.error && (res.error as NodeJS.ErrnoException).code === "ENOENT")
    throw new SlurmError(
      `${cmd} not found on PATH: --executor slurm needs Slurm's client commands (sbatch, squeue, scontrol) on this machine`,
    );
  if (res.error) throw new SlurmError(`${cmd} ${args.join(" ")}: ${res.error.message}`);
  if (res.status !== 0)
    throw new SlurmError(
      `${cmd} ${args.join(" ")} failed (exit ${res.status}): ${res.stderr.trim() || res.stdout.trim()}`,
    );
  return res.stdout;
}

/** Before anything is written or submitted: the client commands exist and the controller answers. */
export function preflight(): void {
  for (const cmd of ["sbatch", "squeue", "scontrol"]) {
    const found = spawnSync("/bin/sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
    if (found.status !== 0)
      throw new SlurmError(
        `${cmd} not found on PATH: --executor slurm needs Slurm's client commands (sbatch, squeue, scontrol) on this machine`,
      );
  }
  const ping = spawnSync("scontrol", ["ping"], { encoding: "utf8", timeout: 60_000 });
  const out = `${ping.stdout ?? ""}${ping.stderr ?? ""}`.trim();
  if (ping.status !== 0 || !/ is UP/.test(out))
    throw new SlurmError(
      `the Slurm controller does not answer (scontrol ping: ${out.split("\n").join(" ") || `exit ${ping.status}`}); nothing was submitted`,
    );
}

const JobLineSchema = z.object({
  jobId: z.string(),
  submission: z.number().int(),
  runIds: z.array(z.number().int()),
  submittedAt: z.string(),
});
type JobLine = z.output<typeof JobLineSchema>;

const slurmDir = (outDir: string) => path.join(outDir, "slurm");
const shardFile = (outDir: string, runId: number) => path.join(outDir, "shards", `${runId}.jsonl`);
const logFile = (outDir: string, task: string, ext: "out" | "err") =>
  path.join(slurmDir(outDir), "logs", `${task}.${ext}`);

function readJobs(outDir: string): JobLine[] {
  const file = path.join(slurmDir(outDir), "jobs.jsonl");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l, i) => {
      const r = JobLineSchema.safeParse(JSON.parse(l));
      if (!r.success) throw new SlurmError(`${file} line ${i + 1}: ${r.error.message}`);
      return r.data;
    });
}

/** Each run's latest array task (`<job>_<index>`), from every submission so far. */
function latestTasks(outDir: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const job of readJobs(outDir)) job.runIds.forEach((runId, i) => void map.set(runId, `${job.jobId}_${i}`));
  return map;
}

const ACTIVE = new Set([
  "PENDING",
  "CONFIGURING",
  "RUNNING",
  "COMPLETING",
  "SUSPENDED",
  "REQUEUED",
  "REQUEUE_HOLD",
  "REQUEUE_FED",
  "RESIZING",
  "SIGNALING",
  "STAGE_OUT",
  "STOPPED",
]);

export const jobName = (suite: string): string => `qscape-${suite}`;

/** States of the array tasks of `jobIds` (`<job>_<index>` → state, reason); ones squeue forgot are absent. */
function taskStates(jobIds: string[], suite: string): Map<string, { state: string; reason: string }> {
  const map = new Map<string, { state: string; reason: string }>();
  if (jobIds.length === 0) return map;
  const wanted = new Set(jobIds);
  // All of one's own jobs rather than `-j`: squeue fails the whole query on one id it has forgotten.
  const out = slurmCmd("squeue", ["--me", "-h", "-r", "-t", "all", "-o", "%i|%T|%r|%j"]);
  for (const line of out.split("\n")) {
    const [id, state, reason, name] = line.trim().split("|");
    // Job ids restart at 1 when a cluster's state is wiped: an id of ours is ours only with our name.
    if (!id || !state || !wanted.has(id.split("_")[0] as string) || name !== jobName(suite)) continue;
    map.set(id, { state, reason: reason ?? "" });
  }
  return map;
}

function exitCodeOf(task: string): string | null {
  try {
    return /\bExitCode=(\S+)/.exec(slurmCmd("scontrol", ["-o", "show", "job", task]))?.[1] ?? null;
  } catch {
    return null; // forgotten by the controller (MinJobAge)
  }
}

function stderrTail(outDir: string, task: string, lines = 6): string {
  try {
    return readFileSync(logFile(outDir, task, "err"), "utf8")
      .trim()
      .split("\n")
      .slice(-lines)
      .join(" | ");
  } catch {
    return "";
  }
}

export interface SlurmSummary {
  jobId: string | null;
  finished: number;
  failed: { runId: number; label: string; error: string }[];
  interrupted: number;
  pending: number;
  skipped: number;
  resumeMismatches: { runId: number; step: number }[];
}

/**
 * A run whose task has ended without finishing: stopped with a checkpoint (pending again) or failed,
 * with the Slurm state, exit code and stderr tail added to the worker's own error, if any.
 */
function settleEnded(
  db: ResultsDb,
  outDir: string,
  runId: number,
  state: ShardState,
  task: string,
  slurmState: string,
) {
  if (state.kind === "finished") return { kind: "finished" as const };
  if (state.kind === "interrupted") return { kind: "interrupted" as const };
  const exit = exitCodeOf(task);
  const tail = stderrTail(outDir, task);
  const why =
    state.kind === "error" ? state.message : "the task ended without a result (resumes from its last checkpoint)";
  const error = `${why} [slurm ${slurmState}${exit ? `, exit ${exit}` : ""}, task ${task}${tail ? `; stderr: ${tail}` : ""}]`;
  if (db.getRun(runId).error !== error) db.markFailed(runId, error);
  return { kind: "failed" as const, error };
}

/**
 * Merges every shard of the suite's runs and settles runs whose latest task has ended. Returns the
 * job ids that still have tasks pending or running.
 */
export function collectInto(db: ResultsDb, outDir: string, suite: string, merger = new ShardMerger(db)) {
  const runs = db.listRuns(suite);
  const tasks = latestTasks(outDir);
  const states = taskStates([...new Set([...tasks.values()].map((t) => t.split("_")[0] as string))], suite);
  const active = new Set<string>();
  const failed: SlurmSummary["failed"] = [];
  for (const run of runs) {
    const f = merger.merge(run.id, shardFile(outDir, run.id));
    const task = tasks.get(run.id);
    if (!task || run.status === "finished") continue;
    const slurm = states.get(task);
    if (slurm && ACTIVE.has(slurm.state)) {
      active.add(task.split("_")[0] as string);
      continue;
    }
    const settled = settleEnded(db, outDir, run.id, f.state, task, slurm?.state ?? "ended (no longer in squeue)");
    if (settled.kind === "failed")
      failed.push({ runId: run.id, label: `${run.algo} on ${run.env} seed ${run.seed}`, error: settled.error });
  }
  for (const run of db.listRuns(suite, { status: "finished" }))
    rmSync(path.join(outDir, "checkpoints", String(run.id)), { recursive: true, force: true });
  return { active: [...active], failed, resumeMismatches: merger.resumeMismatches };
}

export interface SubmitOptions {
  outDir: string;
  settings: SlurmSettings;
  checkpointEvery: number;
  dryRun: boolean;
  detach: boolean;
  progress: Progress;
  /** Following stops (the job goes on) when this aborts. */
  stop?: AbortSignal;
  log: (line: string) => void;
}

/** Writes a file under a temporary name, then renames it: a reader never sees half of it. */
function writeAtomic(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

export async function executeSlurm(
  db: ResultsDb,
  suite: Suite,
  tasks: RunTask[],
  opts: SubmitOptions,
): Promise<SlurmSummary & { script?: string }> {
  const { outDir } = opts;
  const dir = slurmDir(outDir);
  mkdirSync(path.join(dir, "logs"), { recursive: true });
  mkdirSync(path.join(outDir, "shards"), { recursive: true });
  mkdirSync(path.join(outDir, "checkpoints"), { recursive: true });
  writeAtomic(path.join(dir, "suite.json"), `${JSON.stringify(suite, null, 2)}\n`);

  const ids = tasks.map(
    (task) =>
      db.upsertRun({ suite: suite.name, algo: task.label, env: task.env, seed: task.seed, config: runConfigOf(task) })
        .id,
  );
  const merger = new ShardMerger(db);
  const summary: SlurmSummary = {
    jobId: null,
    finished: 0,
    failed: [],
    interrupted: 0,
    pending: 0,
    skipped: 0,
    resumeMismatches: merger.resumeMismatches,
  };
  // What earlier jobs left: their shards merged, their ended tasks settled; a job still running
  // must not be joined by a second attempt of the same run.
  if (!opts.dryRun) {
    const { active } = collectInto(db, outDir, suite.name, merger);
    if (active.length > 0)
      throw new SlurmError(
        `job(s) ${active.join(", ")} still have tasks pending or running on ${outDir}; follow them with \`pnpm bench status ${outDir}\` or cancel them (scancel ${active.join(" ")}) before submitting again`,
      );
  }
  const queue = tasks
    .map((task, i) => ({ task, runId: ids[i] as number }))
    .filter(({ runId }) => db.getRun(runId).status !== "finished");
  summary.skipped = tasks.length - queue.length;
  if (queue.length === 0) {
    opts.log(`all ${tasks.length} runs already finished: nothing to submit`);
    return summary;
  }

  const submission = readJobs(outDir).length;
  const manifest: Manifest = {
    suite: suite.name,
    checkpointEvery: opts.checkpointEvery,
    runs: queue.map(({ task, runId }) => ({
      runId,
      task,
      checkpointDir: path.join(outDir, "checkpoints", String(runId)),
      shard: shardFile(outDir, runId),
    })),
  };
  const manifestFile = path.join(dir, `submit-${submission}.json`);
  const scriptFile = path.join(dir, `submit-${submission}.sbatch`);
  const script = sbatchScript({
    jobName: jobName(suite.name),
    tasks: queue.length,
    settings: opts.settings,
    logDir: path.join(dir, "logs"),
    workDir: path.dirname(taskEntry),
    // The node and loader flags this process runs with: those the local executor forks workers with.
    command: [process.execPath, ...process.execArgv, taskEntry, manifestFile],
  });
  writeAtomic(manifestFile, `${JSON.stringify(manifest)}\n`);
  writeAtomic(scriptFile, script);
  if (opts.dryRun) {
    opts.log(`dry run: sbatch script ${scriptFile} (manifest ${manifestFile}), not submitted:`);
    return { ...summary, script };
  }
  const jobId = slurmCmd("sbatch", ["--parsable", scriptFile]).trim().split(";")[0] as string;
  summary.jobId = jobId;
  appendFileSync(
    path.join(dir, "jobs.jsonl"),
    `${JSON.stringify({ jobId, submission, runIds: queue.map((q) => q.runId), submittedAt: new Date().toISOString() } satisfies JobLine)}\n`,
  );
  opts.log(
    `submitted job ${jobId}: ${queue.length} array task(s)${opts.settings.maxConcurrent ? `, at most ${opts.settings.maxConcurrent} at once` : ""}; logs in ${path.join(dir, "logs")}`,
  );
  if (opts.detach) {
    opts.log(`detached: \`pnpm bench status ${outDir}\` to follow, \`pnpm bench collect ${outDir}\` for the report`);
    summary.pending = queue.length;
    return summary;
  }
  await follow(db, outDir, jobId, queue, merger, summary, opts);
  return summary;
}

/** Polls squeue and the shards until every task of the job has ended; results.db follows the shards. */
async function follow(
  db: ResultsDb,
  outDir: string,
  jobId: string,
  queue: { task: RunTask; runId: number }[],
  merger: ShardMerger,
  summary: SlurmSummary,
  opts: SubmitOptions,
): Promise<void> {
  opts.progress.start(queue.length, summary.skipped);
  const reported = new Set<number>();
  let lastCounts = "";
  for (;;) {
    const states = taskStates([jobId], queue[0]?.task.suite ?? "");
    let running = 0;
    let pendingCount = 0;
    queue.forEach(({ task, runId }, i) => {
      if (reported.has(runId)) return;
      const taskId = `${jobId}_${i}`;
      const slurm = states.get(taskId);
      const f = merger.merge(runId, shardFile(outDir, runId));
      if (f.state.kind === "running")
        opts.progress.update(runId, {
          label: task.label,
          env: task.env,
          seed: task.seed,
          total: task.budget.envSteps,
          step: f.step,
          ...(f.lastEval !== null ? { lastEval: f.lastEval } : {}),
        });
      if (slurm && ACTIVE.has(slurm.state)) {
        if (slurm.state === "PENDING") pendingCount += 1;
        else running += 1;
        return;
      }
      // Ended (or forgotten by squeue): the task wrote its last record before it exited.
      reported.add(runId);
      opts.progress.update(runId, {
        label: task.label,
        env: task.env,
        seed: task.seed,
        total: task.budget.envSteps,
        ...(f.lastEval !== null ? { lastEval: f.lastEval } : {}),
      });
      const settled = settleEnded(db, outDir, runId, f.state, taskId, slurm?.state ?? "ended (no longer in squeue)");
      if (settled.kind === "finished") {
        summary.finished += 1;
        rmSync(path.join(outDir, "checkpoints", String(runId)), { recursive: true, force: true });
        opts.progress.finish(runId, null);
      } else if (settled.kind === "interrupted") {
        summary.interrupted += 1;
        opts.progress.finish(
          runId,
          null,
          `by Slurm (${slurm?.state ?? "ended"}), checkpointed: the same command resumes it`,
        );
      } else {
        summary.failed.push({ runId, label: `${task.label} on ${task.env} seed ${task.seed}`, error: settled.error });
        opts.progress.finish(runId, settled.error);
      }
    });
    const counts = `${pendingCount} pending, ${running} running, ${reported.size} ended`;
    if (counts !== lastCounts && reported.size < queue.length) opts.log(`job ${jobId}: ${counts}`);
    lastCounts = counts;
    if (reported.size === queue.length) break;
    if (opts.stop?.aborted) {
      summary.pending = queue.length - reported.size;
      opts.log(
        `stopped following; job ${jobId} goes on: \`pnpm bench status ${outDir}\` to look, \`pnpm bench collect ${outDir}\` for the report`,
      );
      break;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  opts.progress.stop();
}

/** `pnpm bench status DIR`: each run of the latest submissions, from the shards and squeue; writes nothing. */
export function slurmStatus(db: ResultsDb, outDir: string, suite: string): string[] {
  const tasks = latestTasks(outDir);
  const states = taskStates([...new Set([...tasks.values()].map((t) => t.split("_")[0] as string))], suite);
  const lines: string[] = [];
  const counts = new Map<string, number>();
  for (const run of db.listRuns(suite)) {
    const task = tasks.get(run.id);
    const slurm = task ? states.get(task) : undefined;
    const shard = readShardTail(shardFile(outDir, run.id));
    const status = run.status === "finished" || shard.done ? "finished" : (slurm?.state.toLowerCase() ?? run.status);
    counts.set(status, (counts.get(status) ?? 0) + 1);
    lines.push(
      `${`${run.algo}/${run.env}/s${run.seed}`.padEnd(40)} ${status.padEnd(10)} step ${String(shard.step).padStart(8)}/${(run.config.budget as { envSteps?: number } | undefined)?.envSteps ?? "?"}  ${task ?? "-"}${slurm?.reason && slurm.reason !== "None" ? ` (${slurm.reason})` : ""}${run.status === "failed" && run.error ? `  ${run.error.slice(0, 160)}` : ""}`,
    );
  }
  lines.push([...counts].map(([k, v]) => `${v} ${k}`).join(", "));
  return lines;
}

/** The latest step and whether a shard holds a `done`, without a database. */
function readShardTail(file: string): { step: number; done: boolean } {
  let step = 0;
  let done = false;
  for (const r of readShardLines(file, 0).records) {
    if (r.type === "done") done = true;
    if (r.type === "progress") step = r.step;
    if (r.type === "backend") step = r.resumedFrom ?? 0;
  }
  return { step, done };
}

/** The suite a results folder was submitted with (for `collect`'s report). */
export function submittedSuite(outDir: string): unknown {
  const file = path.join(slurmDir(outDir), "suite.json");
  if (!existsSync(file)) throw new SlurmError(`${outDir} has no slurm/suite.json: not a folder of --executor slurm`);
  return JSON.parse(readFileSync(file, "utf8"));
}
