/**
 * `--executor slurm` against a real Slurm: a single-node cluster on localhost (scripts/slurm-local.sh,
 * which installs slurm-wlm and munge with apt when they are missing and this runs as root). The
 * same small suite runs under the local executor once as the reference; then under Slurm it must
 * give identical numbers, honour --max-concurrent, resume array tasks ended by scancel (SIGTERM:
 * checkpoint and stop; SIGKILL: resume from the previous checkpoint) with no evaluation lost,
 * report a crashing task as failed with its Slurm state and stderr while the others finish, and
 * refuse a missing sbatch or a down controller before anything is written.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openResults } from "../src/db/index.js";
import { readShardLines } from "../src/slurm/shard.js";
import { RUNS, storedRows, writeTwoByTwoSuite } from "./two-by-two.js";

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = path.resolve(appDir, "../..");
const cli = path.join(appDir, "src/cli.ts");
const tsx = path.join(repoRoot, "node_modules/.bin/tsx");
const root = mkdtempSync(path.join(os.tmpdir(), "qscape-slurm-"));
const cluster = path.join(root, "cluster");
const slurmConf = path.join(cluster, "slurm.conf");
const SUITE = "slurm-check";
const suiteFile = path.join(root, "suite.mjs");
writeTwoByTwoSuite(suiteFile, SUITE, "--executor slurm check: two learners, two seeds, short budget", {
  slurm: { maxConcurrent: 2 },
});

function bench(args: string[], env: NodeJS.ProcessEnv = {}) {
  const t0 = performance.now();
  const res = spawnSync(tsx, ["--conditions=@qscape/source", cli, suiteFile, "--quiet", ...args], {
    cwd: appDir,
    encoding: "utf8",
    timeout: 170_000,
    env: { ...process.env, SLURM_CONF: slurmConf, ...env },
  });
  return { ...res, output: `${res.stdout}${res.stderr}`, seconds: (performance.now() - t0) / 1000 };
}

const rows = (out: string) => storedRows(out, SUITE);

const shard = (out: string, runId: number) => readShardLines(path.join(out, "shards", `${runId}.jsonl`), 0).records;

function squeue(job: string): string[] {
  const res = spawnSync("squeue", ["-h", "-r", "-t", "all", "-j", job, "-o", "%i %T"], {
    encoding: "utf8",
    env: { ...process.env, SLURM_CONF: slurmConf },
  });
  return res.stdout.trim().split("\n").filter(Boolean);
}

async function until(what: string, pred: () => boolean, timeoutMs = 90_000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let reference: Map<string, string>;
let localSeconds = 0;

beforeAll(() => {
  const started = spawnSync(path.join(repoRoot, "scripts/slurm-local.sh"), ["start", cluster], { encoding: "utf8" });
  expect(started.status, `could not start a local Slurm: ${started.stderr}`).toBe(0);
  const out = path.join(root, "local");
  const res = bench(["--out", out, "--workers", "2"]);
  expect(res.status, res.output).toBe(0);
  localSeconds = res.seconds;
  reference = rows(out);
  expect([...reference.keys()].filter((k) => k.startsWith("eval "))).toHaveLength(RUNS * 5);
}, 170_000);

afterAll(() => {
  spawnSync(path.join(repoRoot, "scripts/slurm-local.sh"), ["stop", cluster], { encoding: "utf8" });
});

describe("pnpm bench --executor slurm on a local Slurm", () => {
  it("gives numbers identical to --executor local, with at most --max-concurrent tasks at once", () => {
    const out = path.join(root, "slurm");
    const res = bench(["--executor", "slurm", "--max-concurrent", "1", "--out", out]);
    expect(res.status, res.output).toBe(0);
    expect(res.output).toMatch(/submitted job \d+: 4 array task\(s\), at most 1 at once/);
    expect(rows(out)).toEqual(reference);
    // --max-concurrent 1: no run's task started before the previous one's ended.
    const spans = [1, 2, 3, 4]
      .map((id) => shard(out, id))
      .map((r) => [r.find((x) => x.type === "start")?.t ?? 0, r.find((x) => x.type === "done")?.t ?? 0] as const)
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++)
      expect(spans[i]?.[0], "a task started while another ran").toBeGreaterThanOrEqual(spans[i - 1]?.[1] ?? 0);
    console.log(
      `overhead: local --workers 2 ${localSeconds.toFixed(1)} s, slurm --max-concurrent 1 ${res.seconds.toFixed(1)} s for ${RUNS} runs`,
    );
    // The same command again: every run finished, nothing submitted.
    const again = bench(["--executor", "slurm", "--out", out]);
    expect(again.status, again.output).toBe(0);
    expect(again.output).toMatch(/all 4 runs already finished: nothing to submit/);
  }, 170_000);

  it("--detach returns at once; `status` follows the array and `collect` merges it into the same numbers", async () => {
    const out = path.join(root, "detached");
    const res = bench(["--executor", "slurm", "--detach", "--out", out]);
    expect(res.status, res.output).toBe(0);
    const job = /submitted job (\d+)/.exec(res.output)?.[1] as string;
    expect(job).toBeDefined();
    expect(res.output).toMatch(/detached: `pnpm bench status .*` to follow, `pnpm bench collect .*` for the report/);
    const folder = (cmd: string) =>
      spawnSync(tsx, ["--conditions=@qscape/source", cli, cmd, out], {
        cwd: appDir,
        encoding: "utf8",
        timeout: 120_000,
        env: { ...process.env, SLURM_CONF: slurmConf },
      });
    const status = folder("status");
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/td3\/Pendulum-v1\/s0 +\w+ +step +\d+\/1600 +\d+_\d/);
    await until("the array to end", () => squeue(job).every((l) => /COMPLETED|FAILED|CANCELLED/.test(l)), 150_000);
    const collected = folder("collect");
    expect(collected.status, collected.stderr).toBe(0);
    expect(rows(out)).toEqual(reference);
    expect(existsSync(path.join(out, "report.html"))).toBe(true);
    expect(folder("status").stdout).toMatch(/4 finished/);
  }, 170_000);

  it("resumes a task ended by scancel (SIGTERM: checkpoint and stop) and one SIGKILLed (from its last checkpoint) with no evaluation lost", async () => {
    const out = path.join(root, "scancel");
    const res = bench(["--executor", "slurm", "--detach", "--out", out]);
    expect(res.status, res.output).toBe(0);
    const job = /submitted job (\d+)/.exec(res.output)?.[1] as string;
    const checkpointed = (id: number) => existsSync(path.join(out, "checkpoints", String(id), "checkpoint.json"));
    const evals = (id: number) => shard(out, id).filter((r) => r.type === "eval").length;
    // Runs 1 and 2 (array tasks 0 and 1), each just past its first checkpoint (a run lasts seconds).
    const scancel = (...args: string[]) =>
      spawnSync("scancel", args, { env: { ...process.env, SLURM_CONF: slurmConf } }).status;
    await until("run 1 past a checkpoint", () => checkpointed(1) && evals(1) >= 2);
    expect(scancel(`${job}_0`)).toBe(0);
    await until("run 2 past a checkpoint", () => checkpointed(2) && evals(2) >= 2);
    // No grace: SIGKILL to the run's process (as the OOM killer or a node crash; `scancel --signal=KILL`
    // still sends SIGTERM first). Same host here, so its pid from the shard's start record will do.
    const started = shard(out, 2).find((r) => r.type === "start");
    process.kill(started?.type === "start" ? started.pid : -1, "SIGKILL");
    await until("the job to end", () => squeue(job).every((l) => !/PENDING|RUNNING|COMPLETING/.test(l)), 120_000);
    const evalsBefore = (id: number) =>
      shard(out, id).flatMap((r) =>
        r.type === "eval" ? [[`${id}/${r.step}`, JSON.stringify(r.returns)] as const] : [],
      );
    const stored = new Map([...evalsBefore(1), ...evalsBefore(2)]);
    expect(
      shard(out, 2).some((r) => r.type === "done" || r.type === "interrupted"),
      "SIGKILL: no last word",
    ).toBe(false);
    expect(
      shard(out, 1).some((r) => r.type === "interrupted"),
      "SIGTERM: checkpointed and stopped",
    ).toBe(true);
    expect(shard(out, 1).some((r) => r.type === "done")).toBe(false);

    const rerun = bench(["--executor", "slurm", "--out", out]);
    expect(rerun.status, rerun.output).toBe(0);
    expect(rerun.output).toMatch(/submitted job \d+: 2 array task\(s\)/);
    for (const id of [1, 2]) {
      const resumed = shard(out, id).filter((r) => r.type === "backend");
      expect(resumed.at(-1)?.type === "backend" && (resumed.at(-1)?.resumedFrom ?? 0) > 0, `run ${id} resumed`).toBe(
        true,
      );
      for (const r of shard(out, id))
        if (r.type === "eval" && stored.has(`${id}/${r.step}`))
          expect(JSON.stringify(r.returns)).toBe(stored.get(`${id}/${r.step}`));
    }
    expect(rows(out)).toEqual(reference);
  }, 170_000);

  it("reports a crashing task as failed with its Slurm state and stderr; the others finish", () => {
    const out = path.join(root, "crash");
    const dry = bench(["--executor", "slurm", "--dry-run", "--out", out]);
    expect(dry.status, dry.output).toBe(0);
    expect(dry.stdout).toMatch(/#SBATCH --array=0-3%2/);
    // Run 2's checkpoint (ddpg, seed 0: runs go seed by seed) is unreadable: its task throws when it loads it.
    mkdirSync(path.join(out, "checkpoints", "2"), { recursive: true });
    writeFileSync(path.join(out, "checkpoints", "2", "checkpoint.json"), "{ not json");
    const res = bench(["--executor", "slurm", "--out", out]);
    expect(res.status, res.output).toBe(1);
    expect(res.output).toMatch(
      /failed: ddpg on Pendulum-v1 seed 0: .*unusable.*\[slurm FAILED, exit 1:0, task \d+_1; stderr: /,
    );
    const db = openResults(path.join(out, "results.db"), { readonly: true });
    try {
      const runs = db.listRuns(SUITE);
      expect(runs.filter((r) => r.status === "finished")).toHaveLength(3);
      expect(runs.find((r) => r.id === 2)?.error).toMatch(/slurm FAILED.*stderr: .*QscapeError/);
    } finally {
      db.close();
    }
    const report = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8")) as {
      runs: { id: number; status: string; error: string | null }[];
    };
    expect(report.runs.find((r) => r.id === 2)).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/slurm FAILED/),
    });
  }, 170_000);

  it("refuses a missing sbatch or a down controller before anything is written", () => {
    const bin = path.join(root, "bin-without-slurm");
    mkdirSync(bin);
    symlinkSync(process.execPath, path.join(bin, "node"));
    const noSbatch = bench(["--executor", "slurm", "--out", path.join(root, "no-sbatch")], { PATH: bin });
    expect(noSbatch.status, noSbatch.output).toBe(2);
    expect(noSbatch.stderr).toMatch(/error: sbatch not found on PATH: --executor slurm needs Slurm's client commands/);
    expect(existsSync(path.join(root, "no-sbatch"))).toBe(false);

    const downConf = path.join(root, "down.conf");
    writeFileSync(
      downConf,
      readFileSync(slurmConf, "utf8")
        .replace(/^SlurmctldPort=\d+$/m, "SlurmctldPort=6899")
        .concat("MessageTimeout=2\n"),
    );
    const down = bench(["--executor", "slurm", "--out", path.join(root, "down")], { SLURM_CONF: downConf });
    expect(down.status, down.output).toBe(2);
    expect(down.stderr).toMatch(
      /error: the Slurm controller does not answer \(scontrol ping: .*\); nothing was submitted/,
    );
    expect(existsSync(path.join(root, "down"))).toBe(false);
  }, 120_000);
});
