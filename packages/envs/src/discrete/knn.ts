/**
 * Exact k-nearest-neighbour search over item embeddings: maps continuous proto-actions to items
 * (SAVO's 1-NN snapping, Wolpertinger's k-NN).
 *
 * The tfjs path computes, per chunk of items, the score s(q, x) = q·x − ‖x‖²/2 with one plain
 * matMul (the −‖x‖²/2 term rides along as an extra item column against a constant-1 query
 * column, so ‖q − x‖² = ‖q‖² − 2·s and the nearest item has the largest score). Items are the
 * matMul's rows and queries its columns, so a vectorised maxPool over blocks of `blockSize` items
 * gives each query's block maxima; only the best k blocks per query are then re-scored exactly
 * in float64 in JS. Every top-k item lies in one of the top-k blocks (each better block holds a
 * distinct better item), so the result is exact up to float32 rounding of the block scores.
 * tfjs's own topk/argMax are scalar loops over the whole score matrix and cost more than the
 * matMul itself on the WASM backend; the block maxima cut that pass to a few per cent.
 */
import { assertFinite, QscapeError, tf } from "@qscape/core";

export interface KnnResult {
  /** [batch × k] item indices, nearest first; -1 where fewer than k items are available. */
  indices: Int32Array;
  /** [batch × k] Euclidean distances matching `indices`; Infinity where the index is -1. */
  distances: Float32Array;
}

/** A 0/1 availability flag per item (nonzero = available), length numItems. */
export type ItemMask = Uint8Array | Int32Array;

export interface KnnIndexOptions {
  /** Items per matMul (rounded up to a multiple of blockSize). Default 1024: its [1024 × 256] score block stays in cache between the matMul and the maxPool. */
  chunkSize?: number;
  /** Items per maxPool block. Default 32. */
  blockSize?: number;
  /** Queries per matMul. Default 256. */
  queryBatch?: number;
  /**
   * "tfjs": matMul path; "js": float64 brute force; "auto" (default): JS when
   * batch × numItems × dim is below ~1M multiply-adds, where tfjs call overhead dominates.
   */
  method?: "auto" | "tfjs" | "js";
}

const AUTO_JS_WORK = 1 << 20;
/** Score of padding rows; below any real score for embeddings with ‖x‖² < 1e29. */
const PAD_SCORE = -1e30;

function checkPositiveInt(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1) throw new QscapeError(`${what} must be a positive integer, got ${value}`);
}

function checkQuery(queries: Float32Array, batch: number, k: number, dim: number, numItems: number, mask?: ItemMask) {
  checkPositiveInt(batch, "knn: batch");
  checkPositiveInt(k, "knn: k");
  if (queries.length !== batch * dim) {
    throw new QscapeError(`knn: queries has ${queries.length} values, expected batch × dim = ${batch} × ${dim}`);
  }
  assertFinite(queries, "knn: queries");
  if (mask !== undefined && mask.length !== numItems) {
    throw new QscapeError(`knn: mask has length ${mask.length}, expected numItems = ${numItems}`);
  }
}

/**
 * Keeps the k best (distance, index) pairs, ordered by distance then index, in `dist`/`idx`
 * starting at `offset`. Slots are pre-filled with (Infinity, -1).
 */
function insertCandidate(dist: Float64Array, idx: Int32Array, offset: number, k: number, d: number, i: number): void {
  const last = offset + k - 1;
  const lastIdx = idx[last] as number;
  const lastDist = dist[last] as number;
  if (!(d < lastDist || (d === lastDist && lastIdx !== -1 && i < lastIdx) || lastIdx === -1)) return;
  let p = last;
  while (p > offset) {
    const pd = dist[p - 1] as number;
    const pi = idx[p - 1] as number;
    if (pi !== -1 && (pd < d || (pd === d && pi < i))) break;
    dist[p] = pd;
    idx[p] = pi;
    p--;
  }
  dist[p] = d;
  idx[p] = i;
}

function squaredDistance(items: Float32Array, item: number, queries: Float32Array, q: number, dim: number): number {
  let s = 0;
  const a = item * dim;
  const b = q * dim;
  for (let j = 0; j < dim; j++) {
    const diff = (items[a + j] as number) - (queries[b + j] as number);
    s += diff * diff;
  }
  return s;
}

function finish(bestDist: Float64Array, bestIdx: Int32Array): KnnResult {
  const distances = new Float32Array(bestDist.length);
  for (let i = 0; i < bestDist.length; i++) distances[i] = Math.sqrt(bestDist[i] as number);
  return { indices: bestIdx, distances };
}

/**
 * Exact k-NN by float64 brute force in plain JS: the reference the tfjs path is tested against,
 * and the fast path for small problems. Ties go to the lower item index.
 */
