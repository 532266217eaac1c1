import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type OwnerInfo, ownerIsGone, ResultsLockedError } from "./lock.js";
import { configHash, openResults, type ResultsDb, runKey } from "./results.js";
import type { SuiteProtocol } from "./types.js";

const protocol: SuiteProtocol = {
  envSteps: 20_000,
  seeds: [0, 1, 2],
  evaluation: { everySteps: 5000, episodes: 10, deterministic: true },
  computeCaps: { hiddenWidth: 64 },
};

describe("results store", () => {
  let dir: string;
  let path: string;
  let db: ResultsDb;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "qscape-results-"));
    path = join(dir, "results.sqlite");
    db = openResults(path);
    db.ensureSuite("smoke", { protocol, description: "tiny suite" });
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("round-trips runs, evaluations, metrics and timings through a reopened file", () => {
    const run = db.upsertRun({
      suite: "smoke",
      algo: "td3",
      env: "Pendulum",
      seed: 1,
      config: { lr: 1e-3, tau: 0.005 },
    });
    expect(run.status).toBe("pending");
    db.markRunning(run.id, { backend: "wasm" });
    db.recordEval(run.id, { step: 0, episodeReturns: [-1200.5, -1100.25] }, [{ step: 0, name: "q_loss", value: 0.5 }]);
    db.recordEval(run.id, { step: 5000, episodeReturns: [-150.125, -149.875], success: 0.5 });
    db.recordMetrics(run.id, [
      { step: 100, name: "q_loss", value: 0.25 },
      { step: 100, name: "actor_loss", value: -3.5 },
    ]);
    db.recordTimings(run.id, { env: 1.5, update: 4 });
    db.recordTimings(run.id, { update: 2 });
    db.markFinished(run.id, { wallClockS: 12.5, counters: { envSteps: 20_000, updates: 19_000 } });
    db.close();

    db = openResults(path);
    const back = db.getRun(run.id);
    expect(back).toMatchObject({
      algo: "td3",
      env: "Pendulum",
      seed: 1,
      config: { lr: 1e-3, tau: 0.005 },
      configHash: configHash({ tau: 0.005, lr: 1e-3 }),
      backend: "wasm",
      status: "finished",
      error: null,
      wallClockS: 12.5,
      counters: { envSteps: 20_000, updates: 19_000 },
    });
    expect(back.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(back.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(db.evaluations(run.id)).toEqual([
      { step: 0, episodeReturns: [-1200.5, -1100.25], meanReturn: -1150.375, success: null },
      { step: 5000, episodeReturns: [-150.125, -149.875], meanReturn: -150, success: 0.5 },
    ]);
    expect(db.metrics(run.id, "q_loss")).toEqual([
      { step: 0, name: "q_loss", value: 0.5 },
      { step: 100, name: "q_loss", value: 0.25 },
    ]);
    expect(db.metrics(run.id)).toHaveLength(3);
    expect(db.timings(run.id)).toEqual([
      { phase: "env", seconds: 1.5, calls: 1 },
      { phase: "update", seconds: 6, calls: 2 },
    ]);
    expect(db.suite("smoke").protocol).toEqual({ ...protocol });
    expect(db.finishedRunKeys("smoke")).toEqual(new Set([runKey(back)]));
  });

  it("upsertRun is idempotent per (suite, algo, env, seed, config) and tells configs apart", () => {
    const a = db.upsertRun({
      suite: "smoke",
      algo: "td3",
      env: "Hopper",
      seed: 0,
      config: { a: 1, b: { c: 2, d: 3 } },
    });
    const again = db.upsertRun({
      suite: "smoke",
      algo: "td3",
      env: "Hopper",
      seed: 0,
      config: { b: { d: 3, c: 2 }, a: 1 },
    });
    const other = db.upsertRun({
      suite: "smoke",
      algo: "td3",
      env: "Hopper",
      seed: 0,
      config: { a: 2, b: { c: 2, d: 3 } },
    });
    expect(again.id).toBe(a.id);
    expect(other.id).not.toBe(a.id);
    expect(db.listRuns("smoke")).toHaveLength(2);
  });

  it("marks failures with the error; a restart keeps what the earlier attempt stored", () => {
    const run = db.upsertRun({ suite: "smoke", algo: "sac", env: "Hopper", seed: 2, config: {} });
    db.markRunning(run.id);
    db.recordEval(run.id, { step: 0, episodeReturns: [1] });
    db.markFailed(run.id, new Error("loss became NaN"), { wallClockS: 3 });
    expect(db.getRun(run.id)).toMatchObject({ status: "failed", error: "Error: loss became NaN", wallClockS: 3 });
    expect(db.finishedRunKeys("smoke").size).toBe(0);
    db.markRunning(run.id);
    expect(db.getRun(run.id)).toMatchObject({ status: "running", error: null });
    expect(db.evaluations(run.id)).toEqual([{ step: 0, episodeReturns: [1], meanReturn: 1, success: null }]);
  });

  it("never changes a stored evaluation: a resumed run's repeats are kept out and compared", () => {
    const run = db.upsertRun({ suite: "smoke", algo: "td3", env: "Hopper", seed: 0, config: {} });
    expect(db.recordEval(run.id, { step: 100, episodeReturns: [1.5, 2.5] }, [{ step: 100, name: "q", value: 1 }])).toBe(
      "inserted",
    );
    expect(db.recordEval(run.id, { step: 100, episodeReturns: [1.5, 2.5] }, [{ step: 100, name: "q", value: 1 }])).toBe(
      "already-stored",
    );
    expect(db.recordEval(run.id, { step: 100, episodeReturns: [9, 9] }, [{ step: 100, name: "q", value: 7 }])).toBe(
      "differs-from-stored",
    );
    db.recordMetrics(run.id, [{ step: 100, name: "q", value: 8 }], { skipExisting: true });
    expect(db.evaluations(run.id)).toEqual([{ step: 100, episodeReturns: [1.5, 2.5], meanReturn: 2, success: null }]);
    expect(db.metrics(run.id)).toEqual([{ step: 100, name: "q", value: 1 }]);
    db.markInterrupted(run.id);
    expect(db.getRun(run.id).status).toBe("pending");
  });

  it("keeps other action splits' evaluations apart from the run's own, under the same never-change rule", () => {
    const run = db.upsertRun({ suite: "smoke", algo: "agile-ppo", env: "SkillGridWorld-v0", seed: 0, config: {} });
    expect(db.evaluationSplits("smoke")).toEqual([]);
    db.recordEval(run.id, { step: 0, episodeReturns: [1, 3] });
    expect(db.recordEval(run.id, { step: 0, episodeReturns: [0, 2], split: "test" })).toBe("inserted");
    expect(db.recordEval(run.id, { step: 0, episodeReturns: [0, 2], split: "test" })).toBe("already-stored");
    expect(db.recordEval(run.id, { step: 0, episodeReturns: [5, 5], split: "test" })).toBe("differs-from-stored");
    db.recordEval(run.id, { step: 0, episodeReturns: [4, 4], success: 0.5, split: "validation" });
    expect(db.evaluations(run.id)).toEqual([{ step: 0, episodeReturns: [1, 3], meanReturn: 2, success: null }]);
    expect(db.evaluations(run.id, "test")).toEqual([{ step: 0, episodeReturns: [0, 2], meanReturn: 1, success: null }]);
    expect(db.evaluations(run.id, "validation")[0]?.success).toBe(0.5);
    expect(db.evaluationSplits("smoke")).toEqual(["test", "validation"]);
    db.markFinished(run.id, { wallClockS: 1, counters: {} });
    expect(db.learningCurves("smoke", "agile-ppo", "SkillGridWorld-v0", "return", "test").returns).toEqual([[1]]);
    expect(db.learningCurves("smoke", "agile-ppo", "SkillGridWorld-v0").returns).toEqual([[2]]);
    expect(() => db.recordEval(run.id, { step: 1, episodeReturns: [1], split: "Test; DROP" })).toThrow(
      /split "Test; DROP" is not a split name/,
    );
  });

  it("an exception mid-transaction leaves no partial evaluation", () => {
    const run = db.upsertRun({ suite: "smoke", algo: "td3", env: "Hopper", seed: 0, config: {} });
    // The duplicate metric fails in SQLite after the evaluation row was inserted.
    expect(() =>
      db.recordEval(run.id, { step: 5000, episodeReturns: [10, 20] }, [
        { step: 5000, name: "q_loss", value: 1 },
        { step: 5000, name: "q_loss", value: 2 },
      ]),
    ).toThrow(/metric 'q_loss' at step 5000/);
    expect(db.evaluations(run.id)).toEqual([]);
    expect(db.metrics(run.id)).toEqual([]);
    // A user transaction that throws after writing rolls everything back too.
    expect(() =>
      db.transaction(() => {
        db.recordEval(run.id, { step: 0, episodeReturns: [1] });
        db.recordMetrics(run.id, [{ step: 0, name: "x", value: 1 }]);
        throw new Error("worker died");
      }),
    ).toThrow("worker died");
    expect(db.evaluations(run.id)).toEqual([]);
    expect(db.metrics(run.id)).toEqual([]);
    // And the store is still usable afterwards.
    db.recordEval(run.id, { step: 0, episodeReturns: [1] });
    expect(db.evaluations(run.id)).toHaveLength(1);
  });

  it("rejects bad input naming the problem", () => {
    const run = db.upsertRun({ suite: "smoke", algo: "td3", env: "Hopper", seed: 0, config: {} });
    expect(() => db.recordEval(run.id, { step: 0, episodeReturns: [1, Number.NaN] })).toThrow(
      /episode return 1 is NaN/,
    );
    expect(() => db.recordEval(run.id, { step: -5, episodeReturns: [1] })).toThrow(
      /step -5 must be a non-negative integer/,
    );
    expect(() => db.recordEval(run.id, { step: 0, episodeReturns: [1], success: 2 })).toThrow(/success rate 2/);
    expect(() => db.upsertRun({ suite: "nope", algo: "td3", env: "Hopper", seed: 0, config: {} })).toThrow(
      /no suite named 'nope'/,
    );
    expect(() => db.upsertRun({ suite: "smoke", algo: "", env: "Hopper", seed: 0.5, config: {} })).toThrow(
      /run spec: algo.*seed/,
    );
    expect(() => db.ensureSuite("smoke", { protocol: { ...protocol, envSteps: 1 } })).toThrow(/refusing to change/);
    expect(() =>
      db.ensureSuite("bad", {
        protocol: { ...protocol, evaluation: { everySteps: 0, episodes: 1, deterministic: true } },
      }),
    ).toThrow(/protocol: evaluation.everySteps/);
  });

  it("a suite may gain seeds and envs with budgets of their own; what its runs ran under may not change", () => {
    const a = "A-v0: 3000 env steps (warm-up 500), evaluation every 500 steps × 1 episodes";
    const b = "B-v0: 3000 env steps (warm-up 500), evaluation every 250 steps × 1 episodes";
    db.ensureSuite("grows", { protocol: { ...protocol, notes: `Budgets of their own: ${a}.` } });
    const grown = { ...protocol, seeds: [0, 1, 2, 3], notes: `Budgets of their own: ${a}; ${b}.` };
    expect(db.ensureSuite("grows", { protocol: grown }).seeds).toEqual([0, 1, 2, 3]);
    expect(db.suite("grows").protocol).toMatchObject({ seeds: [0, 1, 2, 3], notes: grown.notes });
    // Shrinking, or changing anything the stored runs ran under, is still refused.
    expect(() => db.ensureSuite("grows", { protocol: { ...grown, seeds: [0, 1] } })).toThrow(/refusing to change/);
    const changedA = `Budgets of their own: ${a.replace("3000 env", "4000 env")}; ${b}.`;
    expect(() => db.ensureSuite("grows", { protocol: { ...grown, notes: changedA } })).toThrow(/refusing to change/);
    expect(() => db.ensureSuite("grows", { protocol: { ...grown, envSteps: 1 } })).toThrow(/refusing to change/);
    expect(() => db.ensureSuite("grows", { protocol: { ...grown, computeCaps: { hiddenWidth: 32 } } })).toThrow(
      /refusing to change/,
    );
  });

  it("learning curves keep finished runs on the steps every seed evaluated", () => {
    for (const seed of [0, 1]) {
      const run = db.upsertRun({ suite: "smoke", algo: "td3", env: "Hopper", seed, config: {} });
      db.markRunning(run.id);
      for (const step of seed === 0 ? [0, 5000, 10_000] : [0, 5000]) {
        db.recordEval(run.id, { step, episodeReturns: [step / 1000 + seed] });
      }
      db.markFinished(run.id, { wallClockS: 1 });
    }
    const unfinished = db.upsertRun({ suite: "smoke", algo: "td3", env: "Hopper", seed: 2, config: {} });
    db.markRunning(unfinished.id);
    db.recordEval(unfinished.id, { step: 0, episodeReturns: [99] });
    expect(db.learningCurves("smoke", "td3", "Hopper")).toEqual({
      algo: "td3",
      env: "Hopper",
      steps: [0, 5000],
      seeds: [0, 1],
      returns: [
        [0, 5],
        [1, 6],
      ],
    });
    expect(db.finishedAlgosAndEnvs("smoke")).toEqual({ algos: ["td3"], envs: ["Hopper"] });
  });
});

