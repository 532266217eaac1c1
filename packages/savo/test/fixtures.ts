/** The shared learner test helpers, with SAVO's tests' default action bound of 1. */
import * as base from "@qscape/baselines/testing";
import type { Rng } from "@qscape/core";

export { leakedTensors } from "@qscape/baselines/testing";

export const boxEnv = (obsDim: number, actionDim: number, bound = 1) => base.boxEnv(obsDim, actionDim, bound);

export const fillReplay = (agent: Parameters<typeof base.fillReplay>[0], rng: Rng, count: number, bound = 1) =>
  base.fillReplay(agent, rng, count, bound);
