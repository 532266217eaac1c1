/** Space-only env descriptions and helpers for the QMLE tests. */
import { type Rng, tf } from "@qscape/core";
import type { QmleAgent } from "../src/index.js";

export function boxEnv(obsDim: number, actionDim: number, bound = 1) {
  return {
    id: `box-${obsDim}-${actionDim}`,
    observationSpace: {
      shape: [obsDim],
      low: new Float32Array(obsDim).fill(-10),
      high: new Float32Array(obsDim).fill(10),
    },
    actionSpace: {
      shape: [actionDim],
      low: new Float32Array(actionDim).fill(-bound),
      high: new Float32Array(actionDim).fill(bound),
    },
  };
}

/** Random transitions with env-unit actions in [−bound, bound]; next states from `nextStates` when given. */
export function fillReplay(agent: QmleAgent, rng: Rng, count: number, bound = 1, nextStates?: Float32Array[]): void {
  for (let i = 0; i < count; i++) {
    const obs = rng.fillNormal(new Float32Array(agent.obsDim)) as Float32Array;
    const nextObs = nextStates
      ? (nextStates[i % nextStates.length] as Float32Array)
      : (rng.fillNormal(new Float32Array(agent.obsDim)) as Float32Array);
    const action = rng.fillUniform(new Float32Array(agent.actionDim), -bound, bound) as Float32Array;
    agent.observe({ obs, action, reward: rng.normal(), nextObs, terminated: rng.random() < 0.2, truncated: false });
  }
}

/** Runs `fn` and returns how many tensors it left behind. */
export function leakedTensors(fn: () => void): number {
  const before = tf.memory().numTensors;
  fn();
  return tf.memory().numTensors - before;
}
