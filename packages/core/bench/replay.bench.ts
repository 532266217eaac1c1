/**
 * Replay throughput and footprint for Hopper-shaped transitions (obs 11, action 3, reward,
 * next obs 11, terminated, truncated): inserts/s, sample-256 batches/s (uniform and prioritized),
 * bytes for 1M transitions, and checkpoint save/load time of a full 1M buffer. The peer is a
 * NumPy ring buffer written the way Stable-Baselines3's ReplayBuffer (used by CleanRL) stores and
 * samples, run in the same process tree so ratios (ours / peer) are comparable under load.
 *
 * Alone: npx tsx --conditions=@qscape/source packages/core/bench/replay.bench.ts
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { loadCheckpoint, saveCheckpoint } from "../src/checkpoint.js";
import { PrioritizedReplayBuffer } from "../src/replay/prioritized.js";
import { type FieldSpec, ReplayBuffer } from "../src/replay/replay-buffer.js";
import { Rng } from "../src/rng.js";

const CAPACITY = 1_000_000;
const INSERTS = 100_000;
const BATCH = 256;
const SAMPLE_SECONDS = 0.3;
/** Each rate is the best of this many rounds: on a shared machine the best round is the least disturbed. */
const ROUNDS = 5;

const hopperFields: Record<string, FieldSpec> = {
  obs: { shape: [11] },
  action: { shape: [3] },
  reward: { shape: [] },
  nextObs: { shape: [11] },
  terminated: { shape: [], dtype: "uint8" },
  truncated: { shape: [], dtype: "uint8" },
};

/** Random Hopper-shaped transitions to cycle through, so the timing excludes data generation. */
function transitionPool(rng: Rng, n: number) {
  return Array.from({ length: n }, () => ({
    obs: rng.fillNormal(new Float32Array(11)) as Float32Array,
    action: rng.fillUniform(new Float32Array(3), -1, 1) as Float32Array,
    reward: rng.normal(),
    nextObs: rng.fillNormal(new Float32Array(11)) as Float32Array,
    terminated: rng.random() < 0.001,
    truncated: false,
  }));
}

/** Fills `buf` to capacity with addBatch chunks of random rows. */
function fill(buf: ReplayBuffer, rng: Rng): void {
  const rows = 50_000;
  const chunk = {
    obs: rng.fillNormal(new Float32Array(rows * 11)),
    action: rng.fillUniform(new Float32Array(rows * 3), -1, 1),
    reward: rng.fillNormal(new Float32Array(rows)),
    nextObs: rng.fillNormal(new Float32Array(rows * 11)),
    terminated: new Uint8Array(rows),
    truncated: new Uint8Array(rows),
  };
  while (buf.size < buf.capacity) buf.addBatch(chunk);
}

function perSecond(seconds: number, body: () => void): number {
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000 || n < 3) {
      body();
      n += 1;
    }
    best = Math.max(best, n / ((performance.now() - t0) / 1000));
  }
  return best;
}

function measureOurs(): Record<string, number> {
  const rng = new Rng(0);
  const out: Record<string, number> = {};

  const buf = new ReplayBuffer({ capacity: CAPACITY, fields: hopperFields });
  out.bytes_1m_hopper = buf.byteLength;
  const pool = transitionPool(rng, 1024);
  out.insert_per_s = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    for (let i = 0; i < INSERTS; i++) buf.add(pool[i & 1023] as (typeof pool)[number]);
    out.insert_per_s = Math.max(out.insert_per_s, INSERTS / ((performance.now() - t0) / 1000));
  }

  fill(buf, rng);
  out.sample256_per_s = perSecond(SAMPLE_SECONDS, () => buf.sample(BATCH, rng));

  const dir = mkdtempSync(path.join(os.tmpdir(), "qscape-replay-bench-"));
  try {
    let t = performance.now();
    saveCheckpoint(dir, { replay: buf.getState() });
    out.checkpoint_save_s = (performance.now() - t) / 1000;
    t = performance.now();
    const restored = new ReplayBuffer({ capacity: CAPACITY, fields: hopperFields });
    restored.setState((loadCheckpoint(dir) as { replay: ReturnType<ReplayBuffer["getState"]> }).replay);
    out.checkpoint_load_s = (performance.now() - t) / 1000;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const per = new PrioritizedReplayBuffer({ capacity: CAPACITY, fields: hopperFields, alpha: 0.6, beta: 0.4 });
  out.per_bytes_1m_hopper = per.byteLength;
  fill(per, rng);
  const tdErrors = new Float32Array(BATCH);
  out.per_sample256_update_per_s = perSecond(SAMPLE_SECONDS, () => {
    const { indices } = per.sample(BATCH, rng);
    for (let i = 0; i < BATCH; i++) tdErrors[i] = Math.abs(rng.normal());
    per.updatePriorities(indices, tdErrors);
  });
  return out;
}

