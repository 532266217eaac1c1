/**
 * What one Slurm array task runs: `task.ts <manifest.json>` picks manifest.runs[SLURM_ARRAY_TASK_ID]
 * and runs it through the worker's runTask — the local executor's code path and checkpoints —
 * with a reporter that appends every message to the run's shard (fsync'd, so a checkpoint never
 * runs ahead of the evaluations before it). SIGTERM (scancel, the time limit, preemption) asks
 * the run to stop at its next episode end with a checkpoint; a run that cannot (SIGKILL after
 * Slurm's KillWait) resumes from its previous checkpoint.
 *
 * Exit status: 0 finished, 143 stopped with a checkpoint (resumable), 1 the run threw (its error is
 * in the shard and on stderr), 2 the manifest or task id is wrong.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import { requestStop, runTask } from "../worker.js";
import { ManifestSchema } from "./config.js";
import { ShardWriter } from "./shard.js";

async function main(): Promise<number> {
  const manifestFile = process.argv[2];
  const index = Number(process.env.SLURM_ARRAY_TASK_ID);
  if (!manifestFile || !Number.isInteger(index)) {
    console.error(
      "usage: SLURM_ARRAY_TASK_ID=i task.ts <manifest.json> (run by the sbatch script of --executor slurm)",
    );
    return 2;
  }
  const parsed = ManifestSchema.safeParse(JSON.parse(readFileSync(manifestFile, "utf8")));
  if (!parsed.success) {
    console.error(`manifest ${manifestFile}: ${parsed.error.message}`);
    return 2;
  }
  const entry = parsed.data.runs[index];
  if (!entry) {
    console.error(`manifest ${manifestFile} has ${parsed.data.runs.length} runs; no array task ${index}`);
    return 2;
  }
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, requestStop);
  const shard = new ShardWriter(entry.shard);
  const jobId = `${process.env.SLURM_ARRAY_JOB_ID ?? process.env.SLURM_JOB_ID ?? "?"}_${index}`;
  shard.append({ type: "start", runId: entry.runId, jobId, host: os.hostname(), pid: process.pid });
  let interrupted = false;
  try {
    await runTask(
      {
        type: "start",
        runId: entry.runId,
        task: entry.task,
        checkpointDir: entry.checkpointDir,
        checkpointEvery: parsed.data.checkpointEvery,
      },
      undefined,
      async (msg) => {
        if (msg.type === "interrupted") interrupted = true;
        shard.append(msg);
        // The append is synchronous; without a turn of the event loop here a SIGTERM's handler
        // would not run before the run ends (IPC gives the local workers that turn).
        await new Promise((resolve) => setImmediate(resolve));
      },
    );
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    shard.append({ type: "error", runId: entry.runId, message });
    console.error(err);
    return 1;
  } finally {
    shard.close();
  }
  return interrupted ? 143 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
