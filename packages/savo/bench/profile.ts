/**
 * `pnpm --filter @qscape/savo run profile`: where SAVO-TD3's update time goes, next to TD3's, on
 * the bench's Hopper-shaped networks. Each phase's CPU time (this process's user + system time,
 * steadier than wall time on a shared machine) is taken by wrapping the agent's methods; a
 * wrapper syncs a returned tensor, so a phase's time includes its kernels. Two updates per agent
 * then run under `tf.profile` for a census of kernel launches.
 *
 * Flags: --updates N in all (default 40), --rounds N (default 5), --k N candidates (default 3), --config JSON (SAVO overrides).
 */
import { TD3Agent } from "@qscape/baselines";
import { describeBackend, initBackend, Rng, tf } from "@qscape/core";
import { SavoAgent } from "../src/index.js";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const updates = flag("updates", 40);
const rounds = flag("rounds", 5);
const k = flag("k", 3);
const configIndex = args.indexOf("--config");
/** Extra SAVO config fields as JSON, e.g. --config '{"summarySize":16}'. */
const extra = configIndex >= 0 ? (JSON.parse(args[configIndex + 1] as string) as object) : {};

console.log(describeBackend(await initBackend()));
const OBS = 11;
const ACT = 3;
const env = {
  id: "Hopper-shaped",
  observationSpace: { shape: [OBS], low: new Float32Array(OBS).fill(-10), high: new Float32Array(OBS).fill(10) },
  actionSpace: { shape: [ACT], low: new Float32Array(ACT).fill(-1), high: new Float32Array(ACT).fill(1) },
};
const shared = { seed: 0, actorHidden: [256, 256], criticHidden: [256, 256], batchSize: 256, bufferSize: 20_000 };

/** TD3, or SAVO holding a TD3 learner. */
type Profilable = TD3Agent | SavoAgent;

