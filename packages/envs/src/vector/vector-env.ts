/**
 * Gymnasium 1.x vector-env API: `numEnvs` copies of one env stepped as a batch.
 * Batched Box values are one flat `Float32Array` of numEnvs × size (env-major); batched Discrete
 * values are `Int32Array`s; other spaces batch as plain arrays. Rewards are a `Float64Array`,
 * terminated/truncated `Uint8Array`s. `info` is a dict of arrays: key `k` holds one entry per env
 * and `_k` a 0/1 mask of the envs that reported it (Gymnasium `_add_info`).
 */
import type { Info } from "../env.js";
import { EnvError } from "../errors.js";
import type { AnyEnv } from "../registry.js";
import { type AnySpace, Box, Discrete, MultiDiscrete, Tuple } from "../spaces.js";

/** When sub-envs reset after an episode ends (Gymnasium `AutoresetMode`). */
export const AutoresetMode = {
  /** The step after the end resets the env, ignores its action and returns reward 0. */
  NEXT_STEP: "NextStep",
  /** The ending step resets at once; the true last obs/info go to `info.final_obs` / `info.final_info`. */
  SAME_STEP: "SameStep",
  /** No automatic reset; call `reset({ options: { resetMask } })`. */
  DISABLED: "Disabled",
} as const;
export type AutoresetMode = (typeof AutoresetMode)[keyof typeof AutoresetMode];

export type VectorInfo = Record<string, unknown>;

export type VectorStepResult<BObs> = [
  obs: BObs,
  rewards: Float64Array,
  terminated: Uint8Array,
  truncated: Uint8Array,
  info: VectorInfo,
];

export interface VectorResetArgs {
  /** One seed (env i gets seed + i) or one per env. */
  seed?: number | (number | undefined)[];
  /** Passed to every sub-env's reset; `resetMask` (one 0/1 per env) resets only those envs. */
  options?: Record<string, unknown> & { resetMask?: ArrayLike<number | boolean> };
}

export interface VectorEnvOptions {
  autoresetMode?: AutoresetMode;
}

export abstract class VectorEnv<BObs = Float32Array, BAct = Float32Array> {
  abstract readonly numEnvs: number;
  abstract readonly singleObservationSpace: AnySpace;
  abstract readonly singleActionSpace: AnySpace;
  abstract readonly observationSpace: AnySpace;
  abstract readonly actionSpace: AnySpace;
  abstract readonly metadata: { autoresetMode: AutoresetMode; [key: string]: unknown };

  abstract reset(args?: VectorResetArgs): [BObs, VectorInfo];
  abstract step(actions: BAct): VectorStepResult<BObs>;
  abstract close(): void;
}

/** The space of `n` stacked values of `space`: Box → Box [n, ...shape], Discrete → MultiDiscrete, else Tuple. */
export function batchSpace(space: AnySpace, n: number): AnySpace {
  if (space instanceof Box) {
    const tile = (a: Float32Array) => {
      const out = new Float32Array(a.length * n);
      for (let i = 0; i < n; i++) out.set(a, i * a.length);
      return out;
    };
    return new Box(tile(space.low), tile(space.high), [n, ...space.shape], space.dtype);
  }
  if (space instanceof Discrete) return new MultiDiscrete(new Array(n).fill(space.n), new Array(n).fill(space.start));
  return new Tuple(new Array(n).fill(space));
}

/** Stacks per-env values into the batched form (Gymnasium `concatenate`). */
export function concatenate(space: AnySpace, items: readonly unknown[]): unknown {
  if (space instanceof Box) {
    const buf = new Float32Array(space.size * items.length);
    for (let i = 0; i < items.length; i++) buf.set(items[i] as ArrayLike<number>, i * space.size);
    return buf;
  }
  if (space instanceof Discrete) return Int32Array.from(items as number[]);
  return [...items];
}

/** Splits a batched value into per-env values (Gymnasium `iterate`). Box batches may also be arrays of per-env actions. */
export function unbatch(space: AnySpace, batch: unknown, n: number, what: string): unknown[] {
  if (space instanceof Box) {
    if (Array.isArray(batch) && batch.length === n && typeof batch[0] === "object") return batch;
    const flat = batch as ArrayLike<number>;
    if (!flat || typeof flat !== "object" || flat.length !== n * space.size) {
      throw new EnvError(
        `${what}: expected ${n} × ${space.size} = ${n * space.size} values (or ${n} per-env arrays), got ${describeBatch(batch)}`,
      );
    }
    const f32 = flat instanceof Float32Array ? flat : Float32Array.from(flat);
    return Array.from({ length: n }, (_, i) => f32.subarray(i * space.size, (i + 1) * space.size));
  }
  const items = batch as ArrayLike<unknown>;
  if (!items || typeof items !== "object" || items.length !== n) {
    throw new EnvError(`${what}: expected ${n} per-env values, got ${describeBatch(batch)}`);
  }
  return Array.from(items);
}

