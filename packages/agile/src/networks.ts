/**
 * AGILE's networks (thesis Ch. 3 §3.4, App. B C.1; Table B.3) and the baselines' (§3.6.1), over a
 * batch of padded action sets:
 *
 *   e_s  = f_ω(s)                                  2-layer tanh MLP, hidden 64 (App. A D.3, vector states)
 *   v_i  = concat(e_s, c_i)                        one node per available action; complete graph
 *   c^R  = GAT_rel(v)                              2 GAT layers, 1 head, LeakyReLU 0.2, ELU between,
 *   c̄^R  = MLP2_ReLU(mean_i GAT_sum(v)_i)          residual after layer 2; twin GATs, separate weights
 *   u_i  = MLP2_ReLU(concat(e_s, c^R_i, c̄^R))      utility = PPO logit
 *   π(·|s, 𝒜) = softmax over the available slots only (padded slots get a −1e9 logit)
 *   V(s') = Linear(concat(f'_ω(s), c̄'^R))          the critic's own encoder and its own summary GAT
 *                                                  ("the actor and critic must not share GAT weights", §3.4)
 *
 * The GAT itself is core's `GraphAttentionBlock` (nn/attention.ts). Padded slots (mask 0) are no
 * graph nodes: they are never attended to, their GAT rows are zero, the mean-pool skips them and
 * their logits are masked, so nothing they hold reaches an output.
 *
 * The §3.6.3 analyses change the graph only: `agile-gcn` swaps both pathways (and the critic's) for
 * `GraphConvolutionBlock` (gcn.ts), `agile-only-action` builds the nodes from c_i alone (App. B
 * C.1: "does not utilize state input in the GAT"; the utility and the critic's head still read e_s).
 * Domain-knowledge edges (App. B.1) arrive as `ActionSetTensors.adjacency`, the edge mask that
 * core's GAT (and the GCN) take.
 */
import {
  type AttentionMasks,
  DeepSetSummarizer,
  GraphAttentionBlock,
  Linear,
  type ListSummarizer,
  LSTMSummarizer,
  MASKED_LOGIT,
  MLP,
  maskedMean,
  type Parameterized,
  QscapeError,
  type Rng,
  tf,
  tileOverItems,
} from "@qscape/core";
import type { AgileSettings, AgileVariant } from "./config.js";
import { GraphConvolutionBlock } from "./gcn.js";

/** A batch of observations with padded action sets, as tensors. */
export interface ActionSetTensors {
  /** [B, stateDim]. */
  state: tf.Tensor2D;
  /** [B, K, d]: representations of the listed actions (anything in padded slots). */
  features: tf.Tensor3D;
  /** [B, K]: 1 for a listed action, 0 for a padded slot (float32). */
  mask: tf.Tensor2D;
  /** [B, K] int32 inventory ids, padded slots clamped to 0 (the Mask baselines' base-set index). */
  ids: tf.Tensor2D;
  /** [B, N]: 1 for the inventory actions available this episode (Mask-Input-Output's input). */
  availability: tf.Tensor2D;
  /**
   * [B, K, K] edge mask of the action graph (1: slot i receives from slot j), App. B.1's
   * domain-knowledge edges (`variableActionEdges`). Absent: the complete graph over the available slots.
   */
  adjacency?: tf.Tensor3D;
}

export interface NetworkShape {
  stateDim: number;
  /** Action-representation width d. */
  featureDim: number;
  /** Size of the base action set 𝔸 (the Mask baselines' output head). */
  numItems: number;
}

/** What the GAT pathways read (Table B.3); the listwise CDQN passes its own config's fields. */
export type GatSettings = Pick<AgileSettings, "graphHidden" | "gatLayers" | "gatHeads" | "leakyReluAlpha" | "residual">;

type GraphSettings = GatSettings & Pick<AgileSettings, "hidden" | "maskHidden">;

/** f_ω: a 2-layer tanh MLP (App. A D.3: "vector states use a 2-layer MLP with tanh"). */
export function stateEncoder(rng: Rng, stateDim: number, hidden: number, name: string): MLP {
  return new MLP(rng, stateDim, hidden, { hidden: [hidden], activation: "tanh", outputActivation: "tanh", name });
}