function fill(agent: Profilable): void {
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

/** Wrap `obj[method]` so its wall time (inclusive, to the end of its kernels) adds to `phases[label]`. */
function time(phases: Map<string, number>, label: string, obj: object, method: string): void {
  const target = obj as Record<string, (...a: unknown[]) => unknown>;
  const original = target[method] as (...a: unknown[]) => unknown;
  target[method] = function (this: unknown, ...a: unknown[]) {
    const t0 = process.cpuUsage();
    const out = original.apply(this, a);
    if (out instanceof tf.Tensor) out.dataSync();
    const dt = process.cpuUsage(t0);
    phases.set(label, (phases.get(label) ?? 0) + (dt.user + dt.system) / 1000);
    return out;
  };
}

interface Profiled {
  name: string;
  agent: Profilable;
  /** Phase label → CPU ms per update, one entry per round. */
  phases: Map<string, number[]>;
  current: Map<string, number>;
}

function instrument(name: string, agent: Profilable): Profiled {
  fill(agent);
  for (let i = 0; i < 10; i++) agent.update();
  const current = new Map<string, number>();
  time(current, "update (total)", agent, "update");
  time(current, "  TD target", agent, "tdTarget");
  if (agent instanceof TD3Agent) time(current, "  TD target", agent, "targetAction");
  time(current, "  actor phase (every 2nd update)", agent, "actorStep");
  if (agent instanceof SavoAgent) {
    time(current, "    chain proposals (all calls)", agent.chain, "propose");
    time(current, "    Ψ̂ fit (Eq. 9)", agent.chain, "fitSurrogates");
    time(current, "    ν step (Eq. 8)", agent.chain, "stepActors");
  }
  time(current, "  Polyak targets", agent instanceof SavoAgent ? agent.td3 : agent, "updateTargets");
  return { name, agent, phases: new Map(), current };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** 2·m·k·n of a (batched) matMul from its input shapes, whichever operand is transposed. */
function matMulFlops([a = [], b = []]: number[][]): number {
  const [p, q] = a.slice(-2) as [number, number];
  const [r, s] = b.slice(-2) as [number, number];
  const batch = a.slice(0, -2).reduce((x, y) => x * y, 1);
  // (m, k, n) for untransposed, b transposed, a transposed, both transposed.
  const mkn = q === r ? [p, q, s] : q === s ? [p, q, r] : p === r ? [q, p, s] : [q, p, r];
  return 2 * batch * mkn.reduce((x, y) => x * y, 1);
}

/** Matmul FLOPs inside core's fused MLP kernels (QscapeMlp forward, QscapeMlpGrad backward). */
function mlpFlops(name: string, inputs: number[][], outputs: number[][]): number {
  const rows = (name === "QscapeMlp" ? inputs[0] : inputs[1])?.[0] ?? 0;
  const layer = (w: number[] | undefined) => 2 * rows * (w?.[0] ?? 0) * (w?.[1] ?? 0);
  if (name === "QscapeMlp") return inputs.filter((_, i) => i % 2 === 1).reduce((f, w) => f + layer(w), 0);
  const layers = (inputs.length - 1) / 2; // dy, x, L−1 hidden activations, L weights
  const weights = inputs.slice(-layers);
  const inputGrad = outputs.length === 1 || outputs.length === 2 * layers + 1;
  const paramGrads = outputs.length >= 2 * layers;
  return weights.reduce((f, w, l) => f + (paramGrads ? layer(w) : 0) + (l > 0 || inputGrad ? layer(w) : 0), 0);
}

async function kernelCensus(p: Profiled): Promise<void> {
  // Two updates: one with and one without the actor phase.
  const info = await tf.profile(() => {
    p.agent.update();
    p.agent.update();
  });
  const byKernel = new Map<string, number>();
  let flops = 0;
  for (const kInfo of info.kernels) {
    byKernel.set(kInfo.name, (byKernel.get(kInfo.name) ?? 0) + 1);
    if (kInfo.name === "BatchMatMul" || kInfo.name === "_FusedMatMul") {
      flops += matMulFlops(kInfo.inputShapes as number[][]);
    } else if (kInfo.name === "QscapeMlp" || kInfo.name === "QscapeMlpGrad") {
      flops += mlpFlops(kInfo.name, kInfo.inputShapes as number[][], kInfo.outputShapes as number[][]);
    }
  }
  const rows = [...byKernel.entries()].sort((x, y) => y[1] - x[1]);
  const total = rows.reduce((s, [, c]) => s + c, 0);
  flopsPerUpdate.set(p.name, flops / 2);
  console.log(
    `  ${p.name}: ${(flops / 2 / 1e6).toFixed(0)} MFLOP of matMul and ${total / 2} kernel launches per update; most frequent:`,
  );
  console.log(
    `    ${rows
      .slice(0, 10)
      .map(([n, c]) => `${n} ${c}`)
      .join(", ")}`,
  );
}

const agents = [
  instrument("td3", new TD3Agent(env, shared)),
  instrument(`savo k=${k}`, new SavoAgent(env, { ...shared, numCandidates: k, ...extra })),
];
// Interleaved rounds so machine load affects both alike; per-round means, then the median.
const perRound = Math.max(2, Math.round(updates / rounds / 2) * 2);
for (let r = 0; r < rounds; r++) {
  for (const p of agents) {
    p.current.clear();
    for (let i = 0; i < perRound; i++) p.agent.update();
    for (const [label, ms] of p.current) {
      const list = p.phases.get(label) ?? [];
      list.push(ms / perRound);
      p.phases.set(label, list);
    }
  }
}
console.log(`\nCPU ms per update (median over ${rounds} rounds of ${perRound} updates; a phase includes its kernels)`);
const labels = [...(agents[1] as Profiled).phases.keys()];
console.log(`${"phase".padEnd(36)}${agents.map((p) => p.name.padStart(12)).join("")}`);
for (const label of labels) {
  const cells = agents.map((p) => {
    const xs = p.phases.get(label);
    return (xs ? median(xs).toFixed(2) : "").padStart(12);
  });
  console.log(`${label.padEnd(36)}${cells.join("")}`);
}
const totals = agents.map((p) => median(p.phases.get("update (total)") ?? [0]));
console.log(`ratio savo/td3 per update: ${((totals[1] as number) / (totals[0] as number)).toFixed(2)}`);
const flopsPerUpdate = new Map<string, number>();
for (const p of agents) await kernelCensus(p);
const [base, savo] = agents.map((p) => flopsPerUpdate.get(p.name) ?? 0) as [number, number];
console.log(
  `matMul arithmetic ratio savo/td3: ${(savo / base).toFixed(2)} (the floor for the CPU ratio when matMuls dominate)`,
);