export function bruteForceKnn(
  embeddings: Float32Array,
  numItems: number,
  dim: number,
  queries: Float32Array,
  batch: number,
  k: number,
  mask?: ItemMask,
): KnnResult {
  checkQuery(queries, batch, k, dim, numItems, mask);
  const bestDist = new Float64Array(batch * k).fill(Number.POSITIVE_INFINITY);
  const bestIdx = new Int32Array(batch * k).fill(-1);
  const last = k - 1;
  for (let q = 0; q < batch; q++) {
    const qo = q * dim;
    for (let i = 0; i < numItems; i++) {
      if (mask !== undefined && mask[i] === 0) continue;
      let d = 0;
      const io = i * dim;
      for (let j = 0; j < dim; j++) {
        const diff = (embeddings[io + j] as number) - (queries[qo + j] as number);
        d += diff * diff;
      }
      // Items arrive in index order, so an equal distance never displaces a kept item.
      if (d < (bestDist[q * k + last] as number)) insertCandidate(bestDist, bestIdx, q * k, k, d, i);
    }
  }
  return finish(bestDist, bestIdx);
}

/**
 * Exact batched k-NN index over a fixed item matrix (see the file comment for the method). The
 * index keeps a reference to `embeddings` for exact re-scoring: do not modify it afterwards.
 */
export class KnnIndex {
  readonly numItems: number;
  readonly dim: number;
  readonly blockSize: number;
  readonly chunkSize: number;
  readonly queryBatch: number;
  readonly method: "auto" | "tfjs" | "js";
  private readonly embeddings: Float32Array;
  /** Mean item, subtracted from items and queries so the float32 scores keep their precision. */
  private readonly center: Float64Array;
  /** Per chunk: [rows × (dim + 1)] rows (x − center, −‖x − center‖²/2), padded to whole blocks. */
  private chunks: tf.Tensor2D[] = [];
  private readonly chunkStarts: number[] = [];
  private disposed = false;

  constructor(embeddings: Float32Array, numItems: number, dim: number, options: KnnIndexOptions = {}) {
    checkPositiveInt(numItems, "KnnIndex: numItems");
    checkPositiveInt(dim, "KnnIndex: dim");
    if (embeddings.length !== numItems * dim) {
      throw new QscapeError(
        `KnnIndex: embeddings has ${embeddings.length} values, expected numItems × dim = ${numItems} × ${dim}`,
      );
    }
    assertFinite(embeddings, "KnnIndex: embeddings");
    this.blockSize = options.blockSize ?? 32;
    checkPositiveInt(this.blockSize, "KnnIndex: blockSize");
    const chunk = options.chunkSize ?? 1024;
    checkPositiveInt(chunk, "KnnIndex: chunkSize");
    this.chunkSize = Math.ceil(chunk / this.blockSize) * this.blockSize;
    this.queryBatch = options.queryBatch ?? 256;
    checkPositiveInt(this.queryBatch, "KnnIndex: queryBatch");
    this.method = options.method ?? "auto";
    if (!["auto", "tfjs", "js"].includes(this.method)) {
      throw new QscapeError(`KnnIndex: method must be "auto", "tfjs" or "js", got ${JSON.stringify(this.method)}`);
    }
    this.embeddings = embeddings;
    this.numItems = numItems;
    this.dim = dim;
    this.center = new Float64Array(dim);
    for (let i = 0; i < numItems; i++) {
      for (let j = 0; j < dim; j++) this.center[j] = (this.center[j] as number) + (embeddings[i * dim + j] as number);
    }
    for (let j = 0; j < dim; j++) this.center[j] = (this.center[j] as number) / numItems;
    if (this.method !== "js") this.buildChunks();
  }

  private buildChunks(): void {
    const { dim, numItems, blockSize } = this;
    const width = dim + 1;
    for (let start = 0; start < numItems; start += this.chunkSize) {
      const count = Math.min(this.chunkSize, numItems - start);
      const rows = Math.ceil(count / blockSize) * blockSize;
      const data = new Float32Array(rows * width);
      for (let r = 0; r < rows; r++) {
        const o = r * width;
        if (r >= count) {
          data[o + dim] = PAD_SCORE;
          continue;
        }
        let norm = 0;
        for (let j = 0; j < dim; j++) {
          const v = (this.embeddings[(start + r) * dim + j] as number) - (this.center[j] as number);
          data[o + j] = v;
          norm += v * v;
        }
        data[o + dim] = -norm / 2;
      }
      this.chunks.push(tf.tensor2d(data, [rows, width]));
      this.chunkStarts.push(start);
    }
  }

  /** Bytes held by the index beyond the caller's embeddings (the tfjs item chunks). */
  memoryBytes(): number {
    return this.chunks.reduce((s, c) => s + c.size * 4, 0);
  }

