/**
 * `pnpm --filter @qscape/savo run profile`: where SAVO-TD3's update time goes, next to TD3's, on
 * the bench's Hopper-shaped networks. Each phase is timed by wrapping the agent's methods (the
 * wrappers sync at the end of the phase, so a phase's time includes its queued kernels), and one
 * update per agent runs under `tf.profile` for kernel counts and the kernels' own time.
 *
 * Flags: --updates N (default 20), --k N candidates (default 3), --config JSON (SAVO overrides).
 */
import { TD3Agent } from "@qscape/baselines";
import { describeBackend, initBackend, Rng, tf } from "@qscape/core";
import { SavoAgent } from "../src/index.js";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const updates = flag("updates", 20);
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

function fill(agent: TD3Agent): void {
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

async function profileAgent(name: string, agent: TD3Agent): Promise<void> {
  fill(agent);
  for (let i = 0; i < 4; i++) agent.update();
  const phases = new Map<string, number>();
  const a = agent as unknown as Record<string, object>;
  time(phases, "update (total)", agent, "update");
  time(phases, "  TD target", agent, "tdTarget");
  time(phases, "  actor phase (every 2nd)", agent, "updateActor");
  if (agent instanceof SavoAgent) {
    time(phases, "    chain propose (all calls)", agent.chain, "propose");
    time(phases, "    Ψ̂ fit (Eq. 9)", agent.chain, "fitSurrogates");
    time(phases, "    ν step (Eq. 8)", agent.chain, "stepActors");
  }
  time(phases, "  polyak targets", agent, "updateTargets");
  void a;
  for (let i = 0; i < updates; i++) agent.update();
  const total = phases.get("update (total)") ?? 0;
  console.log(`\n${name}: ${(total / updates).toFixed(1)} ms CPU per update (mean of ${updates})`);
  for (const [label, ms] of phases) console.log(`  ${label.padEnd(34)} ${(ms / updates).toFixed(2).padStart(8)} ms`);
  // Kernel census over two updates (one with and one without the actor phase).
  const info = await tf.profile(() => {
    agent.update();
    agent.update();
  });
  const byKernel = new Map<string, { count: number; ms: number }>();
  for (const kInfo of info.kernels) {
    const e = byKernel.get(kInfo.name) ?? { count: 0, ms: 0 };
    e.count += 1;
    e.ms += typeof kInfo.kernelTimeMs === "number" ? kInfo.kernelTimeMs : 0;
    byKernel.set(kInfo.name, e);
  }
  const rows = [...byKernel.entries()].sort((x, y) => y[1].ms - x[1].ms);
  const kernels = rows.reduce((s, [, e]) => s + e.count, 0);
  const kernelMs = rows.reduce((s, [, e]) => s + e.ms, 0);
  console.log(`  kernels per 2 updates: ${kernels}, kernel time ${kernelMs.toFixed(1)} ms; top:`);
  for (const [kName, e] of rows.slice(0, 12)) {
    console.log(`    ${kName.padEnd(22)} ${String(e.count).padStart(6)} × ${e.ms.toFixed(1).padStart(7)} ms`);
  }
}

await profileAgent("td3", new TD3Agent(env, shared));
await profileAgent(`savo k=${k}`, new SavoAgent(env, { ...shared, numCandidates: k, ...extra }));