function gat(rng: Rng, inputSize: number, s: GatSettings, name: string): GraphAttentionBlock {
  return new GraphAttentionBlock(rng, inputSize, {
    hidden: s.graphHidden,
    layers: s.gatLayers,
    heads: s.gatHeads,
    negativeSlope: s.leakyReluAlpha,
    residual: s.residual,
    name,
  });
}

/** The graph's masks: available slots, plus the domain-knowledge edges when given. */
function masksOf(mask: tf.Tensor2D, adjacency: tf.Tensor3D | undefined): AttentionMasks {
  return adjacency ? { available: mask, adjacency } : { available: mask };
}

/** [B, K, h] copies of a per-observation vector [B, h] (core's tile with an O(K) gradient). */
function tileOverSlots(x: tf.Tensor2D, slots: number): tf.Tensor3D {
  return tileOverItems(x, slots) as tf.Tensor3D;
}

/** A 2-layer MLP applied to every slot of [B, K, in] → [B, K]. */
function scoreSlots(mlp: MLP, x: tf.Tensor3D): tf.Tensor2D {
  const [b, k, d] = x.shape;
  return tf.reshape(mlp.apply(tf.reshape(x, [b * k, d])), [b, k]);
}

/**
 * App. B.1's domain-knowledge edges: slots i and j are joined when either holds a variable action
 * (one the env draws per episode), and every slot keeps its self-loop; padded slots (mask 0) have
 * no edge at all. `variable` and `mask` are [B, K] (1/0); the result is [B, K, K]. On Dig Lava (5
 * fixed + 2 variable skills) it holds 29 of the 49 pairs.
 */
export function variableActionEdges(variable: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor3D {
  const k = mask.shape[1];
  const either = tf.maximum(tf.expandDims(variable, 2), tf.expandDims(variable, 1));
  const edges = tf.maximum(either, tf.expandDims(tf.eye(k), 0));
  return tf.mul(tf.mul(edges, tf.expandDims(mask, 2)), tf.expandDims(mask, 1));
}

/** Logits of padded slots replaced by MASKED_LOGIT, so softmax gives them exactly 0. */
export function maskLogits(logits: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.mul(logits, mask), tf.mul(tf.sub(1, mask), MASKED_LOGIT));
}

/** AGILE-GCN's pathway, configured as the GAT's (same width, layer count, residual). */
function gcn(rng: Rng, inputSize: number, s: GatSettings, name: string): GraphConvolutionBlock {
  return new GraphConvolutionBlock(rng, inputSize, {
    hidden: s.graphHidden,
    layers: s.gatLayers,
    residual: s.residual,
    name,
  });
}

/** Message passing of the action graph: attention (AGILE) or GCN (the AGILE-GCN analysis, §3.6.3). */
export type GraphLayer = "gat" | "gcn";

/**
 * The AGILE action graph: twin GAT pathways over the nodes concat(e_s, c_i). `relational` gives
 * c^R_i [B, K, graphHidden]; `summary` gives c̄^R [B, graphHidden] (mean-pooled GAT_sum outputs
 * through a 2-layer ReLU MLP). `relational` is null for a summary-only graph (the critic's). With
 * `layer: "gcn"` both pathways are GCN blocks (`summaryGat` then holds the summary's GCN).
 * `adjacency` restricts the edges (domain knowledge, App. B.1).
 */
export class ActionGraph implements Parameterized {
  readonly relational: GraphAttentionBlock | GraphConvolutionBlock | null;
  readonly summaryGat: GraphAttentionBlock | GraphConvolutionBlock;
  readonly summaryMlp: MLP;
  constructor(
    rng: Rng,
    nodeSize: number,
    s: GatSettings,
    withRelational: boolean,
    name: string,
    readonly layer: GraphLayer = "gat",
  ) {
    const block = layer === "gcn" ? gcn : gat;
    this.relational = withRelational ? block(rng, nodeSize, s, `${name}.rel`) : null;
    this.summaryGat = block(rng, nodeSize, s, `${name}.sum`);
    this.summaryMlp = new MLP(rng, s.graphHidden, s.graphHidden, { hidden: [s.graphHidden], name: `${name}.sumMlp` });
  }
  /** Nodes [B, K, nodeSize] = concat(e_s tiled, c_i). */
  static nodes(encodedState: tf.Tensor2D, features: tf.Tensor3D): tf.Tensor3D {
    return tf.concat([tileOverSlots(encodedState, features.shape[1]), features], 2);
  }
  relationalFeatures(nodes: tf.Tensor3D, mask: tf.Tensor2D, adjacency?: tf.Tensor3D): tf.Tensor3D {
    if (!this.relational) throw new QscapeError("ActionGraph: this graph has no relational pathway");
    return this.relational.apply(nodes, masksOf(mask, adjacency));
  }
  summary(nodes: tf.Tensor3D, mask: tf.Tensor2D, adjacency?: tf.Tensor3D): tf.Tensor2D {
    return this.summaryMlp.apply(maskedMean(this.summaryGat.apply(nodes, masksOf(mask, adjacency)), mask));
  }
  parameters(): tf.Variable[] {
    return [...(this.relational?.parameters() ?? []), ...this.summaryGat.parameters(), ...this.summaryMlp.parameters()];
  }
}

