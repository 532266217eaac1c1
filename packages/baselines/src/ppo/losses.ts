/** PPO's pure pieces: GAE over a rollout, and the clipped policy and value losses. */
import { tf } from "@qscape/core";

export interface GaeInput {
  rewards: Float32Array;
  /** V(s_t). */
  values: Float32Array;
  /** V(s_{t+1}) from the observation that followed step t (the pre-reset one at episode ends). */
  nextValues: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  gamma: number;
  lambda: number;
}

/**
 * δ_t = r_t + γ(1 − terminated_t)V(s_{t+1}) − V(s_t);  Â_t = δ_t + γλ(1 − done_t)Â_{t+1};
 * returns R_t = Â_t + V(s_t). Truncation bootstraps from V(s_{t+1}) but ends the recursion.
 */
export function computeGae(input: GaeInput): { advantages: Float32Array; returns: Float32Array } {
  const { rewards, values, nextValues, terminated, truncated, gamma, lambda } = input;
  const n = rewards.length;
  const advantages = new Float32Array(n);
  let next = 0;
  for (let t = n - 1; t >= 0; t--) {
    const notTerminated = 1 - (terminated[t] as number);
    const episodeGoesOn = terminated[t] || truncated[t] ? 0 : 1;
    const delta = (rewards[t] as number) + gamma * notTerminated * (nextValues[t] as number) - (values[t] as number);
    next = delta + gamma * lambda * episodeGoesOn * next;
    advantages[t] = next;
  }
  const returns = advantages.map((a, t) => a + (values[t] as number));
  return { advantages, returns };
}

/** −mean(min(ρÂ, clip(ρ, 1 − ε, 1 + ε)Â)), ρ = exp(log π − log π_old). */
export function clippedPolicyLoss(
  logProb: tf.Tensor1D,
  oldLogProb: tf.Tensor1D,
  advantages: tf.Tensor1D,
  clip: number,
): tf.Scalar {
  const ratio = tf.exp(tf.sub(logProb, oldLogProb));
  const unclipped = tf.mul(ratio, advantages);
  const clipped = tf.mul(tf.clipByValue(ratio, 1 - clip, 1 + clip), advantages);
  return tf.neg(tf.mean(tf.minimum(unclipped, clipped)));
}

/**
 * ½·mean(max((V − R)², (V_old + clip(V − V_old, −ε, ε) − R)²)) with value clipping, else
 * ½·mean((V − R)²).
 */
export function valueLoss(
  values: tf.Tensor1D,
  oldValues: tf.Tensor1D,
  returns: tf.Tensor1D,
  clip: number | null,
): tf.Scalar {
  const unclipped = tf.square(tf.sub(values, returns));
  if (clip === null) return tf.mul(tf.mean(unclipped), 0.5);
  const clippedValues = tf.add(oldValues, tf.clipByValue(tf.sub(values, oldValues), -clip, clip));
  return tf.mul(tf.mean(tf.maximum(unclipped, tf.square(tf.sub(clippedValues, returns)))), 0.5);
}
