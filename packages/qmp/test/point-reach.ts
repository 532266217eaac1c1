/**
 * The didactic point-reaching run of §5.5.2 at test scale: task 0 learns with SAC; its behaviour
 * either shares the fixed helpers' behaviour through the Q-switch (QMP) or does not (No-Sharing).
 * Both use identical SAC and loop settings, as the paper's X vs X + QMP comparisons do (§8).
 */
import { makeTaskSet, type PointReachMTOptions } from "@qscape/envs";
import { QmpAgent } from "../src/agent.js";
import type { QmpConfigInput } from "../src/config.js";
import { trainMultiTask } from "../src/train.js";

export interface PointReachRun {
  /** π_0's deterministic success and return at the end. */
  own: { success: number; return: number };
  /** The deterministic behaviour policy's (Q-switch mixture; π_0 for No-Sharing). */
  mixture: { success: number; return: number };
  /** Task 0's training steps acted by each policy (own, ↑, →, ↗). */
  selections: number[];
  /** Training episodes of task 0 and how many reached the goal (behaviour policy). */
  trainEpisodes: number;
  trainSuccesses: number;
  /** [own return, mixture return] at each evaluation. */
  curve: [number, number][];
}

export function runPointReach(
  seed: number,
  config: Omit<QmpConfigInput, "seed">,
  totalEnvSteps: number,
  task: PointReachMTOptions = {},
): PointReachRun {
  const make = () => makeTaskSet("PointReachMT-v0", { ...task });
  const agent = new QmpAgent(make(), { ...config, seed });
  const curve: [number, number][] = [];
  const result = trainMultiTask(
    agent,
    make(),
    make(),
    // The env is deterministic (fixed start, no noise), so one evaluation episode is exact.
    {
      seed,
      totalEnvSteps,
      envStepsPerUpdate: 50,
      gradStepsPerUpdate: 50,
      minBufferSize: 100,
      evalEpisodes: 1,
      evalEvery: 4,
    },
    { onEvaluation: (r) => curve.push([r.own[0]?.meanReturn as number, r.mixture?.[0]?.meanReturn as number]) },
  );
  const last = result.evaluations[result.evaluations.length - 1];
  agent.dispose();
  const summary = (e: { successRate: number; meanReturn: number } | undefined) => ({
    success: e?.successRate as number,
    return: e?.meanReturn as number,
  });
  return {
    own: summary(last?.own[0]),
    mixture: summary(last?.mixture?.[0]),
    selections: result.selections[0] as number[],
    trainEpisodes: result.trainEpisodes[0] as number,
    trainSuccesses: result.trainSuccesses[0] as number,
    curve,
  };
}
