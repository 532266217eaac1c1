/**
 * `pnpm --filter @qscape/bench-app run bench:harness`: what the harness costs and how it scales.
 *  - overhead: time of each run from fork to its last message, minus the time its training loop
 *    ran (process start, imports, backend init, IPC, DB writes, progress), as a share of the run;
 *  - speed-up of `--workers 2` over `--workers 1` on the same suite (wall-clock ratio).
 * Args are passed to both runs (default: the default suite at 1,500 steps and 2 seeds).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(appDir, "src/cli.ts");
const extra = process.argv.slice(2);
const suiteArgs = extra.length > 0 ? extra : ["default", "--steps", "1500", "--seeds", "2"];

interface Summary {
  workers: number;
  finished: number;
  wallSeconds: number;
  runSeconds: number;
  loopSeconds: number;
}

function run(workers: number): Summary {
  const out = mkdtempSync(path.join(os.tmpdir(), `qscape-harness-w${workers}-`));
  const t0 = performance.now();
  const res = spawnSync(
    process.execPath,
    [...process.execArgv, cli, ...suiteArgs, "--workers", String(workers), "--quiet", "--out", out],
    {
      cwd: appDir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  if (res.status !== 0)
    throw new Error(`bench failed (workers ${workers}): ${res.stderr.split("\n").slice(-5).join("\n")}`);
  const s = JSON.parse(readFileSync(path.join(out, "summary.json"), "utf8")) as Summary;
  console.log(
    `workers ${workers}: ${s.finished} runs in ${s.wallSeconds.toFixed(1)} s (command ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return s;
}

console.log(`suite: ${suiteArgs.join(" ")}`);
const one = run(1);
const two = run(2);
const overhead = (s: Summary) => 1 - s.loopSeconds / s.runSeconds;
console.log(`harness overhead, workers 1: ${(100 * overhead(one)).toFixed(1)}% of run time`);
console.log(`harness overhead, workers 2: ${(100 * overhead(two)).toFixed(1)}% of run time`);
console.log(
  `speed-up of --workers 2 over --workers 1: ${(one.wallSeconds / two.wallSeconds).toFixed(2)}x (machine has ${os.availableParallelism()} cores)`,
);
