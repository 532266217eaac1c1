/**
 * PPO on CartPole-v1: a mean deterministic return ≥ 475 over 10 evaluation episodes
 * (Gymnasium's reward threshold) within the budget; PPO with a sign-flipped policy loss must not.
 */
import { initBackend } from "@qscape/core";
import { beforeAll, expect, it } from "vitest";
import { PPOAgent } from "../src/index.js";
import { LEARNING_TIMEOUT_MS } from "./pendulum.js";
import { type Run, trainOnPolicy } from "./train.js";

beforeAll(async () => {
  await initBackend();
});

const THRESHOLD = 475;

function report(name: string, run: Run): void {
  console.log(`${name} on CartPole-v1: eval means ${run.curve.join(" ")} in ${run.seconds.toFixed(0)} s`);
}

const ppoConfig = { seed: 1, rolloutSteps: 512, lr: 1e-3, clip: 0.2, entropyCoef: 0 };
const ppoBudget = {
  totalSteps: 60_000,
  rolloutSteps: 512,
  evalEvery: 4096,
  evalEpisodes: 10,
  seed: 1,
  stopAt: THRESHOLD,
};

it(
  "PPO solves CartPole-v1 within 60k steps",
  () => {
    const run = trainOnPolicy("CartPole-v1", (env) => new PPOAgent(env, ppoConfig), ppoBudget);
    report("ppo", run);
    expect(run.best).toBeGreaterThanOrEqual(THRESHOLD);
  },
  LEARNING_TIMEOUT_MS,
);

it(
  "PPO with a sign-flipped policy loss does not",
  () => {
    const run = trainOnPolicy(
      "CartPole-v1",
      (env) => new PPOAgent(env, { ...ppoConfig, flipPolicyLoss: true }),
      ppoBudget,
    );
    report("ppo (flipped policy loss)", run);
    expect(run.best).toBeLessThan(THRESHOLD);
  },
  LEARNING_TIMEOUT_MS,
);
