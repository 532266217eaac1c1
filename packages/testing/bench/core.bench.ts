/**
 * `pnpm bench:core`: learner throughput against the PyTorch peer, the fast dense op, replay.
 * Every backend variant runs in its own child process (tfjs backends cannot be cleanly swapped in
 * one process, and a fresh process keeps the figures independent). Figures print as a table and
 * as JSON (`--json out.json`).
 */
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type BackendName, describeBackend, fastDense, initBackend, plainDense, setFastDense, tf } from "@qscape/core";
import { runTorchPeer, Td3ShapedLearner } from "../src/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../../..");
const peerScript = path.resolve(repoRoot, "../shared/peers/torch_td3_update.py");

interface ChildResult {
  backend: string;
  /** null: the backend's default (explicit-transpose dense on wasm/cpu, autodiff + fused kernels on wasm+native). */
  fast: boolean | null;
  updatesPerSec: number;
  updates: number;
  error?: string;
}

async function child(backend: BackendName, fast: boolean | null, seconds: number): Promise<void> {
  const report = await initBackend({ prefer: backend, strict: true });
  process.stderr.write(`${describeBackend(report)}\n`);
  if (fast !== null) setFastDense(fast);
  const learner = new Td3ShapedLearner();
  const warm = backend === "cpu" ? 2 : 20;
  for (let i = 0; i < warm; i++) learner.update();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000 || n < 4) {
    learner.update();
    n += 1;
  }
  const dt = (performance.now() - t0) / 1000;
  const out: ChildResult = { backend: report.name, fast, updatesPerSec: n / dt, updates: n };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function runChild(backend: BackendName, fast: boolean | null, seconds: number): ChildResult {
  const res = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), "--child", backend, String(fast), String(seconds)],
    {
      encoding: "utf8",
      env: { ...process.env, QSCAPE_BACKEND: "" },
      timeout: (seconds + 120) * 1000,
    },
  );
  const line = res.stdout.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(line) as ChildResult;
  } catch {
    const lines = (res.stderr || res.error?.message || "no output").trim().split("\n");
    const reason = (lines.find((l) => /^\w*Error: /.test(l.trim())) ?? lines.at(-1) ?? "").trim();
    return { backend, fast, updatesPerSec: Number.NaN, updates: 0, error: reason };
  }
}

/** The PyTorch peer; "default" lets OpenBLAS use every core (reference only). */
const runPeer = (blasThreads: "1" | "default" = "1") => runTorchPeer(peerScript, blasThreads);

