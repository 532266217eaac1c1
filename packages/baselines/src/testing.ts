/** Test helpers shared by learner packages (`@qscape/baselines/testing`): space-only envs, random replay, leak counts. */
import { type Rng, type Transition, tf } from "@qscape/core";

export function boxEnv(obsDim: number, actionDim: number, bound = 2) {
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

export function discreteEnv(obsDim: number, n: number) {
  return {
    id: `discrete-${obsDim}-${n}`,
    observationSpace: {
      shape: [obsDim],
      low: new Float32Array(obsDim).fill(-10),
      high: new Float32Array(obsDim).fill(10),
    },
    actionSpace: { n },
  };
}

/** Fills an off-policy agent's replay with random transitions (env-unit actions in [−bound, bound]). */
interface ContinuousLearner {
  obsDim: number;
  actionDim: number;
  observe(t: Transition<Float32Array, Float32Array>): void;
}

export function fillReplay(agent: ContinuousLearner, rng: Rng, count: number, bound = 2): void {
  for (let i = 0; i < count; i++) {
    const obs = rng.fillNormal(new Float32Array(agent.obsDim)) as Float32Array;
    const nextObs = rng.fillNormal(new Float32Array(agent.obsDim)) as Float32Array;
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
