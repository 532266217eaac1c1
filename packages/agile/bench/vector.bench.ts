/**
 * `pnpm --filter @qscape/agile bench:vector`: env steps per second of an AGILE-PPO run on Dig Lava
 * with 1 env and with 16 vector envs (`trainVector`, SAME_STEP autoreset), at the same PPO batch
 * (2,048 transitions per update: 1 × 2,048 or 16 × 128 steps) and the same total steps, so the two
 * differ only in how the rollout is collected: one batched forward pass for 16 envs per step instead
 * of one per env. "collect" counts acting and env stepping, "run" the whole loop with its updates.
 * An argument sets the total steps (default 8,192, i.e. 4 updates).
 */
import { initBackend, tf } from "@qscape/core";
import { make } from "@qscape/envs";
import { AgilePPOAgent, trainVector } from "../src/index.js";

const report = await initBackend();
const BATCH = 2048;
const totalSteps = Number(process.argv[2] ?? 8192);
if (!Number.isInteger(totalSteps) || totalSteps < BATCH || totalSteps % BATCH !== 0) {
  throw new Error(`bench:vector: total steps must be a positive multiple of ${BATCH}; got ${process.argv[2]}`);
}

function time(numEnvs: number): { collect: number; run: number } {
  const agent = new AgilePPOAgent(make("DigLava-v0"), { numEnvs, numSteps: BATCH / numEnvs, seed: 0 });
  const update = agent.update.bind(agent);
  let updateMs = 0;
  agent.update = () => {
    const t = performance.now();
    const metrics = update();
    updateMs += performance.now() - t;
    return metrics;
  };
  const result = trainVector(agent, { env: "DigLava-v0", totalSteps, seed: 0 });
  agent.dispose();
  const seconds = result.seconds;
  return { collect: result.steps / (seconds - updateMs / 1000), run: result.steps / seconds };
}

console.log(`backend ${report.name}; AGILE-PPO on DigLava-v0; ${totalSteps} env steps, PPO batch ${BATCH}`);
const one = time(1);
const sixteen = time(16);
console.log("envs  collect steps/s  run steps/s");
console.log(`1     ${one.collect.toFixed(0).padStart(15)}  ${one.run.toFixed(0).padStart(11)}`);
console.log(`16    ${sixteen.collect.toFixed(0).padStart(15)}  ${sixteen.run.toFixed(0).padStart(11)}`);
console.log(
  `16 envs vs 1: collect ${(sixteen.collect / one.collect).toFixed(2)}×, run ${(sixteen.run / one.run).toFixed(2)}×`,
);
tf.disposeVariables();
