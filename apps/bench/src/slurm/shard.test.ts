import { appendFileSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openResults } from "../db/index.js";
import { readShardLines, ShardMerger, ShardWriter } from "./shard.js";

function store() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "qscape-shard-"));
  const db = openResults(path.join(dir, "results.db"));
  db.ensureSuite("s", {
    protocol: { envSteps: 100, seeds: [0], evaluation: { everySteps: 50, episodes: 2, deterministic: true } },
  });
  const run = db.upsertRun({ suite: "s", algo: "td3", env: "e", seed: 0, config: {} });
  return { dir, db, runId: run.id, file: path.join(dir, `${run.id}.jsonl`) };
}

describe("run shards", () => {
  it("a torn last line is skipped by readers and cut off by the next attempt's writer", () => {
    const { file, runId, db } = store();
    const w = new ShardWriter(file);
    w.append({ type: "eval", runId, step: 0, returns: [1, 2], success: null });
    w.close();
    appendFileSync(file, '{"type":"eval","runId":1,"st'); // killed mid-write
    expect(readShardLines(file, 0).records).toHaveLength(1);
    const again = new ShardWriter(file);
    again.append({ type: "eval", runId, step: 50, returns: [3, 4], success: null });
    again.close();
    const { records, bad } = readShardLines(file, 0);
    expect(bad).toEqual([]);
    expect(records.map((r) => r.type === "eval" && r.step)).toEqual([0, 50]);
    expect(readFileSync(file, "utf8").endsWith("}\n")).toBe(true);
    db.close();
  });

  it("merging is idempotent: evaluations kept as first stored, timings recorded once, status from the last attempt", () => {
    const { file, runId, db } = store();
    const w = new ShardWriter(file);
    w.append({ type: "start", runId, jobId: "1_0", host: "h", pid: 1 });
    w.append({ type: "backend", runId, backend: "wasm", resumedFrom: null });
    w.append({ type: "eval", runId, step: 0, returns: [1, 2], success: null });
    w.append({ type: "error", runId, message: "Error: boom" });
    expect(new ShardMerger(db).merge(runId, file).state).toEqual({ kind: "error", message: "Error: boom" });
    expect(db.getRun(runId)).toMatchObject({ status: "failed", error: "Error: boom" });
    // The resubmitted attempt: re-makes step 0 (identically), goes on, finishes.
    w.append({ type: "start", runId, jobId: "2_0", host: "h", pid: 2 });
    w.append({ type: "backend", runId, backend: "wasm", resumedFrom: 0 });
    w.append({ type: "eval", runId, step: 0, returns: [1, 2], success: null });
    w.append({ type: "metrics", runId, rows: [{ step: 50, name: "q_loss", value: 0.5 }] });
    w.append({ type: "eval", runId, step: 50, returns: [5, 6], success: null });
    w.append({ type: "done", runId, counters: { envSteps: 100 }, timings: { env: 1.5 }, stoppedBy: null });
    w.close();
    for (let i = 0; i < 2; i++) {
      const merger = new ShardMerger(db);
      expect(merger.merge(runId, file).state).toEqual({ kind: "finished" });
      expect(merger.resumeMismatches).toEqual([]);
    }
    expect(db.getRun(runId)).toMatchObject({ status: "finished", error: null, counters: { envSteps: 100 } });
    expect(db.evaluations(runId).map((e) => e.meanReturn)).toEqual([1.5, 5.5]);
    expect(db.metrics(runId)).toEqual([{ step: 50, name: "q_loss", value: 0.5 }]);
    expect(db.timings(runId)).toEqual([{ phase: "env", seconds: 1.5, calls: 1 }]);
    db.close();
  });
});