/**
 * A set summary for the summary ablations (App. B C.1, Table B.3): `summary-gat` = AGILE's summary
 * pathway (GAT over concat(e_s, c_i), mean pool, MLP); `summary-deepset` / `summary-lstm` = core's
 * summarizers over the raw c_i (per-item 2-layer ReLU MLP, mean pool or a 2-layer Bi-LSTM, MLP).
 */
export class SetSummary implements Parameterized {
  readonly graph: ActionGraph | null = null;
  readonly summarizer: ListSummarizer | null = null;
  constructor(rng: Rng, variant: AgileVariant, shape: NetworkShape, s: GraphSettings, name: string) {
    const h = s.graphHidden;
    if (variant === "summary-lstm") {
      this.summarizer = new LSTMSummarizer(rng, {
        inputSize: shape.featureDim,
        hiddenSize: h,
        outputSize: h,
        layers: 2,
        name,
      });
    } else if (variant === "summary-deepset") {
      this.summarizer = new DeepSetSummarizer(rng, {
        inputSize: shape.featureDim,
        hiddenSize: h,
        outputSize: h,
        pool: "mean",
        name,
      });
    } else this.graph = new ActionGraph(rng, s.hidden + shape.featureDim, s, false, name);
  }
  /** [B, graphHidden]. */
  apply(encodedState: tf.Tensor2D, x: ActionSetTensors): tf.Tensor2D {
    if (this.summarizer) return this.summarizer.apply(x.features, x.mask);
    return (this.graph as ActionGraph).summary(ActionGraph.nodes(encodedState, x.features), x.mask, x.adjacency);
  }
  parameters(): tf.Variable[] {
    return [...(this.graph?.parameters() ?? []), ...(this.summarizer?.parameters() ?? [])];
  }
}

const isSummaryVariant = (v: AgileVariant) => v === "summary-gat" || v === "summary-deepset" || v === "summary-lstm";

/** AGILE and its §3.6.3 analyses: relational features + summary from an action graph. */
const isAgileVariant = (v: AgileVariant) => v === "agile" || v === "agile-gcn" || v === "agile-only-action";

/**
 * Whether a variant's actor computes a set summary (`ActorOutput.summary`): the AGILE family and the
 * summary ablations. CREATE's placement head then reads s′ = (e_s, summary) (§3.5.2), else e_s.
 */
export const actorHasSummary = (v: AgileVariant): boolean => isAgileVariant(v) || isSummaryVariant(v);

/** The AGILE family's graph: its message passing and its node width (c_i alone for Only-Action). */
function agileGraph(v: AgileVariant, shape: NetworkShape, hidden: number): { layer: GraphLayer; nodeSize: number } {
  return {
    layer: v === "agile-gcn" ? "gcn" : "gat",
    nodeSize: v === "agile-only-action" ? shape.featureDim : hidden + shape.featureDim,
  };
}

/**
 * The AGILE family's graph nodes: concat(e_s, c_i), or c_i alone for AGILE-Only-Action (App. B
 * C.1), whose relations are then the same in every state.
 */
function agileNodes(variant: AgileVariant, es: tf.Tensor2D, features: tf.Tensor3D): tf.Tensor3D {
  return variant === "agile-only-action" ? features : ActionGraph.nodes(es, features);
}

