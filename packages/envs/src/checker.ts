/**
 * API-conformance checks (Gymnasium `utils/env_checker.py` and `utils/passive_env_checker.py`).
 * `checkEnv` runs an env through seeded resets and steps and throws one `EnvCheckError` listing
 * every violation; the single-result checks are shared with the `PassiveEnvChecker` wrapper.
 */
import type { Env, Info } from "./env.js";
import { envLabel } from "./env.js";
import { EnvCheckError } from "./errors.js";
import { type AnySpace, Box, describeValue, explainValue } from "./spaces.js";

type AnyEnvLoose = Env<unknown, unknown>;

/** Problems with a space definition: anything without the `Space` methods (duck-typed, so custom spaces pass). */
export function spaceProblems(space: unknown, what: string): string[] {
  const s = space as Partial<AnySpace> | undefined;
  if (
    !s ||
    typeof s.sample !== "function" ||
    typeof s.contains !== "function" ||
    typeof s.seed !== "function" ||
    !Array.isArray(s.shape)
  ) {
    return [`${what} is not a Space (got ${describeValue(space)})`];
  }
  return [];
}

/** Problems with a reset() return value. */
export function resetResultProblems(env: AnyEnvLoose, result: unknown): string[] {
  if (!Array.isArray(result) || result.length !== 2) {
    return [`reset() must return [obs, info], got ${describeValue(result)}`];
  }
  return [...observationProblems(env, result[0], "reset()"), ...infoProblems(result[1], "reset()")];
}

/** Problems with a step() return value. */
export function stepResultProblems(env: AnyEnvLoose, result: unknown): string[] {
  if (!Array.isArray(result) || result.length !== 5) {
    return [`step() must return [obs, reward, terminated, truncated, info], got ${describeValue(result)}`];
  }
  const [obs, reward, terminated, truncated, info] = result as unknown[];
  const problems = observationProblems(env, obs, "step()");
  if (typeof reward !== "number") problems.push(`step() reward must be a number, got ${describeValue(reward)}`);
  else if (!Number.isFinite(reward)) problems.push(`step() reward is ${reward}`);
  if (typeof terminated !== "boolean")
    problems.push(`step() terminated must be a boolean, got ${describeValue(terminated)}`);
  if (typeof truncated !== "boolean")
    problems.push(`step() truncated must be a boolean, got ${describeValue(truncated)}`);
  problems.push(...infoProblems(info, "step()"));
  return problems;
}

function observationProblems(env: AnyEnvLoose, obs: unknown, method: string): string[] {
  const space = env.observationSpace;
  if (space instanceof Box && !(obs instanceof Float32Array)) {
    return [`${method} observation must be a Float32Array for ${space}, got ${describeValue(obs)}`];
  }
  const why = explainValue(space, obs);
  return why === null ? [] : [`${method} observation is not in ${space}: ${why}`];
}

function infoProblems(info: unknown, method: string): string[] {
  if (typeof info !== "object" || info === null || Array.isArray(info)) {
    return [`${method} info must be a plain object, got ${describeValue(info)}`];
  }
  return [];
}

/** Deep equality for observations and infos (typed arrays element-wise, NaN equal to NaN). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  const aView = ArrayBuffer.isView(a);
  if (aView || Array.isArray(a)) {
    if (aView !== ArrayBuffer.isView(b) || Array.isArray(a) !== Array.isArray(b)) return false;
    const x = a as ArrayLike<unknown>;
    const y = b as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!deepEqual(x[i], y[i])) return false;
    return true;
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Info)[k], (b as Info)[k]));
}

function clone<T>(x: T): T {
  return structuredClone(x);
}

export interface CheckEnvResult {
  /** Non-fatal advice (Gymnasium's warnings), e.g. an unnormalised continuous action space. */
  warnings: string[];
}

/**
 * Runs Gymnasium's env checks on an *unwrapped* env (wrappers such as ValidateStep would hide
 * its mistakes): spaces, reset/step return types, observations inside the observation space,
 * seeded reset and step determinism, `seed = undefined` not re-seeding, reset options accepted,
 * the action argument not mutated, returned observations not aliased to internal state.
 * Throws one `EnvCheckError` listing every failure; returns warnings otherwise.
 */
