import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Agent, describeBackend, initBackend, Rng, runOffPolicy } from "@qscape/core";
import { loadMujoco, make } from "@qscape/envs";
import { runTorchPeer } from "@qscape/testing";
import { SACAgent, TD3Agent } from "../src/index.js";
import { boxEnv, fillReplay } from "../src/testing.js";
import { uniformAction } from "../test/train.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const peerScript = path.resolve(here, "../../../../shared/peers/torch_td3_update.py");
const quick = process.argv.includes("--quick");

function td3UpdatesPerSecond(seconds: number): number {
  const agent = new TD3Agent(boxEnv(11, 3), { bufferSize: 10_000, seed: 1 });
  fillReplay(agent, new Rng(1), 5000);
  for (let i = 0; i < 10; i++) agent.update();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    agent.update();
    n += 1;
  }
  const rate = n / ((performance.now() - t0) / 1000);
  agent.dispose();
  return rate;
}

function torchPeer(): { rate: number; version: string } | { error: string } {
  const peer = runTorchPeer(peerScript);
  return "error" in peer ? peer : { version: peer.version, rate: peer.updatesPerSec };
}

interface StepTiming {
  stepsPerSecond: number;
  envMsPerStep: number;
  learnerMsPerStep: number;
}

/** Random warm-up (untimed), then `steps` timed env steps, each followed by one update. */
function endToEnd(envId: string, agent: Agent<Float32Array, Float32Array>, warmup: number, steps: number): StepTiming {
  const env = make(envId);
  const rng = new Rng(7);
  let [obs] = env.reset({ seed: 1 });
  const advance = (action: Float32Array) => {
    const t0 = performance.now();
    const [nextObs, reward, terminated, truncated] = env.step(action);
    const t1 = performance.now();
    agent.observe({ obs, action, reward, nextObs, terminated, truncated });
    obs = nextObs;
    if (terminated || truncated) [obs] = env.reset({ seed: rng.seed() });
    return t1 - t0;
  };
  for (let i = 0; i < warmup; i++) advance(uniformAction(env.actionSpace, rng) as Float32Array);
  let envMs = 0;
  let learnerMs = 0;
  const start = performance.now();
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const action = agent.act(obs, { explore: true });
    const t1 = performance.now();
    envMs += advance(action);
    const t2 = performance.now();
    agent.update();
    learnerMs += t1 - t0 + (performance.now() - t2);
  }
  const total = (performance.now() - start) / 1000;
  agent.dispose();
  env.close?.();
  return { stepsPerSecond: steps / total, envMsPerStep: envMs / steps, learnerMsPerStep: learnerMs / steps };
}

function row(label: string, t: StepTiming): string {
  const ratio = t.learnerMsPerStep / t.envMsPerStep;
  return `  ${label.padEnd(44)} ${t.stepsPerSecond.toFixed(1).padStart(8)} steps/s   env ${t.envMsPerStep.toFixed(3)} ms   learner ${t.learnerMsPerStep.toFixed(2)} ms   learner/env ${ratio.toFixed(0)}×`;
}

const backend = await initBackend();
await loadMujoco();
console.log(`qscape baselines bench — ${describeBackend(backend)}; figures measured on a possibly shared machine`);

console.log("\n== TD3 update throughput, Hopper shape (obs 11, act 3, 256-256, batch 256) ==");
const ours = td3UpdatesPerSecond(quick ? 3 : 15);
console.log(`  qscape TD3Agent.update              ${ours.toFixed(1)} updates/s`);
const peer = torchPeer();
if ("error" in peer) console.log(`  pytorch peer                        ${peer.error}`);
else {
  console.log(`  pytorch ${peer.version} peer (1 BLAS thread) ${peer.rate.toFixed(1)} updates/s`);
  console.log(`  ratio ours/peer                     ${(ours / peer.rate).toFixed(3)}`);
}

console.log("\n== End-to-end env steps/s, 1 update per step ==");
const big = { actorHidden: [256, 256], criticHidden: [256, 256], batchSize: 256, bufferSize: 50_000, seed: 1 };
const small = { ...big, actorHidden: [64, 64], criticHidden: [64, 64] };
const hopperSteps = quick ? 50 : 300;
const ipSteps = quick ? 200 : 1000;
const hopper = (config: typeof big) => ({ envId: "Hopper-v5", config, steps: hopperSteps });
const ip = (config: typeof big) => ({ envId: "InvertedPendulum-v5", config, steps: ipSteps });
for (const [label, spec] of [
  ["TD3 Hopper-v5 (256-256, batch 256)", hopper(big)],
  ["SAC Hopper-v5 (256-256, batch 256)", hopper(big)],
  ["TD3 InvertedPendulum-v5 (64-64, batch 256)", ip(small)],
  ["SAC InvertedPendulum-v5 (64-64, batch 256)", ip(small)],
] as const) {
  const env = make(spec.envId);
  const agent = label.startsWith("TD3") ? new TD3Agent(env, spec.config) : new SACAgent(env, spec.config);
  console.log(row(label, endToEnd(spec.envId, agent, 1000, spec.steps)));
}

if (!quick) {
  console.log(
    "\n== Wall-clock to solve Pendulum-v1 with TD3 (64-64, batch 64, lr 1e-3, seed 1; ≥ −250 over 10 episodes) ==",
  );
  const config = {
    actorHidden: [64, 64],
    criticHidden: [64, 64],
    batchSize: 64,
    bufferSize: 20_000,
    seed: 1,
    actorLr: 1e-3,
    criticLr: 1e-3,
  };
  const env = make("Pendulum-v1");
  const agent = new TD3Agent(env, config);
  const t0 = performance.now();
  const result = runOffPolicy<Float32Array, Float32Array>(
    { totalSteps: 10_000, warmupSteps: 1000, evalEvery: 1000, evalEpisodes: 10, seed: 1 },
    {
      env: env as never,
      evalEnv: make("Pendulum-v1") as never,
      agent,
      randomAction: (rng) => uniformAction(env.actionSpace, rng) as Float32Array,
      onEval: (e) => (e.mean >= -250 ? "stop" : undefined),
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  const solved = result.evals.find((e) => e.mean >= -250);
  const t = result.timings;
  console.log(
    solved
      ? `  solved at ${solved.step} env steps (eval mean ${solved.mean.toFixed(0)}) in ${seconds.toFixed(1)} s wall-clock`
      : `  not solved within 10k steps (${seconds.toFixed(1)} s)`,
  );
  console.log(
    `  time split: update ${t.update.toFixed(1)} s, act ${t.act.toFixed(1)} s, env ${t.env.toFixed(2)} s, eval ${t.eval.toFixed(1)} s; learner/env ${((t.update + t.act) / t.env).toFixed(0)}×`,
  );
  agent.dispose();
}