/** What the actor computes for a batch: masked logits over the slots, plus AGILE's intermediates. */
export interface ActorOutput {
  /** [B, K], padded slots at MASKED_LOGIT. */
  logits: tf.Tensor2D;
  /** e_s = f_ω(s) [B, hidden], which CREATE's placement head reads (Ch. 2 §2.4). */
  encodedState: tf.Tensor2D;
  /** AGILE only: c^R [B, K, graphHidden] and c̄^R [B, graphHidden]. */
  relational?: tf.Tensor3D;
  summary?: tf.Tensor2D;
}

/** The policy π(a | s, 𝒜) of each variant as per-slot logits. */
export class Actor implements Parameterized {
  readonly encoder: MLP;
  readonly graph: ActionGraph | null = null;
  /** Utility-Policy: Linear(c_i) before the utility MLP (App. A D.3). */
  readonly actionLinear: Linear | null = null;
  /** Utility network (AGILE, Utility-Policy): a 2-layer ReLU MLP → 1 logit per slot. */
  readonly utility: MLP | null = null;
  /** Mask-Input-Output's availability MLP. */
  readonly maskMlp: MLP | null = null;
  /** Mask baselines: logits over the whole base set. */
  readonly head: Linear | null = null;
  /** Summary ablations: the set summary the utility sees next to the raw c_i. */
  readonly setSummary: SetSummary | null = null;
  constructor(
    rng: Rng,
    readonly variant: AgileVariant,
    readonly shape: NetworkShape,
    s: GraphSettings,
  ) {
    const h = s.hidden;
    this.encoder = stateEncoder(rng, shape.stateDim, h, "actor.encoder");
    switch (variant) {
      case "agile":
      case "agile-gcn":
      case "agile-only-action": {
        const { layer, nodeSize } = agileGraph(variant, shape, h);
        this.graph = new ActionGraph(rng, nodeSize, s, true, "actor.graph", layer);
        this.utility = new MLP(rng, h + 2 * s.graphHidden, 1, { hidden: [h], name: "actor.utility" });
        break;
      }
      case "utility-policy":
        this.actionLinear = new Linear(rng, shape.featureDim, h, { name: "actor.action" });
        this.utility = new MLP(rng, 2 * h, 1, { hidden: [h], name: "actor.utility" });
        break;
      case "mask-output":
        this.head = new Linear(rng, h, shape.numItems, { name: "actor.head" });
        break;
      case "summary-gat":
      case "summary-deepset":
      case "summary-lstm":
        this.setSummary = new SetSummary(rng, variant, shape, s, "actor.summary");
        this.utility = new MLP(rng, h + shape.featureDim + s.graphHidden, 1, { hidden: [h], name: "actor.utility" });
        break;
      case "mask-input-output":
        this.maskMlp = new MLP(rng, shape.numItems, s.maskHidden, {
          hidden: [s.maskHidden],
          outputActivation: "relu",
          name: "actor.mask",
        });
        this.head = new Linear(rng, h + s.maskHidden, shape.numItems, { name: "actor.head" });
        break;
    }
  }

  apply(x: ActionSetTensors): ActorOutput {
    const es = this.encoder.apply(x.state);
    const slots = x.features.shape[1];
    if (this.graph && this.utility) {
      const nodes = agileNodes(this.variant, es, x.features);
      const relational = this.graph.relationalFeatures(nodes, x.mask, x.adjacency);
      const summary = this.graph.summary(nodes, x.mask, x.adjacency);
      const input = tf.concat([tileOverSlots(es, slots), relational, tileOverSlots(summary, slots)], 2);
      return { logits: maskLogits(scoreSlots(this.utility, input), x.mask), encodedState: es, relational, summary };
    }
    if (this.setSummary && this.utility) {
      const summary = this.setSummary.apply(es, x);
      const input = tf.concat([tileOverSlots(es, slots), x.features, tileOverSlots(summary, slots)], 2);
      return { logits: maskLogits(scoreSlots(this.utility, input), x.mask), encodedState: es, summary };
    }
    if (this.actionLinear && this.utility) {
      const actions = tf.reshape(this.actionLinear.apply(tf.reshape(x.features, [-1, this.shape.featureDim])), [
        x.features.shape[0],
        slots,
        -1,
      ]) as tf.Tensor3D;
      const input = tf.concat([actions, tileOverSlots(es, slots)], 2);
      return { logits: maskLogits(scoreSlots(this.utility, input), x.mask), encodedState: es };
    }
    const head = this.head as Linear;
    const input = this.maskMlp ? tf.concat([es, this.maskMlp.apply(x.availability)], 1) : es;
    // Base-set logits [B, N], read out at each slot's inventory id (a one-hot product rather than
    // a batched gather, whose gradient fails on the WASM backend).
    const all = head.apply(input);
    const pick = tf.oneHot(x.ids, this.shape.numItems) as tf.Tensor3D;
    const perSlot = tf.sum(tf.mul(tf.expandDims(all, 1), pick), 2) as tf.Tensor2D;
    return { logits: maskLogits(perSlot, x.mask), encodedState: es };
  }

