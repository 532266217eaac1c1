/**
 * DeepMind Control Suite's soft indicator (`dm_control.utils.rewards`): `tolerance(x, bounds, margin, sigmoid)`
 * is 1 inside `[lower, upper]` and falls off with the distance to the nearest bound, reaching `valueAtMargin` at
 * distance `margin`. With `margin = 0` it is a hard indicator. Every DMC reward is built from it, which is why
 * DMC rewards lie in [0, 1].
 */
import { EnvError } from "../errors.js";

export type Sigmoid =
  | "gaussian"
  | "hyperbolic"
  | "long_tail"
  | "reciprocal"
  | "cosine"
  | "linear"
  | "quadratic"
  | "tanh_squared";

/** DMC's default value of `tolerance` at `margin` distance from the bounds. */
export const DEFAULT_VALUE_AT_MARGIN = 0.1;

/** Sigmoids with a finite support may reach 0 at x = 1; the others only tend to 0. */
const FINITE_SUPPORT: ReadonlySet<Sigmoid> = new Set(["cosine", "linear", "quadratic"]);

/**
 * A bump that is 1 at x = 0 and `valueAt1` at |x| = 1 (DMC `_sigmoids`). `x` is the distance from the bounds in
 * units of the margin, so it is non-negative when called from `tolerance`.
 */
export function sigmoid(x: number, valueAt1: number, kind: Sigmoid): number {
  if (FINITE_SUPPORT.has(kind)) {
    if (!(valueAt1 >= 0 && valueAt1 < 1)) {
      throw new EnvError(`sigmoid "${kind}": valueAt1 must be in [0, 1), got ${valueAt1}`);
    }
  } else if (!(valueAt1 > 0 && valueAt1 < 1)) {
    throw new EnvError(`sigmoid "${kind}": valueAt1 must be strictly between 0 and 1, got ${valueAt1}`);
  }
  switch (kind) {
    case "gaussian": {
      const scale = Math.sqrt(-2 * Math.log(valueAt1));
      return Math.exp(-0.5 * (x * scale) ** 2);
    }
    case "hyperbolic": {
      const scale = Math.acosh(1 / valueAt1);
      return 1 / Math.cosh(x * scale);
    }
    case "long_tail": {
      const scale = Math.sqrt(1 / valueAt1 - 1);
      return 1 / ((x * scale) ** 2 + 1);
    }
    case "reciprocal": {
      const scale = 1 / valueAt1 - 1;
      return 1 / (Math.abs(x) * scale + 1);
    }
    case "cosine": {
      const scaled = x * (Math.acos(2 * valueAt1 - 1) / Math.PI);
      return Math.abs(scaled) < 1 ? (1 + Math.cos(Math.PI * scaled)) / 2 : 0;
    }
    case "linear": {
      const scaled = x * (1 - valueAt1);
      return Math.abs(scaled) < 1 ? 1 - scaled : 0;
    }
    case "quadratic": {
      const scaled = x * Math.sqrt(1 - valueAt1);
      return Math.abs(scaled) < 1 ? 1 - scaled * scaled : 0;
    }
    case "tanh_squared": {
      const scale = Math.atanh(Math.sqrt(1 - valueAt1));
      return 1 - Math.tanh(x * scale) ** 2;
    }
    default:
      throw new EnvError(`sigmoid: unknown kind ${JSON.stringify(kind)}`);
  }
}

/**
 * 1 when `lower ≤ x ≤ upper`, else `sigmoid(distance / margin)` (0 when `margin` is 0). Bounds may be infinite
 * or equal. Same arguments and defaults as DMC's `rewards.tolerance`.
 */
export function tolerance(
  x: number,
  bounds: readonly [number, number] = [0, 0],
  margin = 0,
  kind: Sigmoid = "gaussian",
  valueAtMargin = DEFAULT_VALUE_AT_MARGIN,
): number {
  const [lower, upper] = bounds;
  if (lower > upper) throw new EnvError(`tolerance: lower bound ${lower} is above upper bound ${upper}`);
  if (!(margin >= 0)) throw new EnvError(`tolerance: margin must be non-negative, got ${margin}`);
  if (lower <= x && x <= upper) return 1;
  if (margin === 0) return 0;
  const distance = x < lower ? lower - x : x - upper;
  return sigmoid(distance / margin, valueAtMargin, kind);
}
