import type { Env, Info, ResetArgs, StepResult } from "../env.js";
import { envLabel, ObservationWrapper, Wrapper } from "../env.js";
import { EnvError } from "../errors.js";
import { type AnySpace, Box, flatten, flattenSpace } from "../spaces.js";
import { RunningMeanStd, type RunningMeanStdState } from "./running-mean-std.js";

function requireBoxObs(env: Env<unknown, unknown>, wrapper: string): Box {
  const space = env.observationSpace;
  if (!(space instanceof Box))
    throw new EnvError(`${wrapper}: ${envLabel(env)} needs a Box observation space, has ${space}`);
  return space;
}

/** Applies `fn` to every observation; pass `observationSpace` when it changes the space. */
export class TransformObservation<WObs, Act, Obs> extends ObservationWrapper<WObs, Act, Obs> {
  constructor(
    env: Env<Obs, Act>,
    private readonly fn: (obs: Obs) => WObs,
    observationSpace?: AnySpace,
  ) {
    super(env);
    if (observationSpace) this.observationSpace = observationSpace;
  }

  observation(obs: Obs): WObs {
    return this.fn(obs);
  }
}

/** Flattens any observation into a Float32Array (Discrete one-hot, Dict/Tuple concatenated). */
export class FlattenObservation<Act> extends ObservationWrapper<Float32Array, Act, unknown> {
  private readonly inner: AnySpace;

  constructor(env: Env<unknown, Act>) {
    super(env);
    this.inner = env.observationSpace;
    this.observationSpace = flattenSpace(this.inner);
  }

  observation(obs: unknown): Float32Array {
    return flatten(this.inner, obs);
  }
}

/**
 * Normalises observations to roughly zero mean and unit variance with running statistics
 * (Gymnasium `NormalizeObservation`): (obs − mean) / √(var + ε). The statistics freeze while
 * `updateRunningMean` is false; `getState`/`setState` carry them in checkpoints.
 */
export class NormalizeObservation<Act> extends ObservationWrapper<Float32Array, Act, Float32Array> {
  readonly obsRms: RunningMeanStd;
  updateRunningMean = true;

  constructor(
    env: Env<Float32Array, Act>,
    readonly epsilon = 1e-8,
  ) {
    super(env);
    const space = requireBoxObs(env as Env<unknown, unknown>, "NormalizeObservation");
    this.obsRms = new RunningMeanStd(space.size);
    this.observationSpace = new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, space.shape);
  }

  observation(obs: Float32Array): Float32Array {
    if (this.updateRunningMean) this.obsRms.update(obs);
    const out = new Float32Array(obs.length);
    for (let i = 0; i < out.length; i++) {
      out[i] =
        ((obs[i] as number) - (this.obsRms.mean[i] as number)) /
        Math.sqrt((this.obsRms.var[i] as number) + this.epsilon);
    }
    return out;
  }

  getState(): RunningMeanStdState {
    return this.obsRms.getState();
  }

  setState(state: RunningMeanStdState): void {
    this.obsRms.setState(state);
  }
}

/**
 * Stacks the last `stackSize` observations into one Float32Array of shape [stackSize, ...shape],
 * oldest first. After reset the stack is filled with the reset observation (Gymnasium 1.x
 * `FrameStackObservation` with `padding_type="reset"`).
 */
export class FrameStackObservation<Act> extends Wrapper<Float32Array, Act> {
  private readonly frames: Float32Array;
  private readonly frameSize: number;

  constructor(
    env: Env<Float32Array, Act>,
    readonly stackSize: number,
  ) {
    super(env);
    if (!Number.isInteger(stackSize) || stackSize < 1)
      throw new EnvError(`FrameStackObservation: stackSize must be an integer ≥ 1, got ${stackSize}`);
    const space = requireBoxObs(env as Env<unknown, unknown>, "FrameStackObservation");
    this.frameSize = space.size;
    const repeat = (a: Float32Array) => {
      const out = new Float32Array(a.length * stackSize);
      for (let k = 0; k < stackSize; k++) out.set(a, k * a.length);
      return out;
    };
    this.observationSpace = new Box(repeat(space.low), repeat(space.high), [stackSize, ...space.shape]);
    this.frames = new Float32Array(this.frameSize * stackSize);
  }

  override reset(args?: ResetArgs): [Float32Array, Info] {
    const [obs, info] = this.env.reset(args);
    for (let k = 0; k < this.stackSize; k++) this.frames.set(obs, k * this.frameSize);
    return [this.frames.slice(), info];
  }

  override step(action: Act): StepResult<Float32Array> {
    const [obs, reward, terminated, truncated, info] = this.env.step(action);
    this.frames.copyWithin(0, this.frameSize);
    this.frames.set(obs, (this.stackSize - 1) * this.frameSize);
    return [this.frames.slice(), reward, terminated, truncated, info];
  }
}
