/**
 * Learning test on the didactic point-reaching task set (§5.5.2): reward −‖p − goal‖, relevant
 * helpers (↑, →, ↗), task 0 learning with SAC at test scale (64-64 nets, lr 1e-3, log σ in
 * [−5, 2]), 600 env steps per run, seeds 0–5, QMP (H = 1) against No-Sharing with identical settings.
 *
 * The paper's claim is that sharing the relevant helper's behaviour lets π_0 reach the goal where
 * plain SAC does not yet. Per seed the outcome is noisy (QMP's Q-switch may not discover ↗ in time,
 * seed 4; plain SAC sometimes learns this dense task quickly, seed 1), so the assertions are on the
 * six seeds together, with margins: QMP's π_0 reaches the goal in at least two more seeds, and its
 * mean final return is at least 100 higher (measured: 4/6 vs 1/6, −187 vs −412). With an argmin in
 * place of the argmax QMP's π_0 reached the goal in 0/6 seeds (mean return −1388), failing both.
 * The budget (600 steps) is where QMP's π_0 first reaches the goal in most seeds on 200-step
 * evaluation curves; by 1000–1200 steps plain SAC catches up (README, "Learning results").
 */
import { initBackend } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { type PointReachRun, runPointReach } from "./point-reach.js";

beforeAll(async () => {
  await initBackend();
});

const sac = {
  actorHidden: [64, 64],
  criticHidden: [64, 64],
  batchSize: 64,
  bufferSize: 10_000,
  actorLr: 1e-3,
  criticLr: 1e-3,
  alphaLr: 1e-3,
  logStdMin: -5,
};
const SEEDS = [0, 1, 2, 3, 4, 5];
const STEPS = 600;

describe("PointReachMT-v0: QMP against No-Sharing", () => {
  it("with the relevant ↗ helper, π_0 reaches the goal in more seeds and with a higher return", () => {
    const runs = (sharing: "qSwitch" | "none"): PointReachRun[] =>
      SEEDS.map((seed) => {
        const run = runPointReach(seed, { sharing, sac }, STEPS);
        const [own, up, right, upRight] = run.selections;
        console.log(
          `${sharing} seed ${seed}: π_0 success ${run.own.success} return ${run.own.return.toFixed(1)}; ` +
            `mixture success ${run.mixture.success}; training episodes reaching the goal ` +
            `${run.trainSuccesses}/${run.trainEpisodes}; task-0 steps by own/↑/→/↗ ${own}/${up}/${right}/${upRight}`,
        );
        return run;
      });
    const qmp = runs("qSwitch");
    const plain = runs("none");
    const successes = (rs: PointReachRun[]) => rs.reduce((a, r) => a + r.own.success, 0);
    const meanReturn = (rs: PointReachRun[]) => rs.reduce((a, r) => a + r.own.return, 0) / rs.length;
    console.log(
      `π_0 successes QMP ${successes(qmp)}/6, No-Sharing ${successes(plain)}/6; mean return ` +
        `QMP ${meanReturn(qmp).toFixed(1)}, No-Sharing ${meanReturn(plain).toFixed(1)}`,
    );
    for (const r of plain) expect(r.selections.slice(1)).toEqual([0, 0, 0]);
    expect(successes(qmp)).toBeGreaterThanOrEqual(successes(plain) + 2);
    expect(meanReturn(qmp)).toBeGreaterThan(meanReturn(plain) + 100);
  });
});
