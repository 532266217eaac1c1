/**
 * Benchmarks for the large-discrete-action part of @qscape/envs: k-NN query latency and memory
 * at 10k / 100k / 500k items (batch 256, k = 1 and 3, dim 20), against tfjs's own
 * matMul + topk as the in-run peer; and env steps/s for MineWorld and RecSim.
 *
 *   tsx --conditions=@qscape/source packages/envs/bench/discrete.ts [--quick] [--knn-only] [--items=10000,500000]
 */
import { describeBackend, initBackend, Rng, tf } from "@qscape/core";
import { KnnIndex } from "../src/discrete/knn.js";
import { MineWorldEnv } from "../src/discrete/mineworld.js";
import { NearestItemWrapper } from "../src/discrete/nearest-item.js";
import type { RecSimSlateEnv } from "../src/discrete/recsim-slate.js";
import "../src/discrete/index.js";
import { type AnyEnv, make } from "../src/registry.js";

export interface KnnFigure {
  items: number;
  k: number;
  /** ms per batch query of KnnIndex: median and best of the repeats. */
  ms: number;
  bestMs: number;
  cpuMs: number;
  /** Same-run peer: items pre-transposed, chunked plain matMul, tf.topk per chunk, merge in JS. */
  chunkedTopkMs: number;
  /** Same-run peer: one matMul with transposeB over all items, then tf.topk (≤ 100k items). */
  naiveMs: number;
  queriesPerSec: number;
  /** Bytes of the index's tensors, and of one chunk's transient score matrix. */
  indexBytes: number;
  workingBytes: number;
}

export interface EnvFigure {
  env: string;
  stepsPerSec: number;
}

export interface DiscreteBenchOptions {
  itemCounts?: number[];
  ks?: number[];
  batch?: number;
  dim?: number;
  repeats?: number;
  envSteps?: number;
  log?: (line: string) => void;
}

interface Timing {
  median: number;
  best: number;
  /** Median process CPU ms (user + system): close to the uncontended wall time of this single-threaded work. */
  cpu: number;
}

function timeMs(repeats: number, f: () => void): Timing {
  f();
  const times: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const c = process.cpuUsage();
    const t = performance.now();
    f();
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  return { median: median(times), best: Math.min(...times), cpu: median(cpu) };
}

/** The textbook tfjs k-NN: ‖q‖² − 2 q Xᵀ + ‖x‖² over all items at once, then tf.topk. */
function naiveKnn(items: tf.Tensor2D, norms: tf.Tensor1D, queries: tf.Tensor2D, k: number): void {
  const r = tf.tidy(() => {
    const cross = tf.matMul(queries, items, false, true);
    const dist = tf.add(tf.sub(tf.sum(tf.square(queries), 1, true), tf.mul(2, cross)), norms);
    return tf.topk(tf.neg(dist), k);
  });
  r.indices.dataSync();
  tf.dispose([r.values, r.indices]);
}

/** Chunked peer: [2q, 1] · [xᵀ; −‖x‖²] per chunk of pre-transposed items, tf.topk, JS merge. */
function chunkedTopkKnn(chunks: tf.Tensor2D[], chunkSize: number, queries: tf.Tensor2D, k: number): void {
  const batch = queries.shape[0];
  const best = new Float32Array(batch * k).fill(Number.NEGATIVE_INFINITY);
  const bestIdx = new Int32Array(batch * k).fill(-1);
  chunks.forEach((chunk, c) => {
    const r = tf.tidy(() => tf.topk(tf.matMul(queries, chunk), Math.min(k, chunk.shape[1])));
    const values = r.values.dataSync();
    const indices = r.indices.dataSync();
    tf.dispose([r.values, r.indices]);
    const kk = values.length / batch;
    for (let q = 0; q < batch; q++) {
      for (let j = 0; j < kk; j++) {
        const v = values[q * kk + j] as number;
        let p = q * k + k - 1;
        if (!(v > (best[p] as number))) break;
        while (p > q * k && v > (best[p - 1] as number)) {
          best[p] = best[p - 1] as number;
          bestIdx[p] = bestIdx[p - 1] as number;
          p--;
        }
        best[p] = v;
        bestIdx[p] = c * chunkSize + (indices[q * kk + j] as number);
      }
    }
  });
}

