/**
 * `pnpm --filter @qscape/native run bench` (also run from `pnpm bench:core`): TD3 learner update
 * throughput on plain WASM, on WASM + native kernels, and of the PyTorch peer, with ratios ours/peer;
 * a 256×256 matmul microbenchmark on both backends; and a per-kernel profile of one learner update.
 * tfjs backends cannot be cleanly swapped in one process, so each variant runs in a child process.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type DenseMode, describeBackend, initBackend, setDenseMode, tf } from "@qscape/core";
import { runTorchPeer, Td3ShapedLearner } from "@qscape/testing";

const here = path.dirname(fileURLToPath(import.meta.url));
const thisFile = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(here, "../../..");
const peerScript = path.resolve(repoRoot, "../shared/peers/torch_td3_update.py");
type Backend = "wasm" | "wasm+native";

/**
 * One learner configuration; the native ones run interleaved in one process (see `child`). Core
 * itself uses the fused Adam/Polyak kernels whenever they are registered, and `initBackend` picks
 * the dense mode; the variants here pin the dense mode to show what each layer path costs.
 */
interface Variant {
  label: string;
  backend: Backend;
  /** fast: explicit-transpose gradients; plain: tfjs autodiff; native: a ReLU MLP is one native kernel forward and one backward. */
  dense: DenseMode;
}

const VARIANTS: Variant[] = [
  { label: "wasm (default: fast dense)", backend: "wasm", dense: "fast" },
  { label: "wasm+native, fast dense", backend: "wasm+native", dense: "fast" },
  { label: "wasm+native, autodiff dense", backend: "wasm+native", dense: "plain" },
  { label: "wasm+native (default: fused MLP)", backend: "wasm+native", dense: "native" },
];

export interface KernelProfileRow {
  kernel: string;
  callsPerUpdate: number;
  msPerUpdate: number;
}

export interface VariantResult {
  variant: string;
  backend: string;
  updatesPerSec: number;
  /** GFLOP/s of a 256×256 @ 256×256 matmul: plain, A transposed, B transposed. */
  matmulGflops: { plain: number; transposeA: number; transposeB: number };
  /** Wall time of one update and the part spent inside kernels (the rest is tfjs/JS overhead). */
  msPerUpdate: number;
  kernelMsPerUpdate: number;
  profile: KernelProfileRow[];
  error?: string;
}

export interface NativeBenchResult {
  variants: VariantResult[];
  peer: { version: string; updatesPerSec: number } | { error: string };
  ratioToPeer: Record<string, number>;
  nativeOverWasm?: number;
}

function loadNative(specifier: string): Promise<unknown> {
  // This package's own source, so the figures are for this checkout even before it is linked.
  return specifier === "@qscape/native" ? import("../src/index.js") : import(specifier);
}

function matmulGflops(transposeA: boolean, transposeB: boolean): number {
  const a = tf.randomNormal([256, 256], 0, 1, "float32", 1);
  const b = tf.randomNormal([256, 256], 0, 1, "float32", 2);
  const step = () => tf.tidy(() => tf.matMul(a, b, transposeA, transposeB)).dispose();
  for (let i = 0; i < 20; i++) step();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1000 || n < 20) {
    step();
    n += 1;
  }
  const seconds = (performance.now() - t0) / 1000 / n;
  tf.dispose([a, b]);
  return (2 * 256 ** 3) / seconds / 1e9;
}

async function profileUpdates(
  learner: Td3ShapedLearner,
  updates: number,
): Promise<{ kernelMs: number; rows: KernelProfileRow[] }> {
  const info = await tf.profile(() => {
    for (let i = 0; i < updates; i++) learner.update();
  });
  const byKernel = new Map<string, { calls: number; ms: number }>();
  for (const k of info.kernels) {
    // Custom-gradient scopes show up as pseudo-kernels whose time includes their inner kernels.
    if (tf.getKernel(k.name, "wasm") === undefined) continue;
    const row = byKernel.get(k.name) ?? { calls: 0, ms: 0 };
    row.calls += 1;
    row.ms += Number(k.kernelTimeMs);
    byKernel.set(k.name, row);
  }
  const rows = [...byKernel.entries()]
    .map(([kernel, r]) => ({ kernel, callsPerUpdate: r.calls / updates, msPerUpdate: r.ms / updates }))
    .sort((x, y) => y.msPerUpdate - x.msPerUpdate);
  return { kernelMs: rows.reduce((s, r) => s + r.msPerUpdate, 0), rows };
}

