import { initBackend } from "@qscape/core";
import { beforeAll, expect, it } from "vitest";
import { TD3Agent } from "../src/index.js";
import { LEARNING_TIMEOUT_MS, PENDULUM_THRESHOLD, smallNets, trainPendulum } from "./pendulum.js";

beforeAll(async () => {
  await initBackend();
});

const config = { ...smallNets, seed: 1, actorLr: 1e-3, criticLr: 1e-3 };

it(
  "TD3 reaches −250 on Pendulum-v1 within 10k steps",
  () => {
    const run = trainPendulum("td3", (env) => new TD3Agent(env, config), 1, 10_000);
    expect(run.best).toBeGreaterThanOrEqual(PENDULUM_THRESHOLD);
  },
  LEARNING_TIMEOUT_MS,
);

it(
  "TD3 with a sign-flipped actor loss stays below −250 with the same budget",
  () => {
    const run = trainPendulum(
      "td3 (flipped actor loss)",
      (env) => new TD3Agent(env, { ...config, flipActorLoss: true }),
      1,
      10_000,
    );
    expect(run.best).toBeLessThan(PENDULUM_THRESHOLD);
  },
  LEARNING_TIMEOUT_MS,
);