describe("opening files", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "qscape-results-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses a non-SQLite file and leaves it byte-for-byte untouched", () => {
    const path = join(dir, "notes.sqlite");
    writeFileSync(path, "these are my notes, not a database\n".repeat(200));
    const before = readFileSync(path);
    expect(() => openResults(path)).toThrow(/not a SQLite database.*refusing/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it("refuses a SQLite file whose pages are corrupt, leaving it untouched", () => {
    const path = join(dir, "results.sqlite");
    const db = openResults(path);
    db.ensureSuite("s", { protocol });
    const run = db.upsertRun({ suite: "s", algo: "a", env: "e", seed: 0, config: {} });
    db.transaction(() => {
      for (let step = 0; step < 200; step++)
        db.recordEval(run.id, { step, episodeReturns: Array.from({ length: 50 }, (_, i) => i + step) });
    });
    db.close();
    const bytes = readFileSync(path);
    // Keep the header, scribble over every page after the first.
    for (let i = 4096; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
    writeFileSync(path, bytes);
    expect(() => openResults(path)).toThrow(/corrupt SQLite file \(quick_check: .*page.*\); left untouched/);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it("a version-1 store (no split table) reads as one without splits; a writer adds the table and keeps every row", async () => {
    const path = join(dir, "v1.sqlite");
    const db = openResults(path);
    db.ensureSuite("s", { protocol });
    const run = db.upsertRun({ suite: "s", algo: "a", env: "e", seed: 0, config: {} });
    db.recordEval(run.id, { step: 0, episodeReturns: [1, 2] });
    db.close();
    // Version 1 is version 2 without split_evaluations.
    const { default: Database } = await import("better-sqlite3");
    const raw = new Database(path);
    raw.exec("DROP TABLE split_evaluations; UPDATE qscape_meta SET value = '1' WHERE key = 'schema_version'");
    raw.close();
    const reader = openResults(path, { readonly: true });
    expect(reader.evaluationSplits("s")).toEqual([]);
    expect(reader.evaluations(run.id, "test")).toEqual([]);
    reader.close();
    const writer = openResults(path);
    expect(writer.evaluations(run.id)).toEqual([{ step: 0, episodeReturns: [1, 2], meanReturn: 1.5, success: null }]);
    expect(writer.recordEval(run.id, { step: 0, episodeReturns: [3], split: "test" })).toBe("inserted");
    writer.close();
    const check = new Database(path, { readonly: true });
    expect(check.prepare("SELECT value FROM qscape_meta WHERE key = 'schema_version'").get()).toEqual({ value: "2" });
    check.close();
  });

  it("refuses a store of a newer schema, leaving it untouched", async () => {
    const path = join(dir, "v9.sqlite");
    openResults(path).close();
    const { default: Database } = await import("better-sqlite3");
    const raw = new Database(path);
    raw.exec("UPDATE qscape_meta SET value = '9' WHERE key = 'schema_version'");
    raw.close();
    const before = readFileSync(path);
    expect(() => openResults(path)).toThrow(/schema 9, expected qscape-results schema 1 or 2/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it("refuses a SQLite database that is not a results store", async () => {
    const path = join(dir, "other.sqlite");
    const { default: Database } = await import("better-sqlite3");
    const other = new Database(path);
    other.exec("CREATE TABLE customers (name TEXT)");
    other.close();
    const before = readFileSync(path);
    expect(() => openResults(path)).toThrow(/not a qscape results store \(tables: customers\)/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});

describe("one writer, many readers", () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "qscape-results-"));
    path = join(dir, "results.db");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A child process that opens the store for writing and reports when it holds it. */
  function holder(): Promise<ChildProcess> {
    const appDir = fileURLToPath(new URL("../..", import.meta.url));
    const child = spawn(
      join(appDir, "../../node_modules/.bin/tsx"),
      ["--conditions=@qscape/source", join(appDir, "test/hold-store.ts"), path],
      { stdio: ["ignore", "pipe", "inherit"], detached: true },
    );
    return new Promise((resolve, reject) => {
      child.stdout?.on("data", (d: Buffer) => d.toString().includes("held") && resolve(child));
      child.on("exit", (code) => reject(new Error(`holder exited with ${code}`)));
    });
  }

  it("refuses a second writer naming the owner, and takes over after the owner is SIGKILLed", async () => {
    openResults(path).close();
    const child = await holder();
    try {
      expect(() => openResults(path)).toThrow(
        new RegExp(`results store .*results.db is in use by pid \\d+ on ${hostname()} since \\d{4}-.*hold-store`),
      );
      try {
        openResults(path);
      } catch (e) {
        expect(e).toBeInstanceOf(ResultsLockedError);
        expect((e as Error).message).not.toMatch(/corrupt/);
      }
      // A reader is never refused.
      const reader = openResults(path, { readonly: true });
      expect(reader.suiteNames()).toEqual([]);
      reader.close();
    } finally {
      process.kill(-(child.pid as number), "SIGKILL"); // tsx and the node process it starts
      await new Promise((r) => child.once("exit", r));
    }
    expect(existsSync(`${path}.owner`)).toBe(true); // left behind by the kill
    // The group's SIGKILL reaches the node process tsx started a moment after tsx itself exits.
    const owner = JSON.parse(readFileSync(`${path}.owner`, "utf8")) as OwnerInfo;
    for (let i = 0; i < 100 && !ownerIsGone(owner); i++) await new Promise((r) => setTimeout(r, 50));
    const db = openResults(path);
    expect(readFileSync(`${path}.owner`, "utf8")).toContain(`"pid": ${process.pid}`);
    db.close();
    expect(existsSync(`${path}.owner`)).toBe(false);
  });

  it("keeps writing while another program holds a read transaction open, which sees a consistent snapshot", async () => {
    const db = openResults(path);
    db.ensureSuite("s", { protocol });
    const run = db.upsertRun({ suite: "s", algo: "a", env: "e", seed: 0, config: {} });
    db.recordEval(run.id, { step: 0, episodeReturns: [1] });
    const { default: Database } = await import("better-sqlite3");
    const user = new Database(path, { readonly: true });
    user.exec("BEGIN");
    const count = () => (user.prepare("SELECT COUNT(*) AS n FROM evaluations").get() as { n: number }).n;
    expect(count()).toBe(1);
    for (let step = 1; step <= 50; step++) db.recordEval(run.id, { step, episodeReturns: [step] });
    expect(count()).toBe(1); // its snapshot
    user.exec("COMMIT");
    expect(count()).toBe(51);
    user.close();
    db.close();
  });
});
