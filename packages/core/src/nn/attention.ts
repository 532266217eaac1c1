/**
 * Attention over a set of nodes [B, N, d]:
 * - `MultiHeadAttention`: scaled dot-product self-attention with an output projection and a
 *   residual connection (the Transformer summarizer's core, or a dot-product action graph);
 * - `GraphAttentionLayer` / `GraphAttentionBlock`: GAT (Veličković et al. 2017) as AGILE uses it
 *   over the available-action set (agile-and-new-actions.md §B2: 2 layers, ELU between, residual
 *   after layer 2, LeakyReLU 0.2 in the attention logits).
 *
 * Masks: `available` [B, N] (1 = node present) removes nodes as keys and zeroes their outputs;
 * `adjacency` [B, N, N] (adjacency[b, i, j] = 1: node i may attend to node j) restricts edges.
 * Excluded logits get MASKED_LOGIT and the weights are multiplied by the edge mask after the
 * softmax, so a node with no allowed neighbour aggregates nothing rather than everything.
 */
import * as tf from "@tensorflow/tfjs";
import { QscapeError } from "../errors.js";
import { glorotUniform, type Parameterized, variable } from "../params.js";
import type { Rng } from "../rng.js";
import { Linear } from "./linear.js";
import { applyPerItem, MASKED_LOGIT } from "./ops.js";

export interface AttentionMasks {
  /** [B, N]: 1 where the node exists/is available. */
  available?: tf.Tensor2D;
  /** [B, N, N]: 1 where node i (row) may attend to node j (column). */
  adjacency?: tf.Tensor3D;
}

/** What to do with the diagonal of the adjacency: leave it as given, force it on, or force it off. */
type SelfLoops = "keep" | "add" | "remove";

/** [B, N, N] edge mask from the given masks, or null for "all edges". */
function edgeMask(batch: number, n: number, masks: AttentionMasks, selfLoops: SelfLoops): tf.Tensor3D | null {
  const { available, adjacency } = masks;
  if (available && (available.shape[0] !== batch || available.shape[1] !== n)) {
    throw new QscapeError(`attention: available mask has shape [${available.shape}], expected [${batch}, ${n}]`);
  }
  if (adjacency && adjacency.shape.join(",") !== [batch, n, n].join(",")) {
    throw new QscapeError(`attention: adjacency has shape [${adjacency.shape}], expected [${batch}, ${n}, ${n}]`);
  }
  let edges: tf.Tensor3D | null = adjacency ?? null;
  if (selfLoops !== "keep") {
    const eye = tf.expandDims(tf.eye(n), 0);
    if (selfLoops === "add" && edges) edges = tf.maximum(edges, eye);
    if (selfLoops === "remove") edges = tf.mul(edges ?? tf.ones([batch, n, n]), tf.sub(1, eye));
  }
  if (available) {
    const keys = tf.expandDims(available, 1) as tf.Tensor3D;
    // A broadcast multiply, not tf.tile: the WASM backend's Tile kernel is 20–30× slower.
    edges = tf.mul(edges ?? tf.ones([1, n, 1]), keys) as tf.Tensor3D;
  }
  return edges;
}

/**
 * Softmax over the last axis of logits [B, H, N, N] restricted to edges [B, N, N] (null: all),
 * returned as [B·H, N, N] ready for a batched matMul.
 */
function maskedAttentionWeights(logits: tf.Tensor4D, edges: tf.Tensor3D | null): tf.Tensor3D {
  const [b, h, n] = logits.shape;
  if (!edges) return tf.reshape(tf.softmax(logits), [b * h, n, n]);
  const e = tf.expandDims(edges, 1);
  const weights = tf.mul(tf.softmax(tf.add(logits, tf.mul(tf.sub(1, e), MASKED_LOGIT))), e);
  return tf.reshape(weights, [b * h, n, n]);
}

/** [B, N, H·dh] → [B·H, N, dh]. */
function splitHeads(x: tf.Tensor3D, heads: number): tf.Tensor3D {
  const [b, n, d] = x.shape;
  const dh = d / heads;
  return tf.reshape(tf.transpose(tf.reshape(x, [b, n, heads, dh]), [0, 2, 1, 3]), [b * heads, n, dh]);
}