function describeBatch(x: unknown): string {
  if (x && typeof x === "object" && "length" in x)
    return `${(x as object).constructor.name}(${(x as ArrayLike<unknown>).length})`;
  return String(x);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    !ArrayBuffer.isView(v) &&
    Object.getPrototypeOf(v) === Object.prototype
  );
}

/**
 * Merges env i's info into the dict-of-arrays `vectorInfo` (Gymnasium `_add_info`): numbers go
 * into Float64Arrays, nested objects recurse, anything else into plain arrays; `_key` marks env i.
 */
export function addInfo(vectorInfo: VectorInfo, envInfo: Info, i: number, n: number): VectorInfo {
  for (const [k, v] of Object.entries(envInfo)) {
    if (isPlainObject(v)) {
      vectorInfo[k] = addInfo((vectorInfo[k] as VectorInfo | undefined) ?? {}, v, i, n);
    } else if (typeof v === "number") {
      const arr = (vectorInfo[k] as Float64Array | undefined) ?? new Float64Array(n);
      arr[i] = v;
      vectorInfo[k] = arr;
    } else {
      const arr =
        (vectorInfo[k] as unknown[] | undefined) ??
        new Array<unknown>(n).fill(typeof v === "boolean" ? false : undefined);
      arr[i] = v;
      vectorInfo[k] = arr;
    }
    const mask = (vectorInfo[`_${k}`] as Uint8Array | undefined) ?? new Uint8Array(n);
    mask[i] = 1;
    vectorInfo[`_${k}`] = mask;
  }
  return vectorInfo;
}

/** Per-env seeds from a vector reset seed (int → seed + i, as Gymnasium). */
export function perEnvSeeds(seed: VectorResetArgs["seed"], n: number): (number | undefined)[] {
  if (seed === undefined) return new Array(n).fill(undefined);
  if (typeof seed === "number") return Array.from({ length: n }, (_, i) => seed + i);
  if (seed.length !== n) throw new EnvError(`vector reset: got ${seed.length} seeds for ${n} envs`);
  return [...seed];
}

export function checkAutoresetMode(mode: unknown): AutoresetMode {
  const modes = Object.values(AutoresetMode) as string[];
  if (!modes.includes(mode as string))
    throw new EnvError(`unknown autoresetMode ${String(mode)}; expected one of ${modes.join(", ")}`);
  return mode as AutoresetMode;
}

/** What one sub-env returns for one vector step, before batching. */
export interface SubEnvStep {
  obs: unknown;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: Info;
  /** SAME_STEP only: the true last observation/info of an episode that just ended (obs/info are the reset's). */
  final?: { obs: unknown; info: Info };
}

/**
 * Steps one sub-env under an autoreset mode (shared by the sync env and the async workers).
 * `endedLastStep` is whether this env's previous step ended its episode.
 */
export function stepSubEnv(env: AnyEnv, action: unknown, mode: AutoresetMode, endedLastStep: boolean): SubEnvStep {
  if (mode === AutoresetMode.NEXT_STEP && endedLastStep) {
    const [obs, info] = env.reset();
    return { obs, reward: 0, terminated: false, truncated: false, info };
  }
  const [obs, reward, terminated, truncated, info] = env.step(action);
  if (mode === AutoresetMode.SAME_STEP && (terminated || truncated)) {
    const [resetObs, resetInfo] = env.reset();
    return { obs: resetObs, reward, terminated, truncated, info: resetInfo, final: { obs, info } };
  }
  return { obs, reward, terminated, truncated, info };
}

/** Batches sub-env steps into a vector step result. */
export function collectSteps(steps: SubEnvStep[], space: AnySpace): VectorStepResult<unknown> {
  const n = steps.length;
  const rewards = new Float64Array(n);
  const terminated = new Uint8Array(n);
  const truncated = new Uint8Array(n);
  let info: VectorInfo = {};
  steps.forEach((s, i) => {
    rewards[i] = s.reward;
    terminated[i] = s.terminated ? 1 : 0;
    truncated[i] = s.truncated ? 1 : 0;
    if (s.final) info = addInfo(info, { final_obs: s.final.obs, final_info: s.final.info }, i, n);
    info = addInfo(info, s.info, i, n);
  });
  return [
    concatenate(
      space,
      steps.map((s) => s.obs),
    ),
    rewards,
    terminated,
    truncated,
    info,
  ];
}
