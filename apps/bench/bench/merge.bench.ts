/**
 * `pnpm --filter @qscape/bench-app run bench:merge [N ...]`: what building results.db from N run
 * shards costs (`--executor slurm`'s merge; default N = 1,000 and 10,000). Each synthetic shard is
 * what a run of 100k env steps evaluated every 5k steps writes: a start and backend record, 21
 * evaluations of 10 episodes, metrics at 100 steps, 50 progress records and its done. Prints the
 * first merge and a second one over the same shards (idempotent: nothing new to store).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Rng } from "@qscape/core";
import { openResults } from "../src/db/index.js";
import { ShardMerger } from "../src/slurm/shard.js";

const sizes = process.argv.slice(2).map(Number);

function shardText(runId: number, rng: Rng): string {
  let t = Date.now();
  const line = (r: Record<string, unknown>) => `${JSON.stringify({ ...r, runId, t: t++ })}\n`;
  let text = line({ type: "start", jobId: `1_${runId}`, host: "node", pid: 1 });
  text += line({ type: "backend", backend: "wasm", resumedFrom: null });
  for (let step = 0; step <= 100_000; step += 2000) {
    if (step % 5000 === 0)
      text += line({
        type: "eval",
        step,
        returns: Array.from({ length: 10 }, () => rng.normal(0, 100)),
        success: null,
      });
    if (step % 10_000 === 0)
      text += line({
        type: "metrics",
        rows: Array.from({ length: 10 }, (_, i) => ({
          step: step + i * 1000,
          name: "q_loss",
          value: rng.uniform(0, 1),
        })),
      });
    text += line({ type: "progress", step, episodes: step / 1000, updates: step, lastReturn: null });
  }
  text += line({
    type: "done",
    counters: { envSteps: 100_000, updates: 99_000 },
    timings: { env: 10, update: 50, eval: 5 },
    stoppedBy: null,
  });
  return text;
}

for (const n of sizes.length > 0 ? sizes : [1000, 10_000]) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `qscape-merge-${n}-`));
  mkdirSync(path.join(dir, "shards"));
  const db = openResults(path.join(dir, "results.db"));
  db.ensureSuite("merge", {
    protocol: { envSteps: 100_000, seeds: [0], evaluation: { everySteps: 5000, episodes: 10, deterministic: true } },
  });
  const rng = new Rng(1);
  const ids: number[] = [];
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const run = db.upsertRun({ suite: "merge", algo: `a${i % 10}`, env: "e", seed: i, config: {} });
      ids.push(run.id);
      writeFileSync(path.join(dir, "shards", `${run.id}.jsonl`), shardText(run.id, rng));
    }
  });
  const time = () => {
    const merger = new ShardMerger(db);
    const t0 = performance.now();
    for (const id of ids) merger.merge(id, path.join(dir, "shards", `${id}.jsonl`));
    return (performance.now() - t0) / 1000;
  };
  const first = time();
  const again = time();
  const finished = db.listRuns("merge", { status: "finished" }).length;
  db.close();
  console.log(
    `${n} shards: merge ${first.toFixed(2)} s (${((1000 * first) / n).toFixed(2)} ms/shard), again (nothing new) ${again.toFixed(2)} s; ${finished} runs finished`,
  );
  rmSync(dir, { recursive: true, force: true });
}
