/**
 * The native kernels (`@qscape/native`: OpenBLAS matMul, fused Adam/Polyak, autodiff dense) must
 * not change what a learner computes: 200 TD3 updates on identical data give the same losses and
 * weights on plain WASM and on WASM + native, within float32 tolerance.
 */
import { TD3Agent } from "@qscape/baselines";
import { initBackend, Rng, readParameters } from "@qscape/core";
import { make } from "@qscape/envs";
import { expect, it } from "vitest";

async function trace(backend: "wasm" | "wasm+native") {
  const report = await initBackend({ prefer: backend, strict: true });
  expect(report.name).toBe(backend);
  const env = make("Pendulum-v1");
  const agent = new TD3Agent(env, {
    seed: 3,
    actorHidden: [32, 32],
    criticHidden: [32, 32],
    batchSize: 64,
  });
  const rng = new Rng(5);
  let [obs] = env.reset({ seed: 1 });
  for (let i = 0; i < 300; i++) {
    const action = Float32Array.of(rng.uniform(-2, 2));
    const [next, reward, terminated, truncated] = env.step(action);
    agent.observe({ obs, action, reward, nextObs: next, terminated, truncated });
    obs = terminated || truncated ? env.reset()[0] : next;
  }
  const losses: number[] = [];
  for (let i = 0; i < 200; i++) losses.push(agent.update().criticLoss as number);
  const weights = [...agent.actors.flatMap((a) => readParameters(a)), ...readParameters(agent.critics)].flatMap((p) =>
    Array.from(p.data),
  );
  agent.dispose();
  return { losses, weights };
}

it("a TD3 learner computes the same on plain WASM and on WASM + native kernels", async () => {
  const plain = await trace("wasm");
  const native = await trace("wasm+native");
  native.losses.forEach((l, i) => {
    expect(l).toBeCloseTo(plain.losses[i] as number, 2);
  });
  const maxDiff = native.weights.reduce((m, w, i) => Math.max(m, Math.abs(w - (plain.weights[i] as number))), 0);
  expect(maxDiff).toBeLessThan(1e-4);
  await initBackend();
}, 300_000);
