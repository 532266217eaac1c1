import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { multiTaskGradientUpdates } from "@qscape/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { updateSchedule } from "./algorithms.js";
import { calibrationSuites } from "./calibrate.js";
import { applyOverrides } from "./cli.js";
import { openResults } from "./db/index.js";
import {
  describeEstimate,
  estimateSuite,
  readSpeeds,
  type ScheduleOf,
  speedsFromResults,
  updatesOfRun,
  writeSpeeds,
} from "./speeds.js";
import { expandRuns, parseSuite, protocolOf } from "./suite.js";

const suite = parseSuite(
  {
    name: "s",
    description: "d",
    algorithms: [{ algo: "td3" }, { algo: "savo" }],
    envs: [{ id: "A-v0" }, { id: "B-v0" }],
    seeds: [0, 1, 2, 3],
    budget: { envSteps: 10_000, warmupSteps: 1000, updatesPerStep: 1 },
    evaluation: { every: 2500, episodes: 10 },
    hidden: [64, 64],
  },
  "test",
);

const speed = (algo: string, env: string, updateSeconds: number) => ({
  algo,
  env,
  hidden: [64, 64],
  updateSeconds,
  stepSeconds: 0.001,
  evalEpisodeSeconds: 0.1,
  envSteps: 1000,
  backend: "wasm+native",
});

