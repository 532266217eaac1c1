/** The transition replay of the continuous-action learners, and its minibatches as tensors. */
import * as tf from "@tensorflow/tfjs";
import { ReplayBuffer } from "../replay/index.js";

/** One minibatch as tensors; actions in the normalised box. */
export interface ContinuousBatch {
  obs: tf.Tensor2D;
  action: tf.Tensor2D;
  reward: tf.Tensor2D;
  nextObs: tf.Tensor2D;
  /** 1 − terminated, [B, 1] (truncated transitions bootstrap). */
  notDone: tf.Tensor2D;
}

export function continuousReplay(label: string, capacity: number, obsDim: number, actionDim: number): ReplayBuffer {
  return new ReplayBuffer(
    {
      capacity,
      fields: {
        obs: { shape: [obsDim] },
        action: { shape: [actionDim] },
        reward: { shape: [] },
        nextObs: { shape: [obsDim] },
        terminated: { shape: [], dtype: "uint8" },
      },
    },
    label,
  );
}

/** The five tensors of a sampled batch, created once per update (call inside tf.tidy). */
export function continuousBatch(
  data: Record<string, Float32Array | Int32Array | Uint8Array>,
  obsDim: number,
  actionDim: number,
): ContinuousBatch {
  const terminated = data.terminated as Uint8Array;
  const b = terminated.length;
  const notDone = new Float32Array(b);
  for (let i = 0; i < b; i++) notDone[i] = 1 - (terminated[i] as number);
  return {
    obs: tf.tensor2d(data.obs as Float32Array, [b, obsDim]),
    action: tf.tensor2d(data.action as Float32Array, [b, actionDim]),
    reward: tf.tensor2d(data.reward as Float32Array, [b, 1]),
    nextObs: tf.tensor2d(data.nextObs as Float32Array, [b, obsDim]),
    notDone: tf.tensor2d(notDone, [b, 1]),
  };
}
