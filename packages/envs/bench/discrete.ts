/**
 * Benchmarks for the large-discrete-action part of @qscape/envs: k-NN query latency and memory
 * at 10k / 100k / 500k items (batch 256, k = 1 and 3, dim 20), against tfjs's own
 * matMul + topk as the in-run peer; and env steps/s for MineWorld and RecSim.
 *
 *   tsx --conditions=@qscape/source packages/envs/bench/discrete.ts [--quick]
 */
import { describeBackend, initBackend, Rng, tf } from "@qscape/core";
import { KnnIndex } from "../src/discrete/knn.js";

export interface KnnFigure {
  items: number;
  k: number;
  /** Median ms per batch query of KnnIndex. */
  ms: number;
  /** Median ms per batch query of the naive tfjs pipeline (one matMul with transposeB + topk). */
  naiveMs: number;
  queriesPerSec: number;
  indexBytes: number;
}

export interface DiscreteBenchOptions {
  itemCounts?: number[];
  ks?: number[];
  batch?: number;
  dim?: number;
  repeats?: number;
  log?: (line: string) => void;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function timeMs(repeats: number, f: () => void): number {
  f();
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    f();
    times.push(performance.now() - t);
  }
  return median(times);
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

export function benchKnn(options: DiscreteBenchOptions = {}): KnnFigure[] {
  const { itemCounts = [10_000, 100_000, 500_000], ks = [1, 3], batch = 256, dim = 20, repeats = 5 } = options;
  const log = options.log ?? console.log;
  const rng = new Rng(0);
  const figures: KnnFigure[] = [];
  for (const n of itemCounts) {
    const items = rng.fillNormal(new Float32Array(n * dim)) as Float32Array;
    const queries = rng.fillNormal(new Float32Array(batch * dim)) as Float32Array;
    const index = new KnnIndex(items, n, dim, { method: "tfjs" });
    const itemTensor = tf.tensor2d(items, [n, dim]);
    const normTensor = tf.tidy(() => tf.sum(tf.square(itemTensor), 1) as tf.Tensor1D);
    const queryTensor = tf.tensor2d(queries, [batch, dim]);
    for (const k of ks) {
      const ms = timeMs(repeats, () => index.query(queries, batch, k));
      // The naive pipeline materialises a [batch × n] matrix several times; skip it where that
      // would take gigabytes.
      const naiveMs =
        n <= 100_000
          ? timeMs(Math.min(repeats, 3), () => naiveKnn(itemTensor, normTensor, queryTensor, k))
          : Number.NaN;
      const fig = { items: n, k, ms, naiveMs, queriesPerSec: (batch * 1000) / ms, indexBytes: index.memoryBytes() };
      figures.push(fig);
      log(
        `knn n=${n} d=${dim} batch=${batch} k=${k}: ${ms.toFixed(1)} ms/batch (${fig.queriesPerSec.toFixed(0)} queries/s), ` +
          `naive matMul+topk ${Number.isNaN(naiveMs) ? "skipped" : `${naiveMs.toFixed(1)} ms (${(naiveMs / ms).toFixed(1)}x slower)`}, ` +
          `index ${(fig.indexBytes / 2 ** 20).toFixed(1)} MiB`,
      );
    }
    index.dispose();
    tf.dispose([itemTensor, normTensor, queryTensor]);
  }
  return figures;
}

export async function runDiscreteBench(options: DiscreteBenchOptions = {}): Promise<{ knn: KnnFigure[] }> {
  const log = options.log ?? console.log;
  log(describeBackend(await initBackend()));
  return { knn: benchKnn(options) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes("--quick");
  await runDiscreteBench(quick ? { itemCounts: [10_000, 100_000], repeats: 3 } : {});
}
