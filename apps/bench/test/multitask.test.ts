/**
 * Multi-task runs through `pnpm bench` end to end: a 2-seed tiny QMP / No-Sharing suite on the
 * 3-task maze runs to a report with mean success over tasks as the score, per-task success rows
 * and Q-switch selection counts; the same suite SIGKILLed (as a whole process group) once a
 * checkpoint exists and run again resumes from it and stores exactly the numbers of the
 * uninterrupted run. Bad multi-task input (H < 1, an unknown task set, a single-env algorithm on a
 * task set, a mixed suite, tasks that do not share spaces) is named before anything runs.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { multiTaskGradientUpdates } from "@qscape/core";
import { MultistageReacherEnv, makeTaskSet, registerTaskSet, TaskSet } from "@qscape/envs";
import { describe, expect, it } from "vitest";
import { validateRunnable } from "../src/cli.js";
import { openResults } from "../src/db/index.js";
import { parseSuite, SuiteError } from "../src/suite.js";
import { killOnceCheckpointed, storedRows } from "./two-by-two.js";

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(appDir, "src/cli.ts");
const tsx = path.resolve(appDir, "../../node_modules/.bin/tsx");
const root = mkdtempSync(path.join(os.tmpdir(), "qscape-mt-"));
const SUITE = "mt-check";
const tiny = { sac: { batchSize: 16 }, envStepsPerUpdate: 100, gradStepsPerUpdate: 4, minBufferSize: 100 };
const suite = {
  name: SUITE,
  description: "multi-task check: QMP and No-Sharing on the 3-task maze, two seeds, tiny budget",
  estimatedMinutes: 1,
  algorithms: [
    { algo: "qmp", config: tiny },
    { algo: "no-sharing", config: tiny },
  ],
  envs: [{ id: "MazeLargeMT3-v0" }],
  seeds: [0, 1],
  budget: { envSteps: 1200, warmupSteps: 0 },
  evaluation: { every: 300, episodes: 1 },
  hidden: [16, 16],
};
const suiteFile = path.join(root, "mt-suite.mjs");
writeFileSync(suiteFile, `export default ${JSON.stringify(suite)};\n`);

const args = (file: string, out: string) => ["--conditions=@qscape/source", cli, file, "--quiet", "--out", out];
const runSync = (file: string, out: string) =>
  spawnSync(tsx, [...args(file, out), "--workers", "2"], { cwd: appDir, encoding: "utf8", timeout: 300_000 });

describe("pnpm bench on a task set", () => {
  it("runs a 2-seed multi-task suite to a report; a SIGKILL after a checkpoint resumes to the same numbers", async () => {
    const ref = path.join(root, "reference");
    const res = runSync(suiteFile, ref);
    expect(res.status, res.stderr).toBe(0);
    const reference = storedRows(ref, SUITE);
    // The run summary counts each epoch once (not the epoch and its phases): loops fit inside the runs.
    const summary = JSON.parse(readFileSync(path.join(ref, "summary.json"), "utf8"));
    expect(summary.loopSeconds).toBeGreaterThan(0);
    expect(summary.loopSeconds).toBeLessThanOrEqual(summary.runSeconds);
    // Evaluations at 0 and after each 300-step epoch (3 tasks × 100 steps), up to 1200: 5 per run.
    expect([...reference.keys()].filter((k) => k.startsWith("eval "))).toHaveLength(4 * 5);
    const db = openResults(path.join(ref, "results.db"), { readonly: true });
    try {
      expect(db.suite(SUITE).protocol.score).toBe("success");
      for (const run of db.listRuns(SUITE)) {
        expect(run.status).toBe("finished");
        // What `pnpm bench speeds`/calibrate price runs with: the phases a single-env run stores, and
        // the updates the entry's epoch gives (every task ready after its first 100 steps: 4 epochs × 3 × 4).
        const phases = Object.fromEntries(db.timings(run.id).map((t) => [t.phase, t.seconds]));
        for (const phase of ["act", "env", "update", "epochs", "eval"]) expect(phases[phase]).toBeGreaterThan(0);
        const epoch = { learningTasks: 3, envStepsPerTask: 100, updatesPerTask: 4, minBufferPerTask: 100 };
        expect(run.counters.gradientUpdates).toBe(multiTaskGradientUpdates(epoch, 1200));
        expect(run.counters.gradientUpdates).toBe(48);
        const evals = db.evaluations(run.id);
        const names = db.metricNames(run.id);
        expect(names).toEqual(expect.arrayContaining(["success/task0", "success/task1", "success/task2"]));
        for (const e of evals) {
          // The score is the mean of the per-task success rows; the returns are the tasks' mean returns.
          const perTask = [0, 1, 2].map((i) => db.metrics(run.id, `success/task${i}`).find((m) => m.step === e.step));
          expect(e.success).toBeCloseTo(perTask.reduce((a, m) => a + (m?.value as number), 0) / 3, 12);
          expect(e.episodeReturns).toHaveLength(3);
        }
        const selections = names.filter((n) => n.startsWith("selection/"));
        if (run.algo === "qmp") {
          expect(selections).toHaveLength(9);
          // Every training step of a task is counted once: 400 per task by the end.
          for (const i of [0, 1, 2]) {
            const total = [0, 1, 2].reduce(
              (a, j) => a + (db.metrics(run.id, `selection/task${i}/policy${j}`).at(-1)?.value as number),
              0,
            );
            expect(total).toBe(400);
          }
        } else expect(selections).toEqual([]);
      }
    } finally {
      db.close();
    }
    const html = readFileSync(path.join(ref, "report.html"), "utf8");
    expect(html).toMatch(/Per-task success/);
    expect(html).toMatch(/Q-switch selection frequencies/);
    expect(html).toMatch(/Mean success over tasks/);

    // Killed as a whole group once a run has checkpointed; the same command again finishes it.
    const out = path.join(root, "killed");
    await killOnceCheckpointed(tsx, [...args(suiteFile, out), "--workers", "2"], appDir, out);
    const before = storedRows(out, SUITE);
    const again = runSync(suiteFile, out);
    expect(again.status, again.stderr).toBe(0);
    const after = storedRows(out, SUITE);
    for (const [k, v] of before) expect(after.get(k), `${k} kept`).toBe(v);
    expect(after).toEqual(reference);
  }, 300_000);

  it("names bad multi-task input before anything runs", async () => {
    const bad = async (patch: object) => {
      const err = await validateRunnable(parseSuite({ ...suite, ...patch })).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SuiteError);
      return (err as Error).message;
    };
    expect(await bad({ algorithms: [{ algo: "qmp-h", config: { holdSteps: 0 } }] })).toMatch(/qmp-h.*holdSteps.*≥ 1/);
    expect(await bad({ envs: [{ id: "MazeLargeMT7-v0" }] })).toMatch(/unknown environment "MazeLargeMT7-v0"/);
    expect(await bad({ algorithms: [{ algo: "sac" }] })).toMatch(
      /sac cannot run on MazeLargeMT3-v0: is a single-env algorithm/,
    );
    expect(await bad({ envs: [{ id: "MazeLargeMT3-v0" }, { id: "Pendulum-v1" }] })).toMatch(
      /mixes task sets \(MazeLargeMT3-v0\) with single envs/,
    );
    // A task set whose tasks do not share their spaces: a 2-d maze task beside a 3-d reacher task.
    registerTaskSet(
      "MismatchedMT-v0",
      () =>
        new TaskSet(
          "MismatchedMT-v0",
          [
            { name: "maze", make: () => makeTaskSet("MazeLargeMT3-v0").env(0), maxEpisodeSteps: 600 },
            { name: "reacher", make: () => new MultistageReacherEnv(0), maxEpisodeSteps: 200 },
          ],
          false,
        ),
    );
    expect(await bad({ envs: [{ id: "MismatchedMT-v0" }] })).toMatch(
      /task set MismatchedMT-v0: .*task 1 \(reacher\) has observation space/,
    );
  }, 120_000);
});
