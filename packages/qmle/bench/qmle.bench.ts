/**
 * QMLE cost figures (qmle.md §4), measured side by side with TD3 in the same process:
 *
 *   1. update throughput (gradient updates/s) vs the TD-target candidate count M = 101 (paper:
 *      m_target 100 + the stored prior) and M = 1000, at the paper's batch 256 and widths 128/256;
 *   2. cost per env step: QMLE (act with m_greedy = 1000, one update per 10 steps) against TD3
 *      (act, one update per step, batch 256, 256-256 nets): ms per step and the ratio.
 *
 * Rounds are interleaved and the best round is reported, with process CPU time next to wall
 * time: the machine may be shared, so compare ratios, not absolute figures.
 *
 *   pnpm --filter @qscape/qmle bench [-- --rounds=3 --quick]
 */

import { TD3Agent } from "@qscape/baselines";
import { describeBackend, initBackend, Rng } from "@qscape/core";
import { QmleAgent } from "../src/index.js";

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, "").split("=");
    return [k as string, v ?? "true"];
  }),
);
const ROUNDS = Number(args.get("rounds") ?? 3);
const QUICK = args.get("quick") === "true";

interface Shape {
  name: string;
  obsDim: number;
  actionDim: number;
}
const SHAPES: Shape[] = [
  { name: "cartpole (obs 5, d 1)", obsDim: 5, actionDim: 1 },
  { name: "walker (obs 24, d 6)", obsDim: 24, actionDim: 6 },
];

function boxEnv(obsDim: number, actionDim: number) {
  const box = (n: number, bound: number) => ({
    shape: [n],
    low: new Float32Array(n).fill(-bound),
    high: new Float32Array(n).fill(bound),
  });
  return { id: `synthetic-${obsDim}-${actionDim}`, observationSpace: box(obsDim, 10), actionSpace: box(actionDim, 1) };
}

type Timing = { wall: number; cpu: number };

interface Learner {
  obsDim: number;
  actionDim: number;
  observe: QmleAgent["observe"];
  act: QmleAgent["act"];
  update(): Record<string, number>;
  dispose(): void;
}

function fill(agent: Learner, rng: Rng, count: number): void {
  for (let i = 0; i < count; i++) {
    agent.observe({
      obs: rng.fillNormal(new Float32Array(agent.obsDim)) as Float32Array,
      action: rng.fillUniform(new Float32Array(agent.actionDim), -1, 1) as Float32Array,
      reward: rng.normal(),
      nextObs: rng.fillNormal(new Float32Array(agent.obsDim)) as Float32Array,
      terminated: false,
      truncated: false,
    });
  }
}

/** Seconds (wall, CPU) of `fn` run `n` times. */
function time(n: number, fn: () => void): Timing {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

const best = (xs: Timing[]) => ({
  wall: Math.min(...xs.map((x) => x.wall)),
  cpu: Math.min(...xs.map((x) => x.cpu)),
});

const backend = describeBackend(await initBackend());
console.log(`QMLE bench — ${backend}; best of ${ROUNDS} interleaved rounds; the machine may be shared`);

// ---- 1. update throughput vs candidate count ------------------------------------------------
console.log("\n1. gradient updates/s (batch 256, width 128 / joint 256, PER), TD3 (256-256) for reference");
console.log("shape                   | QMLE M=101 | QMLE M=1000 | TD3    | M=1000 / M=101 | TD3 / QMLE M=101");
for (const shape of SHAPES) {
  const env = boxEnv(shape.obsDim, shape.actionDim);
  const n = QUICK ? 3 : 10;
  const mk = (targetCandidates: number) =>
    new QmleAgent(env, { seed: 0, learningStarts: 0, bufferSize: 10_000, targetCandidates });
  const agents = { m101: mk(100), m1000: mk(999) };
  const td3 = new TD3Agent(env, { seed: 0, bufferSize: 10_000 });
  for (const a of [agents.m101, agents.m1000, td3]) fill(a as Learner, new Rng(1), 5000);
  for (const a of [agents.m101, agents.m1000]) a.learn();
  td3.update();
  const rounds: Record<"m101" | "m1000" | "td3", Timing[]> = { m101: [], m1000: [], td3: [] };
  for (let r = 0; r < ROUNDS; r++) {
    rounds.m101.push(time(n, () => agents.m101.learn()));
    rounds.m1000.push(time(Math.max(1, Math.round(n / 4)), () => agents.m1000.learn()));
    rounds.td3.push(time(n * 2, () => td3.update()));
  }
  const perSec = (t: { wall: number }, k: number) => k / t.wall;
  const u101 = perSec(best(rounds.m101), n);
  const u1000 = perSec(best(rounds.m1000), Math.max(1, Math.round(n / 4)));
  const uTd3 = perSec(best(rounds.td3), n * 2);
  console.log(
    `${shape.name.padEnd(23)} | ${u101.toFixed(1).padStart(10)} | ${u1000.toFixed(2).padStart(11)} | ${uTd3.toFixed(1).padStart(6)} | ${(u101 / u1000).toFixed(1).padStart(13)}× slower | ${(uTd3 / u101).toFixed(1)}×`,
  );
  for (const a of [agents.m101, agents.m1000, td3]) a.dispose();
}

// ---- 2. cost per env step vs TD3 ------------------------------------------------------------
console.log("\n2. ms per env step (act + the agent's share of updates): QMLE paper defaults vs TD3 author defaults");
console.log("shape                   | QMLE act | QMLE step | TD3 act | TD3 step | QMLE / TD3 (wall) | (CPU)");
for (const shape of SHAPES) {
  const env = boxEnv(shape.obsDim, shape.actionDim);
  const steps = QUICK ? 20 : 100;
  const qmle = new QmleAgent(env, { seed: 0, learningStarts: 0, bufferSize: 10_000 });
  const td3 = new TD3Agent(env, { seed: 0, bufferSize: 10_000 });
  const rng = new Rng(2);
  fill(qmle, rng, 5000);
  fill(td3 as unknown as Learner, rng, 5000);
  const obs = rng.fillNormal(new Float32Array(shape.obsDim)) as Float32Array;
  const step = (agent: Learner) => () => {
    const a = agent.act(obs, { explore: true });
    agent.observe({ obs, action: a, reward: 0, nextObs: obs, terminated: false, truncated: false });
    agent.update();
  };
  const act = (agent: Learner) => () => agent.act(obs, { explore: false });
  step(qmle)();
  step(td3 as unknown as Learner)();
  const r: Record<"qAct" | "qStep" | "tAct" | "tStep", Timing[]> = { qAct: [], qStep: [], tAct: [], tStep: [] };
  for (let k = 0; k < ROUNDS; k++) {
    r.qAct.push(time(steps, act(qmle)));
    r.qStep.push(time(steps, step(qmle)));
    r.tAct.push(time(steps, act(td3 as unknown as Learner)));
    r.tStep.push(time(steps, step(td3 as unknown as Learner)));
  }
  const ms = (t: { wall: number }) => (1000 * t.wall) / steps;
  const [qa, qs, ta, ts] = [best(r.qAct), best(r.qStep), best(r.tAct), best(r.tStep)];
  console.log(
    `${shape.name.padEnd(23)} | ${ms(qa).toFixed(2).padStart(8)} | ${ms(qs).toFixed(2).padStart(9)} | ${ms(ta).toFixed(2).padStart(7)} | ${ms(ts).toFixed(2).padStart(8)} | ${(qs.wall / ts.wall).toFixed(2).padStart(16)}× | ${(qs.cpu / ts.cpu).toFixed(2)}×`,
  );
  qmle.dispose();
  td3.dispose();
}
