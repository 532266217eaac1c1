/**
 * Smoothie learns Pendulum-v1: a mean deterministic return ≥ −250 over 10 evaluation episodes
 * within 10k steps (random policies score ≈ −1200, a swing-up ≈ −150), the same check and budget
 * as the DDPG/TD3/SAC learning tests, with small nets (64-64, batch 64) so a run takes about a
 * minute of one core.
 */
import { initBackend, type Rng, runOffPolicy } from "@qscape/core";
import { make } from "@qscape/envs";
import { beforeAll, expect, it } from "vitest";
import { SmoothieAgent, type SmoothieConfigInput } from "../src/index.js";

beforeAll(async () => {
  await initBackend();
});

const THRESHOLD = -250;

function trainPendulum(config: SmoothieConfigInput, seed: number, totalSteps: number): number[] {
  const env = make("Pendulum-v1");
  const evalEnv = make("Pendulum-v1");
  const agent = new SmoothieAgent(env, config);
  const started = performance.now();
  try {
    const result = runOffPolicy<Float32Array, Float32Array>(
      { totalSteps, warmupSteps: 1000, evalEvery: 1000, evalEpisodes: 10, seed },
      {
        env: env as never,
        evalEnv: evalEnv as never,
        agent,
        randomAction: (rng: Rng) => new Float32Array([rng.uniform(-2, 2)]),
        onEval: (e) => (e.mean >= THRESHOLD ? "stop" : undefined),
      },
    );
    const curve = result.evals.map((e) => Math.round(e.mean));
    console.log(
      `smoothie on Pendulum-v1 (seed ${seed}): eval means ${curve.join(" ")}; σ ${agent.std()[0]?.toFixed(3)}; ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
    return curve;
  } finally {
    agent.dispose();
  }
}

const config: SmoothieConfigInput = {
  actorHidden: [64, 64],
  criticHidden: [64, 64],
  batchSize: 64,
  bufferSize: 20_000,
  actorLr: 1e-3,
  criticLr: 1e-3,
  seed: 1,
};

it("Smoothie reaches −250 on Pendulum-v1 within 10k steps", () => {
  const curve = trainPendulum(config, 1, 10_000);
  expect(Math.max(...curve)).toBeGreaterThanOrEqual(THRESHOLD);
}, 600_000);