function makeLearner(): Td3ShapedLearner {
  return new Td3ShapedLearner({ seed: 0 });
}

/**
 * All variants of one backend in one process, interleaved in blocks of 5 updates so that load from
 * other processes on a shared machine hits them alike.
 */
async function child(backend: Backend, seconds: number, detailed: boolean): Promise<void> {
  const report = await initBackend({ prefer: backend, strict: true, importModule: loadNative });
  process.stderr.write(`${describeBackend(report)} ${JSON.stringify(report.details)}\n`);
  const variants = VARIANTS.filter((v) => v.backend === backend);
  const learners = variants.map(makeLearner);
  const runBlock = (i: number, updates: number) => {
    setDenseMode((variants[i] as Variant).dense);
    for (let u = 0; u < updates; u++) (learners[i] as Td3ShapedLearner).update();
  };
  for (let i = 0; i < variants.length; i++) runBlock(i, 20);
  const elapsed = variants.map(() => 0);
  const counts = variants.map(() => 0);
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000 * variants.length || Math.min(...counts) < 10) {
    variants.forEach((_, i) => {
      const start = performance.now();
      runBlock(i, 5);
      elapsed[i] = (elapsed[i] as number) + performance.now() - start;
      counts[i] = (counts[i] as number) + 5;
    });
  }
  const none = { plain: Number.NaN, transposeA: Number.NaN, transposeB: Number.NaN };
  const matmul = detailed
    ? {
        plain: matmulGflops(false, false),
        transposeA: matmulGflops(true, false),
        transposeB: matmulGflops(false, true),
      }
    : none;
  const results: VariantResult[] = [];
  for (const [i, v] of variants.entries()) {
    setDenseMode(v.dense);
    const profile = detailed
      ? await profileUpdates(learners[i] as Td3ShapedLearner, 20)
      : { kernelMs: Number.NaN, rows: [] };
    const msPerUpdate = (elapsed[i] as number) / (counts[i] as number);
    results.push({
      variant: v.label,
      backend: report.name,
      updatesPerSec: 1000 / msPerUpdate,
      matmulGflops: matmul,
      msPerUpdate,
      kernelMsPerUpdate: profile.kernelMs,
      profile: profile.rows,
    });
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

function runChild(backend: Backend, seconds: number, detailed: boolean): VariantResult[] {
  const tsx = createRequire(import.meta.url).resolve("tsx/cli");
  const env = { ...process.env };
  delete env.QSCAPE_BACKEND; // the child picks its backend explicitly
  const res = spawnSync(
    process.execPath,
    [
      tsx,
      "--conditions=@qscape/source",
      thisFile,
      "--child",
      backend,
      String(seconds),
      detailed ? "detailed" : "brief",
    ],
    { encoding: "utf8", env, timeout: 900_000 },
  );
  const line = res.stdout.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(line) as VariantResult[];
  } catch {
    const stderr = (res.stderr || res.error?.message || "no output").trim().split("\n");
    const reason = stderr.find((l) => /no backend could be initialised|Error/.test(l)) ?? stderr.at(-1) ?? "";
    return VARIANTS.filter((v) => v.backend === backend).map((v) => ({
      variant: v.label,
      backend: "none",
      updatesPerSec: Number.NaN,
      matmulGflops: { plain: Number.NaN, transposeA: Number.NaN, transposeB: Number.NaN },
      msPerUpdate: Number.NaN,
      kernelMsPerUpdate: Number.NaN,
      profile: [],
      error: reason.trim(),
    }));
  }
}

function runPeer(): NativeBenchResult["peer"] {
  return runTorchPeer(peerScript);
}

/** Run every variant and the peer, print the figures, and return them. */
/** Per variant, the round with the most updates/s (load from other processes only ever slows a run). */
function bestOf(rounds: VariantResult[][]): VariantResult[] {
  const first = rounds[0] ?? [];
  return first.map((r, i) => {
    const runs = rounds.map((round) => round[i] as VariantResult).filter((x) => !x.error);
    const best = runs.reduce((a, b) => (b.updatesPerSec > a.updatesPerSec ? b : a), runs[0] ?? r);
    // Profile and matmul figures come from the first (detailed) round.
    return { ...r, updatesPerSec: best.updatesPerSec, msPerUpdate: best.msPerUpdate };
  });
}

