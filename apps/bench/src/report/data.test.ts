import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fillSyntheticSuite } from "../../test/synthetic-suite.js";
import { loadTd3Curves } from "../../test/td3-fixture.js";
import { openResults, type ResultsDb } from "../db/results.js";
import { iqm, meanOf, minMaxNormalise, probabilityOfImprovement } from "../stats/index.js";
import { buildReportData, profileGrid, type ReportData } from "./data.js";
import { CSV_COLUMNS, reportToCsv, reportToJson } from "./export.js";
import { renderReportHtml } from "./html.js";

const fast = { intervalReps: 400, profileReps: 200, curveReps: 100, now: new Date("2026-01-02T03:04:05Z") };

describe("buildReportData on a synthetic suite", () => {
  let dir: string;
  let db: ResultsDb;
  let data: ReportData;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "qscape-report-"));
    db = openResults(join(dir, "results.sqlite"));
    fillSyntheticSuite(db);
    data = buildReportData(db, "synthetic", { ...fast, seed: 3 });
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("states the matched protocol, backend and the runs left out", () => {
    expect(data.algos).toEqual(["ddpg", "sac", "savo-k3", "td3"]);
    expect(data.envs).toEqual(["HalfCheetah", "Hopper", "InvertedPendulum", "Walker2d"]);
    expect(data.protocol).toMatchObject({
      envSteps: 100_000,
      seeds: [0, 1, 2, 3, 4],
      evaluation: { everySteps: 5000, episodes: 10 },
    });
    expect(data.backends).toEqual(["wasm"]);
    expect(data.generatedAt).toBe("2026-01-02T03:04:05.000Z");
    expect(data.notes.join("\n")).toMatch(/ddpg: seed 4 did not finish/);
    expect(data.notes.join("\n")).toMatch(/sac: seed 4 did not finish/);
    expect(data.bootstrap).toMatchObject({ seed: 3, intervalReps: 400, method: "percentile" });
  });

  it("restricted to some envs, reports on those only and says so; an env with no runs is named", () => {
    const one = buildReportData(db, "synthetic", { ...fast, seed: 3, envs: ["Hopper"] });
    expect(one.envs).toEqual(["Hopper"]);
    expect(one.runs.every((r) => r.env === "Hopper")).toBe(true);
    expect(one.notes.join("\n")).toMatch(/Restricted to Hopper/);
    // One env: the IQM is over that env's seeds alone, so it differs from the four-env one.
    const iqmOf = (d: ReportData) => d.aggregates.find((a) => a.algo === "td3" && a.metric === "iqm")?.point;
    expect(iqmOf(one)).not.toBeCloseTo(iqmOf(data) as number, 6);
    expect(() => buildReportData(db, "synthetic", { ...fast, envs: ["Ant"] })).toThrow(/no finished runs on Ant/);
  });

  it("recomputes the IQM and PoI from the raw evaluations in the store", () => {
    // Independent recomputation: final score = mean of the last 10 evaluation means per run.
    const finals = (algo: string, seeds: number[]) =>
      seeds.map((seed) =>
        data.envs.map((env) => {
          const run = db.listRuns("synthetic", { algo, env, status: "finished" }).find((r) => r.seed === seed)!;
          return meanOf(
            db
              .evaluations(run.id)
              .slice(-10)
              .map((e) => e.meanReturn),
          );
        }),
      );
    const bounds = {
      random: data.normalisation.perEnv.map((p) => p.random),
      reference: data.normalisation.perEnv.map((p) => p.reference),
    };
    const td3 = minMaxNormalise(finals("td3", [0, 1, 2, 3, 4]), bounds);
    const ddpg = minMaxNormalise(finals("ddpg", [0, 1, 2, 3]), bounds);
    const row = data.aggregates.find((a) => a.algo === "td3" && a.metric === "iqm")!;
    expect(row.point).toBeCloseTo(iqm(td3), 12);
    expect(row.lo).toBeLessThanOrEqual(row.point);
    expect(row.hi).toBeGreaterThanOrEqual(row.point);
    const pair = data.improvement.find((p) => p.x === "td3" && p.y === "ddpg")!;
    expect(pair.point).toBeCloseTo(probabilityOfImprovement(td3, ddpg), 12);
    // The best algorithm's mean final score defines 1 on each env.
    expect(data.normalisation.perEnv.every((p) => p.reference > p.random)).toBe(true);
  });

  it("orders PoI pairs from higher to lower IQM and covers every pair", () => {
    expect(data.improvement).toHaveLength(6);
    const iqmOf = (algo: string) => data.aggregates.find((a) => a.algo === algo && a.metric === "iqm")!.point;
    for (const p of data.improvement) expect(iqmOf(p.x)).toBeGreaterThanOrEqual(iqmOf(p.y));
    expect(data.improvement[0]!.x).toBe("savo-k3");
  });

  it("has curves, per-run rows with the failure, and is reproducible from the seed", () => {
    expect(data.profiles.taus).toHaveLength(101);
    expect(data.sampleEfficiency.map((c) => c.steps.length)).toEqual([21, 21, 21, 21]);
    expect(data.learningCurves).toHaveLength(16);
    const failed = data.runs.find((r) => r.status === "failed")!;
    expect(failed).toMatchObject({
      algo: "ddpg",
      env: "Hopper",
      seed: 4,
      evaluations: 9,
      error: expect.stringMatching(/critic loss is NaN/),
    });
    expect(data.runs.filter((r) => r.status === "running")).toHaveLength(1);
    expect(buildReportData(db, "synthetic", { ...fast, seed: 3 })).toEqual(data);
    expect(buildReportData(db, "synthetic", { ...fast, seed: 4 }).aggregates).not.toEqual(data.aggregates);
  });

  it("exports every number as JSON and long-format CSV, and renders one self-contained page", () => {
    expect(JSON.parse(reportToJson(data))).toEqual(data);
    const lines = reportToCsv(data).trim().split("\n");
    expect(lines[0]).toBe(CSV_COLUMNS.join(","));
    const count = (section: string) => lines.filter((l) => l.startsWith(`${section},`)).length;
    expect(count("aggregate")).toBe(16);
    expect(count("profile")).toBe(4 * 101);
    expect(count("probability_of_improvement")).toBe(6);
    expect(count("sample_efficiency")).toBe(4 * 21);
    expect(count("learning_curve")).toBe(data.learningCurves.reduce((n, c) => n + c.steps.length, 0));
    const iqmRow = data.aggregates.find((a) => a.algo === "td3" && a.metric === "iqm")!;
    expect(lines).toContain(`aggregate,td3,,iqm,,${iqmRow.point},${iqmRow.lo},${iqmRow.hi}`);
    const html = renderReportHtml(data);
    // Wide: aggregates, profile, PoI, sample efficiency, one per env, one per training metric; narrow
    // windows get the aggregates as two figures, the sample efficiency and the small multiples again.
    const envs = new Set(data.learningCurves.map((c) => c.env)).size;
    const metrics = data.trainingMetrics.length;
    expect(metrics).toBeGreaterThan(0);
    expect(html.match(/<svg /g)).toHaveLength(4 + envs + metrics + (3 + envs + metrics));
    expect(html).toContain("Training metrics");
    // Seed 4 of two algorithms did not finish: 4 runs per task, under rliable's comfortable minimum.
    expect(data.fewRuns).toMatch(/rest on 4 runs per task/);
    expect(html).toContain('class="warn"');
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
    expect(html).toContain("100,000");
    expect(html).toContain("critic loss is NaN");
  });
});

