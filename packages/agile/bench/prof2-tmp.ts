import { initBackend } from "@qscape/core";
import { make } from "@qscape/envs";
import { agileAlgorithms } from "../src/bench.js";
await initBackend();
const [algo, envId, steps, cfg] = [process.argv[2]!, process.argv[3]!, Number(process.argv[4]), JSON.parse(process.argv[5] ?? "{}")];
const env = make(envId) as any;
const entry = agileAlgorithms.find((e) => e.id === algo)!;
const agent = entry.create(env, { seed: 1, hidden: [64, 64], warmupSteps: 0, config: { numEnvs: 1, numSteps: steps, ...cfg } } as any).agent as any;
let [obs] = env.reset({ seed: 3 });
let tEnv = 0, tAct = 0;
for (let t = 0; t < steps; t++) {
  const a0 = performance.now();
  const action = agent.act(obs, { explore: true });
  const a1 = performance.now();
  const [next, reward, terminated, truncated] = env.step(action);
  const a2 = performance.now();
  agent.observe({ obs, action, reward, nextObs: next, terminated, truncated });
  obs = terminated || truncated ? env.reset()[0] : next;
  tAct += a1 - a0; tEnv += a2 - a1;
}
const u0 = performance.now();
const m = agent.update();
console.log(JSON.stringify(m), JSON.stringify(agent.act(obs, { explore: false })));
console.log(algo, envId, "per step: act ms", (tAct / steps).toFixed(2), "env ms", (tEnv / steps).toFixed(2), "update s", ((performance.now() - u0) / 1000).toFixed(1));
