/**
 * List summarizers: a set or list of items [B, L, d] → one vector [B, outputSize] (SAVO App. F.3,
 * following Jain et al. 2021; also AGILE's Summary-DeepSet/LSTM baselines). Each one is
 *   per-item 2-layer ReLU MLP → core (pooling | Bi-LSTM | self-attention) → 2-layer MLP.
 * An optional mask [B, L] (1 = real item, 0 = padding) makes padded items irrelevant. A list with
 * no items (L = 0, or a row that is all padding) is summarized as a zero vector, so "no
 * preceding actions" is a fixed, learnable-around input rather than the MLP of an empty pool.
 */
import * as tf from "@tensorflow/tfjs";
import { QscapeError } from "../errors.js";
import type { Parameterized } from "../params.js";
import type { Rng } from "../rng.js";
import { MultiHeadAttention } from "./attention.js";
import { LSTM } from "./lstm.js";
import { LayerNorm, MLP } from "./mlp.js";
import { applyPerItem, checkMask, maskedMax, maskedMean, rowHasItems } from "./ops.js";

export interface ListSummarizer extends Parameterized {
  readonly kind: SummarizerKind;
  readonly inputSize: number;
  readonly outputSize: number;
  /** items [B, L, inputSize], mask [B, L] → [B, outputSize]. */
  apply(items: tf.Tensor3D, mask?: tf.Tensor2D): tf.Tensor2D;
}

export type SummarizerKind = "deepset" | "lstm" | "attention";

export interface SummarizerOptions {
  inputSize: number;
  /** Width of the per-item MLP, of the core and of the output MLP's hidden layer. */
  hiddenSize: number;
  outputSize: number;
  name?: string;
}

/** Per-item encoder shared by all summarizers: Linear → ReLU → Linear → ReLU. */
function itemEncoder(rng: Rng, opts: SummarizerOptions, name: string): MLP {
  return new MLP(rng, opts.inputSize, opts.hiddenSize, {
    hidden: [opts.hiddenSize],
    outputActivation: "relu",
    name: `${name}.items`,
  });
}

/** Output MLP: Linear → ReLU → Linear. */
function outputHead(rng: Rng, inputSize: number, opts: SummarizerOptions, name: string): MLP {
  return new MLP(rng, inputSize, opts.outputSize, { hidden: [opts.hiddenSize], name: `${name}.out` });
}

/** Shape checks, the empty-list case and zeroing of all-padding rows, around a summarizer body. */
function summarize(
  s: ListSummarizer,
  items: tf.Tensor3D,
  mask: tf.Tensor2D | undefined,
  body: () => tf.Tensor2D,
): tf.Tensor2D {
  const [b, l, d] = items.shape;
  if (d !== s.inputSize)
    throw new QscapeError(`${s.kind} summarizer: items have ${d} features, expected ${s.inputSize}`);
  checkMask(items, mask, `${s.kind} summarizer`);
  if (l === 0) return tf.zeros([b, s.outputSize]);
  const summary = body();
  return mask ? tf.mul(summary, rowHasItems(mask)) : summary;
}

export interface DeepSetOptions extends SummarizerOptions {
  /** Pooling over items: the paper's mean (default) or the official SAVO code's max. */
  pool?: "mean" | "max";
}

/** DeepSet: ρ(pool_i φ(x_i)). Permutation invariant. */
export class DeepSetSummarizer implements ListSummarizer {
  readonly kind = "deepset";
  readonly inputSize: number;
  readonly outputSize: number;
  readonly pool: "mean" | "max";
  readonly items: MLP;
  readonly output: MLP;
  constructor(rng: Rng, opts: DeepSetOptions) {
    const name = opts.name ?? "deepset";
    this.inputSize = opts.inputSize;
    this.outputSize = opts.outputSize;
    this.pool = opts.pool ?? "mean";
    this.items = itemEncoder(rng, opts, name);
    this.output = outputHead(rng, opts.hiddenSize, opts, name);
  }
  apply(items: tf.Tensor3D, mask?: tf.Tensor2D): tf.Tensor2D {
    return summarize(this, items, mask, () => {
      const encoded = applyPerItem(this.items, items);
      return this.output.apply(this.pool === "mean" ? maskedMean(encoded, mask) : maskedMax(encoded, mask));
    });
  }
  parameters(): tf.Variable[] {
    return [...this.items.parameters(), ...this.output.parameters()];
  }
}

export interface LSTMSummarizerOptions extends SummarizerOptions {
  /** Stacked bidirectional layers (SAVO: 2). */
  layers?: number;
}

/**
 * Bidirectional LSTM: each layer runs a forward and a backward LSTM and feeds the next layer the
 * per-item concatenation; the summary reads the last layer's two final states. Order dependent.
 */