describe("buildReportData on the TD3 paper curves", () => {
  it("reproduces TD3 Table 1 and Table 2 through the store and the report", () => {
    const dir = mkdtempSync(join(tmpdir(), "qscape-report-"));
    const db = openResults(join(dir, "td3.sqlite"));
    try {
      const curves = loadTd3Curves();
      db.ensureSuite("td3-paper", {
        protocol: {
          envSteps: 1_000_000,
          seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
          evaluation: { everySteps: 5000, episodes: 10, deterministic: true },
        },
      });
      db.transaction(() => {
        for (const [env, seeds] of curves.returns) {
          seeds.forEach((returns, seed) => {
            const run = db.upsertRun({
              suite: "td3-paper",
              algo: "TD3",
              env,
              seed,
              config: { paper: "Fujimoto et al. 2018" },
            });
            returns.forEach((r, i) => {
              db.recordEval(run.id, { step: curves.steps[i]!, episodeReturns: [r] });
            });
            db.markFinished(run.id, { wallClockS: 0 });
          });
        }
      });
      const data = buildReportData(db, "td3-paper", fast);
      const stat = (env: string) => data.paperStats.find((s) => s.env === env)!;
      expect(stat("HalfCheetah").maxAverageReturn).toBeCloseTo(9636.95, 2);
      expect(stat("HalfCheetah").maxAverageReturnStd).toBeCloseTo(859.06, 2);
      expect(stat("HalfCheetah").maxAverageReturnStep).toBe(975_000);
      expect(stat("Hopper").lastNMean).toBeCloseTo(3304.75, 2);
      expect(stat("Walker").lastNMean).toBeCloseTo(4565.24, 2);
      expect(stat("Ant").maxAverageReturn).toBeCloseTo(4372.44, 2);
      // One algorithm normalised against itself: every env's mean final score is exactly 1.
      expect(data.aggregates.find((a) => a.metric === "mean")!.point).toBeCloseTo(1, 12);
      expect(data.normalisation.perEnv.find((p) => p.env === "Reacher")!.random).toBeCloseTo(-18.71, 2);
      expect(data.improvement).toEqual([]);
      // 201 evaluations thinned to 101 points, keeping both ends.
      const curve = data.sampleEfficiency[0]!;
      expect(curve.steps).toHaveLength(101);
      expect([curve.steps[0], curve.steps[1], curve.steps.at(-1)]).toEqual([0, 10_000, 1_000_000]);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("profileGrid", () => {
  it("spans the scores: a suite whose scores stay below 0.08 is not drawn on a 0–1 axis", () => {
    const grid = profileGrid([0.01, 0.05, 0.076]);
    expect(grid).toHaveLength(101);
    expect(grid[0]).toBe(0);
    expect(grid.at(-1)).toBeCloseTo(0.076 * 1.05, 12);
    expect(profileGrid([-0.5, 1.2])[0]).toBe(-0.5);
    expect(profileGrid([0, 0]).at(-1)).toBe(1);
  });
});

describe("action splits in the report", () => {
  let dir: string;
  let db: ResultsDb;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "qscape-report-splits-"));
    db = openResults(join(dir, "results.sqlite"));
    db.ensureSuite("na", {
      description: "new actions",
      protocol: { envSteps: 300, seeds: [0, 1], evaluation: { everySteps: 100, episodes: 1, deterministic: true } },
    });
    // Per seed: training-action, validation-action and test-action scores at steps 0, 100, 200, 300.
    const curves: Record<string, { train: number[]; validation: number[]; test: number[] }[]> = {
      hvae: [
        { train: [0, 5, 8, 9], validation: [0, 6, 4, 3], test: [0, 7, 2, 1] },
        { train: [0, 4, 8, 9], validation: [0, 2, 6, 6], test: [0, 1, 5, 6] },
      ],
      nn: [
        { train: [0, 6, 9, 10], validation: [1, 1, 1, 0], test: [2, 0, 0, 0] },
        { train: [0, 6, 9, 10], validation: [0, 3, 1, 1], test: [0, 3, 0, 0] },
      ],
    };
    for (const [algo, seeds] of Object.entries(curves)) {
      seeds.forEach((c, seed) => {
        const run = db.upsertRun({ suite: "na", algo, env: "SkillGridWorld-v0", seed, config: {} });
        [0, 100, 200, 300].forEach((step, i) => {
          db.recordEval(run.id, { step, episodeReturns: [c.train[i] as number] });
          db.recordEval(run.id, { step, episodeReturns: [c.validation[i] as number], split: "validation" });
          db.recordEval(run.id, { step, episodeReturns: [c.test[i] as number], split: "test" });
        });
        db.markFinished(run.id, { wallClockS: 1 });
      });
    }
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("scores the test actions at each run's best validation evaluation; validation itself by its last evaluations", () => {
    const d = buildReportData(db, "na", { ...fast, lastN: 1 });
    expect(d.actionSplits?.map((a) => [a.split, a.finalScore.statistic])).toEqual([
      ["test", "at-best-validation"],
      ["validation", "last-n-mean"],
    ]);
    const test = d.actionSplits?.find((a) => a.split === "test");
    // Selected test scores: hvae 7 (seed 0: validation best at step 100) and 6 (seed 1: the latest of
    // its equal bests, step 300), mean 6.5; nn 0 (seed 0: the latest of three equal bests, step 200)
    // and 3 (seed 1: step 100), mean 1.5.
    // Untrained level: the step-0 test scores' mean (0, 0, 2, 0) = 0.5; reference: the best mean, 6.5.
    expect(test?.normalisation.perEnv).toEqual([{ env: "SkillGridWorld-v0", random: 0.5, reference: 6.5 }]);
    const mean = (algo: string) => test?.aggregates.find((a) => a.algo === algo && a.metric === "mean")?.point;
    expect(mean("hvae")).toBeCloseTo(1, 12);
    expect(mean("nn")).toBeCloseTo((0 - 0.5 + 3 - 0.5) / 2 / 6, 12);
    // The training actions' scores are untouched by the splits: last evaluation, nn ahead.
    expect(d.finalScore.statistic).toBe("last-n-mean");
    expect(d.normalisation.perEnv[0]?.reference).toBe(10);
    const html = renderReportHtml(d);
    expect(html).toMatch(/best validation-action score \(validation-based checkpoint selection/);
    expect(html).toMatch(/SkillGridWorld-v0: test actions/);
  });
});

describe("an env where no algorithm moved from the untrained score", () => {
  it("is left out of the aggregates with a note (its curves stay); the other envs are reported", () => {
    const dir = mkdtempSync(join(tmpdir(), "qscape-report-flat-"));
    const db = openResults(join(dir, "results.sqlite"));
    try {
      db.ensureSuite("flat", {
        description: "one flat env",
        protocol: { envSteps: 200, seeds: [0, 1], evaluation: { everySteps: 100, episodes: 1, deterministic: true } },
      });
      for (const algo of ["a", "b"])
        for (const seed of [0, 1]) {
          const moves = db.upsertRun({ suite: "flat", algo, env: "Moves-v0", seed, config: {} });
          const flat = db.upsertRun({ suite: "flat", algo, env: "Flat-v0", seed, config: {} });
          [0, 100, 200].forEach((step, i) => {
            db.recordEval(moves.id, { step, episodeReturns: [i * (algo === "a" ? 2 : 1) + seed] });
            db.recordEval(flat.id, { step, episodeReturns: [0.01] });
          });
          db.markFinished(moves.id, { wallClockS: 1 });
          db.markFinished(flat.id, { wallClockS: 1 });
        }
      const d = buildReportData(db, "flat", fast);
      expect(d.envs).toEqual(["Moves-v0"]);
      expect(d.notes.join("\n")).toMatch(
        /Flat-v0 left out of the aggregate statistics: every algorithm's final score equals the untrained one \(0\.01\)/,
      );
      expect(d.learningCurves.map((c) => c.env)).toContain("Flat-v0");
      expect(d.aggregates.length).toBeGreaterThan(0);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("when it is the only env, the report still builds: curves and the note, no aggregates", () => {
    const dir = mkdtempSync(join(tmpdir(), "qscape-report-flat-only-"));
    const db = openResults(join(dir, "results.sqlite"));
    try {
      db.ensureSuite("flat-only", {
        description: "one flat env",
        protocol: { envSteps: 200, seeds: [0], evaluation: { everySteps: 100, episodes: 1, deterministic: true } },
      });
      for (const algo of ["a", "b"]) {
        const flat = db.upsertRun({ suite: "flat-only", algo, env: "Flat-v0", seed: 0, config: {} });
        for (const step of [0, 100, 200]) db.recordEval(flat.id, { step, episodeReturns: [0.01] });
        db.markFinished(flat.id, { wallClockS: 1 });
      }
      const d = buildReportData(db, "flat-only", fast);
      expect(d.envs).toEqual([]);
      expect(d.aggregates).toEqual([]);
      expect(d.notes.join("\n")).toMatch(/Flat-v0 left out of the aggregate statistics/);
      expect(d.learningCurves.map((c) => c.env)).toEqual(["Flat-v0", "Flat-v0"]);
      expect(renderReportHtml(d)).toMatch(/Flat-v0 left out of the aggregate statistics/);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("normalisation levels: one given alone, and a scale the runs would invert", () => {
  // Two algorithms, two seeds; untrained (step 0) 8 everywhere, as RecSim's untrained greedy lists
  // can beat learned ones early. "up" ends at 9 and 11 (mean 10), "down" at 6 and 4 (mean 5).
  function store(dir: string, finals: Record<string, number[]>) {
    const db = openResults(join(dir, "results.sqlite"));
    db.ensureSuite("levels", {
      description: "levels",
      protocol: { envSteps: 200, seeds: [0, 1], evaluation: { everySteps: 100, episodes: 1, deterministic: true } },
    });
    for (const [algo, ends] of Object.entries(finals))
      ends.forEach((end, seed) => {
        const run = db.upsertRun({ suite: "levels", algo, env: "Slate-v0", seed, config: {} });
        [8, (8 + end) / 2, end].forEach((r, i) => {
          db.recordEval(run.id, { step: i * 100, episodeReturns: [r] });
        });
        db.markFinished(run.id, { wallClockS: 1 });
      });
    return db;
  }

  it("a given random score alone sets 0 (not the untrained mean); 1 stays the best final mean", () => {
    const dir = mkdtempSync(join(tmpdir(), "qscape-report-levels-"));
    const db = store(dir, { up: [9, 11], down: [6, 4] });
    try {
      const d = buildReportData(db, "levels", { ...fast, lastN: 1, normalisation: { "Slate-v0": { random: 5.5 } } });
      expect(d.normalisation.perEnv).toEqual([{ env: "Slate-v0", random: 5.5, reference: 10 }]);
      expect(d.normalisation.source).toMatch(
        /^0 = the suite's random score where given.*; 1 = best algorithm's mean final score$/,
      );
      const mean = (algo: string) => d.aggregates.find((a) => a.algo === algo && a.metric === "mean")?.point;
      expect(mean("up")).toBeCloseTo(1, 12);
      expect(mean("down")).toBeCloseTo((5 - 5.5) / (10 - 5.5), 12);
      // A given reference alone: 0 is the untrained mean (8).
      const r = buildReportData(db, "levels", { ...fast, lastN: 1, normalisation: { "Slate-v0": { reference: 12 } } });
      expect(r.normalisation.perEnv).toEqual([{ env: "Slate-v0", random: 8, reference: 12 }]);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("every algorithm ending below the 0 level leaves the env out with a note, instead of inverting the ranking", () => {
    const dir = mkdtempSync(join(tmpdir(), "qscape-report-inverted-"));
    // Both end below the untrained 8: the default levels would be 0 = 8, 1 = 7 (the best final mean),
    // and (score − 8) / (7 − 8) would rank "worse" (mean 5) above "less-bad" (mean 7).
    const db = store(dir, { "less-bad": [7, 7], worse: [6, 4] });
    try {
      const d = buildReportData(db, "levels", { ...fast, lastN: 1 });
      expect(d.envs).toEqual([]);
      expect(d.aggregates).toEqual([]);
      expect(d.notes.join("\n")).toMatch(
        /Slate-v0 left out of the aggregate statistics: no algorithm's final score \(best 7\) is above the untrained one \(8\), so min–max normalisation would invert the ranking there/,
      );
      expect(d.learningCurves.map((c) => c.algo)).toEqual(["less-bad", "worse"]);
      // The same with a given random score above every final one.
      const g = buildReportData(db, "levels", { ...fast, lastN: 1, normalisation: { "Slate-v0": { random: 7.5 } } });
      expect(g.envs).toEqual([]);
      expect(g.notes.join("\n")).toMatch(/is above the suite's random score \(7\.5\)/);
      // Given a random score below them, the scale is fine and the order right.
      const ok = buildReportData(db, "levels", { ...fast, lastN: 1, normalisation: { "Slate-v0": { random: 3 } } });
      const mean = (algo: string) => ok.aggregates.find((a) => a.algo === algo && a.metric === "mean")?.point as number;
      expect(mean("less-bad")).toBeGreaterThan(mean("worse"));
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the action representations the runs read (new-actions Ch. 2)", () => {
  it("are tabled per run from their first update's metrics, and left out of the training-metric curves", () => {
    const dir = mkdtempSync(join(tmpdir(), "qscape-report-reps-"));
    const db = openResults(join(dir, "results.sqlite"));
    try {
      db.ensureSuite("reps", {
        description: "representations",
        protocol: { envSteps: 200, seeds: [0], evaluation: { everySteps: 100, episodes: 1, deterministic: true } },
      });
      const logged = {
        hvae: { representationHandEngineered: 0, representationHierarchical: 1, representationFinalLoss: -8.25 },
        hand: { representationHandEngineered: 1 },
      } as const;
      for (const [algo, extra] of Object.entries(logged)) {
        const run = db.upsertRun({ suite: "reps", algo, env: "SkillGridWorld-v0", seed: 0, config: {} });
        [0, 100, 200].forEach((step, i) => {
          db.recordEval(run.id, { step, episodeReturns: [i + (algo === "hvae" ? 1 : 0)] });
        });
        const first = {
          ...extra,
          representationSize: algo === "hvae" ? 16 : 5,
          representationDigest: 0xdeadbeef,
          loss: 1,
        };
        db.recordMetrics(
          run.id,
          Object.entries(first).map(([name, value]) => ({ step: 128, name: `train/${name}`, value })),
        );
        db.markFinished(run.id, { wallClockS: 1 });
      }
      const d = buildReportData(db, "reps", fast);
      expect(d.representations).toEqual([
        {
          algo: "hand",
          env: "SkillGridWorld-v0",
          seed: 0,
          model: "hand-engineered",
          size: 5,
          digest: "deadbeef",
          finalLoss: null,
        },
        {
          algo: "hvae",
          env: "SkillGridWorld-v0",
          seed: 0,
          model: "hvae",
          size: 16,
          digest: "deadbeef",
          finalLoss: -8.25,
        },
      ]);
      expect(d.trainingMetrics.map((m) => m.metric)).toEqual(["train/loss"]);
      const html = renderReportHtml(d);
      expect(html).toMatch(/Action representations/);
      expect(html).toMatch(/HVAE \(learned\)/);
      expect(html).toMatch(/the env's own features/);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
