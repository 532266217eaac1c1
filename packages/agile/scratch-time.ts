import { initBackend, tf } from "@qscape/core";
import { type ActionSetObservation, make } from "@qscape/envs";
import { ListwiseCDQNAgent } from "./src/cdqn/agent.js";

await initBackend();
const variant = (process.argv[2] ?? "agile") as "agile";
const env = make("RecSimSlate-v0");
const agent = new ListwiseCDQNAgent(env, {
  variant,
  learningStarts: 128,
  bufferSize: 2000,
  seed: 1,
  epsilonDecaySteps: 1,
});
let [obs] = env.reset({ seed: 1 });
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
let actCpu = 0;
let actWall = 0;
for (let t = 0; t < 150; t++) {
  const c0 = cpu();
  const w0 = performance.now();
  const a = agent.act(obs as ActionSetObservation, { explore: true }); // ε = 0.1 after one step: mostly greedy
  actCpu += cpu() - c0;
  actWall += performance.now() - w0;
  const [next, r, te, tr] = env.step(a);
  agent.observe({
    obs: obs as ActionSetObservation,
    action: a,
    reward: r,
    nextObs: next as ActionSetObservation,
    terminated: te,
    truncated: tr,
  });
  obs = te || tr ? env.reset()[0] : next;
}
const c0 = cpu();
const w0 = performance.now();
for (let u = 0; u < 5; u++) agent.update();
console.log(
  variant,
  "act ms/step cpu",
  ((actCpu / 150) * 1000).toFixed(1),
  "wall",
  (actWall / 150).toFixed(1),
  "update s cpu",
  ((cpu() - c0) / 5).toFixed(2),
  "wall",
  ((performance.now() - w0) / 5000).toFixed(2),
  tf.getBackend(),
);
