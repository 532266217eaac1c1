/** Seeded QMLE training on a registered env through core's loop, stopping once a threshold is reached. */
import { type LoopResult, type Rng, runOffPolicy } from "@qscape/core";
import { make } from "@qscape/envs";
import { QmleAgent, type QmleConfigInput } from "../src/index.js";

export interface Run {
  result: LoopResult;
  /** Mean eval return of each evaluation. */
  curve: number[];
  best: number;
  seconds: number;
}

export interface Budget {
  totalSteps: number;
  warmupSteps: number;
  evalEvery: number;
  evalEpisodes: number;
  seed: number;
  /** Stop as soon as an evaluation's mean return reaches this. */
  stopAt: number;
}

export function trainQmle(envId: string, config: QmleConfigInput, budget: Budget): Run {
  const env = make(envId);
  const evalEnv = make(envId);
  const agent = new QmleAgent(env, config);
  const space = env.actionSpace as unknown as { low: ArrayLike<number>; high: ArrayLike<number> };
  const started = performance.now();
  try {
    const result = runOffPolicy<Float32Array, Float32Array>(
      {
        totalSteps: budget.totalSteps,
        warmupSteps: budget.warmupSteps,
        evalEvery: budget.evalEvery,
        evalEpisodes: budget.evalEpisodes,
        seed: budget.seed,
      },
      {
        env: env as never,
        evalEnv: evalEnv as never,
        agent,
        randomAction: (rng: Rng) =>
          Float32Array.from({ length: space.low.length }, (_, i) =>
            rng.uniform(space.low[i] as number, space.high[i] as number),
          ),
        onEval: (e) => (e.mean >= budget.stopAt ? "stop" : undefined),
      },
    );
    const curve = result.evals.map((e) => Math.round(e.mean));
    return { result, curve, best: Math.max(...curve), seconds: (performance.now() - started) / 1000 };
  } finally {
    agent.dispose();
  }
}
