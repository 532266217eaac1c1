/**
 * The algorithms `pnpm bench` can run. Each entry builds an agent for an env from the suite's
 * matched settings (seed, network widths, warm-up) plus per-suite overrides, and says whether it
 * supports an env's spaces — checked before anything runs.
 */

import { TD3Agent } from "@qscape/baselines";
import type { Agent } from "@qscape/core";

export interface AgentContext {
  seed: number;
  hidden: number[];
  warmupSteps: number;
  /** Per-suite hyperparameter overrides (validated by the algorithm's own zod schema). */
  config: Record<string, unknown>;
}

export interface SpacesLike {
  observationSpace: unknown;
  actionSpace: unknown;
  spec?: { id?: string } | null;
}

export interface AlgorithmEntry {
  id: string;
  description: string;
  /** null when the env's spaces are supported, else why not. */
  supports(env: SpacesLike): string | null;
  create(env: SpacesLike, ctx: AgentContext): Agent<unknown, unknown>;
}

const isBox = (s: unknown): boolean => {
  const b = s as { shape?: unknown; low?: unknown; n?: unknown } | null;
  return !!b && Array.isArray(b.shape) && b.low !== undefined && b.n === undefined;
};
const isDiscrete = (s: unknown): boolean => typeof (s as { n?: unknown } | null)?.n === "number";

const continuousControl = (env: SpacesLike): string | null =>
  !isBox(env.observationSpace)
    ? "needs a Box observation space"
    : !isBox(env.actionSpace)
      ? "needs a Box (continuous) action space"
      : null;

const envSpaces = (env: SpacesLike) => ({
  observationSpace: env.observationSpace,
  actionSpace: env.actionSpace,
  ...(env.spec?.id ? { spec: { id: env.spec.id } } : {}),
});

function td3Like(id: string, description: string, overrides: Record<string, unknown> = {}): AlgorithmEntry {
  return {
    id,
    description,
    supports: continuousControl,
    create: (env, ctx) =>
      new TD3Agent(
        envSpaces(env),
        {
          seed: ctx.seed,
          actorHidden: ctx.hidden,
          criticHidden: ctx.hidden,
          learningStarts: ctx.warmupSteps,
          ...overrides,
          ...ctx.config,
        },
        { name: id },
      ) as unknown as Agent<unknown, unknown>,
  };
}

const entries: AlgorithmEntry[] = [
  td3Like("td3", "TD3 (Fujimoto et al. 2018), author-code defaults"),
  td3Like("ddpg", "DDPG-style: one critic, no target smoothing, policy delay 1 (TD3 backbone)", {
    criticCount: 1,
    targetPolicyNoise: 0,
    policyDelay: 1,
  }),
];

export const ALGORITHMS: ReadonlyMap<string, AlgorithmEntry> = new Map(entries.map((e) => [e.id, e]));

export function registerAlgorithm(entry: AlgorithmEntry): void {
  (ALGORITHMS as Map<string, AlgorithmEntry>).set(entry.id, entry);
}

export function algorithm(id: string): AlgorithmEntry {
  const a = ALGORITHMS.get(id);
  if (!a) throw new Error(`unknown algorithm "${id}"; known: ${[...ALGORITHMS.keys()].join(", ")}`);
  return a;
}

export { isBox, isDiscrete };
