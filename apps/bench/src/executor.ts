/**
 * Local executor: (algorithm, env, seed) runs execute in `workers` child processes, one run per
 * process at a time; a worker is reused for the next run so its start-up is paid once. A crashed
 * run is marked failed with its error, its worker is replaced, and the others finish. The parent
 * is the single writer of the results database; evaluations are written as they arrive, each in a
 * transaction, and a worker checkpoints only after the parent confirmed (sync → synced) that
 * everything before is stored.
 *
 * Re-running the same suite skips finished runs and resumes unfinished ones from their checkpoint;
 * what an interrupted attempt stored is kept, and the evaluations a resumed run re-makes after its
 * checkpoint are compared with the stored ones, never written twice.
 *
 * Stopping: when `stop` aborts, no new run starts and every running worker checkpoints at its next
 * episode end and reports `interrupted` (its run goes back to 'pending').
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ResultsDb } from "./db/index.js";
import type { Progress } from "./progress.js";
import type { RunLogs } from "./run-logs.js";
import type { RunTask, Suite } from "./suite.js";
import type { ParentMessage, WorkerMessage, WorkerStart } from "./worker.js";

export interface ExecutorOptions {
  workers: number;
  /** Folder for run checkpoints (deleted per run once it is finished). */
  checkpointRoot: string;
  checkpointEvery: number;
  progress: Progress;
  /** Extra environment for the children (e.g. QSCAPE_BACKEND). */
  env?: NodeJS.ProcessEnv;
  /** Graceful stop (first Ctrl-C): running workers checkpoint and stop, queued runs do not start. */
  stop?: AbortSignal;
  /** Where a run renders its final policy as a GIF (`--clips`), or null for no clip. */
  clips?: (task: RunTask) => string | null;
  /** Per-run live CSV/JSONL logs (see run-logs.ts); none when absent. */
  logs?: RunLogs;
}

export interface ExecutionSummary {
  finished: number;
  failed: { label: string; env: string; seed: number; error: string }[];
  skipped: number;
  /** Runs stopped on request after a checkpoint; the next invocation resumes them. */
  interrupted: number;
  /** Why the results store refused a write (then every run was stopped), or null. */
  storeError: string | null;
  /** Evaluations a resumed run re-made differently from the stored ones (kept): resume was not exact. */
  resumeMismatches: { label: string; env: string; seed: number; step: number }[];
  wallSeconds: number;
  /** Seconds the children spent inside the training loop (learning + env + eval), summed (runs that resumed left out). */
  loopSeconds: number;
  /** Seconds of finished runs from fork to their last message, summed: loop time + harness (runs that resumed left out). */
  runSeconds: number;
}

const workerFile = fileURLToPath(new URL("./worker.ts", import.meta.url));

/** A message to a worker; one that has just died cannot take it, and its exit handler tells what happened. */
function send(child: ChildProcess, msg: ParentMessage): void {
  if (child.connected) child.send(msg, () => {});
}

/** Every worker process alive, of any executeSuite call. */
const liveWorkers = new Set<ChildProcess>();

