import { initBackend } from "@qscape/core";
import { beforeAll, expect, it } from "vitest";
import { SACAgent } from "../src/index.js";
import { LEARNING_TIMEOUT_MS, PENDULUM_THRESHOLD, smallNets, trainPendulum } from "./pendulum.js";

beforeAll(async () => {
  await initBackend();
});

it(
  "SAC reaches −250 on Pendulum-v1 within 8k steps",
  () => {
    const run = trainPendulum("sac", (env) => new SACAgent(env, { ...smallNets, seed: 1 }), 1, 8_000);
    expect(run.best).toBeGreaterThanOrEqual(PENDULUM_THRESHOLD);
  },
  LEARNING_TIMEOUT_MS,
);
