/**
 * Run shards: under `--executor slurm` each run appends what its worker reports (the same messages
 * the local executor gets over IPC) to its own file, `shards/<runId>.jsonl`, one JSON record a line,
 * each line written with one write() and fsync'd before the worker goes on. The parent builds
 * `results.db` from the shards by an idempotent merge.
 *
 * Why an append-only JSONL per run rather than a SQLite file per run: the shards live on the
 * cluster's shared filesystem, often NFS or Lustre, where SQLite's locking is unreliable and every
 * transaction costs several lock and sync round trips; an append needs no lock (one writer per
 * file: one array task per run at a time) and one fsync. A kill can leave at most a torn last line,
 * which readers ignore and the next attempt cuts off before appending. The records are the worker's
 * own messages, so the merge feeds them to the same ResultsDb calls the local executor makes.
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";
import { z } from "zod";
import type { ResultsDb } from "../db/index.js";
import type { WorkerMessage } from "../worker.js";

const num = z.number();
/** One shard line: a worker message (or the task's own `start`) and when it was written (epoch ms). */
export const ShardRecordSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("start"),
    runId: num,
    jobId: z.string(),
    host: z.string(),
    pid: num,
  }),
  z.object({ type: z.literal("backend"), runId: num, backend: z.string(), resumedFrom: num.nullable() }),
  z.object({
    type: z.literal("progress"),
    runId: num,
    step: num,
    episodes: num,
    updates: num,
    lastReturn: num.nullable(),
  }),
  z.object({
    type: z.literal("eval"),
    runId: num,
    step: num,
    returns: z.array(num),
    success: num.nullable(),
    split: z.string().optional(),
  }),
  z.object({
    type: z.literal("metrics"),
    runId: num,
    rows: z.array(z.object({ step: num, name: z.string(), value: num })),
  }),
  z.object({
    type: z.literal("done"),
    runId: num,
    counters: z.record(z.string(), num),
    timings: z.record(z.string(), num),
    stoppedBy: z.string().nullable(),
  }),
  z.object({ type: z.literal("interrupted"), runId: num, step: num }),
  z.object({ type: z.literal("error"), runId: num, message: z.string() }),
]);
export type ShardRecord = z.output<typeof ShardRecordSchema> & { t: number };
const LineSchema = z.intersection(ShardRecordSchema, z.object({ t: num }));

/** The appending side, used by one array task. */
export class ShardWriter {
  private readonly fd: number;

  /** Opens for appending; a torn last line (a kill mid-write) is cut off first. */
  constructor(readonly file: string) {
    this.fd = openSync(file, "a+");
    const size = fstatSync(this.fd).size;
    if (size > 0) {
      const tail = Buffer.alloc(Math.min(size, 1 << 16));
      readSync(this.fd, tail, 0, tail.length, size - tail.length);
      if (tail[tail.length - 1] !== 0x0a) {
        const lastNewline = tail.lastIndexOf(0x0a);
        ftruncateSync(this.fd, lastNewline < 0 ? size - tail.length : size - tail.length + lastNewline + 1);
      }
    }
  }

  /** Durable on return: a checkpoint written after this call never runs ahead of the shard. */
  append(record: WorkerMessage | Extract<z.output<typeof ShardRecordSchema>, { type: "start" }>): void {
    // `sync` asks for durability, which every append already has: nothing to store.
    if (record.type === "sync") return;
    writeSync(this.fd, `${JSON.stringify({ ...record, t: Date.now() })}\n`);
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Whole lines from `offset` on (a torn last line is left for later); the offset after them. */
export function readShardLines(
  file: string,
  offset: number,
): { records: ShardRecord[]; offset: number; bad: string[] } {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { records: [], offset, bad: [] };
    throw e;
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= offset) return { records: [], offset, bad: [] };
    const buf = Buffer.alloc(size - offset);
    readSync(fd, buf, 0, buf.length, offset);
    const end = buf.lastIndexOf(0x0a) + 1;
    const records: ShardRecord[] = [];
    const bad: string[] = [];
    for (const line of buf.subarray(0, end).toString("utf8").split("\n")) {
      if (line === "") continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        bad.push(line.slice(0, 120));
        continue;
      }
      const r = LineSchema.safeParse(parsed);
      if (r.success) records.push(r.data as ShardRecord);
      else bad.push(line.slice(0, 120));
    }
    return { records, offset: offset + end, bad };
  } finally {
    closeSync(fd);
  }
}