export class LSTMSummarizer implements ListSummarizer {
  readonly kind = "lstm";
  readonly inputSize: number;
  readonly outputSize: number;
  readonly items: MLP;
  readonly forward: LSTM[] = [];
  readonly backward: LSTM[] = [];
  readonly output: MLP;
  constructor(rng: Rng, opts: LSTMSummarizerOptions) {
    const name = opts.name ?? "lstmsum";
    const layers = opts.layers ?? 2;
    if (!Number.isInteger(layers) || layers < 1) throw new QscapeError(`${name}: layers must be ≥ 1, got ${layers}`);
    this.inputSize = opts.inputSize;
    this.outputSize = opts.outputSize;
    this.items = itemEncoder(rng, opts, name);
    const h = opts.hiddenSize;
    for (let i = 0; i < layers; i++) {
      const input = i === 0 ? h : 2 * h;
      this.forward.push(new LSTM(rng, input, h, { name: `${name}.fwd${i}` }));
      this.backward.push(new LSTM(rng, input, h, { name: `${name}.bwd${i}` }));
    }
    this.output = outputHead(rng, 2 * h, opts, name);
  }
  apply(items: tf.Tensor3D, mask?: tf.Tensor2D): tf.Tensor2D {
    return summarize(this, items, mask, () => {
      let sequence = applyPerItem(this.items, items);
      let finals: tf.Tensor2D[] = [];
      this.forward.forEach((fwdLayer, i) => {
        const fwd = fwdLayer.apply(sequence, mask);
        const bwd = (this.backward[i] as LSTM).apply(sequence, mask, true);
        sequence = tf.concat([fwd.outputs, bwd.outputs], 2);
        finals = [fwd.final, bwd.final];
      });
      return this.output.apply(tf.concat(finals, 1));
    });
  }
  parameters(): tf.Variable[] {
    return [
      ...this.items.parameters(),
      ...this.forward.flatMap((l, i) => [...l.parameters(), ...(this.backward[i] as LSTM).parameters()]),
      ...this.output.parameters(),
    ];
  }
}

export interface AttentionSummarizerOptions extends SummarizerOptions {
  heads?: number;
  /** Transformer encoder layers (self-attention + feed-forward, post-LayerNorm). */
  layers?: number;
}

/** One post-LN Transformer encoder layer: LN(x + MHA(x)), then LN(x + FFN(x)). */
class TransformerLayer implements Parameterized {
  readonly attention: MultiHeadAttention;
  readonly attentionNorm: LayerNorm;
  readonly feedForward: MLP;
  readonly feedForwardNorm: LayerNorm;
  constructor(rng: Rng, size: number, heads: number, name: string) {
    this.attention = new MultiHeadAttention(rng, size, { heads, name: `${name}.mha` });
    this.attentionNorm = new LayerNorm(size, 1e-5, `${name}.ln1`);
    this.feedForward = new MLP(rng, size, size, { hidden: [2 * size], name: `${name}.ffn` });
    this.feedForwardNorm = new LayerNorm(size, 1e-5, `${name}.ln2`);
  }
  apply(x: tf.Tensor3D, mask: tf.Tensor2D | undefined): tf.Tensor3D {
    const attended = applyPerItem(this.attentionNorm, this.attention.apply(x, mask ? { available: mask } : {}));
    return applyPerItem(this.feedForwardNorm, tf.add(attended, applyPerItem(this.feedForward, attended)));
  }
  parameters(): tf.Variable[] {
    return [
      ...this.attention.parameters(),
      ...this.attentionNorm.parameters(),
      ...this.feedForward.parameters(),
      ...this.feedForwardNorm.parameters(),
    ];
  }
}

/** Self-attention encoder, masked mean pooling, output MLP. Permutation invariant (no positions). */
export class AttentionSummarizer implements ListSummarizer {
  readonly kind = "attention";
  readonly inputSize: number;
  readonly outputSize: number;
  readonly items: MLP;
  readonly layers: TransformerLayer[] = [];
  readonly output: MLP;
  constructor(rng: Rng, opts: AttentionSummarizerOptions) {
    const name = opts.name ?? "attnsum";
    const layers = opts.layers ?? 1;
    if (!Number.isInteger(layers) || layers < 1) throw new QscapeError(`${name}: layers must be ≥ 1, got ${layers}`);
    this.inputSize = opts.inputSize;
    this.outputSize = opts.outputSize;
    this.items = itemEncoder(rng, opts, name);
    for (let i = 0; i < layers; i++) {
      this.layers.push(new TransformerLayer(rng, opts.hiddenSize, opts.heads ?? 1, `${name}.layer${i}`));
    }
    this.output = outputHead(rng, opts.hiddenSize, opts, name);
  }
  apply(items: tf.Tensor3D, mask?: tf.Tensor2D): tf.Tensor2D {
    return summarize(this, items, mask, () => {
      let h = applyPerItem(this.items, items);
      for (const layer of this.layers) h = layer.apply(h, mask);
      return this.output.apply(maskedMean(h, mask));
    });
  }
  parameters(): tf.Variable[] {
    return [...this.items.parameters(), ...this.layers.flatMap((l) => l.parameters()), ...this.output.parameters()];
  }
}

export type AnySummarizerOptions = DeepSetOptions & LSTMSummarizerOptions & AttentionSummarizerOptions;

/** Build the summarizer of the given kind; kind-specific options are ignored by the others. */
export function makeSummarizer(kind: SummarizerKind, rng: Rng, opts: AnySummarizerOptions): ListSummarizer {
  switch (kind) {
    case "deepset":
      return new DeepSetSummarizer(rng, opts);
    case "lstm":
      return new LSTMSummarizer(rng, opts);
    case "attention":
      return new AttentionSummarizer(rng, opts);
    default:
      throw new QscapeError(`makeSummarizer: unknown kind "${kind as string}"; expected deepset, lstm or attention`);
  }
}
