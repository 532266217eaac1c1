/**
 * The Pendulum-v1 learning check shared by TD3, DDPG and SAC: a mean deterministic return
 * ≥ −250 over 10 evaluation episodes (random policies score ≈ −1200, a swing-up ≈ −150), with
 * small nets (64-64, batch 64) so a run takes well under a minute of one core.
 */
import type { Agent } from "@qscape/core";
import type { make } from "@qscape/envs";
import { type Run, trainOffPolicy } from "./train.js";

export const PENDULUM_THRESHOLD = -250;
export const smallNets = { actorHidden: [64, 64], criticHidden: [64, 64], batchSize: 64, bufferSize: 20_000 };
/** Generous per-test timeout: the machine running the suite may be shared. */
export const LEARNING_TIMEOUT_MS = 600_000;

export function trainPendulum(
  name: string,
  makeAgent: (env: ReturnType<typeof make>) => Agent<Float32Array, Float32Array>,
  seed: number,
  totalSteps: number,
): Run {
  const run = trainOffPolicy("Pendulum-v1", makeAgent, {
    totalSteps,
    warmupSteps: 1000,
    evalEvery: 1000,
    evalEpisodes: 10,
    seed,
    stopAt: PENDULUM_THRESHOLD,
  });
  console.log(
    `${name} on Pendulum-v1 (seed ${seed}): eval means ${run.curve.join(" ")} in ${run.seconds.toFixed(0)} s`,
  );
  return run;
}
