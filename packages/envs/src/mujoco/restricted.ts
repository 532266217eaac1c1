/**
 * Restricted locomotion (SAVO §5, App. C.3.1): only actions inside a fixed union of hyperspheres are valid;
 * an invalid action is replaced by zero torque (Hopper, Walker2d, HalfCheetah, Ant) or by −1 on every dim
 * (the pendulums, where 0 is often optimal) before it reaches the physics.
 *
 * The paper gives no sphere count, centres or radii. Both presets use the official code's construction
 * (`USC-Lira/Q3C`, `mujoco_env_gymnasium.py`): 33·n centres uniform in the normalised cube [0,1]^n drawn with
 * `np.random.RandomState(123).random`, reproduced bit-for-bit by the MT19937 below, one radius from an n-ball
 * volume of 0.6·n/(33·n) × a per-dimension multiplier, and validity ‖u − c‖ < r for u = (a − low)/(high − low).
 * - preset "paper": the step reward is the task's reward for the action actually applied.
 * - preset "officialCode": an invalid step's reward is replaced by −10, and a pendulum episode's first step is
 *   always allowed, as in the official code.
 * `info.if_valid` is 1 or 0 on every step.
 */
import type { Rng } from "@qscape/core";
import { z } from "zod";
import { type Env, type Info, type ResetArgs, type StepResult, Wrapper } from "../env.js";
import { EnvError } from "../errors.js";
import { Box } from "../spaces.js";
import { parseOptions } from "./base.js";

/** What an invalid action is replaced by. */
export type InvalidActionMode = "zero" | "minusOne";

/**
 * MT19937 seeded like numpy's legacy `RandomState(seed)` (init_genrand), with `random()` equal to
 * `random_sample()`: 53-bit doubles from two 32-bit draws. Only used to reproduce the official sphere centres.
 */
export class Mt19937 {
  private readonly mt = new Uint32Array(624);
  private index = 624;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new EnvError(`Mt19937: seed must be an integer in [0, 2^32), got ${seed}`);
    }
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = (this.mt[i - 1] as number) ^ ((this.mt[i - 1] as number) >>> 30);
      this.mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  nextUint32(): number {
    if (this.index >= 624) this.twist();
    let y = this.mt[this.index++] as number;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < 624; i++) {
      const y = ((mt[i] as number) & 0x80000000) | ((mt[(i + 1) % 624] as number) & 0x7fffffff);
      mt[i] = (mt[(i + 397) % 624] as number) ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }
}

/**
 * The official code's radius of one n-ball of the given volume: exact for n ≤ 11 (its n = 4 branch reuses the
 * 3-ball constant, kept here so the spheres match), Stirling's approximation of Γ above 11.
 */
export function officialBallRadius(volume: number, n: number): number {
  switch (n) {
    case 1:
      return volume / 2;
    case 2:
      return Math.sqrt(volume / Math.PI);
    case 3:
      return Math.cbrt((volume * 3) / 4 / Math.PI);
    case 4:
      return Math.sqrt(Math.sqrt((volume * 3) / 4 / Math.PI));
    case 5:
      return ((volume * 15) / 8 / Math.PI ** 2) ** (1 / 5);
    case 6:
      return (volume * 6) ** (1 / 6) / Math.sqrt(Math.PI);
    case 7:
      return ((volume * 105) / 16 / Math.PI ** 3) ** (1 / 7);
    case 8:
      return (volume * 24) ** (1 / 8) / Math.sqrt(Math.PI);
    case 9:
      return ((volume * 945) / 32 / Math.PI ** 4) ** (1 / 9);
    case 10:
      return (volume * 120) ** (1 / 10) / Math.sqrt(Math.PI);
    case 11:
      return ((volume * 10395) / 64 / Math.PI ** 5) ** (1 / 11);
    default:
      return (Math.PI * n) ** (1 / (2 * n)) * Math.sqrt(n / (2 * Math.E * Math.PI)) * volume ** (1 / n);
  }
}

/** The official code's per-dimension volume multipliers (used when none is given). */
export function officialVolumeMultiplier(n: number): number {
  return ({ 1: 3, 2: 2, 3: 1.65, 6: 1, 8: 0.5, 17: 20 } as Record<number, number>)[n] ?? 1;
}

export interface SphereOptions {
  /** Number of spheres (official: 33·n). */
  count?: number;
  /** Seed of the centres' MT19937 stream (official: 123). */
  seed?: number;
  /** Scales each sphere's volume (official: per-dimension, see `officialVolumeMultiplier`). */
  volumeMultiplier?: number;
}

/** A union of equal n-balls in the normalised action cube [0,1]^n. */
export class HypersphereSet {
  readonly dim: number;
  readonly count: number;
  readonly radius: number;
  /** Centres in normalised coordinates, row-major count × dim. */
  readonly centres: Float64Array;
  private readonly low: Float64Array;
  private readonly span: Float64Array;
  private readonly u: Float64Array;

  constructor(low: ArrayLike<number>, high: ArrayLike<number>, centres: Float64Array, radius: number) {
    this.dim = low.length;
    if (high.length !== this.dim) throw new EnvError("HypersphereSet: low and high differ in length");
    if (centres.length % this.dim !== 0) throw new EnvError("HypersphereSet: centres length is not a multiple of dim");
    if (!(radius > 0)) throw new EnvError(`HypersphereSet: radius must be positive, got ${radius}`);
    this.low = Float64Array.from(low);
    this.span = Float64Array.from(high, (h, i) => h - (low[i] as number));
    if (this.span.some((s) => !(s > 0 && Number.isFinite(s)))) {
      throw new EnvError("HypersphereSet: every action dimension needs finite bounds with high > low");
    }
    this.count = centres.length / this.dim;
    this.centres = centres;
    this.radius = radius;
    this.u = new Float64Array(this.dim);
  }