export function checkEnv(env: AnyEnvLoose, { steps = 20 }: { steps?: number } = {}): CheckEnvResult {
  const label = envLabel(env);
  const problems: string[] = [];
  const warnings: string[] = [];
  const fail = () => new EnvCheckError(`${label} failed the env checks:\n- ${problems.join("\n- ")}`);

  problems.push(
    ...spaceProblems(env.observationSpace, "observationSpace"),
    ...spaceProblems(env.actionSpace, "actionSpace"),
  );
  if (problems.length > 0) throw fail();
  const act = env.actionSpace;
  if (act instanceof Box && (!act.isBounded() || act.low.some((v) => v !== -1) || act.high.some((v) => v !== 1))) {
    warnings.push(`actionSpace ${act} is not the symmetric normalised Box(-1, 1); consider RescaleAction`);
  }
  for (const [what, space] of [
    ["observationSpace", env.observationSpace],
    ["actionSpace", act],
  ] as const) {
    if (space instanceof Box && space.size > 0 && space.low.every((v, i) => v === space.high[i])) {
      warnings.push(`${what} ${space} has low == high in every dimension`);
    }
  }

  const tryCall = <T>(what: string, fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (e) {
      problems.push(`${what} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      return undefined;
    }
  };

  // Reset: return types, seeded determinism, other seeds differ, seed = undefined keeps the stream.
  const r1 = tryCall("reset({ seed: 123 })", () => env.reset({ seed: 123 }));
  if (r1 === undefined) throw fail();
  problems.push(...resetResultProblems(env, r1));
  if (problems.length > 0) throw fail();
  const obs1 = clone(r1[0]);
  const rngAfter123 = clone(env.npRandom.getState());
  const r2 = tryCall("second reset({ seed: 123 })", () => env.reset({ seed: 123 }));
  if (r2 && !deepEqual(obs1, r2[0])) problems.push("reset({ seed: 123 }) twice gave different observations");
  if (!deepEqual(rngAfter123, env.npRandom.getState()))
    problems.push("reset({ seed: 123 }) twice left the env RNG in different states");
  tryCall("reset({ seed: 456 })", () => env.reset({ seed: 456 }));
  const seedAfter456 = env.npRandomSeed;
  if (deepEqual(rngAfter123, env.npRandom.getState()))
    problems.push("reset({ seed: 456 }) left the env RNG as seed 123 did (seed ignored?)");
  const r3 = tryCall("reset() after reset({ seed: 456 })", () => env.reset());
  if (r3) problems.push(...resetResultProblems(env, r3));
  if (seedAfter456 === 456 && env.npRandomSeed !== 456)
    problems.push("reset() without a seed re-seeded the env RNG (npRandomSeed changed)");
  tryCall("reset({ seed: 123, options: {} })", () => env.reset({ seed: 123, options: {} }));

  // Step: return types, determinism under the same seed and actions, no action mutation, no aliasing.
  const rollout = (): unknown[][] | undefined => {
    env.reset({ seed: 123 });
    act.seed(123);
    const returned: unknown[] = [];
    const copies: unknown[][] = [];
    for (let t = 0; t < steps; t++) {
      const action = act.sample();
      const before = clone(action);
      const result = tryCall(`step(${describeValue(action)}) at step ${t}`, () => env.step(action));
      if (result === undefined) return undefined;
      if (!deepEqual(before, action)) problems.push(`step() mutated the action it was given (step ${t})`);
      const p = stepResultProblems(env, result);
      if (p.length > 0) {
        problems.push(...p.map((m) => `at step ${t}: ${m}`));
        return undefined;
      }
      returned.push(result[0]);
      copies.push(clone(result));
      if (result[2] || result[3]) break;
    }
    if (returned.some((obs, t) => !deepEqual(obs, copies[t]?.[0]))) {
      problems.push("an observation returned by step() changed during later steps (aliased to internal state)");
    }
    return copies;
  };
  const a = rollout();
  const b = a ? rollout() : undefined;
  if (a && b) {
    if (a.length !== b.length) problems.push("two rollouts with the same seed and actions had different lengths");
    const names = ["observation", "reward", "terminated", "truncated", "info"];
    for (let t = 0; t < Math.min(a.length, b.length); t++) {
      const k = names.findIndex((_, i) => !deepEqual(a[t]?.[i], b[t]?.[i]));
      if (k >= 0) {
        problems.push(`step() is not deterministic under reset({ seed: 123 }): ${names[k]} differs at step ${t}`);
        break;
      }
    }
  }
  if (problems.length > 0) throw fail();
  return { warnings };
}