/** [B·H, N, dh] → [B, N, H·dh]. */
function mergeHeads(x: tf.Tensor3D, batch: number, heads: number): tf.Tensor3D {
  const [, n, dh] = x.shape;
  return tf.reshape(tf.transpose(tf.reshape(x, [batch, heads, n, dh]), [0, 2, 1, 3]), [batch, n, heads * dh]);
}

/** Zero the rows of unavailable nodes. */
function zeroUnavailable(x: tf.Tensor3D, available: tf.Tensor2D | undefined): tf.Tensor3D {
  return available ? tf.mul(x, tf.expandDims(available, 2)) : x;
}

export interface MultiHeadAttentionOptions {
  heads?: number;
  /** Add the input to the projected output (default true). */
  residual?: boolean;
  name?: string;
}

/** out = x + W_o · concat_h softmax(Q_h K_hᵀ / √dh) V_h, model width preserved. */
export class MultiHeadAttention implements Parameterized {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly output: Linear;
  readonly heads: number;
  readonly residual: boolean;
  constructor(
    rng: Rng,
    readonly modelSize: number,
    opts: MultiHeadAttentionOptions = {},
  ) {
    const name = opts.name ?? "mha";
    this.heads = opts.heads ?? 1;
    this.residual = opts.residual ?? true;
    if (!Number.isInteger(this.heads) || this.heads < 1 || modelSize % this.heads !== 0) {
      throw new QscapeError(`${name}: heads (${this.heads}) must be a positive divisor of modelSize (${modelSize})`);
    }
    this.query = new Linear(rng, modelSize, modelSize, { name: `${name}.q`, init: "glorot" });
    this.key = new Linear(rng, modelSize, modelSize, { name: `${name}.k`, init: "glorot" });
    this.value = new Linear(rng, modelSize, modelSize, { name: `${name}.v`, init: "glorot" });
    this.output = new Linear(rng, modelSize, modelSize, { name: `${name}.o`, init: "glorot" });
  }
  apply(nodes: tf.Tensor3D, masks: AttentionMasks = {}): tf.Tensor3D {
    const [b, n, d] = nodes.shape;
    if (d !== this.modelSize)
      throw new QscapeError(`MultiHeadAttention: nodes have ${d} features, expected ${this.modelSize}`);
    const q = splitHeads(applyPerItem(this.query, nodes), this.heads);
    const k = splitHeads(applyPerItem(this.key, nodes), this.heads);
    const v = splitHeads(applyPerItem(this.value, nodes), this.heads);
    const scale = 1 / Math.sqrt(d / this.heads);
    const logits = tf.reshape(tf.mul(tf.matMul(q, k, false, true), scale), [b, this.heads, n, n]);
    const weights = maskedAttentionWeights(logits as tf.Tensor4D, edgeMask(b, n, masks, "keep"));
    const attended = applyPerItem(this.output, mergeHeads(tf.matMul(weights, v), b, this.heads));
    return zeroUnavailable(this.residual ? tf.add(nodes, attended) : attended, masks.available);
  }
  parameters(): tf.Variable[] {
    return [this.query, this.key, this.value, this.output].flatMap((l) => l.parameters());
  }
}

export interface GraphAttentionOptions {
  heads?: number;
  /** Slope of the LeakyReLU on attention logits (GAT: 0.2). */
  negativeSlope?: number;
  /** Let every node attend to itself even when adjacency omits it (standard GAT). Default true. */
  selfLoops?: boolean;
  name?: string;
}

/**
 * One GAT layer: z = W h; e_ij = LeakyReLU(a_lᵀ z_i + a_rᵀ z_j) per head; α = softmax_j over
 * neighbours; h'_i = Σ_j α_ij z_j, heads concatenated (outputSize = heads · headSize).
 */
