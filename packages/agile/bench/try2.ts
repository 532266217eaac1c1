import { initBackend } from "@qscape/core";
import { AgilePPOAgent, evaluateVector, trainVector } from "../src/index.js";
import { DIG_PINK, DigLavaAtPinkRiver } from "../test/dig-lava-pink.js";

const variant = (process.argv[2] ?? "agile") as "agile";
const steps = Number(process.argv[3] ?? 20000);
const numEnvs = Number(process.argv[4] ?? 16);
const numSteps = Number(process.argv[5] ?? 64);
await initBackend();
const env = () => new DigLavaAtPinkRiver(Number(process.env.DOWNS ?? 4));
const agent = new AgilePPOAgent(env(), { variant, numEnvs, numSteps, seed: 1, ...JSON.parse(process.argv[6] ?? "{}") });
const res = trainVector(agent, {
  env,
  totalSteps: steps,
  seed: 1,
  onUpdate: ({ step, updates, metrics }) => {
    if (updates % 10 === 0) {
      const ev = evaluateVector(agent, { env, episodes: 32, seed: 999 });
      const w = ev.episodes.filter((e) => e.actionIds.includes(DIG_PINK));
      const wo = ev.episodes.filter((e) => !e.actionIds.includes(DIG_PINK));
      const mm = (xs: { return: number }[]) => (xs.reduce((s, e) => s + e.return, 0) / xs.length).toFixed(1);
      console.log(
        step,
        "ent",
        metrics.entropy?.toFixed(3),
        "greedy: offered",
        mm(w),
        "dig",
        (w.filter((e) => e.digs > 0).length / w.length).toFixed(2),
        "succ",
        (w.filter((e) => e.success).length / w.length).toFixed(2),
        "| not offered",
        mm(wo),
        "succ",
        (wo.filter((e) => e.success).length / wo.length).toFixed(2),
        "len",
        (wo.reduce((s, e) => s + e.length, 0) / wo.length).toFixed(1),
      );
    }
  },
});
const eps = res.episodes;
const k = Math.ceil(eps.length / 8);
for (let i = 0; i < eps.length; i += k) {
  const w = eps.slice(i, i + k);
  console.log(
    `ep ${i}: ret ${(w.reduce((s, e) => s + e.return, 0) / w.length).toFixed(2)} succ ${(w.filter((e) => e.success).length / w.length).toFixed(2)} dig ${(w.filter((e) => e.digs > 0).length / w.length).toFixed(2)} len ${(w.reduce((s, e) => s + e.length, 0) / w.length).toFixed(1)}`,
  );
}
console.log("train s", res.seconds.toFixed(1), "steps/s", (res.steps / res.seconds).toFixed(0));
const ev = evaluateVector(agent, { env, episodes: 64, seed: 999 });
const withDig = ev.episodes.filter((e) => e.actionIds.includes(DIG_PINK));
const without = ev.episodes.filter((e) => !e.actionIds.includes(DIG_PINK));
const m = (xs: { return: number }[]) => (xs.reduce((s, e) => s + e.return, 0) / xs.length).toFixed(2);
console.log(
  "eval all",
  ev.meanReturn.toFixed(2),
  "succ",
  ev.successRate,
  "| dig offered",
  withDig.length,
  m(withDig),
  "dig rate",
  withDig.filter((e) => e.digs > 0).length / withDig.length,
  "| not offered",
  m(without),
  "succ",
  without.filter((e) => e.success).length / without.length,
);