describe("suite durations from measured speeds", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "qscape-speeds-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("prices every run from its pair's speeds and divides by the workers", () => {
    const speeds = {
      machine: "m",
      measuredAt: "2026-12-06",
      entries: [
        speed("td3", "A-v0", 0.002),
        speed("td3", "B-v0", 0.002),
        speed("savo", "A-v0", 0.006),
        speed("savo", "B-v0", 0.006),
      ],
    };
    const e = estimateSuite(suite, speeds, 2);
    // per run: 3 s overhead + 10k × 1 ms + 9k updates × u + 5 evals × 10 episodes × 0.1 s
    const td3 = 3 + 10 + 9000 * 0.002 + 5;
    const savo = 3 + 10 + 9000 * 0.006 + 5;
    expect(e.minutes).toBeCloseTo((4 * 2 * (td3 + savo)) / 2 / 60, 6);
    expect(e).toMatchObject({ pairs: 4, measured: 4, borrowed: 0, unmeasured: [] });
    expect(describeEstimate(e, 999, (m) => `${m.toFixed(1)} min`)).toMatch(/on 2 cores \(measured speeds\)$/);
  });

  it("borrows an algorithm's speed from another env, says so, and falls back to the guess only with nothing measured", () => {
    const partial = {
      machine: "m",
      measuredAt: "x",
      entries: [speed("td3", "A-v0", 0.002), speed("savo", "A-v0", 0.006)],
    };
    const e = estimateSuite(suite, partial, 2);
    expect(e).toMatchObject({ measured: 2, borrowed: 2 });
    expect(describeEstimate(e, undefined, String)).toMatch(
      /measured speeds for 2 of 4 pairs, 2 from the same algorithm/,
    );
    const none = estimateSuite(suite, null, 2);
    expect(none.minutes).toBeNull();
    expect(describeEstimate(none, 42, (m) => `${m} min`)).toMatch(/~42 min .*author's guess/);
    // Other widths are another network: not borrowed.
    const wide = { ...partial, entries: partial.entries.map((x) => ({ ...x, hidden: [256, 256] })) };
    expect(estimateSuite(suite, wide, 2).minutes).toBeNull();
  });

  it("takes speeds from a results store's finished runs, pooled over seeds, and merges them into the file", () => {
    const db = openResults(join(dir, "results.db"));
    db.ensureSuite("s", {
      protocol: { envSteps: 1000, seeds: [0, 1], evaluation: { everySteps: 500, episodes: 2, deterministic: true } },
    });
    const config = {
      algo: "td3",
      hidden: [64, 64],
      budget: { envSteps: 1000 },
      evaluation: { every: 500, episodes: 2 },
    };
    for (const seed of [0, 1]) {
      const run = db.upsertRun({ suite: "s", algo: "td3-label", env: "A-v0", seed, config });
      db.markRunning(run.id, { backend: "wasm" });
      db.recordTimings(run.id, { env: 0.5, act: 0.5, update: 3, eval: 0.6 });
      db.markFinished(run.id, { wallClockS: 5, counters: { envSteps: 1000, updates: 750 } });
    }
    const unfinished = db.upsertRun({ suite: "s", algo: "td3-label", env: "A-v0", seed: 2, config });
    db.recordTimings(unfinished.id, { update: 100 });
    const [s] = speedsFromResults(db);
    db.close();
    expect(s).toMatchObject({ algo: "td3", env: "A-v0", hidden: [64, 64], envSteps: 2000, backend: "wasm" });
    expect(s?.updateSeconds).toBeCloseTo(6 / 1500, 12);
    expect(s?.stepSeconds).toBeCloseTo(2 / 2000, 12);
    expect(s?.evalEpisodeSeconds).toBeCloseTo(1.2 / (2 * 3 * 2), 12);

    const file = join(dir, "speeds.json");
    writeSpeeds(file, [speed("savo", "A-v0", 0.01)]);
    writeSpeeds(file, s ? [s, speed("savo", "A-v0", 0.02)] : []);
    const back = readSpeeds(file);
    expect(back?.entries.map((e) => `${e.algo}@${e.env}:${e.updateSeconds}`)).toEqual([
      "savo@A-v0:0.02",
      `td3@A-v0:${6 / 1500}`,
    ]);
  });

  it("calibrates only the pairs the speeds file lacks, one short suite per (suite, env)", () => {
    const known = { machine: "m", measuredAt: "x", entries: [speed("td3", "A-v0", 0.002)] };
    const plan = calibrationSuites([suite, suite], known, { steps: 800, fresh: false });
    expect(plan.map((s) => [s.envs[0]?.id, s.algorithms.map((a) => a.algo)])).toEqual([
      ["A-v0", ["savo"]],
      ["B-v0", ["td3", "savo"]],
    ]);
    expect(plan[0]?.budget).toMatchObject({ envSteps: 800, warmupSteps: 200 });
    expect(calibrationSuites([suite], known, { steps: 800, fresh: true })).toHaveLength(2);
  });

  // Multi-task runs (task sets): the updates follow each algorithm's epoch, not warm-up × updates per step.
  const taskSetSuite = parseSuite(
    {
      name: "mt",
      description: "d",
      algorithms: [{ algo: "qmp" }, { algo: "no-sharing" }],
      envs: [{ id: "MazeLargeMT3-v0" }],
      seeds: [0, 1],
      budget: { envSteps: 10_000, warmupSteps: 0 },
      evaluation: { every: 5000, episodes: 2 },
      hidden: [64, 64],
    },
    "test",
  );
  const qmpEpoch = { learningTasks: 3, envStepsPerTask: 600, updatesPerTask: 100, minBufferPerTask: 3000 };
  const noSharingEpoch = { learningTasks: 3, envStepsPerTask: 600, updatesPerTask: 50, minBufferPerTask: 1200 };
  const epochs: ScheduleOf = (_suite, a) => ({ epoch: a.algo === "qmp" ? qmpEpoch : noSharingEpoch });

  it("prices a multi-task run with its epoch's gradient updates, and leaves a pair without an epoch unmeasured", () => {
    const speeds = {
      machine: "m",
      measuredAt: "x",
      entries: [
        { ...speed("qmp", "MazeLargeMT3-v0", 0.01), stepSeconds: 0.002, evalEpisodeSeconds: 0.5 },
        { ...speed("no-sharing", "MazeLargeMT3-v0", 0.01), stepSeconds: 0.001, evalEpisodeSeconds: 0.5 },
      ],
    };
    // qmp: epochs of 3 × 600 steps; the buffers reach 3000 at epoch 5 (9000 steps), epoch 6 is cut at
    // 10,000 (tasks 0 and 1 collect 600 and 400, task 2 none, all still ready): 2 epochs × 3 × 100 = 600.
    // no-sharing: buffers reach 1200 at epoch 2, so epochs 2–6 update: 5 × 3 × 50 = 750.
    expect(multiTaskGradientUpdates(qmpEpoch, 10_000)).toBe(600);
    // per run: 3 s + 10k steps × step s + updates × 0.01 s + (2 + 1) evaluations × 2 episodes × 0.5 s
    const qmp = 3 + 20 + 600 * 0.01 + 3;
    const noSharing = 3 + 10 + 750 * 0.01 + 3;
    const e = estimateSuite(taskSetSuite, speeds, 2, epochs);
    expect(e.minutes).toBeCloseTo((2 * (qmp + noSharing)) / 2 / 60, 9);
    expect(e).toMatchObject({ pairs: 2, measured: 2, unmeasured: [] });
    const without = estimateSuite(taskSetSuite, speeds, 2);
    expect(without.minutes).toBeNull();
    expect(without.unmeasured).toEqual([
      "qmp on MazeLargeMT3-v0 (no epoch to count its updates)",
      "no-sharing on MazeLargeMT3-v0 (no epoch to count its updates)",
    ]);
  });

  it("takes a multi-task run's speeds from its phases and its learners' gradientUpdates", () => {
    const db = openResults(join(dir, "results.db"));
    db.ensureSuite("mt", {
      protocol: { envSteps: 10_000, seeds: [0], evaluation: { everySteps: 10_000, episodes: 3, deterministic: true } },
    });
    const config = {
      algo: "qmp",
      hidden: [64, 64],
      budget: { envSteps: 10_000 },
      evaluation: { every: 10_000, episodes: 3 },
    };
    const run = db.upsertRun({ suite: "mt", algo: "qmp", env: "MazeLargeMT3-v0", seed: 0, config });
    db.markRunning(run.id, { backend: "wasm" });
    db.recordTimings(run.id, { act: 4, env: 6, update: 12, afterEpoch: 0, epochs: 22, eval: 3, total: 26 });
    db.markFinished(run.id, { wallClockS: 26, counters: { envSteps: 10_000, epochs: 6, gradientUpdates: 600 } });
    // A run stored before the phases were timed (whole epochs only) adds nothing.
    const old = db.upsertRun({ suite: "mt", algo: "qmp", env: "MazeLargeMT3-v0", seed: 1, config });
    db.markRunning(old.id, { backend: "wasm" });
    db.recordTimings(old.id, { epochs: 50, eval: 9, total: 60 });
    db.markFinished(old.id, { wallClockS: 60, counters: { envSteps: 10_000, epochs: 6, gradientUpdates: 600 } });
    const [s, ...none] = speedsFromResults(db);
    expect(none).toEqual([]);
    expect(s?.envSteps).toBe(10_000);
    db.close();
    expect(s?.updateSeconds).toBeCloseTo(12 / 600, 12);
    expect(s?.stepSeconds).toBeCloseTo(10 / 10_000, 12);
    // Two evaluations (the untrained policies' and the last) × 3 episodes, each on every task.
    expect(s?.evalEpisodeSeconds).toBeCloseTo(3 / 6, 12);
  });

  it("plans a multi-task calibration run to the end of its first epoch with updates", () => {
    // qmp: buffers of 3000 after 5 epochs of 3 × 600 = 9000 steps; no-sharing: 1200 after 2 = 3600.
    const plan = calibrationSuites([taskSetSuite], null, { steps: 800, fresh: false, scheduleOf: epochs });
    expect(plan).toHaveLength(1);
    expect(plan[0]?.algorithms.map((a) => a.algo)).toEqual(["qmp", "no-sharing"]);
    expect(plan[0]?.budget).toMatchObject({ envSteps: 9000, warmupSteps: 0 });
    expect(plan[0]?.evaluation).toEqual({ every: 9000, episodes: 2 });
    const known = { machine: "m", measuredAt: "x", entries: [speed("qmp", "MazeLargeMT3-v0", 0.01)] };
    const rest = calibrationSuites([taskSetSuite], known, { steps: 800, fresh: false, scheduleOf: epochs });
    expect(rest[0]?.budget.envSteps).toBe(3600);
    // No epoch, no plan: the run could not be priced.
    expect(calibrationSuites([taskSetSuite], null, { steps: 800, fresh: false })).toEqual([]);
  });

  it("an on-policy learner updates once per full rollout: priced so, and calibrated to whole rollouts", () => {
    const speeds = {
      machine: "m",
      measuredAt: "x",
      entries: ["A-v0", "B-v0"].flatMap((env) => [speed("td3", env, 0.002), speed("savo", env, 0.5)]),
    };
    const rollouts: ScheduleOf = (_suite, a) => (a.algo === "savo" ? { rolloutSteps: 2048 } : {});
    // savo: ⌊10,000 / 2048⌋ = 4 updates per run instead of 9000.
    const td3 = 3 + 10 + 9000 * 0.002 + 5;
    const savo = 3 + 10 + 4 * 0.5 + 5;
    expect(estimateSuite(suite, speeds, 2, rollouts).minutes).toBeCloseTo((4 * 2 * (td3 + savo)) / 2 / 60, 9);
    const plan = calibrationSuites([suite], null, { steps: 800, fresh: false, scheduleOf: rollouts });
    expect(plan.map((p) => p.budget.envSteps)).toEqual([2048, 2048]);
    // A new budget is a new suite in the calibration store (which never changes a stored protocol).
    expect(plan.map((p) => p.name)).toEqual(["calibrate-s-a-v0-2048", "calibrate-s-b-v0-2048"]);
    expect(plan[0]?.budget.warmupSteps).toBe(512);
    const longer = calibrationSuites([suite], null, { steps: 4100, fresh: false, scheduleOf: rollouts });
    expect(longer[0]?.budget.envSteps).toBe(6144);
    // Measured by a run shorter than a rollout: no update cost, so not priced, and calibrated again.
    const short = {
      ...speeds,
      entries: speeds.entries.map((e) => (e.algo === "savo" ? { ...e, updateSeconds: 0 } : e)),
    };
    const e = estimateSuite(suite, short, 2, rollouts);
    expect(e).toMatchObject({ measured: 2, borrowed: 0 });
    expect(e.unmeasured).toEqual([
      "savo on A-v0 (its calibration saw no update)",
      "savo on B-v0 (its calibration saw no update)",
    ]);
    const again = calibrationSuites([suite], short, { steps: 800, fresh: false, scheduleOf: rollouts });
    expect(again.map((p) => p.algorithms.map((a) => a.algo))).toEqual([["savo"], ["savo"]]);
  });

  it("an env evaluated on more action splits pays their evaluation episodes too", () => {
    const speeds = {
      machine: "m",
      measuredAt: "x",
      entries: [speed("td3", "A-v0", 0.002), speed("td3", "B-v0", 0.002)],
    };
    const one = parseSuite({ ...suite, algorithms: [{ algo: "td3" }] }, "test");
    const split = parseSuite(
      { ...suite, algorithms: [{ algo: "td3" }], envs: [{ id: "A-v0", evalSplits: ["test"] }, { id: "B-v0" }] },
      "test",
    );
    const extra = (estimateSuite(split, speeds).minutes as number) - (estimateSuite(one, speeds).minutes as number);
    // A-v0: 5 extra evaluation seconds per run (50 episodes × 0.1 s), 4 seeds, on 2 workers.
    expect(extra * 60).toBeCloseTo((5 * 4) / 2, 9);
  });

  it("a learner that waits (learningStarts) is priced from its first update and calibrated past the wait", () => {
    const speeds = {
      machine: "m",
      measuredAt: "x",
      entries: ["A-v0", "B-v0"].flatMap((env) => [speed("td3", env, 0.002), speed("savo", env, 0.5)]),
    };
    // savo as listwise CDQN: an update call every 15 steps from step 1,500 on: 15·100 … 15·666, 567 updates.
    const waits: ScheduleOf = (_suite, a) => (a.algo === "savo" ? { rolloutSteps: 15, learningStarts: 1500 } : {});
    expect(
      updatesOfRun({ rolloutSteps: 15, learningStarts: 1500 }, { envSteps: 10_000, warmupSteps: 0, updatesPerStep: 1 }),
    ).toBe(567);
    expect(updatesOfRun({ rolloutSteps: 15 }, { envSteps: 10_000, warmupSteps: 0, updatesPerStep: 1 })).toBe(666);
    expect(updatesOfRun({ learningStarts: 3000 }, { envSteps: 10_000, warmupSteps: 1000, updatesPerStep: 2 })).toBe(
      14_000,
    );
    const td3 = 3 + 10 + 9000 * 0.002 + 5;
    const savo = 3 + 10 + 567 * 0.5 + 5;
    expect(estimateSuite(suite, speeds, 2, waits).minutes).toBeCloseTo((4 * 2 * (td3 + savo)) / 2 / 60, 9);
    // The calibration run goes `steps` past the wait, in whole rollouts: 1,500 + 800 → 2,310.
    const plan = calibrationSuites([suite], null, { steps: 800, fresh: false, scheduleOf: waits });
    expect(plan.map((p) => p.budget.envSteps)).toEqual([2310, 2310]);
  });

  it("asks each entry how its runs update: off-policy, a rollout (numEnvs × numSteps), a task set's epoch", () => {
    const onPolicy = parseSuite(
      {
        ...suite,
        algorithms: [{ algo: "td3" }, { algo: "agile-ppo", config: { numEnvs: 16, numSteps: 128 } }],
        envs: [{ id: "DigLava-v0" }],
      },
      "test",
    );
    const [td3, agile] = onPolicy.algorithms;
    const env = onPolicy.envs[0];
    if (!td3 || !agile || !env) throw new Error("suite");
    expect(updateSchedule(onPolicy, td3, env)).toEqual({});
    expect(updateSchedule(onPolicy, agile, env)).toEqual({ rolloutSteps: 2048 });
    const listwise = parseSuite(
      { ...suite, algorithms: [{ algo: "agile-cdqn", config: { updateInterval: 15, learningStarts: 1500 } }] },
      "test",
    );
    const [cdqn] = listwise.algorithms;
    if (!cdqn) throw new Error("suite");
    expect(updateSchedule(listwise, cdqn, env)).toEqual({ rolloutSteps: 15, learningStarts: 1500 });
    const maze = parseSuite(
      { ...taskSetSuite, algorithms: [{ algo: "qmp", config: { envStepsPerUpdate: 500, minBufferSize: 2000 } }] },
      "test",
    );
    const [qmp] = maze.algorithms;
    const [mazeEnv] = maze.envs;
    if (!qmp || !mazeEnv) throw new Error("suite");
    expect(updateSchedule(maze, qmp, mazeEnv)).toEqual({
      epoch: { learningTasks: 3, envStepsPerTask: 500, updatesPerTask: 100, minBufferPerTask: 2000 },
    });
  });

  it("an env with a budget of its own runs and is priced with it; the protocol says so", () => {
    const mixed = parseSuite(
      {
        ...suite,
        envs: [
          { id: "A-v0", envSteps: 2000, warmupSteps: 100, evaluation: { every: 1000, episodes: 1 } },
          { id: "B-v0" },
        ],
      },
      "test",
    );
    const runs = expandRuns(mixed);
    expect(runs.find((r) => r.env === "A-v0")?.budget).toMatchObject({
      envSteps: 2000,
      warmupSteps: 100,
      updatesPerStep: 1,
    });
    expect(runs.find((r) => r.env === "A-v0")?.evaluation).toEqual({ every: 1000, episodes: 1 });
    expect(runs.find((r) => r.env === "B-v0")?.budget).toMatchObject({ envSteps: 10_000, warmupSteps: 1000 });
    expect(protocolOf(mixed, "wasm").notes).toMatch(
      /A-v0: 2000 env steps \(warm-up 100\), evaluation every 1000 steps × 1 episodes/,
    );
    expect(protocolOf(suite, "wasm").notes).toBeUndefined();
    const speeds = {
      machine: "m",
      measuredAt: "x",
      entries: [
        speed("td3", "A-v0", 0.002),
        speed("td3", "B-v0", 0.002),
        speed("savo", "A-v0", 0.006),
        speed("savo", "B-v0", 0.006),
      ],
    };
    const aRun = (u: number) => 3 + 2 + 1900 * u + 3 * 0.1;
    const bRun = (u: number) => 3 + 10 + 9000 * u + 5;
    const expected = (4 * (aRun(0.002) + aRun(0.006) + bRun(0.002) + bRun(0.006))) / 2 / 60;
    expect(estimateSuite(mixed, speeds, 2).minutes).toBeCloseTo(expected, 6);
  });

  it("an env's algorithmConfig overrides one label's config there only, and names unknown labels", () => {
    const withOverride = parseSuite(
      { ...suite, envs: [{ id: "A-v0", algorithmConfig: { savo: { numCandidates: 5 } } }, { id: "B-v0" }] },
      "test",
    );
    const runs = expandRuns(withOverride);
    expect(runs.find((r) => r.env === "A-v0" && r.algo === "savo")?.algoConfig).toEqual({ numCandidates: 5 });
    expect(runs.find((r) => r.env === "B-v0" && r.algo === "savo")?.algoConfig).toEqual({});
    expect(runs.find((r) => r.env === "A-v0" && r.algo === "td3")?.algoConfig).toEqual({});
    expect(() =>
      parseSuite({ ...suite, envs: [{ id: "A-v0", algorithmConfig: { sav: { numCandidates: 5 } } }] }, "test"),
    ).toThrow(/envs\.0\.algorithmConfig\.sav.*"sav" is not one of td3, savo/);
  });

  it("--algos keeps the per-env overrides of the algorithms it keeps and drops the others'", () => {
    const withOverrides = parseSuite(
      { ...suite, envs: [{ id: "A-v0", algorithmConfig: { savo: { numCandidates: 5 }, td3: { batchSize: 8 } } }] },
      "test",
    );
    const runs = expandRuns(applyOverrides(withOverrides, { algos: ["td3"] }));
    expect(new Set(runs.map((r) => JSON.stringify([r.algo, r.algoConfig])))).toEqual(
      new Set([JSON.stringify(["td3", { batchSize: 8 }])]),
    );
  });
});
