/** Seeded training runs on registered envs through core's loop, stopping once a threshold is reached. */
import { type Agent, isBox, isDiscrete, type LoopResult, type Rng, runOffPolicy, runOnPolicy } from "@qscape/core";
import { make } from "@qscape/envs";

export interface Run {
  result: LoopResult;
  /** Mean eval return of each evaluation. */
  curve: number[];
  best: number;
  seconds: number;
}

/** A uniformly random action drawn from the loop's RNG (so warm-up is reproducible from the loop seed). */
export function uniformAction(space: unknown, rng: Rng): Float32Array | number {
  if (isDiscrete(space)) return rng.int(0, space.n);
  if (isBox(space)) {
    const out = new Float32Array(space.low.length);
    for (let i = 0; i < out.length; i++) out[i] = rng.uniform(space.low[i] as number, space.high[i] as number);
    return out;
  }
  throw new Error(`no uniform sampler for action space ${JSON.stringify(space)}`);
}

function summarise(result: LoopResult, started: number): Run {
  const curve = result.evals.map((e) => Math.round(e.mean));
  return { result, curve, best: Math.max(...curve), seconds: (performance.now() - started) / 1000 };
}

interface Budget {
  totalSteps: number;
  warmupSteps?: number;
  evalEvery: number;
  evalEpisodes: number;
  seed: number;
  /** Stop as soon as an evaluation's mean return reaches this. */
  stopAt: number;
}

export function trainOffPolicy<Act extends Float32Array | number>(
  envId: string,
  makeAgent: (env: ReturnType<typeof make>) => Agent<Float32Array, Act>,
  budget: Budget,
): Run {
  const env = make(envId);
  const evalEnv = make(envId);
  const agent = makeAgent(env);
  const started = performance.now();
  try {
    const result = runOffPolicy<Float32Array, Act>(
      {
        totalSteps: budget.totalSteps,
        warmupSteps: budget.warmupSteps ?? 0,
        evalEvery: budget.evalEvery,
        evalEpisodes: budget.evalEpisodes,
        seed: budget.seed,
      },
      {
        env: env as never,
        evalEnv: evalEnv as never,
        agent,
        randomAction: (rng: Rng) => uniformAction(env.actionSpace, rng) as Act,
        onEval: (e) => (e.mean >= budget.stopAt ? "stop" : undefined),
      },
    );
    return summarise(result, started);
  } finally {
    agent.dispose();
  }
}

export function trainOnPolicy<Act extends Float32Array | number>(
  envId: string,
  makeAgent: (env: ReturnType<typeof make>) => Agent<Float32Array, Act>,
  budget: Omit<Budget, "warmupSteps"> & { rolloutSteps: number },
): Run {
  const env = make(envId);
  const evalEnv = make(envId);
  const agent = makeAgent(env);
  const started = performance.now();
  try {
    const result = runOnPolicy<Float32Array, Act>(
      {
        totalSteps: budget.totalSteps,
        rolloutSteps: budget.rolloutSteps,
        evalEvery: budget.evalEvery,
        evalEpisodes: budget.evalEpisodes,
        seed: budget.seed,
      },
      {
        env: env as never,
        evalEnv: evalEnv as never,
        agent,
        onEval: (e) => (e.mean >= budget.stopAt ? "stop" : undefined),
      },
    );
    return summarise(result, started);
  } finally {
    agent.dispose();
  }
}