  parameters(): tf.Variable[] {
    return [
      ...this.encoder.parameters(),
      ...(this.graph?.parameters() ?? []),
      ...(this.actionLinear?.parameters() ?? []),
      ...(this.utility?.parameters() ?? []),
      ...(this.maskMlp?.parameters() ?? []),
      ...(this.head?.parameters() ?? []),
      ...(this.setSummary?.parameters() ?? []),
    ];
  }
}

/**
 * V(s′). AGILE: s′ = (s, c̄^R) with the critic's own encoder and summary GAT (not shared with the
 * actor, §3.4). Mask-Input-Output: the state plus the availability MLP. Otherwise V(s).
 */
export class Critic implements Parameterized {
  readonly encoder: MLP;
  readonly graph: ActionGraph | null = null;
  readonly maskMlp: MLP | null = null;
  readonly setSummary: SetSummary | null = null;
  readonly head: Linear;
  constructor(
    rng: Rng,
    readonly variant: AgileVariant,
    shape: NetworkShape,
    s: GraphSettings,
  ) {
    const h = s.hidden;
    this.encoder = stateEncoder(rng, shape.stateDim, h, "critic.encoder");
    let width = h;
    if (isAgileVariant(variant)) {
      // The analyses change the critic's summary graph as the actor's (the graph is one design).
      const { layer, nodeSize } = agileGraph(variant, shape, h);
      this.graph = new ActionGraph(rng, nodeSize, s, false, "critic.graph", layer);
      width += s.graphHidden;
    } else if (isSummaryVariant(variant)) {
      this.setSummary = new SetSummary(rng, variant, shape, s, "critic.summary");
      width += s.graphHidden;
    } else if (variant === "mask-input-output") {
      this.maskMlp = new MLP(rng, shape.numItems, s.maskHidden, {
        hidden: [s.maskHidden],
        outputActivation: "relu",
        name: "critic.mask",
      });
      width += s.maskHidden;
    }
    this.head = new Linear(rng, width, 1, { name: "critic.head" });
  }
  /** [B]. */
  apply(x: ActionSetTensors): tf.Tensor1D {
    const es = this.encoder.apply(x.state);
    let input = es;
    if (this.graph) {
      const summary = this.graph.summary(agileNodes(this.variant, es, x.features), x.mask, x.adjacency);
      input = tf.concat([es, summary], 1);
    } else if (this.setSummary) input = tf.concat([es, this.setSummary.apply(es, x)], 1);
    else if (this.maskMlp) input = tf.concat([es, this.maskMlp.apply(x.availability)], 1);
    return tf.reshape(this.head.apply(input), [-1]);
  }
  parameters(): tf.Variable[] {
    return [
      ...this.encoder.parameters(),
      ...(this.graph?.parameters() ?? []),
      ...(this.maskMlp?.parameters() ?? []),
      ...(this.setSummary?.parameters() ?? []),
      ...this.head.parameters(),
    ];
  }
}

/** log π over the slots [B, K] (padded slots ≈ −1e9) from masked logits. */
export function slotLogProbs(logits: tf.Tensor2D): tf.Tensor2D {
  return tf.logSoftmax(logits);
}

/** Entropy of the masked softmax per row [B]; padded slots contribute exactly 0. */
export function maskedEntropy(logits: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  const logp = tf.logSoftmax(logits);
  return tf.neg(tf.sum(tf.mul(tf.mul(tf.exp(logp), logp), mask), 1));
}
