/**
 * The algorithms `pnpm bench` can run. Each entry builds an agent for an env from the suite's
 * matched settings (seed, network widths, warm-up) plus per-suite overrides, and says whether it
 * supports an env's spaces — checked before anything runs.
 */
import {
  CEMAgent,
  DDPGAgent,
  DQNAgent,
  EnsembleAgent,
  GreedyACAgent,
  GreedyTD3Agent,
  PPOAgent,
  ResetTD3Agent,
  SACAgent,
  TD3Agent,
  WolpertingerAgent,
} from "@qscape/baselines";
import type { Agent } from "@qscape/core";
import { QmleAgent } from "@qscape/qmle";
import { SavoAgent, SavoSacAgent } from "@qscape/savo";
import { SmoothieAgent } from "@qscape/smoothie";

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

/** How the training loop drives the agent, when it differs from the off-policy default. */
export interface LoopShape {
  /** On-policy learners: one update per rollout of this many steps, no random warm-up. */
  rolloutSteps?: number;
}

export interface Built {
  agent: Agent<unknown, unknown>;
  loop: LoopShape;
}

export interface AlgorithmEntry {
  id: string;
  description: string;
  /** null when the env's spaces are supported, else why not. */
  supports(env: SpacesLike): string | null;
  create(env: SpacesLike, ctx: AgentContext): Built;
}

export const isBox = (s: unknown): boolean => {
  const b = s as { shape?: unknown; low?: unknown; n?: unknown } | null;
  return !!b && Array.isArray(b.shape) && b.low !== undefined && b.n === undefined;
};
export const isDiscrete = (s: unknown): boolean => typeof (s as { n?: unknown } | null)?.n === "number";

const continuousControl = (env: SpacesLike): string | null =>
  !isBox(env.observationSpace)
    ? "needs a Box observation space"
    : !isBox(env.actionSpace)
      ? "needs a Box (continuous) action space"
      : null;

const discreteControl = (env: SpacesLike): string | null =>
  !isBox(env.observationSpace)
    ? "needs a Box observation space"
    : !isDiscrete(env.actionSpace)
      ? "needs a Discrete action space"
      : null;

const envSpaces = (env: SpacesLike) => ({
  observationSpace: env.observationSpace,
  actionSpace: env.actionSpace,
  ...(env.spec?.id ? { spec: { id: env.spec.id } } : {}),
});

type ActorCritic = new (env: ReturnType<typeof envSpaces>, config: Record<string, unknown>) => unknown;

/** Off-policy actor-critics sharing TD3's config vocabulary (actorHidden, criticHidden, learningStarts). */
function actorCritic(id: string, description: string, Ctor: ActorCritic): AlgorithmEntry {
  return {
    id,
    description,
    supports: continuousControl,
    create: (env, ctx) => ({
      agent: new Ctor(envSpaces(env), {
        seed: ctx.seed,
        actorHidden: ctx.hidden,
        criticHidden: ctx.hidden,
        learningStarts: ctx.warmupSteps,
        ...ctx.config,
      }) as Agent<unknown, unknown>,
      loop: {},
    }),
  };
}

const entries: AlgorithmEntry[] = [
  actorCritic("td3", "TD3 (Fujimoto et al. 2018), author-code defaults", TD3Agent as unknown as ActorCritic),
  actorCritic("ddpg", "DDPG (Lillicrap et al. 2016) with OU exploration", DDPGAgent as unknown as ActorCritic),
  actorCritic("sac", "SAC with twin critics and automatic entropy tuning", SACAgent as unknown as ActorCritic),
  actorCritic(
    "savo",
    "SAVO-TD3: successive actors + surrogates, maximizer actor (k = 3)",
    SavoAgent as unknown as ActorCritic,
  ),
  actorCritic(
    "savo-sac",
    "SAVO on SAC (App. D.3): SAC's mean action + successive actors and surrogates, maximizer actor (k = 3)",
    SavoSacAgent as unknown as ActorCritic,
  ),
  actorCritic(
    "smoothie",
    "Smoothie (Nachum et al. 2018): Gaussian policy on a smoothed critic, exact diagonal action-Hessian",
    SmoothieAgent as unknown as ActorCritic,
  ),
  actorCritic("ensemble", "k-actor ensemble on TD3, best by Q (k = 3)", EnsembleAgent as unknown as ActorCritic),
  actorCritic(
    "wolpertinger",
    "k-samples / Wolpertinger on TD3, best by Q (k = 3)",
    WolpertingerAgent as unknown as ActorCritic,
  ),
  actorCritic("cem", "CEM actor over Q on the TD3 critic", CEMAgent as unknown as ActorCritic),
  actorCritic(
    "greedy-ac",
    "Greedy Actor-Critic (proposal policy + percentile actor)",
    GreedyACAgent as unknown as ActorCritic,
  ),
  actorCritic(
    "greedy-td3",
    "Greedy-TD3 (Greedy-AC's proposal on the TD3 backbone)",
    GreedyTD3Agent as unknown as ActorCritic,
  ),
  actorCritic("td3-resets", "TD3 with periodic network resets", ResetTD3Agent as unknown as ActorCritic),
  {
    id: "qmle",
    description: "QMLE: action-in Q with best-of-m search and maximum-likelihood argmax predictors",
    supports: continuousControl,
    // QMLE's two streams are half the matched width, so its joint head is as wide as the critics'
    // layers; it updates every 10 env steps on its own schedule (paper), whatever the loop asks.
    create: (env, ctx) => ({
      agent: new QmleAgent(envSpaces(env), {
        seed: ctx.seed,
        width: Math.max(1, Math.round((ctx.hidden[0] ?? 256) / 2)),
        learningStarts: ctx.warmupSteps,
        ...ctx.config,
      }) as unknown as Agent<unknown, unknown>,
      loop: {},
    }),
  },
  {
    id: "dqn",
    description: "Double DQN (optional dueling, PER, n-step)",
    supports: discreteControl,
    create: (env, ctx) => ({
      agent: new DQNAgent(envSpaces(env), {
        seed: ctx.seed,
        hidden: ctx.hidden,
        learningStarts: ctx.warmupSteps,
        ...ctx.config,
      }) as unknown as Agent<unknown, unknown>,
      loop: {},
    }),
  },
  {
    id: "ppo",
    description: "PPO (clipped objective, GAE), discrete or continuous",
    supports: (env) => (isBox(env.observationSpace) ? null : "needs a Box observation space"),
    create: (env, ctx) => {
      const agent = new PPOAgent(envSpaces(env), { seed: ctx.seed, hidden: ctx.hidden, ...ctx.config });
      return { agent: agent as unknown as Agent<unknown, unknown>, loop: { rolloutSteps: agent.config.rolloutSteps } };
    },
  },
];

export const ALGORITHMS: ReadonlyMap<string, AlgorithmEntry> = new Map(entries.map((e) => [e.id, e]));

export function algorithm(id: string): AlgorithmEntry {
  const a = ALGORITHMS.get(id);
  if (!a) throw new Error(`unknown algorithm "${id}"; known: ${[...ALGORITHMS.keys()].join(", ")}`);
  return a;
}