export class GraphAttentionLayer implements Parameterized {
  readonly transform: Linear;
  /** Attention vectors for the receiving (left) and sending (right) node, [heads, headSize]. */
  readonly attendLeft: tf.Variable;
  readonly attendRight: tf.Variable;
  readonly heads: number;
  readonly negativeSlope: number;
  readonly selfLoops: boolean;
  constructor(
    rng: Rng,
    readonly inputSize: number,
    readonly outputSize: number,
    opts: GraphAttentionOptions = {},
  ) {
    const name = opts.name ?? "gat";
    this.heads = opts.heads ?? 1;
    this.negativeSlope = opts.negativeSlope ?? 0.2;
    this.selfLoops = opts.selfLoops ?? true;
    if (!Number.isInteger(this.heads) || this.heads < 1 || outputSize % this.heads !== 0) {
      throw new QscapeError(`${name}: heads (${this.heads}) must be a positive divisor of outputSize (${outputSize})`);
    }
    const headSize = outputSize / this.heads;
    this.transform = new Linear(rng, inputSize, outputSize, { name: `${name}.w`, init: "glorot" });
    this.attendLeft = variable(glorotUniform(rng, headSize, this.heads), [this.heads, headSize], `${name}.aLeft`);
    this.attendRight = variable(glorotUniform(rng, headSize, this.heads), [this.heads, headSize], `${name}.aRight`);
  }
  apply(nodes: tf.Tensor3D, masks: AttentionMasks = {}): tf.Tensor3D {
    const [b, n, d] = nodes.shape;
    if (d !== this.inputSize)
      throw new QscapeError(`GraphAttentionLayer: nodes have ${d} features, expected ${this.inputSize}`);
    const z = applyPerItem(this.transform, nodes);
    const perHead = tf.reshape(z, [b, n, this.heads, this.outputSize / this.heads]);
    // Per-head scores a·z_i as [B, H, N]; the pairwise logit is a broadcast sum, no N×N matMul.
    const left = tf.transpose(tf.sum(tf.mul(perHead, this.attendLeft), 3), [0, 2, 1]);
    const right = tf.transpose(tf.sum(tf.mul(perHead, this.attendRight), 3), [0, 2, 1]);
    const logits = tf.leakyRelu(tf.add(tf.expandDims(left, 3), tf.expandDims(right, 2)), this.negativeSlope);
    const edges = edgeMask(b, n, masks, this.selfLoops ? "add" : "remove");
    const weights = maskedAttentionWeights(logits as tf.Tensor4D, edges);
    return zeroUnavailable(mergeHeads(tf.matMul(weights, splitHeads(z, this.heads)), b, this.heads), masks.available);
  }
  parameters(): tf.Variable[] {
    return [...this.transform.parameters(), this.attendLeft, this.attendRight];
  }
}

export interface GraphAttentionBlockOptions extends GraphAttentionOptions {
  /** Hidden (= output) width of every layer. AGILE: 64. */
  hidden?: number;
  /** Number of GAT layers, ELU between them. AGILE: 2. */
  layers?: number;
  /** Add the (projected) input after the last layer; AGILE found it "crucial". Default true. */
  residual?: boolean;
}

/**
 * AGILE's GAT pathway: GAT → ELU → … → GAT, plus the input (linearly projected when its width
 * differs from `hidden`) as a skip connection. Output [B, N, hidden].
 */
export class GraphAttentionBlock implements Parameterized {
  readonly layers: GraphAttentionLayer[] = [];
  readonly skip: Linear | null;
  readonly residual: boolean;
  readonly outputSize: number;
  constructor(
    rng: Rng,
    readonly inputSize: number,
    opts: GraphAttentionBlockOptions = {},
  ) {
    const name = opts.name ?? "gatblock";
    const hidden = opts.hidden ?? 64;
    const count = opts.layers ?? 2;
    if (!Number.isInteger(count) || count < 1) throw new QscapeError(`${name}: layers must be ≥ 1, got ${count}`);
    for (let i = 0; i < count; i++) {
      this.layers.push(
        new GraphAttentionLayer(rng, i === 0 ? inputSize : hidden, hidden, {
          ...opts,
          name: `${name}.gat${i}`,
        }),
      );
    }
    this.residual = opts.residual ?? true;
    this.skip =
      this.residual && inputSize !== hidden ? new Linear(rng, inputSize, hidden, { name: `${name}.skip` }) : null;
    this.outputSize = hidden;
  }
  apply(nodes: tf.Tensor3D, masks: AttentionMasks = {}): tf.Tensor3D {
    let h = nodes;
    this.layers.forEach((layer, i) => {
      if (i > 0) h = tf.elu(h);
      h = layer.apply(h, masks);
    });
    if (!this.residual) return h;
    const skip = this.skip ? applyPerItem(this.skip, nodes) : nodes;
    return zeroUnavailable(tf.add(h, skip), masks.available);
  }
  parameters(): tf.Variable[] {
    return [...this.layers.flatMap((l) => l.parameters()), ...(this.skip?.parameters() ?? [])];
  }
}