/** Gradient of a 256×256 dense layer: fast (explicit transposes) vs tfjs autodiff (transposed matMul). */
async function denseGradBench(): Promise<{ fastMs: number; plainMs: number }> {
  await initBackend({ prefer: "wasm" });
  const x = tf.randomNormal([256, 256], 0, 1, "float32", 1) as tf.Tensor2D;
  const w = tf.variable(tf.randomNormal([256, 256], 0, 0.05, "float32", 2));
  const b = tf.variable(tf.zeros([256]));
  const time = (f: typeof fastDense) => {
    const step = () =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.sum(f(x, w as tf.Tensor2D, b as tf.Tensor1D)) as tf.Scalar, [w, b]);
        (grads[w.name] as tf.Tensor).dataSync();
      });
    for (let i = 0; i < 5; i++) step();
    const n = 40;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) step();
    return (performance.now() - t0) / n;
  };
  return { fastMs: time(fastDense), plainMs: time(plainDense) };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--child") {
    await child(args[1] as BackendName, args[2] === "null" ? null : args[2] === "true", Number(args[3]));
    return;
  }
  const jsonOut = args.includes("--json") ? args[args.indexOf("--json") + 1] : undefined;
  const seconds = Number(process.env.QSCAPE_BENCH_SECONDS ?? 8);
  const results: Record<string, unknown> = { date: new Date().toISOString() };

  console.log(
    "== TD3 learner throughput (peer shape: obs 11, act 3, 256-256, batch 256, twin critics, actor+Polyak every 2nd) ==",
  );
  const variants: [BackendName, boolean | null, number][] = [
    ["wasm+native", null, seconds],
    ["wasm", true, seconds],
    ["wasm", false, seconds],
    ["cpu", true, Math.min(seconds, 5)],
    ["cpu", false, Math.min(seconds, 5)],
    ["tensorflow", true, seconds],
    ["tensorflow-gpu", true, seconds],
  ];
  // The peer runs before and after ours and its mean is the reference: its speed drifts by ±10 %
  // over minutes on a shared machine, and bracketing keeps the ratio fair.
  const peerBefore = runPeer();
  const learner: ChildResult[] = [];
  for (const [backend, fast, s] of variants) {
    const r = runChild(backend, fast, s);
    learner.push(r);
    const label = `${backend}${fast === null ? " (default kernels)" : fast ? " + fast dense" : " (tfjs autodiff)"}`;
    console.log(
      r.error
        ? `  ${label.padEnd(34)} unavailable: ${r.error}`
        : `  ${label.padEnd(34)} ${r.updatesPerSec.toFixed(1)} updates/s`,
    );
  }
  results.learner = learner;

  const peerAfter = runPeer();
  const peer =
    "error" in peerBefore || "error" in peerAfter
      ? peerBefore
      : { version: peerAfter.version, updatesPerSec: (peerBefore.updatesPerSec + peerAfter.updatesPerSec) / 2 };
  results.peer = { before: peerBefore, after: peerAfter, reference: peer };
  if ("error" in peer) {
    console.log(`  pytorch peer (1 BLAS thread)       unavailable: ${peer.error}`);
  } else {
    const [b, a] = [peerBefore, peerAfter].map((p) => ("error" in p ? Number.NaN : p.updatesPerSec));
    console.log(
      `  pytorch ${peer.version} peer (1 BLAS thread) ${peer.updatesPerSec.toFixed(1)} updates/s (before ${b?.toFixed(1)}, after ${a?.toFixed(1)})`,
    );
    const ratios: Record<string, number> = {};
    for (const r of learner) {
      if (!r.error) ratios[`${r.backend}${r.fast === false ? "-autodiff" : ""}`] = r.updatesPerSec / peer.updatesPerSec;
    }
    results.ratioToPeer = ratios;
    for (const [k, v] of Object.entries(ratios)) console.log(`  ratio ours/peer ${k.padEnd(20)} ${v.toFixed(3)}`);
    // For reference only: the same peer when OpenBLAS may use every core (not a per-process figure).
    const pooled = runPeer("default");
    results.peerDefaultBlasThreads = pooled;
    if (!("error" in pooled)) {
      const native = learner.find((r) => r.backend === "wasm+native" && !r.error);
      console.log(
        `  (peer with OpenBLAS's default thread pool, all cores: ${pooled.updatesPerSec.toFixed(1)} updates/s${native ? `; ours wasm+native on one core / that = ${(native.updatesPerSec / pooled.updatesPerSec).toFixed(3)}` : ""})`,
      );
    }
  }
  const fast = learner.find((r) => r.backend === "wasm" && r.fast && !r.error);
  const slow = learner.find((r) => r.backend === "wasm" && !r.fast && !r.error);
  if (fast && slow)
    console.log(
      `  fast dense speed-up of a whole TD3 update (wasm): ${(fast.updatesPerSec / slow.updatesPerSec).toFixed(2)}x`,
    );

  console.log("\n== Dense layer gradient, 256×256 @ 256×256 (wasm) ==");
  const dense = await denseGradBench();
  results.denseGrad = { ...dense, speedup: dense.plainMs / dense.fastMs };
  console.log(
    `  fast dense ${dense.fastMs.toFixed(2)} ms, tfjs autodiff ${dense.plainMs.toFixed(2)} ms: ${(dense.plainMs / dense.fastMs).toFixed(1)}x`,
  );

  console.log("\n== Replay ==");
  const replayBench = path.join(repoRoot, "packages/core/bench/replay.bench.ts");
  if (existsSync(replayBench)) {
    const mod = (await import(replayBench)) as { runReplayBench: () => Promise<Record<string, number>> };
    const replay = await mod.runReplayBench();
    results.replay = replay;
    for (const [k, v] of Object.entries(replay))
      console.log(`  ${k.padEnd(40)} ${Number.isInteger(v) ? v : v.toFixed(2)}`);
  }
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2));
}

await main();
