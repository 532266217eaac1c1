import { initBackend, type MultiTaskRun, type Snapshot } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { qmpAlgorithms, regOnlyKlCoef } from "./bench.js";

beforeAll(async () => {
  await initBackend();
});

const entry = (id: string) => {
  const e = qmpAlgorithms.find((a) => a.id === id);
  if (!e?.multiTask) throw new Error(`no multi-task entry ${id}`);
  return e;
};
const tiny = {
  sac: { batchSize: 16, bufferSize: 1000 },
  envStepsPerUpdate: 40,
  gradStepsPerUpdate: 3,
  minBufferSize: 40,
};
// 3 tasks × 40 env steps = 120 per epoch: 3 epochs, and with 6 distillations DnC distils after every one.
const ctx = { seed: 3, hidden: [16, 16], totalEnvSteps: 360, evalEpisodes: 1, config: tiny };

function epochs(run: MultiTaskRun, n: number): void {
  for (let e = 0; e < n && !run.done; e++) run.runEpoch();
}

describe("DnC, DnC (Regularization Only) and UDS bench entries", () => {
  it("are listed, take the paper's coefficients, and name bad fields", () => {
    expect(qmpAlgorithms.map((a) => a.id)).toEqual(expect.arrayContaining(["dnc-reg-only", "dnc", "uds"]));
    expect(regOnlyKlCoef("MazeLargeMT3-v0")).toBe(1e-4);
    expect(regOnlyKlCoef("MultistageReacherMT5-v0")).toBe(1e-3);
    expect(entry("uds").multiTask?.supportsTaskSet("MazeLargeMT3-v0")).toBeNull();
    expect(() => entry("dnc").checkConfig({ distillEpochs: 0 })).toThrow(/distillEpochs/);
    expect(() => entry("dnc-reg-only").checkConfig({ klCoef: -1 })).toThrow(/klCoef/);
    expect(() => entry("uds").checkConfig({ sharingQuantile: 101 })).toThrow(/sharingQuantile/);
    expect(() => entry("uds").checkConfig({ ownPolicyProb: 0.7 })).toThrow(/ownPolicyProb/);
    expect(entry("qmp-uds").multiTask?.supportsTaskSet("MazeLargeMT3-v0")).toBeNull();
    expect(() => entry("qmp-uds").checkConfig({ holdSteps: 0 })).toThrow(/holdSteps/);
  });

  it("qmp-uds: the Q-switch collects (selections are counted) and a resumed run ends in the same state", () => {
    const c = { ...ctx, config: { ...tiny, sharingQuantile: 30 } };
    const create = () =>
      (entry("qmp-uds").multiTask as NonNullable<ReturnType<typeof entry>["multiTask"]>).create("MazeLargeMT3-v0", c);
    const straight = create();
    epochs(straight, 3);
    const end = straight.save();
    const counts = straight.selectionCounts() as number[][];
    // Every task's 120 collection steps are counted once, over the policies the switch chose.
    expect(counts.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([120, 120, 120]);
    straight.dispose();
    const first = create();
    epochs(first, 1);
    const saved: Snapshot = structuredClone(first.save());
    first.dispose();
    const resumed = create();
    resumed.load(saved);
    epochs(resumed, 2);
    expect(resumed.save()).toEqual(end);
    expect(resumed.selectionCounts()).toEqual(counts);
    resumed.dispose();
  });

  it.each([
    ["dnc", { distillations: 6, distillEpochs: 3 }],
    ["dnc-reg-only", {}],
    ["uds", { sharingQuantile: 30 }],
  ])("%s: a run saved between epochs and loaded into a fresh one ends in the same state", (id, extra) => {
    const c = { ...ctx, config: { ...tiny, ...extra } };
    const create = () =>
      (entry(id).multiTask as NonNullable<ReturnType<typeof entry>["multiTask"]>).create("MazeLargeMT3-v0", c);
    const straight = create();
    epochs(straight, 3);
    const end = straight.save();
    straight.dispose();

    const first = create();
    epochs(first, 1);
    const saved: Snapshot = structuredClone(first.save());
    first.dispose();
    const resumed = create();
    resumed.load(saved);
    epochs(resumed, 2);
    expect(resumed.done).toBe(true);
    expect(resumed.save()).toEqual(end);
    expect(resumed.selectionCounts()).toBeNull();
    resumed.dispose();
  });
});
