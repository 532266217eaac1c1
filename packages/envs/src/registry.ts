/**
 * Environment registry (Gymnasium `envs/registration.py`). `register()` stores an `EnvSpec`;
 * `make(id)` constructs the env and wraps it, innermost first, in
 * PassiveEnvChecker → OrderEnforcing → TimeLimit (Gymnasium's order) → ValidateStep.
 * `ValidateStep` is qscape's addition: it rejects NaN / out-of-space actions and steps after the
 * episode ended with an error naming the env id, and is on unless `validateSteps: false`.
 */
import { z } from "zod";
import type { Env } from "./env.js";
import { EnvError, UnregisteredEnvError } from "./errors.js";
import { OrderEnforcing } from "./wrappers/order-enforcing.js";
import { PassiveEnvChecker } from "./wrappers/passive-env-checker.js";
import { TimeLimit } from "./wrappers/time-limit.js";
import { ValidateStep } from "./wrappers/validate-step.js";

// biome-ignore lint/suspicious/noExplicitAny: an entry point may build any env
export type AnyEnv = Env<any, any>;

export type EnvCreator = (kwargs: Record<string, unknown>) => AnyEnv;

/** `[namespace/]name[-vN]`, as Gymnasium parses ids. */
const ENV_ID = /^(?:[\w:.-]+\/)?[\w:.-]+?(?:-v\d+)?$/;

export const EnvSpecSchema = z.object({
  id: z.string().regex(ENV_ID, "env id must look like [namespace/]Name-vN"),
  entryPoint: z.custom<EnvCreator>((v) => typeof v === "function", "entryPoint must be a function (kwargs) => Env"),
  rewardThreshold: z.number().nullable().default(null),
  nondeterministic: z.boolean().default(false),
  maxEpisodeSteps: z.number().int().positive().nullable().default(null),
  orderEnforce: z.boolean().default(true),
  disableEnvChecker: z.boolean().default(false),
  kwargs: z.record(z.string(), z.unknown()).default({}),
});

export type EnvSpec = z.output<typeof EnvSpecSchema>;
export type EnvSpecInput = z.input<typeof EnvSpecSchema>;

export interface MakeOptions {
  /** Overrides the registered time limit; null removes it. */
  maxEpisodeSteps?: number | null;
  disableEnvChecker?: boolean;
  /** Reject NaN / out-of-space actions and steps after the episode ended (default true). */
  validateSteps?: boolean;
  /** Gymnasium `render_mode`, passed to the env, which checks it against its `metadata.renderModes`. */
  renderMode?: string;
  /** Any other key is passed to the entry point as a kwarg, overriding the registered kwargs. */
  [kwarg: string]: unknown;
}

const specs = new Map<string, EnvSpec>();

/** Registers an env id. Re-registering an id replaces it (Gymnasium warns and overrides). */
export function register(spec: EnvSpecInput): EnvSpec {
  const parsed = EnvSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "spec"}: ${i.message}`).join("; ");
    throw new EnvError(`register(${JSON.stringify(spec?.id)}): ${issues}`);
  }
  specs.set(parsed.data.id, parsed.data);
  return parsed.data;
}

/** All registered specs, by id. */
export const registry: ReadonlyMap<string, EnvSpec> = specs;

/** The spec of `id`; unknown ids throw with the closest registered ids. */
export function spec(id: string): EnvSpec {
  const found = specs.get(id);
  if (found) return found;
  const close = closeMatches(id, [...specs.keys()]);
  const hint = close.length > 0 ? ` Did you mean: ${close.join(", ")}?` : "";
  throw new UnregisteredEnvError(`No environment registered with id "${id}".${hint}`);
}

/** Builds a registered env with its default wrappers. */
export function make(id: string, options: MakeOptions = {}): AnyEnv {
  const base = spec(id);
  const { maxEpisodeSteps, disableEnvChecker, validateSteps, ...kwargs } = options;
  const resolved: EnvSpec = {
    ...base,
    kwargs: { ...base.kwargs, ...kwargs },
    maxEpisodeSteps: maxEpisodeSteps === undefined ? base.maxEpisodeSteps : maxEpisodeSteps,
    disableEnvChecker: disableEnvChecker ?? base.disableEnvChecker,
  };
  let env: AnyEnv = resolved.entryPoint(resolved.kwargs);
  env.unwrapped.spec = resolved;
  env.spec = resolved;
  if (!resolved.disableEnvChecker) env = new PassiveEnvChecker(env);
  if (resolved.orderEnforce) env = new OrderEnforcing(env);
  if (resolved.maxEpisodeSteps !== null) env = new TimeLimit(env, resolved.maxEpisodeSteps);
  if (validateSteps ?? true) env = new ValidateStep(env);
  return env;
}

/** Ids within edit distance ~40% of the query, closest first (difflib-style suggestions). */
function closeMatches(query: string, ids: string[], n = 3): string[] {
  const q = query.toLowerCase();
  return ids
    .map((id) => ({ id, d: editDistance(q, id.toLowerCase()) / Math.max(q.length, id.length) }))
    .filter((x) => x.d <= 0.4)
    .sort((a, b) => a.d - b.d)
    .slice(0, n)
    .map((x) => x.id);
}

/** Levenshtein distance (insertions, deletions, substitutions), for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
