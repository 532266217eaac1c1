/**
 * The harness end to end, with a real SIGKILL: kill `pnpm bench` mid-suite, re-run the same
 * command, and check that finished runs are skipped, unfinished ones resume, and no finished
 * evaluation is lost or duplicated.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { openResults } from "../src/db/index.js";

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(appDir, "src/cli.ts");
const tsx = path.resolve(appDir, "../../node_modules/.bin/tsx");

const benchArgs = (out: string) => [
  "--conditions=@qscape/source",
  cli,
  "default",
  "--steps",
  "1200",
  "--seeds",
  "2",
  "--algos",
  "td3",
  "--envs",
  "Pendulum-v1",
  "--workers",
  "1",
  "--quiet",
  "--out",
  out,
];

function waitFor(pred: () => boolean, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (pred()) return resolve();
      if (Date.now() - t0 > timeoutMs) return reject(new Error("timed out waiting"));
      setTimeout(tick, 200);
    };
    tick();
  });
}

describe("pnpm bench", () => {
  it("resumes after SIGKILL without losing or duplicating evaluations", async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), "qscape-bench-"));
    const dbFile = path.join(out, "results.db");
    const evalCount = () => {
      if (!existsSync(dbFile)) return 0;
      try {
        const db = openResults(dbFile);
        try {
          return db.listRuns("default-custom").reduce((n, r) => n + db.evaluations(r.id).length, 0);
        } finally {
          db.close();
        }
      } catch {
        return 0;
      }
    };
    const child: ChildProcess = spawn(tsx, benchArgs(out), { cwd: appDir, stdio: "ignore", detached: true });
    await waitFor(() => evalCount() >= 3, 240_000);
    process.kill(-(child.pid as number), "SIGKILL"); // the whole group: parent and its workers
    await new Promise((r) => setTimeout(r, 500));
    const before = evalCount();
    expect(before).toBeGreaterThanOrEqual(3);

    const res = spawnSync(tsx, benchArgs(out), { cwd: appDir, encoding: "utf8", timeout: 400_000 });
    expect(res.status, res.stderr).toBe(0);
    const db = openResults(dbFile);
    try {
      const runs = db.listRuns("default-custom");
      expect(runs).toHaveLength(2);
      for (const r of runs) {
        expect(r.status).toBe("finished");
        const steps = db.evaluations(r.id).map((e) => e.step);
        // the untrained policy, every 500 steps and the final one, each exactly once
        expect(steps).toEqual([0, 500, 1000, 1200]);
      }
    } finally {
      db.close();
    }
    expect(existsSync(path.join(out, "report.html"))).toBe(true);
    const again = spawnSync(tsx, benchArgs(out), { cwd: appDir, encoding: "utf8", timeout: 120_000 });
    expect(again.stderr).toMatch(/2 already finished \(skipped\)/);
    writeFileSync(path.join(out, "results.db"), `${readFileSync(dbFile, "latin1").slice(0, 50)}garbage`, "latin1");
    const corrupt = spawnSync(tsx, benchArgs(out), { cwd: appDir, encoding: "utf8", timeout: 120_000 });
    expect(corrupt.status).toBe(2);
    expect(corrupt.stderr).toMatch(/results/i);
  }, 600_000);

  it("rejects unknown algorithms, environments and bad budgets before running anything", () => {
    const out = mkdtempSync(path.join(os.tmpdir(), "qscape-bench-"));
    const run = (...args: string[]) =>
      spawnSync(tsx, ["--conditions=@qscape/source", cli, ...args, "--out", out, "--quiet"], {
        cwd: appDir,
        encoding: "utf8",
        timeout: 120_000,
      });
    const a = run("default", "--algos", "td4");
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/unknown algorithm "td4"/);
    const e = run("default", "--envs", "Hoppr-v5");
    expect(e.status).toBe(2);
    expect(e.stderr).toMatch(/unknown environment "Hoppr-v5"/);
    const s = run("default", "--steps=-5");
    expect(s.status).toBe(2);
    expect(s.stderr).toMatch(/--steps must be a positive integer/);
    const s2 = run("default", "--steps", "-5");
    expect(s2.status).toBe(2);
    expect(s2.stderr).toMatch(/error: .*--steps/);
    const d = run("default", "--envs", "CartPole-v1");
    expect(d.status).toBe(2);
    expect(d.stderr).toMatch(/td3 cannot run on CartPole-v1: needs a Box \(continuous\) action space/);
    const u = run("nosuchsuite");
    expect(u.stderr).toMatch(/unknown suite "nosuchsuite"/);
    expect(existsSync(path.join(out, "results.db"))).toBe(false);
  }, 300_000);
});

describe("pnpm bench with a failing run", () => {
  it("reports the failed run with its error and finishes the others", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "qscape-bench-"));
    const suiteFile = path.join(dir, "crash-suite.mjs");
    writeFileSync(
      suiteFile,
      `export default ${JSON.stringify({
        name: "crash-check",
        description: "one learner with a config its schema rejects",
        estimatedMinutes: 1,
        algorithms: [{ algo: "td3" }, { algo: "td3", label: "broken", config: { noSuchOption: 1 } }],
        envs: [{ id: "Pendulum-v1" }],
        seeds: [0],
        budget: { envSteps: 300, warmupSteps: 100 },
        evaluation: { every: 300, episodes: 1 },
        hidden: [16],
      })};\n`,
    );
    const res = spawnSync(
      tsx,
      ["--conditions=@qscape/source", cli, suiteFile, "--workers", "1", "--quiet", "--out", dir],
      {
        cwd: appDir,
        encoding: "utf8",
        timeout: 300_000,
      },
    );
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/failed: broken on Pendulum-v1 seed 0: .*noSuchOption/);
    const db = openResults(path.join(dir, "results.db"));
    try {
      const byAlgo = Object.fromEntries(db.listRuns("crash-check").map((r) => [r.algo, r]));
      expect(byAlgo.td3?.status).toBe("finished");
      expect(byAlgo.broken?.status).toBe("failed");
      expect(byAlgo.broken?.error).toMatch(/noSuchOption/);
    } finally {
      db.close();
    }
    expect(existsSync(path.join(dir, "report.html"))).toBe(true);
  }, 300_000);
});
