/**
 * `pnpm bench:agile`: AGILE-PPO's act and update cost against Utility-Policy's as the number of
 * available actions K grows (Dig Lava 7, RecSim 20, CREATE 25, and 500). AGILE's GATs attend over
 * K² pairs; Utility-Policy scores K actions independently. Synthetic observations (16-d state,
 * 11-d representations); act = one batched forward for 16 envs; update = one PPO update of
 * 4 epochs × 4 minibatches on a rollout of 16 envs × `steps` steps. Arguments pick the K's to run
 * (`pnpm bench:agile 500`); none runs all four.
 */
import { initBackend, Rng, tf } from "@qscape/core";
import { AgilePPOAgent, type AgileVariant } from "../src/index.js";

const report = await initBackend();
const S = 16;
const D = 11;
const ENVS = 16;

function observation(rng: Rng, k: number, n: number) {
  const actionIds = new Int32Array(ENVS * k);
  for (let b = 0; b < ENVS; b++) actionIds.set(Array.from(rng.permutation(n)).slice(0, k), b * k);
  return {
    state: rng.fillNormal(new Float32Array(ENVS * S)) as Float32Array,
    actionIds,
    actionFeatures: rng.fillNormal(new Float32Array(ENVS * k * D)) as Float32Array,
    actionMask: new Uint8Array(ENVS * k).fill(1),
  };
}

function time(variant: AgileVariant, k: number, steps: number): { act: number; update: number } {
  const n = Math.max(k, 1000);
  const spaces = {
    observationSpace: { spaces: { state: { shape: [S] }, actionFeatures: { shape: [k, D] } } },
    actionSpace: { n },
  };
  const agent = new AgilePPOAgent(spaces, { variant, numEnvs: ENVS, numSteps: steps, seed: 0 });
  const rng = new Rng(1);
  const obs = observation(rng, k, n);
  agent.actBatch(obs, ENVS, true); // warm-up
  const t0 = performance.now();
  for (let t = 0; t < steps; t++) {
    const act = agent.actBatch(obs, ENVS, true);
    agent.recordBatch({
      obs,
      act,
      rewards: new Float32Array(ENVS),
      terminated: new Uint8Array(ENVS),
      truncated: new Uint8Array(ENVS),
      next: obs,
    });
  }
  const t1 = performance.now();
  agent.update();
  const t2 = performance.now();
  agent.dispose();
  return { act: (t1 - t0) / steps, update: t2 - t1 };
}

console.log(`backend ${report.name}; ${ENVS} envs; act = ms per batched step, update = ms per PPO update`);
console.log("K     steps  agile act  agile update  utility act  utility update");
const CASES = [
  [7, 32],
  [20, 32],
  [25, 32],
  [500, 4],
] as const;
const asked = process.argv.slice(2).map(Number);
const unknown = asked.filter((k) => !CASES.some(([c]) => c === k));
if (unknown.length > 0)
  throw new Error(`bench:agile: K must be one of ${CASES.map(([c]) => c).join(", ")}; got ${unknown.join(", ")}`);
for (const [k, steps] of CASES.filter(([c]) => asked.length === 0 || asked.includes(c))) {
  const a = time("agile", k, steps);
  const u = time("utility-policy", k, steps);
  console.log(
    `${String(k).padEnd(5)} ${String(steps).padEnd(6)} ${a.act.toFixed(1).padStart(9)}  ${a.update.toFixed(0).padStart(12)}  ${u.act.toFixed(1).padStart(11)}  ${u.update.toFixed(0).padStart(14)}`,
  );
}
tf.disposeVariables();
