/** Space-only env descriptions and random replay contents for update-rule tests. */
import { type Rng, tf } from "@qscape/core";
import type { SavoAgent } from "../src/agent.js";

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

/** Random transitions with env-unit actions in [−bound, bound]. */
export function fillReplay(agent: SavoAgent, rng: Rng, count: number, bound = 1): void {
  for (let i = 0; i < count; i++) {
    const obs = rng.fillNormal(new Float32Array(agent.obsDim)) as Float32Array;
    const nextObs = rng.fillNormal(new Float32Array(agent.obsDim)) as Float32Array;
    const action = rng.fillUniform(new Float32Array(agent.actionDim), -bound, bound) as Float32Array;
    agent.observe({ obs, action, reward: rng.normal(), nextObs, terminated: rng.random() < 0.2, truncated: false });
  }
}

export function leakedTensors(fn: () => void): number {
  const before = tf.memory().numTensors;
  fn();
  return tf.memory().numTensors - before;
}
