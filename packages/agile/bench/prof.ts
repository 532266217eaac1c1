import { initBackend } from "@qscape/core";
import { make, stackActionSetObservations } from "@qscape/envs";
import { AgilePPOAgent, makeActionSetVec } from "../src/index.js";

await initBackend();
for (const variant of ["agile", "utility-policy"] as const) {
  const agent = new AgilePPOAgent(make("DigLava-v0"), { variant, numEnvs: 16, numSteps: 128 });
  const vec = makeActionSetVec("DigLava-v0", 16);
  let [obs] = vec.reset({ seed: 0 });
  let tAct = 0,
    tEnv = 0;
  for (let t = 0; t < 128; t++) {
    const s = stackActionSetObservations(obs);
    const a0 = performance.now();
    const act = agent.actBatch(s, 16, true);
    const a1 = performance.now();
    const r = vec.step(act.actions);
    const a2 = performance.now();
    agent.recordBatch({
      obs: s,
      act,
      rewards: r[1],
      terminated: r[2],
      truncated: r[3],
      next: stackActionSetObservations(r[0]),
    });
    obs = r[0];
    tAct += a1 - a0;
    tEnv += a2 - a1;
  }
  const u0 = performance.now();
  agent.update();
  const u1 = performance.now();
  console.log(
    variant,
    "act ms/step",
    (tAct / 128).toFixed(2),
    "env ms/step",
    (tEnv / 128).toFixed(2),
    "update ms",
    (u1 - u0).toFixed(0),
  );
}
