import { initBackend, type MultiTaskRun, type Snapshot } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { qmpAlgorithms, tableH5Warmup } from "./bench.js";

beforeAll(async () => {
  await initBackend();
});

const entry = (id: string) => {
  const e = qmpAlgorithms.find((a) => a.id === id);
  if (!e?.multiTask) throw new Error(`no multi-task entry ${id}`);
  return e.multiTask;
};
const tiny = { sac: { batchSize: 8 }, envStepsPerUpdate: 20, gradStepsPerUpdate: 2, minBufferSize: 20 };
const ctx = { seed: 3, hidden: [8, 8], totalEnvSteps: 300, evalEpisodes: 1, config: tiny };

describe("sharing baselines' bench entries", () => {
  it("are registered; refuse task sets with fixed policies; name bad config fields", () => {
    expect(qmpAlgorithms.map((a) => a.id)).toEqual(
      expect.arrayContaining(["param-sharing", "qmp-param-sharing", "fully-shared"]),
    );
    for (const id of ["param-sharing", "qmp-param-sharing", "fully-shared"]) {
      expect(entry(id).supportsTaskSet("PointReachMT-v0")).toMatch(/task up has a fixed policy/);
      expect(entry(id).supportsTaskSet("MazeLargeMT3-v0")).toBeNull();
      expect(entry(id).supportsTaskSet("NoSuchMT-v0")).toMatch(/unknown task set/);
    }
    const get = (id: string) => qmpAlgorithms.find((a) => a.id === id);
    expect(() => get("param-sharing")?.checkConfig({ ownPolicyProb: 0.7 })).toThrow(/ownPolicyProb/);
    expect(() => get("fully-shared")?.checkConfig({ mixtureWarmupEpochs: 1 })).toThrow(/mixtureWarmupEpochs/);
    expect(() => get("qmp-param-sharing")?.checkConfig({ mixtureWarmupEpochs: -1 })).toThrow(/mixtureWarmupEpochs/);
    expect(tableH5Warmup("MazeLargeMT3-v0")).toBe(100);
    expect(tableH5Warmup("MultistageReacherMT5-v0")).toBe(0);
  });

  for (const id of ["param-sharing", "qmp-param-sharing", "fully-shared"]) {
    it(`${id}: a run saved between epochs and loaded into a fresh one continues identically`, () => {
      // The Q-switch starts at once (no warm-up) so its selections are exercised.
      const c = { ...ctx, config: id === "qmp-param-sharing" ? { ...tiny, mixtureWarmupEpochs: 0 } : tiny };
      const epochs = (run: MultiTaskRun, n: number) => {
        for (let e = 0; e < n; e++) run.runEpoch();
      };
      // Evaluation episodes are 600 steps per task: one at the end keeps the test cheap.
      const a = entry(id).create("MazeLargeMT3-v0", c);
      epochs(a, 3);
      const straight = { state: a.save(), scores: a.evaluate() };
      const selections = a.selectionCounts();
      const counters = a.counters();
      a.dispose();
      const b = entry(id).create("MazeLargeMT3-v0", c);
      epochs(b, 1);
      const saved: Snapshot = structuredClone(b.save());
      b.dispose();
      const d = entry(id).create("MazeLargeMT3-v0", c);
      d.load(saved);
      expect(d.envSteps).toBe(60);
      epochs(d, 2);
      expect({ state: d.save(), scores: d.evaluate() }).toEqual(straight);
      expect(d.selectionCounts()).toEqual(selections);
      expect(d.counters()).toEqual(counters);
      // Gradient steps: 2 per ready task per epoch; every buffer (the shared one: 3 × 20) is ready from epoch 1.
      expect(counters.gradientUpdates).toBe(3 * 3 * 2);
      if (id === "qmp-param-sharing") {
        expect(selections?.flat().reduce((x, y) => x + y, 0)).toBe(180);
        expect(selections?.some((row, i) => row.some((n, j) => j !== i && n > 0))).toBe(true);
      } else expect(selections).toBeNull();
      d.dispose();
    });
  }
});
