/**
 * The agent's action units. Bounded dimensions are normalised to [−1, 1] (as in the DDPG/TD3
 * baselines, so critics see well-scaled inputs); unbounded dimensions (the Smoothie bandit's real
 * line) are used as they are. The Gaussian policy lives on all of ℝ^d: its samples are stored
 * unclipped and clipped only when they are handed to the env (the paper does not discuss action
 * bounds; Q̃ is defined on all of ℝ^d).
 */

import { type EnvSpaces, isBox, QscapeError } from "@qscape/core";

export class ActionMap {
  readonly dim: number;
  /** Every dimension has finite bounds (then the mean network squashes with tanh). */
  readonly bounded: boolean;
  private readonly scale: Float32Array;
  private readonly offset: Float32Array;
  private readonly finite: boolean[];

  constructor(env: EnvSpaces, learner: string) {
    const space = env.actionSpace;
    const envName = env.spec?.id ?? env.id ?? "the env";
    if (!isBox(space) || space.shape.length !== 1) {
      const got = isBox(space) ? `Box(shape [${space.shape.join(", ")}])` : describeSpace(space);
      throw new QscapeError(
        `${learner} learns a Gaussian policy over a 1-D continuous (Box) action space, but ${envName} has ${got}`,
      );
    }
    this.dim = space.shape[0] as number;
    if (space.low.length !== this.dim || space.high.length !== this.dim) {
      throw new QscapeError(
        `${learner}: ${envName} action bounds have length ${space.low.length}, expected ${this.dim}`,
      );
    }
    this.scale = new Float32Array(this.dim);
    this.offset = new Float32Array(this.dim);
    this.finite = [];
    for (let i = 0; i < this.dim; i++) {
      const lo = space.low[i] as number;
      const hi = space.high[i] as number;
      const finite = Number.isFinite(lo) && Number.isFinite(hi);
      if (finite && !(hi > lo)) {
        throw new QscapeError(
          `${learner}: ${envName} action dimension ${i} has bounds [${lo}, ${hi}]; need low < high`,
        );
      }
      if (!finite && (Number.isFinite(lo) || Number.isFinite(hi))) {
        throw new QscapeError(
          `${learner}: ${envName} action dimension ${i} is half-bounded [${lo}, ${hi}]; use finite bounds or none`,
        );
      }
      this.finite.push(finite);
      this.scale[i] = finite ? (hi - lo) / 2 : 1;
      this.offset[i] = finite ? (hi + lo) / 2 : 0;
    }
    this.bounded = this.finite.every(Boolean);
  }

  /** Agent units → env units, clipped to the env's bounds. */
  toEnv(action: ArrayLike<number>): Float32Array {
    const out = new Float32Array(this.dim);
    for (let i = 0; i < this.dim; i++) {
      const v = action[i] as number;
      out[i] =
        (this.offset[i] as number) + (this.scale[i] as number) * (this.finite[i] ? Math.min(1, Math.max(-1, v)) : v);
    }
    return out;
  }

  /** Env units → agent units. */
  fromEnv(action: ArrayLike<number>): Float32Array {
    const out = new Float32Array(this.dim);
    for (let i = 0; i < this.dim; i++) {
      out[i] = ((action[i] as number) - (this.offset[i] as number)) / (this.scale[i] as number);
    }
    return out;
  }
}

function describeSpace(space: unknown): string {
  if (typeof (space as { n?: unknown } | null)?.n === "number") return `Discrete(${(space as { n: number }).n})`;
  const name = (space as object | null)?.constructor?.name;
  return name && name !== "Object" ? name : (JSON.stringify(space)?.slice(0, 80) ?? String(space));
}