export async function runNativeBench(options: { seconds?: number; rounds?: number } = {}): Promise<NativeBenchResult> {
  const seconds = options.seconds ?? Number(process.env.QSCAPE_BENCH_SECONDS ?? 6);
  const roundCount = options.rounds ?? Number(process.env.QSCAPE_BENCH_ROUNDS ?? 2);
  console.log("== TD3 learner update, peer shape (obs 11, act 3, 256-256, batch 256), one process, 1 thread ==");
  console.log(`   (${roundCount} rounds of native, peer, wasm; best round per variant)`);
  // The peer runs between our two processes, and every round repeats all three, so that drifting
  // machine load does not favour either side.
  const rounds: VariantResult[][] = [];
  const peers: NativeBenchResult["peer"][] = [];
  for (let round = 0; round < roundCount; round++) {
    const nativeResults = runChild("wasm+native", seconds, round === 0);
    peers.push(runPeer());
    rounds.push([...runChild("wasm", seconds, round === 0), ...nativeResults]);
  }
  const variants = bestOf(rounds);
  const peerRuns = peers.filter((p): p is { version: string; updatesPerSec: number } => !("error" in p));
  const peer: NativeBenchResult["peer"] =
    peerRuns.length > 0
      ? peerRuns.reduce((a, b) => (b.updatesPerSec > a.updatesPerSec ? b : a))
      : (peers[0] ?? { error: "not run" });
  for (const r of variants) {
    console.log(
      r.error
        ? `  ${r.variant.padEnd(34)} unavailable: ${r.error}`
        : `  ${r.variant.padEnd(34)} ${r.updatesPerSec.toFixed(1)} updates/s`,
    );
  }
  const ratioToPeer: NativeBenchResult["ratioToPeer"] = {};
  if ("error" in peer) {
    console.log(`  ${"pytorch peer".padEnd(34)} unavailable: ${peer.error}`);
  } else {
    console.log(`  ${`pytorch ${peer.version} (1 BLAS thread)`.padEnd(34)} ${peer.updatesPerSec.toFixed(1)} updates/s`);
    for (const r of variants) if (!r.error) ratioToPeer[r.variant] = r.updatesPerSec / peer.updatesPerSec;
    console.log("  ratio ours/peer:");
    for (const [k, v] of Object.entries(ratioToPeer)) console.log(`    ${k.padEnd(34)} ${v.toFixed(2)}`);
  }
  const [wasm, native] = variants;
  const nativeOverWasm =
    wasm && native && !wasm.error && !native.error ? native.updatesPerSec / wasm.updatesPerSec : undefined;
  if (nativeOverWasm !== undefined) console.log(`  wasm+native / wasm: ${nativeOverWasm.toFixed(2)}x`);

  console.log("\n== matmul 256×256 @ 256×256, GFLOP/s ==");
  console.log("  backend         plain   A^T     B^T");
  for (const r of variants.slice(0, 2)) {
    if (r.error) continue;
    const backend = r.backend;
    const g = r.matmulGflops;
    console.log(
      `  ${backend.padEnd(14)} ${g.plain.toFixed(1).padStart(6)} ${g.transposeA.toFixed(1).padStart(6)} ${g.transposeB.toFixed(1).padStart(6)}`,
    );
  }

  for (const r of variants) {
    if (r.error) continue;
    console.log(
      `\n== profile of one update on ${r.variant}: ${r.msPerUpdate.toFixed(2)} ms wall, ${r.kernelMsPerUpdate.toFixed(2)} ms in kernels, ${r.profile.reduce((s, p) => s + p.callsPerUpdate, 0).toFixed(0)} kernel calls ==`,
    );
    for (const p of r.profile.slice(0, 12)) {
      console.log(
        `  ${p.kernel.padEnd(20)} ${p.msPerUpdate.toFixed(3).padStart(7)} ms  ${p.callsPerUpdate.toFixed(1).padStart(6)} calls`,
      );
    }
  }
  console.log("\n(absolute figures depend on machine load; compare the ratios measured in the same run)");
  return { variants, peer, ratioToPeer, ...(nativeOverWasm !== undefined ? { nativeOverWasm } : {}) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === thisFile) {
  const args = process.argv.slice(2);
  if (args[0] === "--child") await child(args[1] as Backend, Number(args[2]), args[3] === "detailed");
  else await runNativeBench();
}
