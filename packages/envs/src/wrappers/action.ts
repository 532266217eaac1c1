import type { BoxAction, Env, StepResult } from "../env.js";
import { ActionWrapper, envLabel, Wrapper } from "../env.js";
import { EnvError } from "../errors.js";
import { type AnySpace, Box, describeValue } from "../spaces.js";

function requireBox(env: Env<unknown, unknown>, wrapper: string, bounded: boolean): Box {
  const space = env.actionSpace;
  if (!(space instanceof Box))
    throw new EnvError(`${wrapper}: ${envLabel(env)} needs a Box action space, has ${space}`);
  if (bounded && !space.isBounded())
    throw new EnvError(`${wrapper}: ${envLabel(env)} action space ${space} is unbounded`);
  return space;
}

function checkLength(action: BoxAction, size: number, wrapper: string, env: Env<unknown, unknown>): void {
  if (typeof action !== "object" || action === null || action.length !== size) {
    throw new EnvError(
      `${wrapper}: ${envLabel(env)} expects an action of ${size} elements, got ${describeValue(action)}`,
    );
  }
}

/**
 * Clips continuous actions into the inner env's bounds. The wrapper's action space is
 * Box(−∞, ∞) of the same shape, as in Gymnasium 1.x; NaN stays NaN so validation still catches it.
 */
export class ClipAction<Obs> extends ActionWrapper<Obs, BoxAction, BoxAction> {
  private readonly inner: Box;

  constructor(env: Env<Obs, BoxAction>) {
    super(env);
    this.inner = requireBox(env as Env<unknown, unknown>, "ClipAction", false);
    this.actionSpace = new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, this.inner.shape);
  }

  action(action: BoxAction): Float32Array {
    checkLength(action, this.inner.size, "ClipAction", this);
    const out = new Float32Array(this.inner.size);
    for (let i = 0; i < out.length; i++) {
      out[i] = Math.min(Math.max(action[i] as number, this.inner.low[i] as number), this.inner.high[i] as number);
    }
    return out;
  }
}

/** Affinely maps actions from [minAction, maxAction] onto the inner env's bounded Box. */
export class RescaleAction<Obs> extends ActionWrapper<Obs, BoxAction, BoxAction> {
  private readonly inner: Box;
  private readonly outer: Box;

  constructor(env: Env<Obs, BoxAction>, minAction: number | ArrayLike<number>, maxAction: number | ArrayLike<number>) {
    super(env);
    this.inner = requireBox(env as Env<unknown, unknown>, "RescaleAction", true);
    this.outer = new Box(minAction, maxAction, this.inner.shape);
    if (this.outer.low.some((lo, i) => !(lo < (this.outer.high[i] as number)))) {
      throw new EnvError(`RescaleAction: minAction must be below maxAction in every dimension (${this.outer})`);
    }
    this.actionSpace = this.outer;
  }

  action(action: BoxAction): Float32Array {
    checkLength(action, this.inner.size, "RescaleAction", this);
    const out = new Float32Array(this.inner.size);
    for (let i = 0; i < out.length; i++) {
      const lo = this.outer.low[i] as number;
      const hi = this.outer.high[i] as number;
      const innerLo = this.inner.low[i] as number;
      const innerHi = this.inner.high[i] as number;
      const v = innerLo + (innerHi - innerLo) * (((action[i] as number) - lo) / (hi - lo));
      // Float32 rounding can overshoot the inner bound by one ulp; keep in-range actions in range.
      out[i] = Math.min(Math.max(v, innerLo), innerHi);
      if (Number.isNaN(v)) out[i] = Number.NaN;
    }
    return out;
  }
}

/** Applies `fn` to every action; pass `actionSpace` when the wrapper accepts a different space. */
export class TransformAction<Obs, WAct, Act> extends ActionWrapper<Obs, WAct, Act> {
  constructor(
    env: Env<Obs, Act>,
    private readonly fn: (action: WAct) => Act,
    actionSpace?: AnySpace,
  ) {
    super(env);
    if (actionSpace) this.actionSpace = actionSpace;
  }

  action(action: WAct): Act {
    return this.fn(action);
  }
}

/**
 * Repeats each action `repeats` times and returns the summed reward and the last observation and
 * info; stops early when the episode ends (the action-repeat / frame-skip of DMC and Atari setups).
 */
export class ActionRepeat<Obs, Act> extends Wrapper<Obs, Act> {
  constructor(
    env: Env<Obs, Act>,
    readonly repeats: number,
  ) {
    super(env);
    if (!Number.isInteger(repeats) || repeats < 1)
      throw new EnvError(`ActionRepeat: repeats must be an integer ≥ 1, got ${repeats}`);
  }

  override step(action: Act): StepResult<Obs> {
    let total = 0;
    let result: StepResult<Obs> | undefined;
    for (let k = 0; k < this.repeats; k++) {
      result = this.env.step(action);
      total += result[1];
      if (result[2] || result[3]) break;
    }
    const [obs, , terminated, truncated, info] = result as StepResult<Obs>;
    return [obs, total, terminated, truncated, info];
  }
}
