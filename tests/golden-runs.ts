/**
 * Short fixed-seed training runs whose evaluation returns are recorded (golden-values.json) and
 * checked by golden.test.ts: a refactor that moves code must not move a single number. Prints the
 * returns as JSON when run directly (`tsx --conditions=@qscape/source tests/golden-runs.ts`).
 */
import { TD3Agent } from "@qscape/baselines";
import { type Agent, initBackend, type Rng, TrainingLoop } from "@qscape/core";
import { make } from "@qscape/envs";
import { SavoAgent, SavoSacAgent } from "@qscape/savo";

const small = { seed: 7, actorHidden: [32, 32], criticHidden: [32, 32], batchSize: 64 };
const makers: Record<string, () => Agent<Float32Array, Float32Array>> = {
  td3: () => new TD3Agent(make("Pendulum-v1"), small),
  savo: () => new SavoAgent(make("Pendulum-v1"), small),
  "savo-sac": () => new SavoSacAgent(make("Pendulum-v1"), small),
};

/** Evaluation returns of each agent: 1,000 steps, 250 of them random, evaluated every 250. */
export function goldenRuns(): Record<string, number[][]> {
  const out: Record<string, number[][]> = {};
  for (const [name, mk] of Object.entries(makers)) {
    const agent = mk();
    const loop = new TrainingLoop(
      { totalSteps: 1000, warmupSteps: 250, evalEvery: 250, evalEpisodes: 2, seed: 7 },
      {
        env: make("Pendulum-v1"),
        evalEnv: make("Pendulum-v1"),
        agent,
        randomAction: (rng: Rng) => Float32Array.of(rng.uniform(-2, 2)),
      },
    );
    out[name] = loop.run().evals.map((e) => e.returns);
    agent.dispose();
  }
  return out;
}

if (process.argv[1]?.endsWith("golden-runs.ts")) {
  const backend = await initBackend();
  console.log(JSON.stringify({ backend: backend.name, runs: goldenRuns() }));
}
