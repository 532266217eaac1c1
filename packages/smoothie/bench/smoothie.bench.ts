/**
 * `pnpm bench:smoothie`: time per environment step of Smoothie against DDPG, measured side by side
 * in the same process (ratio Smoothie / DDPG). One env step = act + env.step + observe + one update;
 * both learners do one policy step and one critic step per update (DDPG with policyDelay 1, as in
 * the paper's Algorithm 1: one actor, one critic and one target step per env step). Smoothie's
 * extra work is the second critic-batch forward, and the Taylor-mode diagonal Hessian: 2·d_a extra forward passes, so the ratio grows with
 * the action dimension (Hopper d_a = 3, Humanoid d_a = 17).
 *
 * Rounds alternate the learners (ABAB…) and each keeps its best round, so a burst of load on the
 * shared machine hits both. Absolute figures depend on that load; quote the ratios.
 *
 *   --quick        fewer steps per round (a smoke run)
 *   --envs=A,B     env ids (default Hopper-v5,Humanoid-v5)
 *   --critic-activation=elu   Smoothie's critic activation (default tanh; tfjs-wasm's tanh is ~20×
 *                  slower than its elu, and Smoothie's critic evaluates it on every Taylor pass)
 */
import { DDPGAgent } from "@qscape/baselines";
import { type Agent, describeBackend, initBackend, Rng } from "@qscape/core";
import { loadMujoco, make } from "@qscape/envs";
import { type SmoothActivation, SmoothieAgent } from "../src/index.js";

const quick = process.argv.includes("--quick");
const envsArg = process.argv.find((a) => a.startsWith("--envs="))?.slice("--envs=".length);
const envIds = envsArg ? envsArg.split(",") : ["Hopper-v5", "Humanoid-v5"];
const criticActivation = (process.argv.find((a) => a.startsWith("--critic-activation="))?.split("=")[1] ??
  "tanh") as SmoothActivation;
const stepsPerRound = quick ? 20 : 60;
const rounds = quick ? 2 : 3;
const warmupTransitions = 2000;
/** The suite's matched settings: 256-256 nets, batch 256. */
const shared = { actorHidden: [256, 256], criticHidden: [256, 256], batchSize: 256, bufferSize: 20_000, seed: 1 };

type Learner = Agent<Float32Array, Float32Array>;

interface Runner {
  name: string;
  agent: Learner;
  /** ms per env step in each round. */
  rounds: number[];
  envMs: number;
  updateMs: number;
  steps: number;
}

function uniform(space: { low: Float32Array; high: Float32Array }, rng: Rng): Float32Array {
  return space.low.map((lo, i) => rng.uniform(lo, space.high[i] as number));
}

function makeRunner(name: string, envId: string, agent: Learner) {
  const env = make(envId);
  const rng = new Rng(3);
  const space = env.actionSpace as unknown as { low: Float32Array; high: Float32Array };
  let [obs] = env.reset({ seed: 1 });
  const runner: Runner = { name, agent, rounds: [], envMs: 0, updateMs: 0, steps: 0 };
  const step = (action: Float32Array): number => {
    const t0 = performance.now();
    const [nextObs, reward, terminated, truncated] = env.step(action);
    const envMs = performance.now() - t0;
    agent.observe({ obs, action, reward, nextObs, terminated, truncated });
    obs = nextObs;
    if (terminated || truncated) [obs] = env.reset({ seed: rng.seed() });
    return envMs;
  };
  for (let i = 0; i < warmupTransitions; i++) step(uniform(space, rng));
  for (let i = 0; i < 5; i++) agent.update();
  const round = () => {
    const start = performance.now();
    for (let i = 0; i < stepsPerRound; i++) {
      runner.envMs += step(agent.act(obs, { explore: true }));
      const t0 = performance.now();
      agent.update();
      runner.updateMs += performance.now() - t0;
      runner.steps += 1;
    }
    runner.rounds.push((performance.now() - start) / stepsPerRound);
  };
  return { runner, round };
}

async function main(): Promise<void> {
  const backend = await initBackend();
  await loadMujoco();
  console.log(
    `backend: ${describeBackend(backend)}; 256-256 nets, batch 256, Smoothie critic ${criticActivation}, ${rounds} rounds × ${stepsPerRound} steps`,
  );
  console.log("(shared machine: absolute times are under contention; compare the ratio column)");
  console.log("env          d_a  DDPG ms/step  Smoothie ms/step  ratio  (update share: DDPG / Smoothie)");
  for (const envId of envIds) {
    const probe = make(envId);
    const spaces = { observationSpace: probe.observationSpace, actionSpace: probe.actionSpace, spec: { id: envId } };
    const actionDim = (probe.actionSpace as unknown as { shape: number[] }).shape[0] as number;
    const ddpg = makeRunner("ddpg", envId, new DDPGAgent(spaces, { ...shared, policyDelay: 1 }));
    const smoothie = makeRunner("smoothie", envId, new SmoothieAgent(spaces, { ...shared, criticActivation }));
    for (let r = 0; r < rounds; r++) {
      ddpg.round();
      smoothie.round();
    }
    const best = (x: Runner) => Math.min(...x.rounds);
    const share = (x: Runner) => x.updateMs / (x.rounds.reduce((a, b) => a + b, 0) * stepsPerRound);
    const d = best(ddpg.runner);
    const s = best(smoothie.runner);
    console.log(
      `${envId.padEnd(12)} ${String(actionDim).padStart(3)}  ${d.toFixed(1).padStart(12)}  ${s.toFixed(1).padStart(16)}  ${(s / d).toFixed(2).padStart(5)}  (${(100 * share(ddpg.runner)).toFixed(0)}% / ${(100 * share(smoothie.runner)).toFixed(0)}%)`,
    );
    ddpg.runner.agent.dispose();
    smoothie.runner.agent.dispose();
  }
}

await main();