/** Ends every worker at once (a second Ctrl-C): their runs resume from the last checkpoint. */
export function killWorkers(): void {
  for (const child of liveWorkers) child.kill("SIGKILL");
}

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
    interrupted: 0,
    storeError: null,
    resumeMismatches: [],
    wallSeconds: 0,
    loopSeconds: 0,
    runSeconds: 0,
  };
  const queue: { task: RunTask; runId: number }[] = [];
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
      // A kill between storing the finish and removing the checkpoint leaves it behind.
      rmSync(path.join(opts.checkpointRoot, String(run.id)), { recursive: true, force: true });
      continue;
    }
    queue.push({ task, runId: run.id });
  }
  opts.progress.start(queue.length, summary.skipped);
  const pending = [...queue];

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
    liveWorkers.add(child);
    child.once("exit", () => liveWorkers.delete(child));
    return child;
  };
  // The store refused a write (a full disk, a failing device): nothing more can be recorded, so
  // every worker is ended at once; what was stored stays, and each run resumes from its last
  // checkpoint, which was written only after everything before it was stored.
  const storeFailed = (err: unknown) => {
    if (summary.storeError !== null) return;
    summary.storeError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    pending.length = 0;
    killWorkers();
  };
  const sendStop = () => {
    for (const child of liveWorkers) send(child, { type: "stop" });
  };
  opts.stop?.addEventListener("abort", () => {
    pending.length = 0;
    sendStop();
  });
  if (opts.stop?.aborted) pending.length = 0;

  // One job on a slot's worker (started if the slot has none). A worker that dies takes only its
  // current run with it; the slot starts a fresh worker for the next one.
  const runOne = (slot: Slot, { task, runId }: (typeof queue)[number]): Promise<void> =>
    new Promise((resolve) => {
      const checkpointDir = path.join(opts.checkpointRoot, String(runId));
      mkdirSync(opts.checkpointRoot, { recursive: true });
      slot.child ??= spawnWorker(slot);
      const child = slot.child;
      // Named from the start, so a run that fails before its worker reports is shown by name.
      opts.progress.update(runId, {
        label: task.label,
        env: task.env,
        seed: task.seed,
        total: task.budget.envSteps,
        step: 0,
      });
      let errorMessage: string | null = null;
      const started = performance.now();
      // A resumed run's timings count its earlier sittings too (they travel in its checkpoint), but
      // `started` is this sitting's: such runs stay out of the harness-overhead figures.
      let resumed = false;
      const finish = (error: string | null, stopped?: string) => {
        child.off("message", onMessage);
        child.off("exit", onExit);
        opts.progress.finish(runId, error, stopped);
        resolve();
      };
      const onMessage = (msg: WorkerMessage) => {
        if (msg.runId !== runId || summary.storeError !== null) return;
        try {
          handle(msg);
        } catch (err) {
          storeFailed(err);
        }
      };
      const handle = (msg: WorkerMessage) => {
        switch (msg.type) {
          case "backend":
            db.markRunning(runId, { backend: msg.backend });
            opts.logs?.start(task, msg.resumedFrom);
            resumed = msg.resumedFrom !== null;
            opts.progress.update(runId, { step: msg.resumedFrom ?? 0 });
            break;
          case "eval": {
            const outcome = db.recordEval(runId, {
              step: msg.step,
              episodeReturns: msg.returns,
              ...(msg.success !== null ? { success: msg.success } : {}),
              ...(msg.split !== undefined ? { split: msg.split } : {}),
            });
            if (outcome === "differs-from-stored")
              summary.resumeMismatches.push({
                label: msg.split ? `${task.label} (${msg.split} actions)` : task.label,
                env: task.env,
                seed: task.seed,
                step: msg.step,
              });
            // The run's score and progress are the training env's; other splits are stored beside it.
            if (msg.split !== undefined) break;
            opts.logs?.evaluation(task, msg.step, msg.returns, msg.success);
            // Multi-task runs are scored by mean success over tasks (its returns are per task).
            const score =
              task.taskSet && msg.success !== null
                ? msg.success
                : msg.returns.reduce((a, b) => a + b, 0) / msg.returns.length;
            opts.progress.update(runId, { lastEval: score });
            break;
          }
          case "metrics":
            db.recordMetrics(runId, msg.rows, { skipExisting: true });
            opts.logs?.metrics(task, msg.rows);
            break;
          case "sync":
            send(child, { type: "synced", seq: msg.seq });
            break;
          case "interrupted":
            db.markInterrupted(runId);
            summary.interrupted += 1;
            finish(null, `at step ${msg.step} (checkpointed)`);
            break;
          case "progress":
            opts.progress.update(runId, { step: msg.step, episodes: msg.episodes });
            break;
          case "done": {
            const wall = (performance.now() - started) / 1000;
            db.transaction(() => {
              db.recordTimings(runId, msg.timings);
              db.markFinished(runId, {
                wallClockS: wall,
                counters: { ...msg.counters, ...(msg.stoppedBy ? { stoppedEarly: 1 } : {}) },
              });
            });
            const t = msg.timings;
            // A multi-task run times its whole epochs and also their phases (act, env, update inside them):
            // count the epochs once. A single-env run times the phases only.
            if (!resumed) {
              summary.loopSeconds +=
                t.epochs !== undefined
                  ? t.epochs + (t.eval ?? 0)
                  : (t.env ?? 0) + (t.act ?? 0) + (t.update ?? 0) + (t.eval ?? 0) + (t.evalSplits ?? 0);
              summary.runSeconds += wall;
            }
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
        if (summary.storeError !== null) {
          finish(null, "stopped: the results store cannot be written");
          return;
        }
        if (errorMessage === null && opts.stop?.aborted && signal !== null) {
          // Ended by the stop's signal before it could checkpoint (e.g. Ctrl-C while it was still
          // starting): not a failure, the run resumes from its last checkpoint.
          summary.interrupted += 1;
          try {
            db.markInterrupted(runId);
          } catch (err) {
            storeFailed(err);
          }
          finish(null, `ended by ${signal} (resumes from its last checkpoint)`);
          return;
        }
        const error =
          errorMessage ??
          `worker exited with ${signal ? `signal ${signal}` : `code ${code}`}: ${slot.stderr.trim().split("\n").slice(-3).join(" | ")}`;
        summary.failed.push({ label: task.label, env: task.env, seed: task.seed, error });
        try {
          db.markFailed(runId, error, { wallClockS: (performance.now() - started) / 1000 });
        } catch (err) {
          storeFailed(err);
        }
        finish(errorMessage ?? "crashed");
      };
      child.on("message", onMessage);
      child.on("exit", onExit);
      const clipPath = opts.clips?.(task) ?? undefined;
      const start: WorkerStart = {
        type: "start",
        runId,
        task,
        checkpointDir,
        checkpointEvery: opts.checkpointEvery,
        ...(clipPath ? { clipPath } : {}),
      };
      send(child, start);
    });

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
