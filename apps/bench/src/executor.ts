/**
 * Local executor: (algorithm, env, seed) runs execute in `workers` child processes, one run per
 * process at a time; a worker is reused for the next run so its start-up is paid once. A crashed
 * run is marked failed with its error, its worker is replaced, and the others finish. The parent is the single
 * writer of the results database; evaluations are written as they arrive, each in a transaction.
 * Re-running the same suite skips finished runs and resumes unfinished ones from their checkpoint.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ResultsDb } from "./db/index.js";
import type { Progress } from "./progress.js";
import type { RunTask, Suite } from "./suite.js";
import type { WorkerMessage, WorkerStart } from "./worker.js";

export interface ExecutorOptions {
  workers: number;
  /** Folder for run checkpoints (deleted per run once it is finished). */
  checkpointRoot: string;
  checkpointEvery: number;
  progress: Progress;
  /** Extra environment for the children (e.g. QSCAPE_BACKEND). */
  env?: NodeJS.ProcessEnv;
}

export interface ExecutionSummary {
  finished: number;
  failed: { label: string; env: string; seed: number; error: string }[];
  skipped: number;
  wallSeconds: number;
  /** Seconds the children spent inside the training loop (learning + env + eval), summed. */
  loopSeconds: number;
  /** Seconds of finished runs from fork to their last message, summed: loop time + harness. */
  runSeconds: number;
}

const workerFile = fileURLToPath(new URL("./worker.ts", import.meta.url));

export function runConfigOf(task: RunTask): Record<string, unknown> {
  return {
    algo: task.algo,
    algoConfig: task.algoConfig,
    envKwargs: task.envKwargs,
    budget: task.budget,
    evaluation: task.evaluation,
    hidden: task.hidden,
  };
}

export async function executeSuite(
  db: ResultsDb,
  suite: Suite,
  tasks: RunTask[],
  opts: ExecutorOptions,
): Promise<ExecutionSummary> {
  const t0 = performance.now();
  const summary: ExecutionSummary = {
    finished: 0,
    failed: [],
    skipped: 0,
    wallSeconds: 0,
    loopSeconds: 0,
    runSeconds: 0,
  };
  const queue: { task: RunTask; runId: number; floor: number }[] = [];
  for (const task of tasks) {
    const run = db.upsertRun({
      suite: suite.name,
      algo: task.label,
      env: task.env,
      seed: task.seed,
      config: runConfigOf(task),
    });
    if (run.status === "finished") {
      summary.skipped += 1;
      continue;
    }
    // Evaluations already stored (before a kill) are kept; the resumed run re-reaches them
    // deterministically and does not write them twice.
    const floor = db.evaluations(run.id).reduce((m, e) => Math.max(m, e.step), -1);
    queue.push({ task, runId: run.id, floor });
  }
  opts.progress.start(queue.length, summary.skipped);

  interface Slot {
    child: ChildProcess | null;
    stderr: string;
  }
  const spawnWorker = (slot: Slot): ChildProcess => {
    const child = fork(workerFile, ["--qscape-worker"], {
      execArgv: process.execArgv,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    slot.stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      slot.stderr = (slot.stderr + d.toString()).slice(-4000);
    });
    return child;
  };

  // One job on a slot's worker (started if the slot has none). A worker that dies takes only its
  // current run with it; the slot starts a fresh worker for the next one.
  const runOne = (slot: Slot, { task, runId, floor }: (typeof queue)[number]): Promise<void> =>
    new Promise((resolve) => {
      const checkpointDir = path.join(opts.checkpointRoot, String(runId));
      mkdirSync(opts.checkpointRoot, { recursive: true });
      slot.child ??= spawnWorker(slot);
      const child = slot.child;
      let errorMessage: string | null = null;
      const started = performance.now();
      const finish = (error: string | null) => {
        child.off("message", onMessage);
        child.off("exit", onExit);
        opts.progress.finish(runId, error);
        resolve();
      };
      const onMessage = (msg: WorkerMessage) => {
        if (msg.runId !== runId) return;
        switch (msg.type) {
          case "backend":
            db.markRunning(runId, { backend: msg.backend });
            opts.progress.update(runId, {
              label: task.label,
              env: task.env,
              seed: task.seed,
              total: task.budget.envSteps,
              step: msg.resumedFrom ?? 0,
            });
            break;
          case "eval":
            if (msg.step > floor) {
              db.recordEval(runId, {
                step: msg.step,
                episodeReturns: msg.returns,
                ...(msg.success !== null ? { success: msg.success } : {}),
              });
            }
            opts.progress.update(runId, { lastEval: msg.returns.reduce((a, b) => a + b, 0) / msg.returns.length });
            break;
          case "metrics": {
            const rows = msg.rows.filter((r) => r.step > floor);
            if (rows.length > 0) db.recordMetrics(runId, rows);
            break;
          }
          case "progress":
            opts.progress.update(runId, { step: msg.step, episodes: msg.episodes });
            break;
          case "done": {
            const wall = (performance.now() - started) / 1000;
            db.recordTimings(runId, msg.timings);
            db.markFinished(runId, {
              wallClockS: wall,
              counters: { ...msg.counters, ...(msg.stoppedBy ? { stoppedEarly: 1 } : {}) },
            });
            summary.loopSeconds +=
              (msg.timings.env ?? 0) + (msg.timings.act ?? 0) + (msg.timings.update ?? 0) + (msg.timings.eval ?? 0);
            summary.runSeconds += wall;
            summary.finished += 1;
            rmSync(checkpointDir, { recursive: true, force: true });
            finish(null);
            break;
          }
          case "error":
            errorMessage = msg.message;
            break;
        }
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        slot.child = null;
        const error =
          errorMessage ??
          `worker exited with ${signal ? `signal ${signal}` : `code ${code}`}: ${slot.stderr.trim().split("\n").slice(-3).join(" | ")}`;
        db.markFailed(runId, error, { wallClockS: (performance.now() - started) / 1000 });
        summary.failed.push({ label: task.label, env: task.env, seed: task.seed, error });
        finish(errorMessage ?? "crashed");
      };
      child.on("message", onMessage);
      child.on("exit", onExit);
      const start: WorkerStart = { type: "start", runId, task, checkpointDir, checkpointEvery: opts.checkpointEvery };
      child.send(start);
    });

  const pending = [...queue];
  const slots = Array.from({ length: Math.max(1, Math.min(opts.workers, queue.length)) }, async () => {
    const slot: Slot = { child: null, stderr: "" };
    for (let job = pending.shift(); job; job = pending.shift()) await runOne(slot, job);
    slot.child?.disconnect();
  });
  await Promise.all(slots);
  opts.progress.stop();
  summary.wallSeconds = (performance.now() - t0) / 1000;
  return summary;
}
