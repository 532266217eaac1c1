/**
 * DQN on CartPole-v1: a mean deterministic return ≥ 475 over 10 evaluation episodes
 * (Gymnasium's reward threshold) within the budget.
 */
import { initBackend } from "@qscape/core";
import { beforeAll, expect, it } from "vitest";
import { DQNAgent } from "../src/index.js";
import { LEARNING_TIMEOUT_MS } from "./pendulum.js";
import { type Run, trainOffPolicy } from "./train.js";

beforeAll(async () => {
  await initBackend();
});

const THRESHOLD = 475;

function report(name: string, run: Run): void {
  console.log(`${name} on CartPole-v1: eval means ${run.curve.join(" ")} in ${run.seconds.toFixed(0)} s`);
}

it(
  "double DQN solves CartPole-v1 within 30k steps",
  () => {
    const config = {
      seed: 1,
      hidden: [64, 64],
      lr: 1e-3,
      batchSize: 64,
      bufferSize: 50_000,
      targetUpdateInterval: 1,
      tau: 0.01,
      epsilonEnd: 0.02,
      epsilonDecaySteps: 10_000,
    };
    const run = trainOffPolicy("CartPole-v1", (env) => new DQNAgent(env, config), {
      totalSteps: 30_000,
      warmupSteps: 1000,
      evalEvery: 2000,
      evalEpisodes: 10,
      seed: 1,
      stopAt: THRESHOLD,
    });
    report("dqn", run);
    expect(run.best).toBeGreaterThanOrEqual(THRESHOLD);
  },
  LEARNING_TIMEOUT_MS,
);
