import { initBackend } from "@qscape/core";
import { make } from "@qscape/envs";
import { AgilePPOAgent } from "../src/index.js";

await initBackend();
for (const hidden of [16, 32, 64])
  for (const mh of [8, 64]) {
    const env = make("DigLava-v0");
    const agent = new AgilePPOAgent(env, {
      variant: (process.argv[2] ?? "mask-input-output") as "mask-output",
      hidden,
      maskHidden: mh,
      numEnvs: 1,
      numSteps: 64,
    });
    let [obs] = env.reset({ seed: 0 });
    try {
      for (let i = 0; i < 64; i++) {
        const a = agent.act(obs as never, { explore: true });
        const [n, r, te, tr] = env.step(a);
        agent.observe({ obs: obs as never, action: a, reward: r, nextObs: n as never, terminated: te, truncated: tr });
        obs = te || tr ? env.reset({ seed: i })[0] : n;
      }
      agent.update();
      console.log(hidden, mh, "ok");
    } catch (e) {
      console.log(hidden, mh, "ERR", (e as Error).message.slice(0, 100));
    }
  }
