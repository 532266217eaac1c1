/**
 * `pnpm bench` (packages/savo): SAVO-TD3's time per env step and memory relative to TD3, on
 * Hopper-shaped networks (obs 11, action 3, 256-256, batch 256), all measured in one process with
 * the agents interleaved round by round so machine load affects them alike. One "env step" is
 * what the training loop does per step at update-to-data ratio 1: one exploring `act` and one
 * `update` (TD3 and SAVO both with policy delay 2). Replay holds random transitions (no physics:
 * the env's own cost is the same for every agent). Memory is the tfjs bytes each agent holds
 * (parameters, target copies, Adam moments) after training steps, plus its replay arrays.
 *
 * Wall-clock ratios move with the machine's load; the CPU-time columns (this process's user +
 * system time per step; tfjs and the native kernels run on the calling thread) are the steadier
 * comparison on a shared machine.
 *
 * Flags: --rounds N (default 5), --steps N per round (default 6), --json out.json.
 */
import { writeFileSync } from "node:fs";
import { TD3Agent } from "@qscape/baselines";
import { describeBackend, initBackend, Rng, tf } from "@qscape/core";
import { SavoAgent } from "../src/index.js";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const rounds = flag("rounds", 5);
const steps = flag("steps", 6);
const jsonIndex = args.indexOf("--json");

const report = await initBackend();
console.log(describeBackend(report));

const OBS = 11;
const ACT = 3;
const env = {
  id: "Hopper-shaped",
  observationSpace: { shape: [OBS], low: new Float32Array(OBS).fill(-10), high: new Float32Array(OBS).fill(10) },
  actionSpace: { shape: [ACT], low: new Float32Array(ACT).fill(-1), high: new Float32Array(ACT).fill(1) },
};
const shared = { seed: 0, actorHidden: [256, 256], criticHidden: [256, 256], batchSize: 256, bufferSize: 20_000 };

interface Entry {
  name: string;
  agent: TD3Agent | SavoAgent;
  act: number[];
  update: number[];
  /** CPU ms (user + system) per env step: robust to other processes on the machine. */
  cpu: number[];
  bytes: number;
}

function fill(agent: TD3Agent | SavoAgent): void {
  const rng = new Rng(1);
  for (let i = 0; i < 5000; i++) {
    agent.observe({
      obs: rng.fillNormal(new Float32Array(OBS)) as Float32Array,
      action: rng.fillUniform(new Float32Array(ACT), -1, 1) as Float32Array,
      reward: rng.normal(),
      nextObs: rng.fillNormal(new Float32Array(OBS)) as Float32Array,
      terminated: rng.random() < 0.01,
      truncated: false,
    });
  }
}

const makers: [string, () => TD3Agent | SavoAgent][] = [
  ["td3", () => new TD3Agent(env, shared)],
  ["savo k=3", () => new SavoAgent(env, { ...shared, numCandidates: 3 })],
  ["savo k=5", () => new SavoAgent(env, { ...shared, numCandidates: 5 })],
];
const entries: Entry[] = makers.map(([name, make]) => {
  const before = tf.memory().numBytes;
  const agent = make();
  fill(agent);
  for (let i = 0; i < 4; i++) agent.update();
  agent.act(new Float32Array(OBS), { explore: true });
  const replayBytes = (agent instanceof SavoAgent ? agent.td3 : agent).replay.capacity * (2 * OBS + ACT + 2) * 4;
  return { name, agent, act: [], update: [], cpu: [], bytes: tf.memory().numBytes - before + replayBytes };
});

const obsRng = new Rng(5);
for (let r = 0; r < rounds; r++) {
  for (const e of entries) {
    let act = 0;
    let update = 0;
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < steps; i++) {
      const obs = obsRng.fillNormal(new Float32Array(OBS)) as Float32Array;
      const t0 = performance.now();
      e.agent.act(obs, { explore: true });
      const t1 = performance.now();
      e.agent.update();
      update += performance.now() - t1;
      act += t1 - t0;
    }
    const cpu = process.cpuUsage(cpu0);
    e.act.push(act / steps);
    e.update.push(update / steps);
    e.cpu.push((cpu.user + cpu.system) / 1000 / steps);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
/** Ratio per round (same load), then the median over rounds. */
const ratio = (e: Entry, base: Entry, f: (x: Entry, i: number) => number) =>
  median(e.act.map((_, i) => f(e, i) / f(base, i)));
const base = entries[0] as Entry;
const perStep = (x: Entry, i: number) => (x.act[i] as number) + (x.update[i] as number);
const REPLAY_1M = 1_000_000 * (2 * OBS + ACT + 2) * 4;
const rows = entries.map((e) => ({
  agent: e.name,
  stepMs: median(e.act.map((_, i) => perStep(e, i))),
  actMs: median(e.act),
  updateMs: median(e.update),
  stepRatio: ratio(e, base, perStep),
  cpuMs: median(e.cpu),
  cpuRatio: ratio(e, base, (x, i) => x.cpu[i] as number),
  actRatio: ratio(e, base, (x, i) => x.act[i] as number),
  updateRatio: ratio(e, base, (x, i) => x.update[i] as number),
  memoryMB: e.bytes / 2 ** 20,
  memoryRatio: e.bytes / base.bytes,
  // With a 1M-transition replay (TD3's default) the networks are a small part of the footprint.
  memoryRatio1M: (e.bytes + REPLAY_1M) / (base.bytes + REPLAY_1M),
}));
console.log(
  `\n${rounds} rounds × ${steps} steps; ratios are per-round medians vs td3 (machine shared: absolute ms are under contention)`,
);
console.log(
  "agent      step ms  (act / update)      × td3 step  × act   × update   CPU ms  × td3 CPU   memory MB  × td3 mem  × td3 (1M replay)",
);
for (const r of rows) {
  console.log(
    `${r.agent.padEnd(10)} ${r.stepMs.toFixed(1).padStart(7)}  (${r.actMs.toFixed(2)} / ${r.updateMs.toFixed(1)})`.padEnd(
      37,
    ) +
      `${r.stepRatio.toFixed(2).padStart(9)}  ${r.actRatio.toFixed(2).padStart(5)}  ${r.updateRatio.toFixed(2).padStart(7)}` +
      `  ${r.cpuMs.toFixed(1).padStart(6)}  ${r.cpuRatio.toFixed(2).padStart(8)}` +
      `  ${r.memoryMB.toFixed(1).padStart(9)}  ${r.memoryRatio.toFixed(3).padStart(8)}  ${r.memoryRatio1M.toFixed(3).padStart(8)}`,
  );
}
console.log("paper (Table 1, GPU): savo k=3 1.42× time, 1.034× memory; k=5 1.97× time, 1.10× memory");
if (jsonIndex >= 0)
  writeFileSync(args[jsonIndex + 1] as string, JSON.stringify({ backend: report.name, rows }, null, 2));
for (const e of entries) e.agent.dispose();