const peerScript = `
import json, sys, time
import numpy as np
N, INSERTS, BATCH, SECONDS, ROUNDS = ${CAPACITY}, ${INSERTS}, ${BATCH}, ${SAMPLE_SECONDS}, ${ROUNDS}
rng = np.random.default_rng(0)
obs = np.zeros((N, 11), np.float32); act = np.zeros((N, 3), np.float32); rew = np.zeros((N,), np.float32)
nxt = np.zeros((N, 11), np.float32); term = np.zeros((N,), np.uint8); trunc = np.zeros((N,), np.uint8)
po = rng.standard_normal((1024, 11)).astype(np.float32); pa = rng.uniform(-1, 1, (1024, 3)).astype(np.float32)
pr = rng.standard_normal(1024); pn = rng.standard_normal((1024, 11)).astype(np.float32)
pos = 0
ins = 0.0
for _ in range(ROUNDS):
    t0 = time.perf_counter()
    for i in range(INSERTS):
        j = i & 1023
        # SB3 ReplayBuffer.add: one copy per field into the preallocated arrays.
        obs[pos] = np.array(po[j]); nxt[pos] = np.array(pn[j]); act[pos] = np.array(pa[j])
        rew[pos] = np.array(pr[j]); term[pos] = np.array(False); trunc[pos] = np.array(False)
        pos = (pos + 1) % N
    ins = max(ins, INSERTS / (time.perf_counter() - t0))
smp = 0.0
for _ in range(ROUNDS):
    n = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < SECONDS or n < 3:
        idx = np.random.randint(0, N, size=BATCH)
        batch = (obs[idx], act[idx], nxt[idx], term[idx], trunc[idx], rew[idx])
        n += 1
    smp = max(smp, n / (time.perf_counter() - t0))
nbytes = sum(a.nbytes for a in (obs, act, rew, nxt, term, trunc))
print(json.dumps({"insert_per_s": ins, "sample256_per_s": smp, "bytes_1m_hopper": nbytes, "numpy": np.__version__}))
`;

function measurePeer(): Record<string, number> | undefined {
  const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  const res = spawnSync(python, ["-c", peerScript], { encoding: "utf8", timeout: 300_000 });
  if (res.status !== 0) {
    process.stderr.write(`replay bench: NumPy peer unavailable (${(res.stderr || res.error?.message || "").trim()})\n`);
    return undefined;
  }
  const parsed = JSON.parse(res.stdout.trim().split("\n").pop() as string) as Record<string, number | string>;
  process.stderr.write(`replay bench: NumPy peer ${parsed.numpy} via ${python}\n`);
  delete parsed.numpy;
  return parsed as Record<string, number>;
}

/** Figures are flat numbers (ratios are ours / peer, higher is better for rates). */
export async function runReplayBench(): Promise<Record<string, number>> {
  // The peer runs before and after ours and keeps its best figures, so neither side alone gets the quiet spell.
  const before = measurePeer();
  const ours = measureOurs();
  const after = before && measurePeer();
  const figures: Record<string, number> = { ...ours };
  const peer =
    before && after
      ? Object.fromEntries(
          Object.entries(before).map(([k, v]) => [k, k.endsWith("_per_s") ? Math.max(v, after[k] ?? 0) : v]),
        )
      : before;
  if (peer) {
    for (const [k, v] of Object.entries(peer)) figures[`peer_numpy_${k}`] = v;
    figures.ratio_insert_vs_numpy = (ours.insert_per_s as number) / (peer.insert_per_s as number);
    figures.ratio_sample256_vs_numpy = (ours.sample256_per_s as number) / (peer.sample256_per_s as number);
  }
  return figures;
}

function format(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString("en-US");
  return v.toPrecision(3);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const figures = await runReplayBench();
  console.log(
    `replay bench (Hopper-shaped, capacity ${CAPACITY.toLocaleString("en-US")}, batch ${BATCH}; shared machine)`,
  );
  for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(32)} ${format(v)}`);
}
