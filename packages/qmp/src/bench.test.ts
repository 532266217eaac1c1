import { initBackend, type MultiTaskRun, multiTaskGradientUpdates, type Snapshot } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { qmpAlgorithms, tableD2Hold } from "./bench.js";

beforeAll(async () => {
  await initBackend();
});

const entry = (id: string) => {
  const e = qmpAlgorithms.find((a) => a.id === id);
  if (!e?.multiTask) throw new Error(`no multi-task entry ${id}`);
  return e.multiTask;
};
const tiny = {
  sac: { batchSize: 16 },
  envStepsPerUpdate: 40,
  gradStepsPerUpdate: 4,
  minBufferSize: 40,
};
const ctx = { seed: 3, hidden: [16, 16], totalEnvSteps: 600, evalEpisodes: 1, config: tiny };

function trace(run: MultiTaskRun, epochs: number) {
  const scores: number[] = [];
  for (let e = 0; e < epochs && !run.done; e++) {
    run.runEpoch();
    scores.push(...run.evaluate().flatMap((t) => [t.success, t.meanReturn]));
  }
  return scores;
}

describe("qmp bench entries (multi-task runs)", () => {
  it("are listed under the bench ids, refuse single envs, and name bad input before running", () => {
    expect(qmpAlgorithms.map((a) => a.id)).toEqual(
      expect.arrayContaining(["qmp", "qmp-h", "no-sharing", "qmp-uniform", "qmp-softmax", "qmp-domain", "qmp-sampled"]),
    );
    const qmp = qmpAlgorithms[0];
    expect(qmp?.supports({ observationSpace: {}, actionSpace: {} } as never)).toMatch(/task set/);
    expect(entry("qmp").supportsTaskSet("NoSuchMT-v0")).toMatch(/unknown task set "NoSuchMT-v0"/);
    expect(entry("qmp").supportsTaskSet("MazeLargeMT3-v0")).toBeNull();
    expect(() => qmp?.checkConfig({ holdSteps: 0 })).toThrow(/holdSteps.*≥ 1/);
    expect(() => qmp?.checkConfig({ sharing: "none" })).toThrow(/sharing/);
    expect(tableD2Hold("MazeLargeMT3-v0")).toBe(25);
    expect(tableD2Hold("PointReachMT-v0")).toBe(10);
  });

  it("a run saved between epochs and loaded into a fresh one continues identically", () => {
    const a = entry("qmp").create("MazeLargeMT3-v0", ctx);
    const straight = trace(a, 5);
    const selections = a.selectionCounts();
    a.dispose();

    const b = entry("qmp").create("MazeLargeMT3-v0", ctx);
    const first = trace(b, 2);
    const saved: Snapshot = structuredClone(b.save());
    b.dispose();
    const c = entry("qmp").create("MazeLargeMT3-v0", ctx);
    c.load(saved);
    expect(c.envSteps).toBe(240);
    const rest = trace(c, 3);
    expect([...first, ...rest]).toEqual(straight);
    expect(c.selectionCounts()).toEqual(selections);
    expect(c.tasks).toHaveLength(3);
    c.dispose();
  });

  it("qmp-sampled (App. G.2): M = 10 by default, M ≥ 1 checked; a saved run continues identically", () => {
    const sampled = qmpAlgorithms.find((a) => a.id === "qmp-sampled");
    expect(sampled?.resolveConfig({ seed: 0, hidden: [16], warmupSteps: 0, config: {} })).toMatchObject({
      expectationSamples: 10,
    });
    expect(() => sampled?.checkConfig({ expectationSamples: 0 })).toThrow(/expectationSamples must be an integer ≥ 1/);
    const config = { ...tiny, expectationSamples: 3 };
    const a = entry("qmp-sampled").create("MazeLargeMT3-v0", { ...ctx, config });
    const straight = trace(a, 3);
    a.dispose();
    const b = entry("qmp-sampled").create("MazeLargeMT3-v0", { ...ctx, config });
    const first = trace(b, 1);
    const saved: Snapshot = structuredClone(b.save());
    b.dispose();
    const c = entry("qmp-sampled").create("MazeLargeMT3-v0", { ...ctx, config });
    c.load(saved);
    expect([...first, ...trace(c, 2)]).toEqual(straight);
    c.dispose();
  });

  it("runs on the approximate Multistage Reacher (5 tasks, 3-d actions), with H = 10 for qmp-h", () => {
    const run = entry("qmp-h").create("MultistageReacherMT5-v0", { ...ctx, totalEnvSteps: 200 });
    trace(run, 1);
    expect(run.tasks).toHaveLength(5);
    expect((run.selectionCounts() ?? []).flat().reduce((a, b) => a + b, 0)).toBe(200);
    run.dispose();
  });

  it("each entry's epoch prices the gradient updates its run takes, and the run times its phases", () => {
    // 3 tasks × 40 steps per epoch; buffers reach 100 after 3 epochs; 500 steps = 4 epochs + 20 steps:
    // updates in epochs 3, 4 and 5, 4 per task each: 3 × 3 × 4 = 36.
    const settings = { ...ctx, totalEnvSteps: 500, config: { ...tiny, minBufferSize: 100 } };
    for (const id of ["qmp", "fully-shared"]) {
      const epoch = entry(id).epoch?.("MazeLargeMT3-v0", settings);
      expect(epoch).toEqual({ learningTasks: 3, envStepsPerTask: 40, updatesPerTask: 4, minBufferPerTask: 100 });
      if (!epoch) continue;
      expect(multiTaskGradientUpdates(epoch, 500)).toBe(36);
      const run = entry(id).create("MazeLargeMT3-v0", settings);
      while (!run.done) run.runEpoch();
      expect(run.counters().gradientUpdates).toBe(36);
      const t = run.timings?.() ?? {};
      for (const phase of ["act", "env", "update"]) expect(t[phase]).toBeGreaterThan(0);
      run.dispose();
    }
    // PointReachMT-v0's three helpers have fixed policies: one task learns.
    expect(entry("qmp").epoch?.("PointReachMT-v0", ctx)?.learningTasks).toBe(1);
  });

  it("no-sharing reports no selections; qmp-uniform spreads them over policies", () => {
    const n = entry("no-sharing").create("MazeLargeMT3-v0", { ...ctx, totalEnvSteps: 120 });
    trace(n, 1);
    expect(n.selectionCounts()).toBeNull();
    n.dispose();
    const u = entry("qmp-uniform").create("MazeLargeMT3-v0", { ...ctx, totalEnvSteps: 120 });
    trace(u, 1);
    const counts = u.selectionCounts() ?? [];
    expect(counts.flat().filter((c) => c > 0).length).toBeGreaterThan(3);
    u.dispose();
  });
});