  /** The official code's spheres for an action box [low, high]. */
  static official(low: ArrayLike<number>, high: ArrayLike<number>, options: SphereOptions = {}): HypersphereSet {
    const n = low.length;
    const count = options.count ?? 33 * n;
    const volume = ((0.6 * n) / count) * (options.volumeMultiplier ?? officialVolumeMultiplier(n));
    const rng = new Mt19937(options.seed ?? 123);
    const centres = new Float64Array(count * n);
    for (let i = 0; i < centres.length; i++) centres[i] = rng.random();
    return new HypersphereSet(low, high, centres, officialBallRadius(volume, n));
  }

  /** True when the action lies strictly inside at least one sphere. */
  contains(action: ArrayLike<number>): boolean {
    if (action.length !== this.dim) {
      throw new EnvError(`HypersphereSet: action has ${action.length} elements, expected ${this.dim}`);
    }
    for (let d = 0; d < this.dim; d++) {
      this.u[d] = ((action[d] as number) - (this.low[d] as number)) / (this.span[d] as number);
    }
    const r2 = this.radius * this.radius;
    for (let c = 0; c < this.count; c++) {
      let dist2 = 0;
      const base = c * this.dim;
      for (let d = 0; d < this.dim && dist2 < r2; d++) {
        const diff = (this.u[d] as number) - (this.centres[base + d] as number);
        dist2 += diff * diff;
      }
      if (dist2 < r2) return true;
    }
    return false;
  }

  /** Monte Carlo estimate of the valid fraction of the action box from `samples` uniform actions. */
  validFraction(samples: number, rng: Rng): number {
    if (!Number.isInteger(samples) || samples < 1) throw new EnvError(`validFraction: samples must be ≥ 1`);
    const a = new Float64Array(this.dim);
    let valid = 0;
    for (let s = 0; s < samples; s++) {
      for (let d = 0; d < this.dim; d++) a[d] = (this.low[d] as number) + (this.span[d] as number) * rng.random();
      if (this.contains(a)) valid++;
    }
    return valid / samples;
  }
}

export const RestrictedOptionsSchema = z.strictObject({
  preset: z.enum(["paper", "officialCode"]).default("paper"),
  numBalls: z.number().int().positive().optional(),
  sphereSeed: z.number().int().nonnegative().default(123),
  volumeMultiplier: z.number().positive().optional(),
  /** Overrides the preset: a reward for invalid steps (null keeps the task's reward). */
  invalidReward: z.number().nullable().optional(),
  /** Overrides the preset: let the first step of every episode through. */
  firstStepAlwaysValid: z.boolean().optional(),
});
export type RestrictedOptions = z.input<typeof RestrictedOptionsSchema>;

export const RESTRICTED_OPTION_KEYS = Object.keys(RestrictedOptionsSchema.shape) as (keyof RestrictedOptions)[];

/** Applies the hypersphere restriction to any env with a bounded Box action space. */
export class RestrictedActionWrapper extends Wrapper<Float32Array, ArrayLike<number>> {
  override actionSpace: Box;
  readonly spheres: HypersphereSet;
  readonly invalidAction: InvalidActionMode;
  readonly invalidReward: number | null;
  readonly firstStepAlwaysValid: boolean;
  private firstStep = true;
  private readonly replacement: Float32Array;

  constructor(
    env: Env<Float32Array, ArrayLike<number>>,
    invalidAction: InvalidActionMode,
    options: RestrictedOptions = {},
  ) {
    super(env);
    const o = parseOptions(RestrictedOptionsSchema, options, `${env.unwrapped.constructor.name} restriction`);
    if (!(env.actionSpace instanceof Box))
      throw new EnvError("RestrictedActionWrapper: the env needs a Box action space");
    const space = env.actionSpace;
    this.actionSpace = space;
    this.spheres = HypersphereSet.official(space.low, space.high, {
      ...(o.numBalls !== undefined && { count: o.numBalls }),
      seed: o.sphereSeed,
      ...(o.volumeMultiplier !== undefined && { volumeMultiplier: o.volumeMultiplier }),
    });
    this.invalidAction = invalidAction;
    const official = o.preset === "officialCode";
    this.invalidReward = o.invalidReward !== undefined ? o.invalidReward : official ? -10 : null;
    this.firstStepAlwaysValid = o.firstStepAlwaysValid ?? (official && invalidAction === "minusOne");
    this.replacement = new Float32Array(space.size).fill(invalidAction === "zero" ? 0 : -1);
  }

  isValid(action: ArrayLike<number>): boolean {
    return this.spheres.contains(action);
  }

  validFraction(samples: number, rng: Rng): number {
    return this.spheres.validFraction(samples, rng);
  }

  override reset(args?: ResetArgs): [Float32Array, Info] {
    this.firstStep = true;
    return this.env.reset(args);
  }

  override step(action: ArrayLike<number>): StepResult<Float32Array> {
    const valid = (this.firstStep && this.firstStepAlwaysValid) || this.isValid(action);
    this.firstStep = false;
    const [obs, reward, terminated, truncated, info] = this.env.step(valid ? action : this.replacement);
    const stepReward = !valid && this.invalidReward !== null ? this.invalidReward : reward;
    return [obs, stepReward, terminated, truncated, { ...info, if_valid: valid ? 1 : 0 }];
  }
}
