/**
 * What the learners need to know about an environment's spaces, checked structurally so any
 * Gymnasium-style env works: a `Box` has `shape`, `low`, `high`; a `Discrete` has `n`.
 * Each learner calls one of the `require*` functions at construction and fails with a message
 * naming the env and the unsupported space instead of failing later inside a tensor op.
 */
import { QscapeError } from "../errors.js";

export interface BoxSpaceLike {
  shape: readonly number[];
  low: ArrayLike<number>;
  high: ArrayLike<number>;
}

export interface DiscreteSpaceLike {
  n: number;
}

/** The part of an env (or its spec) a learner reads to size its networks. */
export interface EnvSpaces {
  observationSpace: unknown;
  actionSpace: unknown;
  spec?: { id?: string } | null;
  id?: string;
}

export function isBox(space: unknown): space is BoxSpaceLike {
  const s = space as Partial<BoxSpaceLike> | null;
  return (
    !!s &&
    Array.isArray(s.shape) &&
    s.low !== undefined &&
    s.high !== undefined &&
    (s as { n?: unknown }).n === undefined
  );
}

export function isDiscrete(space: unknown): space is DiscreteSpaceLike {
  const s = space as Partial<DiscreteSpaceLike> | null;
  return !!s && typeof s.n === "number" && Number.isInteger(s.n) && s.n > 0;
}

function envName(env: EnvSpaces): string {
  return env.spec?.id ?? env.id ?? (env as object).constructor?.name ?? "env";
}

function describe(space: unknown): string {
  if (isBox(space)) return `Box(shape [${space.shape.join(", ")}])`;
  if (isDiscrete(space)) return `Discrete(${space.n})`;
  const name = (space as object | null)?.constructor?.name;
  return name && name !== "Object" ? name : (JSON.stringify(space)?.slice(0, 80) ?? String(space));
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A flat Box observation space of dimension ≥ 1; returns its size. */
export function requireBoxObservation(env: EnvSpaces, learner: string): number {
  const space = env.observationSpace;
  if (!isBox(space) || size(space.shape) < 1) {
    throw new QscapeError(`${learner} needs a Box observation space, but ${envName(env)} has ${describe(space)}`);
  }
  return size(space.shape);
}

export interface BoundedBox {
  dim: number;
  low: Float32Array;
  high: Float32Array;
}

/** A 1-D Box action space with finite bounds (actors squash with tanh and rescale to them). */
export function requireBoxAction(env: EnvSpaces, learner: string): BoundedBox {
  const space = env.actionSpace;
  if (!isBox(space) || space.shape.length !== 1) {
    throw new QscapeError(
      `${learner} supports only 1-D continuous (Box) action spaces, but ${envName(env)} has ${describe(space)}`,
    );
  }
  const dim = space.shape[0] as number;
  const low = Float32Array.from(space.low);
  const high = Float32Array.from(space.high);
  if (low.length !== dim || high.length !== dim) {
    throw new QscapeError(`${learner}: ${envName(env)} action bounds have length ${low.length}, expected ${dim}`);
  }
  for (let i = 0; i < dim; i++) {
    if (!Number.isFinite(low[i]) || !Number.isFinite(high[i]) || !((high[i] as number) > (low[i] as number))) {
      throw new QscapeError(
        `${learner} needs finite action bounds with low < high, but ${envName(env)} has [${low[i]}, ${high[i]}] in dimension ${i}`,
      );
    }
  }
  return { dim, low, high };
}

/** A Discrete action space; returns the number of actions. */
export function requireDiscreteAction(env: EnvSpaces, learner: string): number {
  const space = env.actionSpace;
  if (!isDiscrete(space)) {
    throw new QscapeError(
      `${learner} supports only Discrete action spaces, but ${envName(env)} has ${describe(space)}`,
    );
  }
  return space.n;
}

/**
 * Maps actions between the actor's [−1, 1] box and the env's bounds. Learners store and learn
 * in the normalised box, so critics see well-scaled inputs whatever the env's units.
 */
export class ActionScaler {
  private readonly scale: Float32Array;
  private readonly offset: Float32Array;
  constructor(readonly box: BoundedBox) {
    this.scale = box.high.map((h, i) => (h - (box.low[i] as number)) / 2);
    this.offset = box.high.map((h, i) => (h + (box.low[i] as number)) / 2);
  }
  get dim(): number {
    return this.box.dim;
  }
  /** [−1, 1] → env units. */
  toEnv(normalised: ArrayLike<number>): Float32Array {
    const out = new Float32Array(this.box.dim);
    for (let i = 0; i < out.length; i++) {
      out[i] = (this.offset[i] as number) + (this.scale[i] as number) * (normalised[i] as number);
    }
    return out;
  }
  /** env units → [−1, 1] (clipped, so actions outside the bounds are stored as the env applied them). */
  fromEnv(action: ArrayLike<number>): Float32Array {
    const out = new Float32Array(this.box.dim);
    for (let i = 0; i < out.length; i++) {
      const v = ((action[i] as number) - (this.offset[i] as number)) / (this.scale[i] as number);
      out[i] = Math.min(1, Math.max(-1, v));
    }
    return out;
  }
}
