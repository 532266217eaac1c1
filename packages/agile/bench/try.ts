import { initBackend } from "@qscape/core";
import { make } from "@qscape/envs";
import { AgilePPOAgent, evaluateVector, trainVector } from "../src/index.js";

const variant = (process.argv[2] ?? "agile") as "agile";
const steps = Number(process.argv[3] ?? 20000);
const numEnvs = Number(process.argv[4] ?? 16);
const numSteps = Number(process.argv[5] ?? 64);
const rep = await initBackend();
console.log(rep.name);
const vec = make("DigLava-v0");
const agent = new AgilePPOAgent(vec, { variant, numEnvs, numSteps, seed: 1, ...JSON.parse(process.argv[6] ?? "{}") });
const res = trainVector(agent, {
  env: "DigLava-v0",
  totalSteps: steps,
  seed: 1,
  onUpdate: ({ step, updates, metrics }) => {
    if (updates % 5 === 0) console.log(step, JSON.stringify(metrics));
  },
});
const eps = res.episodes;
for (let i = 0; i < eps.length; i += Math.ceil(eps.length / 10)) {
  const w = eps.slice(i, i + Math.ceil(eps.length / 10));
  console.log(
    `ep ${i}: ret ${(w.reduce((s, e) => s + e.return, 0) / w.length).toFixed(2)} succ ${(w.filter((e) => e.success).length / w.length).toFixed(2)} dig ${(w.filter((e) => e.digs > 0).length / w.length).toFixed(2)} len ${(w.reduce((s, e) => s + e.length, 0) / w.length).toFixed(1)}`,
  );
}
console.log("train s", res.seconds.toFixed(1), "steps/s", (res.steps / res.seconds).toFixed(0));
const ev = evaluateVector(agent, { env: "DigLava-v0", episodes: 64, seed: 999 });
console.log("eval", ev.meanReturn.toFixed(2), ev.successRate, ev.digRate);
