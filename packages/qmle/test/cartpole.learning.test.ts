/**
 * QMLE learns DMC cartpole swingup at a small budget: a mean greedy return ≥ 250 over 3 episodes
 * within 30k env steps (uniform-random actions score 26; A3C after 10⁸ steps 558). Small-budget
 * settings as in the Pendulum test, with one update per 2 env steps and a target copy every 1000.
 */
import { initBackend } from "@qscape/core";
import { loadMujoco } from "@qscape/envs";
import { beforeAll, expect, it } from "vitest";
import { trainQmle } from "./train.js";

beforeAll(async () => {
  await initBackend();
  await loadMujoco();
});

const THRESHOLD = 250;

it("QMLE reaches 250 on dmc/cartpole-swingup within 30k steps", () => {
  const run = trainQmle(
    "dmc/cartpole-swingup",
    {
      width: 32,
      batchSize: 64,
      lr: 1e-3,
      updateEvery: 2,
      learningStarts: 1000,
      targetUpdateInterval: 1000,
      greedyCandidates: 50,
      targetCandidates: 20,
      bufferSize: 50_000,
      seed: 1,
    },
    { totalSteps: 30_000, warmupSteps: 1000, evalEvery: 5000, evalEpisodes: 3, seed: 1, stopAt: THRESHOLD },
  );
  console.log(`qmle on dmc/cartpole-swingup: eval means ${run.curve.join(" ")} in ${run.seconds.toFixed(0)} s`);
  expect(run.best).toBeGreaterThanOrEqual(THRESHOLD);
}, 1_200_000);