  /**
   * The k nearest items to each of `batch` queries ([batch × dim], row-major), nearest first,
   * ties to the lower index. `mask` (length numItems, nonzero = available) excludes items; with
   * fewer than k available items the tail of each row is index -1, distance Infinity.
   */
  query(queries: Float32Array, batch: number, k: number, mask?: ItemMask): KnnResult {
    if (this.disposed) throw new QscapeError("KnnIndex: query after dispose()");
    checkQuery(queries, batch, k, this.dim, this.numItems, mask);
    const useJs = this.method === "js" || (this.method === "auto" && batch * this.numItems * this.dim < AUTO_JS_WORK);
    if (useJs) return bruteForceKnn(this.embeddings, this.numItems, this.dim, queries, batch, k, mask);
    const bestDist = new Float64Array(batch * k).fill(Number.POSITIVE_INFINITY);
    const bestIdx = new Int32Array(batch * k).fill(-1);
    const biases = mask === undefined ? null : this.maskBiases(mask);
    try {
      for (let q0 = 0; q0 < batch; q0 += this.queryBatch) {
        const qn = Math.min(this.queryBatch, batch - q0);
        const blocks = this.bestBlocks(queries, q0, qn, k, biases);
        this.rescore(queries, q0, qn, k, blocks, mask, bestDist, bestIdx);
      }
    } finally {
      if (biases) tf.dispose(biases);
    }
    return finish(bestDist, bestIdx);
  }

  /** Per chunk, a [rows × 1] additive score bias: 0 for available items, -Infinity otherwise. */
  private maskBiases(mask: ItemMask): tf.Tensor2D[] {
    return this.chunks.map((chunk, c) => {
      const rows = chunk.shape[0];
      const start = this.chunkStarts[c] as number;
      const bias = new Float32Array(rows);
      for (let r = 0; r < rows; r++) {
        const i = start + r;
        if (i < this.numItems && mask[i] === 0) bias[r] = Number.NEGATIVE_INFINITY;
      }
      return tf.tensor2d(bias, [rows, 1]);
    });
  }

  /**
   * For queries q0..q0+qn-1: the global indices of the k blocks with the highest maximum score,
   * as [qn × k] (-1 = none), ties to the lower block.
   */
  private bestBlocks(queries: Float32Array, q0: number, qn: number, k: number, biases: tf.Tensor2D[] | null) {
    const { dim, blockSize } = this;
    const width = dim + 1;
    // Queries as columns: [(dim + 1) × qn], centred, with the constant-1 row for the norm column.
    const qt = new Float32Array(width * qn);
    for (let q = 0; q < qn; q++) {
      for (let j = 0; j < dim; j++) {
        qt[j * qn + q] = (queries[(q0 + q) * dim + j] as number) - (this.center[j] as number);
      }
      qt[dim * qn + q] = 1;
    }
    const blockScore = new Float64Array(qn * k).fill(Number.NEGATIVE_INFINITY);
    const blockIdx = new Int32Array(qn * k).fill(-1);
    const queryTensor = tf.tensor2d(qt, [width, qn]);
    try {
      for (let c = 0; c < this.chunks.length; c++) {
        const chunk = this.chunks[c] as tf.Tensor2D;
        const rows = chunk.shape[0];
        const pooled = tf.tidy(() => {
          let scores: tf.Tensor2D = tf.matMul(chunk, queryTensor);
          if (biases) scores = tf.add(scores, biases[c] as tf.Tensor2D);
          const image = tf.reshape(scores, [1, rows, 1, qn]) as tf.Tensor4D;
          return tf.maxPool(image, [blockSize, 1], [blockSize, 1], "valid");
        });
        const maxima = pooled.dataSync() as Float32Array;
        pooled.dispose();
        const firstBlock = (this.chunkStarts[c] as number) / blockSize;
        const numBlocks = rows / blockSize;
        for (let b = 0; b < numBlocks; b++) {
          const row = b * qn;
          for (let q = 0; q < qn; q++) {
            const s = maxima[row + q] as number;
            const last = q * k + k - 1;
            // Strict ">" keeps the earlier (lower) block on ties; -Infinity blocks are fully masked.
            if (!(s > (blockScore[last] as number))) continue;
            let p = last;
            while (p > q * k && s > (blockScore[p - 1] as number)) {
              blockScore[p] = blockScore[p - 1] as number;
              blockIdx[p] = blockIdx[p - 1] as number;
              p--;
            }
            blockScore[p] = s;
            blockIdx[p] = firstBlock + b;
          }
        }
      }
    } finally {
      queryTensor.dispose();
    }
    return blockIdx;
  }

  /** Exact float64 distances for every available item in each query's candidate blocks. */
  private rescore(
    queries: Float32Array,
    q0: number,
    qn: number,
    k: number,
    blocks: Int32Array,
    mask: ItemMask | undefined,
    bestDist: Float64Array,
    bestIdx: Int32Array,
  ): void {
    const { blockSize, numItems, dim } = this;
    for (let q = 0; q < qn; q++) {
      const row = q0 + q;
      for (let s = 0; s < k; s++) {
        const block = blocks[q * k + s] as number;
        if (block < 0) break;
        const end = Math.min(numItems, (block + 1) * blockSize);
        for (let i = block * blockSize; i < end; i++) {
          if (mask !== undefined && mask[i] === 0) continue;
          insertCandidate(bestDist, bestIdx, row * k, k, squaredDistance(this.embeddings, i, queries, row, dim), i);
        }
      }
    }
  }

  dispose(): void {
    tf.dispose(this.chunks);
    this.chunks = [];
    this.disposed = true;
  }
}