export function benchKnn(options: DiscreteBenchOptions = {}): KnnFigure[] {
  const { itemCounts = [10_000, 100_000, 500_000], ks = [1, 3], batch = 256, dim = 20, repeats = 7 } = options;
  const log = options.log ?? console.log;
  const rng = new Rng(0);
  const figures: KnnFigure[] = [];
  const peerChunk = 16_384;
  for (const n of itemCounts) {
    const items = rng.fillNormal(new Float32Array(n * dim)) as Float32Array;
    const queries = rng.fillNormal(new Float32Array(batch * dim)) as Float32Array;
    const index = new KnnIndex(items, n, dim, { method: "tfjs" });
    const itemTensor = tf.tensor2d(items, [n, dim]);
    const normTensor = tf.tidy(() => tf.sum(tf.square(itemTensor), 1) as tf.Tensor1D);
    const queryTensor = tf.tensor2d(queries, [batch, dim]);
    const augmentedQueries = tf.tidy(() => tf.concat([tf.mul(2, queryTensor), tf.ones([batch, 1])], 1) as tf.Tensor2D);
    const peerChunks: tf.Tensor2D[] = [];
    for (let start = 0; start < n; start += peerChunk) {
      const size = Math.min(peerChunk, n - start);
      peerChunks.push(
        tf.tidy(() => {
          const x = tf.slice(itemTensor, [start, 0], [size, dim]);
          return tf.concat([tf.transpose(x), tf.neg(tf.reshape(tf.sum(tf.square(x), 1), [1, size]))], 0) as tf.Tensor2D;
        }),
      );
    }
    for (const k of ks) {
      const t = timeMs(repeats, () => index.query(queries, batch, k));
      const peer = timeMs(Math.min(repeats, 3), () => chunkedTopkKnn(peerChunks, peerChunk, augmentedQueries, k));
      // The naive pipeline materialises a [batch × n] matrix several times; skip it where that
      // would take gigabytes.
      const naive =
        n <= 100_000
          ? timeMs(Math.min(repeats, 3), () => naiveKnn(itemTensor, normTensor, queryTensor, k)).median
          : Number.NaN;
      const fig: KnnFigure = {
        items: n,
        k,
        ms: t.median,
        bestMs: t.best,
        cpuMs: t.cpu,
        chunkedTopkMs: peer.median,
        naiveMs: naive,
        queriesPerSec: (batch * 1000) / t.median,
        indexBytes: index.memoryBytes(),
        workingBytes: index.chunkSize * Math.min(batch, index.queryBatch) * 4,
      };
      figures.push(fig);
      log(
        `knn n=${n} d=${dim} batch=${batch} k=${k}: median ${t.median.toFixed(1)} ms (best ${t.best.toFixed(1)}, CPU ${t.cpu.toFixed(1)}), ` +
          `${fig.queriesPerSec.toFixed(0)} queries/s | chunked matMul+topk ${peer.median.toFixed(1)} ms ` +
          `(${(peer.median / t.median).toFixed(1)}x) | naive ${Number.isNaN(naive) ? "skipped" : `${naive.toFixed(1)} ms (${(naive / t.median).toFixed(1)}x)`}` +
          ` | index ${(fig.indexBytes / 2 ** 20).toFixed(1)} MiB + ${(fig.workingBytes / 2 ** 20).toFixed(1)} MiB per chunk`,
      );
    }
    index.dispose();
    tf.dispose([itemTensor, normTensor, queryTensor, augmentedQueries, ...peerChunks]);
  }
  return figures;
}

function stepsPerSec<Act>(env: AnyEnv, steps: number, policy: (rng: Rng) => Act): number {
  const rng = new Rng(0);
  env.reset({ seed: 0 });
  const t = performance.now();
  for (let i = 0; i < steps; i++) {
    const [, , terminated, truncated] = env.step(policy(rng));
    if (terminated || truncated) env.reset();
  }
  return (steps * 1000) / (performance.now() - t);
}

export function benchEnvs(options: DiscreteBenchOptions = {}): EnvFigure[] {
  const steps = options.envSteps ?? 20_000;
  const log = options.log ?? console.log;
  const cases: [string, () => AnyEnv, (rng: Rng, env: AnyEnv) => unknown][] = [
    ["MineWorld-v0 (raw)", () => new MineWorldEnv(), (rng) => rng.int(0, 54)],
    ["MineWorld-v0 (make, default wrappers)", () => make("MineWorld-v0"), (rng) => rng.int(0, 54)],
    ["RecSim-v0 10k items (make)", () => make("RecSim-v0"), (rng) => rng.int(0, 10_000)],
    ["RecSim-v0 500k items (make)", () => make("RecSim-v0", { numItems: 500_000 }), (rng) => rng.int(0, 500_000)],
    [
      "RecSimSlate-v0 (make)",
      () => make("RecSimSlate-v0"),
      (rng, env) => {
        const ids = (env.unwrapped as RecSimSlateEnv).candidates.available;
        return Int32Array.from(rng.permutation(ids.length).subarray(0, 6), (j) => ids[j] as number);
      },
    ],
    [
      "RecSim-v0 10k + NearestItemWrapper (1-NN per step)",
      () => new NearestItemWrapper(make("RecSim-v0")),
      (rng) => rng.fillNormal(new Float32Array(30), 0, 0.5),
    ],
  ];
  const figures: EnvFigure[] = [];
  for (const [name, build, policy] of cases) {
    const env = build();
    const sps = stepsPerSec(env, steps, (rng) => policy(rng, env));
    env.close();
    figures.push({ env: name, stepsPerSec: sps });
    log(`${name}: ${sps.toFixed(0)} steps/s`);
  }
  return figures;
}

export async function runDiscreteBench(
  options: DiscreteBenchOptions = {},
): Promise<{ knn: KnnFigure[]; envs: EnvFigure[] }> {
  const log = options.log ?? console.log;
  log(describeBackend(await initBackend()));
  log("(absolute figures depend on machine load; compare the ratios measured in the same run)");
  return { envs: benchEnvs(options), knn: benchKnn(options) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // --quick: small sizes only; --knn-only --items=500000: just those k-NN sizes.
  const quick = process.argv.includes("--quick");
  const items = process.argv.find((a) => a.startsWith("--items="))?.slice("--items=".length);
  const options: DiscreteBenchOptions = quick ? { itemCounts: [10_000, 100_000], repeats: 3, envSteps: 5000 } : {};
  if (items) options.itemCounts = items.split(",").map(Number);
  if (process.argv.includes("--knn-only")) {
    console.log(describeBackend(await initBackend()));
    benchKnn(options);
  } else {
    await runDiscreteBench(options);
  }
}
