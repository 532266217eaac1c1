/**
 * "Kill the bench at any moment and run the same command again" — tested as users do it, on real
 * processes: the bench runs as its own process group (parent + worker processes) on a small suite
 * (two learners × two seeds), and is
 *   - SIGKILLed as a whole group: before the first evaluation, after a few evaluations, while a
 *     worker writes a checkpoint, and while the parent writes the report;
 *   - starved of disk space mid-run (a small tmpfs that fills up);
 *   - stopped by Ctrl-C (SIGINT to the group: checkpoint, exit 130), by SIGTERM to the parent alone
 *     (`timeout`, `kill PID`: exit 143), and by a second Ctrl-C (exit at once);
 * and after every stop the same command is run again. Each time, every evaluation and metric row
 * stored before the stop must still be there, unchanged, and the rerun must start without manual
 * steps; at the end the stored numbers equal those of an uninterrupted run, number for number.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkpointExists, loadCheckpoint } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { openResults } from "../src/db/index.js";
import { EVALS_PER_RUN, RUNS, storedRows, writeTwoByTwoSuite } from "./two-by-two.js";

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(appDir, "src/cli.ts");
const tsx = path.resolve(appDir, "../../node_modules/.bin/tsx");
const root = mkdtempSync(path.join(os.tmpdir(), "qscape-crash-"));
const suiteFile = path.join(root, "kill-suite.mjs");
const SUITE = "kill-check";
writeTwoByTwoSuite(suiteFile, SUITE, "crash-safety check: two learners, two seeds, short budget");

const args = (out: string, workers = 2) => [
  "--conditions=@qscape/source",
  cli,
  suiteFile,
  "--workers",
  String(workers),
  "--quiet",
  "--out",
  out,
];

interface Bench {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

/** Starts the bench as the leader of a new process group (as a shell does for a command). */
function start(out: string, env: NodeJS.ProcessEnv = {}): Bench {
  const child = spawn(tsx, args(out), {
    cwd: appDir,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => output };
}

const rows = (out: string) => storedRows(out, SUITE);
const evalCount = (out: string) => [...rows(out).keys()].filter((k) => k.startsWith("eval ")).length;
const runCount = (out: string): number => {
  const file = path.join(out, "results.db");
  if (!existsSync(file)) return 0;
  const db = openResults(file, { readonly: true });
  try {
    return db.suiteNames().includes(SUITE) ? db.listRuns(SUITE).length : 0;
  } finally {
    db.close();
  }
};

async function waitFor(what: string, pred: () => boolean, bench: Bench, timeoutMs = 120_000): Promise<void> {
  const t0 = Date.now();
  let exited = false;
  bench.exited.then(() => (exited = true));
  for (;;) {
    let ok = false;
    try {
      ok = pred();
    } catch {
      // the store is being created
    }
    if (ok) return;
    if (exited) throw new Error(`bench exited before ${what}:\n${bench.output()}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}:\n${bench.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Processes left in the bench's group (workers must end with their parent). */
function groupMembers(pgid: number): number[] {
  const ps = spawnSync("ps", ["-o", "pid=,stat=", "-g", String(pgid)], { encoding: "utf8" });
  return ps.stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter(([pid, stat]) => pid && !stat?.startsWith("Z"))
    .map(([pid]) => Number(pid));
}

async function groupGone(pgid: number): Promise<void> {
  for (let i = 0; i < 100 && groupMembers(pgid).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  expect(groupMembers(pgid), "processes left after the bench stopped").toEqual([]);
}

async function killGroup(bench: Bench): Promise<void> {
  const pgid = bench.child.pid as number;
  process.kill(-pgid, "SIGKILL");
  await bench.exited;
  await groupGone(pgid);
}

/** Every row stored before must be there, with the same value. */
function expectKept(before: Map<string, string>, after: Map<string, string>, when: string): void {
  const lost = [...before].filter(([k, v]) => after.get(k) !== v).map(([k]) => k);
  expect(lost, `rows lost or changed after ${when}`).toEqual([]);
}

let reference: Map<string, string>;

beforeAll(() => {
  const out = path.join(root, "reference");
  const res = spawnSync(tsx, args(out, 1), { cwd: appDir, encoding: "utf8", timeout: 300_000 });
  expect(res.status, res.stderr).toBe(0);
  reference = rows(out);
  expect([...reference.keys()].filter((k) => k.startsWith("eval "))).toHaveLength(RUNS * EVALS_PER_RUN);
}, 300_000);

describe("pnpm bench killed at any moment", () => {
  it("SIGKILL of the whole group before the first evaluation, after a few, mid-checkpoint and mid-report: nothing lost, the final numbers equal an uninterrupted run", async () => {
    const out = path.join(root, "sigkill");
    let before = new Map<string, string>();

    // 1. Runs registered, nothing evaluated yet.
    let bench = start(out);
    await waitFor("the runs to be registered", () => runCount(out) === RUNS, bench);
    await killGroup(bench);
    expect(existsSync(path.join(out, "results.db.owner")), "the dead owner's file is left behind").toBe(true);
    before = rows(out);

    // 2. A few evaluations stored.
    bench = start(out);
    await waitFor("3 evaluations", () => evalCount(out) >= 3, bench);
    await killGroup(bench);
    let now = rows(out);
    expectKept(before, now, "the kill before the first evaluation");
    before = now;

    // 3. A worker between writing a checkpoint and committing it.
    const heldAtCheckpoint = path.join(root, "held-checkpoint");
    bench = start(out, { QSCAPE_TEST_HOLD: `checkpoint:${heldAtCheckpoint}` });
    await waitFor("a checkpoint being written", () => existsSync(heldAtCheckpoint), bench);
    await killGroup(bench);
    now = rows(out);
    expectKept(before, now, "the kill after a few evaluations");
    before = now;

    // 4. The parent between the report's files, every run finished.
    const heldAtReport = path.join(root, "held-report");
    bench = start(out, { QSCAPE_TEST_HOLD: `report:${heldAtReport}` });
    await waitFor("the report being written", () => existsSync(heldAtReport), bench);
    now = rows(out);
    expectKept(before, now, "the kill mid-checkpoint");
    await killGroup(bench);
    before = rows(out);

    // The same command again, with no manual step: every run finished already, the report is written.
    bench = start(out);
    const { code } = await bench.exited;
    expect(code, bench.output()).toBe(0);
    expect(bench.output()).toMatch(/4 already finished \(skipped\)/);
    expectKept(before, rows(out), "the kill mid-report");
    expect(rows(out)).toEqual(reference);
    expect(readFileSync(path.join(out, "report.html"), "utf8")).toMatch(/<\/html>\s*$/);
    expect(JSON.parse(readFileSync(path.join(out, "report.json"), "utf8"))).toBeTruthy();
    expect(existsSync(path.join(out, "results.db.owner"))).toBe(false);
  }, 600_000);

  it("Ctrl-C checkpoints and exits 130, SIGTERM to the parent alone exits 143, a second Ctrl-C exits at once; each resumes with nothing lost", async () => {
    const out = path.join(root, "signals");

    // Ctrl-C: the terminal signals the whole group.
    let bench = start(out);
    await waitFor("2 evaluations", () => evalCount(out) >= 2, bench);
    process.kill(-(bench.child.pid as number), "SIGINT");
    let exit = await bench.exited;
    expect(exit.code, bench.output()).toBe(130);
    expect(bench.output()).toMatch(
      /stopped: [12] run\(s\) checkpointed; run the same command again to resume:\n {2}pnpm bench /,
    );
    await groupGone(bench.child.pid as number);
    let before = rows(out);
    expect(before.size).toBeGreaterThan(0);

    // Each stopped run's checkpoint holds its seconds so far, which its final timings must include.
    const checkpoints = path.join(out, "checkpoints");
    const atStop = new Map<string, number>();
    for (const run of existsSync(checkpoints) ? readdirSync(checkpoints) : []) {
      const dir = path.join(checkpoints, run);
      if (!checkpointExists(dir)) continue;
      const { elapsed } = loadCheckpoint(dir) as { elapsed: { total: number } };
      expect(elapsed.total, `run ${run}'s checkpointed seconds`).toBeGreaterThan(0);
      atStop.set(run, elapsed.total);
    }
    expect(atStop.size).toBeGreaterThan(0);

    // SIGTERM to the parent only (as `timeout` or `kill PID` send it): the workers are told to stop.
    bench = start(out);
    await waitFor(
      "2 more evaluations",
      () => evalCount(out) >= [...before.keys()].filter((k) => k.startsWith("eval ")).length + 2,
      bench,
    );
    process.kill(bench.child.pid as number, "SIGTERM");
    exit = await bench.exited;
    expect(exit.code, bench.output()).toBe(143);
    await groupGone(bench.child.pid as number);
    let now = rows(out);
    expectKept(before, now, "Ctrl-C");
    before = now;

    // Two Ctrl-Cs a second apart, while a worker is slow to checkpoint: out at once, still resumable.
    const slow = path.join(root, "held-signals");
    bench = start(out, { QSCAPE_TEST_HOLD: `checkpoint:${slow}` });
    await waitFor("a checkpoint being written", () => existsSync(slow), bench);
    process.kill(-(bench.child.pid as number), "SIGINT");
    await new Promise((r) => setTimeout(r, 1000));
    process.kill(-(bench.child.pid as number), "SIGINT");
    exit = await bench.exited;
    expect(exit.code, bench.output()).toBe(130);
    expect(bench.output()).toMatch(/SIGINT again: exiting now/);
    await groupGone(bench.child.pid as number);
    now = rows(out);
    expectKept(before, now, "SIGTERM");
    before = now;

    bench = start(out);
    exit = await bench.exited;
    expect(exit.code, bench.output()).toBe(0);
    expectKept(before, rows(out), "the second Ctrl-C");
    expect(rows(out)).toEqual(reference);

    // Timings count all the work behind a resumed run's result, not its last sitting alone: the
    // total covers the checkpointed seconds and every phase (each of them carried across resumes).
    const db = openResults(path.join(out, "results.db"), { readonly: true });
    try {
      for (const run of db.listRuns(SUITE)) {
        const t = Object.fromEntries(db.timings(run.id).map((r) => [r.phase, r.seconds]));
        const phases = (t.env ?? 0) + (t.act ?? 0) + (t.update ?? 0) + (t.eval ?? 0) + (t.evalSplits ?? 0);
        expect(t.total, `run ${run.id}: total against its phases`).toBeGreaterThanOrEqual(phases);
        expect(t.total, `run ${run.id}: total against its checkpoint`).toBeGreaterThanOrEqual(
          atStop.get(String(run.id)) ?? 0,
        );
      }
    } finally {
      db.close();
    }
  }, 600_000);

  it("a disk that fills up mid-suite stops the bench with the store and checkpoints intact; with space again it resumes to the same numbers", async () => {
    // A real full disk: a small tmpfs (root, as CI and these machines run), filled mid-run.
    const mount = path.join(root, "small-disk");
    mkdirSync(mount);
    const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", mount], { encoding: "utf8" });
    expect(mounted.status, `this test needs to mount a tmpfs (run as root): ${mounted.stderr}`).toBe(0);
    try {
      const out = path.join(mount, "out");
      const bench = start(out);
      await waitFor("3 evaluations", () => evalCount(out) >= 3, bench);
      const before = rows(out);
      const filler = openSync(path.join(mount, "filler"), "w");
      const block = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) writeSync(filler, block);
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).toBe("ENOSPC");
      } finally {
        closeSync(filler);
      }
      const exit = await bench.exited;
      expect(exit.code, bench.output()).toBe(1);
      expect(bench.output()).toMatch(/ENOSPC|no space left|disk is full|SQLITE_FULL/i);
      await groupGone(bench.child.pid as number);
      // Intact: the store opens (quick_check), keeps every row, and each stored number is right.
      const after = rows(out);
      expectKept(before, after, "the disk filled up");
      for (const [k, v] of after) expect(v, k).toBe(reference.get(k));
      const checkpoints = path.join(out, "checkpoints");
      for (const run of existsSync(checkpoints) ? readdirSync(checkpoints) : []) {
        const dir = path.join(checkpoints, run);
        if (checkpointExists(dir)) expect(() => loadCheckpoint(dir), `checkpoint of run ${run}`).not.toThrow();
      }
      rmSync(path.join(mount, "filler"));
      const again = start(out);
      const done = await again.exited;
      expect(done.code, again.output()).toBe(0);
      expect(rows(out)).toEqual(reference);
    } finally {
      spawnSync("umount", ["-l", mount]);
    }
  }, 600_000);

  it("refuses a corrupt results file, leaving it untouched", () => {
    const out = path.join(root, "corrupt");
    const db = path.join(out, "results.db");
    spawnSync("mkdir", ["-p", out]);
    const bytes = readFileSync(path.join(root, "reference", "results.db"));
    for (let i = 4096; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
    writeFileSync(db, bytes);
    const res = spawnSync(tsx, args(out), { cwd: appDir, encoding: "utf8", timeout: 120_000 });
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/error: results store .*results\.db: corrupt SQLite file .*left untouched/);
    expect(readFileSync(db).equals(bytes)).toBe(true);
  }, 120_000);

  it("refuses a second bench on the same results while one runs, naming the process", async () => {
    const out = path.join(root, "busy");
    const bench = start(out);
    await waitFor("the store to be open", () => runCount(out) === RUNS, bench);
    const second = spawnSync(tsx, args(out), { cwd: appDir, encoding: "utf8", timeout: 120_000 });
    expect(second.status).toBe(2);
    expect(second.stderr).toMatch(/results store .*results\.db is in use by pid \d+ on .* since \d{4}-/);
    expect(second.stderr).not.toMatch(/corrupt/);
    await killGroup(bench);
  }, 300_000);
});