/** A run's state as its shard tells it. */
export type ShardState =
  | { kind: "none" }
  | { kind: "running"; jobId: string; host: string; step: number; lastEval: number | null }
  | { kind: "finished" }
  | { kind: "interrupted"; step: number }
  | { kind: "error"; message: string };

interface Followed {
  offset: number;
  state: ShardState;
  attemptStart: number | null;
  jobId: string;
  host: string;
  step: number;
  lastEval: number | null;
}

/**
 * Merges shards into results.db, incrementally: each call reads what was appended to a shard since
 * the last call. Idempotent — a fresh merger over the same shards changes nothing:
 * evaluations and metrics are inserted only where missing (ResultsDb.recordEval's rule: a stored
 * row is never changed; a resumed run's re-made evaluation that differs is counted as a resume
 * mismatch), and a run's status is set from its shard's latest lifecycle record only when it
 * differs; a finished run is final (it is never resubmitted), so its timings are recorded once.
 */
export class ShardMerger {
  private readonly runs = new Map<number, Followed>();
  readonly resumeMismatches: { runId: number; step: number }[] = [];
  readonly badLines: { runId: number; line: string }[] = [];

  constructor(private readonly db: ResultsDb) {}

  state(runId: number): Followed {
    let f = this.runs.get(runId);
    if (!f) {
      f = { offset: 0, state: { kind: "none" }, attemptStart: null, jobId: "", host: "", step: 0, lastEval: null };
      this.runs.set(runId, f);
    }
    return f;
  }

  /** Reads and stores what `file` gained since the last call for `runId`; returns the run's state. */
  merge(runId: number, file: string): Followed {
    const f = this.state(runId);
    const { records, offset, bad } = readShardLines(file, f.offset);
    for (const line of bad) this.badLines.push({ runId, line });
    f.offset = offset;
    if (records.length === 0) return f;
    const finishedBefore = this.db.getRun(runId).status === "finished";
    this.db.transaction(() => {
      for (const r of records) this.apply(runId, f, r, finishedBefore);
      if (!finishedBefore) this.settle(runId, f);
    });
    return f;
  }

  private apply(runId: number, f: Followed, r: ShardRecord, finishedBefore: boolean): void {
    switch (r.type) {
      case "start":
        f.attemptStart = r.t;
        f.jobId = r.jobId;
        f.host = r.host;
        f.state = { kind: "running", jobId: r.jobId, host: r.host, step: 0, lastEval: null };
        break;
      case "backend":
        f.step = r.resumedFrom ?? 0;
        if (!finishedBefore) this.db.markRunning(runId, { backend: r.backend });
        break;
      case "progress":
        f.step = r.step;
        break;
      case "eval": {
        const outcome = this.db.recordEval(runId, {
          step: r.step,
          episodeReturns: r.returns,
          ...(r.success !== null ? { success: r.success } : {}),
          ...(r.split !== undefined ? { split: r.split } : {}),
        });
        if (outcome === "differs-from-stored") this.resumeMismatches.push({ runId, step: r.step });
        if (r.split === undefined) f.lastEval = r.returns.reduce((a, b) => a + b, 0) / r.returns.length;
        break;
      }
      case "metrics":
        this.db.recordMetrics(runId, r.rows, { skipExisting: true });
        break;
      case "done":
        if (!finishedBefore && f.state.kind !== "finished") {
          this.db.recordTimings(runId, r.timings);
          this.db.markFinished(runId, {
            wallClockS: (r.t - (f.attemptStart ?? r.t)) / 1000,
            counters: { ...r.counters, ...(r.stoppedBy ? { stoppedEarly: 1 } : {}) },
          });
        }
        f.state = { kind: "finished" };
        break;
      case "interrupted":
        f.state = { kind: "interrupted", step: r.step };
        break;
      case "error":
        f.state = { kind: "error", message: r.message };
        break;
    }
    if (f.state.kind === "running") f.state = { ...f.state, step: f.step, lastEval: f.lastEval };
  }

  /** The run's row follows its shard's latest lifecycle record. */
  private settle(runId: number, f: Followed): void {
    const run = this.db.getRun(runId);
    if (f.state.kind === "interrupted" && run.status !== "pending") this.db.markInterrupted(runId);
    // The parent may have added the task's Slurm state and stderr after the message: that is the same failure.
    if (f.state.kind === "error" && (run.status !== "failed" || !run.error?.startsWith(f.state.message)))
      this.db.markFailed(runId, f.state.message);
  }
}
