/**
 * GCN message passing over the action graph, for the AGILE-GCN analysis (thesis §3.6.3 "Importance
 * of attention in the graph network"; App. B C.3.1 "AGILE with GCN"; Kipf & Welling 2016):
 *
 *   x⁰ = Linear(v)                                   "a linear layer to compress the size" (to graphHidden)
 *   A  = complete graph over the available nodes, diagonal 0 (App. B C.3.1: with self-loops on a
 *        complete graph every node gets the same coefficients, so every node would aggregate the
 *        same vector); optionally restricted to domain-knowledge edges (App. B.1)
 *   Â  = D^{-1/2} A D^{-1/2}                         symmetric normalisation (degree 0 → row of zeros)
 *   h¹ = Â x⁰ W₁ + b₁;  h² = Â ELU(h¹) W₂ + b₂;  out = h² + x⁰
 *
 * Layer count, ELU between layers and the residual after the last layer are the GAT pathway's
 * (App. B C.3.1: "the rest … is the same as GAT"); the compressed x⁰ is the residual, so no
 * separate skip projection is needed. It takes core's `AttentionMasks`, so `ActionGraph` can hold
 * either block. Padded slots (available 0) are no nodes: their rows and columns of A are 0 and
 * their output rows are zeroed, so nothing they hold reaches another slot.
 */
import { type AttentionMasks, applyPerItem, Linear, type Parameterized, QscapeError, type Rng, tf } from "@qscape/core";

export interface GraphConvolutionBlockOptions {
  /** Width of the compression and of every layer. AGILE: 64 (Table B.3's graph hidden). */
  hidden?: number;
  /** GCN layers, ELU between them. AGILE: 2. */
  layers?: number;
  /** Add the compressed input after the last layer (default true, as the GAT pathway). */
  residual?: boolean;
  name?: string;
}

/**
 * Â = D^{-1/2} A D^{-1/2} [B, N, N] with A_ij = available_i · available_j · adjacency_ij for i ≠ j
 * and A_ii = 0 (absent masks: all 1). A node without neighbours gets a zero row.
 */
export function normalizedAdjacency(batch: number, n: number, masks: AttentionMasks = {}): tf.Tensor3D {
  const { available, adjacency } = masks;
  if (available && (available.shape[0] !== batch || available.shape[1] !== n)) {
    throw new QscapeError(`gcn: available mask has shape [${available.shape}], expected [${batch}, ${n}]`);
  }
  if (adjacency && adjacency.shape.join(",") !== [batch, n, n].join(",")) {
    throw new QscapeError(`gcn: adjacency has shape [${adjacency.shape}], expected [${batch}, ${n}, ${n}]`);
  }
  let a: tf.Tensor3D = tf.mul(tf.ones([batch, n, n]), tf.expandDims(tf.sub(1, tf.eye(n)), 0));
  if (adjacency) a = tf.mul(a, adjacency);
  if (available) a = tf.mul(tf.mul(a, tf.expandDims(available, 1)), tf.expandDims(available, 2));
  // deg 0 only where the row (and column) of A is 0, so clamping it to 1 leaves those entries 0.
  const inv = tf.rsqrt(tf.maximum(tf.sum(a, 2), 1)); // [B, N]
  return tf.mul(tf.mul(a, tf.expandDims(inv, 2)), tf.expandDims(inv, 1));
}

/** AGILE-GCN's graph pathway: compression, `layers` GCN layers with ELU between, residual. Output [B, N, hidden]. */
export class GraphConvolutionBlock implements Parameterized {
  readonly compress: Linear;
  /** W_l and b_l of each layer (b added after aggregation, as in Kipf & Welling's layer). */
  readonly layers: Linear[] = [];
  readonly residual: boolean;
  readonly outputSize: number;
  constructor(
    rng: Rng,
    readonly inputSize: number,
    opts: GraphConvolutionBlockOptions = {},
  ) {
    const name = opts.name ?? "gcnblock";
    const hidden = opts.hidden ?? 64;
    const count = opts.layers ?? 2;
    if (!Number.isInteger(count) || count < 1) throw new QscapeError(`${name}: layers must be ≥ 1, got ${count}`);
    this.compress = new Linear(rng, inputSize, hidden, { name: `${name}.compress` });
    for (let i = 0; i < count; i++) {
      this.layers.push(new Linear(rng, hidden, hidden, { name: `${name}.gcn${i}`, init: "glorot" }));
    }
    this.residual = opts.residual ?? true;
    this.outputSize = hidden;
  }
  apply(nodes: tf.Tensor3D, masks: AttentionMasks = {}): tf.Tensor3D {
    const [b, n, d] = nodes.shape;
    if (d !== this.inputSize)
      throw new QscapeError(`GraphConvolutionBlock: nodes have ${d} features, expected ${this.inputSize}`);
    const adjacency = normalizedAdjacency(b, n, masks);
    const x0 = applyPerItem(this.compress, nodes);
    let h = x0;
    this.layers.forEach((layer, i) => {
      if (i > 0) h = tf.elu(h);
      const z = tf.reshape(tf.matMul(tf.reshape(h, [b * n, -1]), layer.weight as tf.Tensor2D), [b, n, -1]);
      h = tf.add(tf.matMul(adjacency, z as tf.Tensor3D), layer.bias);
    });
    if (this.residual) h = tf.add(h, x0);
    return masks.available ? tf.mul(h, tf.expandDims(masks.available, 2)) : h;
  }
  parameters(): tf.Variable[] {
    return [...this.compress.parameters(), ...this.layers.flatMap((l) => l.parameters())];
  }
}
