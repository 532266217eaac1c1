/** The proposal actors learn on the TD3 backbone: each reaches −250 on Pendulum-v1 within 10k steps. */
import { initBackend } from "@qscape/core";
import { beforeAll, expect, it } from "vitest";
import { EnsembleAgent, GreedyTD3Agent, WolpertingerAgent } from "../src/index.js";
import { LEARNING_TIMEOUT_MS, PENDULUM_THRESHOLD, smallNets, trainPendulum } from "./pendulum.js";

beforeAll(async () => {
  await initBackend();
});

const config = { ...smallNets, seed: 1, actorLr: 1e-3, criticLr: 1e-3 };

it(
  "Wolpertinger (k = 3 Gaussian samples) reaches −250",
  () => {
    const run = trainPendulum("wolpertinger", (env) => new WolpertingerAgent(env, config), 1, 10_000);
    expect(run.best).toBeGreaterThanOrEqual(PENDULUM_THRESHOLD);
  },
  LEARNING_TIMEOUT_MS,
);

it(
  "the 3-actor ensemble reaches −250",
  () => {
    const run = trainPendulum("ensemble", (env) => new EnsembleAgent(env, config), 1, 10_000);
    expect(run.best).toBeGreaterThanOrEqual(PENDULUM_THRESHOLD);
  },
  LEARNING_TIMEOUT_MS,
);

it(
  "Greedy-TD3 reaches −250",
  () => {
    const run = trainPendulum("greedyTD3", (env) => new GreedyTD3Agent(env, config), 1, 10_000);
    expect(run.best).toBeGreaterThanOrEqual(PENDULUM_THRESHOLD);
  },
  LEARNING_TIMEOUT_MS,
);
