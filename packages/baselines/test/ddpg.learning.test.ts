import { initBackend } from "@qscape/core";
import { beforeAll, expect, it } from "vitest";
import { DDPGAgent } from "../src/index.js";
import { LEARNING_TIMEOUT_MS, PENDULUM_THRESHOLD, smallNets, trainPendulum } from "./pendulum.js";

beforeAll(async () => {
  await initBackend();
});

it(
  "DDPG (OU noise) reaches −250 on Pendulum-v1 within 10k steps",
  () => {
    const config = { ...smallNets, seed: 1, actorLr: 1e-3, criticLr: 1e-3 };
    const run = trainPendulum("ddpg", (env) => new DDPGAgent(env, config), 1, 10_000);
    expect(run.best).toBeGreaterThanOrEqual(PENDULUM_THRESHOLD);
  },
  LEARNING_TIMEOUT_MS,
);
