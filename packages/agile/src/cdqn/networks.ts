/**
 * The listwise Q-network of Algorithm 5 (thesis App. B C.2) and its baselines, over a batch of
 * padded candidate sets:
 *
 *   e_s    = φ_s(s)                               2-layer tanh MLP, hidden 64 (as AGILE-PPO's encoder)
 *   e_list = φ_list(a_1..a_{n−1})                 GRU (1 layer) over Linear_32(c_a) of the items chosen so
 *                                                 far, then a 2-layer MLP; dim 64 (Table B.4)
 *   agile:   v_a = concat(e_s, e_list, c_a)       one node per candidate still available (complete graph)
 *            e_rel = GAT_rel(v), e_sum = MLP2(mean GAT_sum(v))     twin GATs (the package's ActionGraph)
 *            Q_n(s, a) = MLP_256×64(concat(e_s, e_list, e_rel_a, e_sum, c_a))
 *   utility: Q_n(s, a) = MLP_256×64(concat(e_s, e_list, c_a))        each item alone, no graph
 *   simple-dqn: Q(s, a) = MLP_256×64(concat(e_s, c_a))               no list input (§3.6.1)
 *
 * One parameter set serves every list index n ("sharing the Q-network weights across list indices
 * is better", App. B D.3): the index enters only through e_list and the set of available nodes.
 *
 * App. B.2.2's switches (agile): `preSummarizer` puts a 2-layer ReLU MLP on each v_a before the
 * graph; `twinGat: false` uses one GAT for both e_rel and e_sum; a target network built with the
 * main network's list encoder (`shareListEncoder`) borrows it instead of owning a copy. Fig. B.9's
 * analyses: `graphLayer: "gcn"` swaps the GATs for GCN blocks, `graphNodes: "action-only"` makes the
 * nodes v_a = c_a.
 */
import {
  applyPerItem,
  Linear,
  MLP,
  maskedMean,
  type Parameterized,
  QscapeError,
  type Rng,
  tf,
  tileOverItems,
} from "@qscape/core";
import { ActionGraph } from "../networks.js";
import type { CDQNSettings } from "./config.js";

/**
 * Single-layer GRU (PyTorch's gate layout and initialisation: r, z, n; U(±1/√hidden)):
 * r = σ(x W_ir + h W_hr), z = σ(x W_iz + h W_hz), n = tanh(x W_in + r ⊙ (h W_hn)), h′ = (1 − z) n + z h.
 */
export class GRU implements Parameterized {
  readonly inputProjection: Linear;
  readonly recurrentProjection: Linear;
  constructor(
    rng: Rng,
    readonly inputSize: number,
    readonly hiddenSize: number,
    name = "gru",
  ) {
    // PyTorch draws every GRU weight from U(±1/√hidden); Linear draws U(±1/√fanIn), so rescale.
    this.inputProjection = new Linear(rng, inputSize, 3 * hiddenSize, {
      name: `${name}.ih`,
      scale: Math.sqrt(inputSize / hiddenSize),
    });
    this.recurrentProjection = new Linear(rng, hiddenSize, 3 * hiddenSize, { name: `${name}.hh` });
  }

  /** Hidden state after each prefix of the items [B, L, in]: [B, L + 1, hidden], index 0 = zeros. */
  prefixStates(items: tf.Tensor3D): tf.Tensor3D {
    const [b, l, d] = items.shape;
    if (d !== this.inputSize) throw new QscapeError(`GRU: items have ${d} features, expected ${this.inputSize}`);
    const h0 = tf.zeros([b, this.hiddenSize]) as tf.Tensor2D;
    const states: tf.Tensor2D[] = [h0];
    if (l > 0) {
      // Inputs projected at once; steps sliced from a time-major copy (see core's LSTM for why
      // not unstack).
      const timeMajor = tf.transpose(applyPerItem(this.inputProjection, items), [1, 0, 2]);
      let h = h0;
      for (let t = 0; t < l; t++) {
        const x = tf.reshape(tf.slice(timeMajor, [t, 0, 0], [1, b, 3 * this.hiddenSize]), [b, 3 * this.hiddenSize]);
        const [xr, xz, xn] = tf.split(x, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const [hr, hz, hn] = tf.split(this.recurrentProjection.apply(h), 3, 1) as [
          tf.Tensor2D,
          tf.Tensor2D,
          tf.Tensor2D,
        ];
        const r = tf.sigmoid(tf.add(xr, hr));
        const z = tf.sigmoid(tf.add(xz, hz));
        const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
        h = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h)) as tf.Tensor2D;
        states.push(h);
      }
    }
    return tf.stack(states, 1) as tf.Tensor3D;
  }

  parameters(): tf.Variable[] {
    return [...this.inputProjection.parameters(), ...this.recurrentProjection.parameters()];
  }
}

/** The list encoder φ_list: Linear item embedding → GRU → 2-layer ReLU MLP (Algorithm 5). */
export class ListEncoder implements Parameterized {
  readonly itemEmbedding: Linear;
  readonly gru: GRU;
  readonly mlp: MLP;
  constructor(
    rng: Rng,
    featureDim: number,
    s: Pick<CDQNSettings, "actionEncoderDim" | "listEncoderDim">,
    name: string,
  ) {
    this.itemEmbedding = new Linear(rng, featureDim, s.actionEncoderDim, { name: `${name}.item` });
    this.gru = new GRU(rng, s.actionEncoderDim, s.listEncoderDim, `${name}.gru`);
    this.mlp = new MLP(rng, s.listEncoderDim, s.listEncoderDim, { hidden: [s.listEncoderDim], name: `${name}.mlp` });
  }
  /** e_list of every prefix of the chosen items [B, L, d]: [B, L + 1, listEncoderDim]. */
  prefixes(chosen: tf.Tensor3D): tf.Tensor3D {
    const [b, l] = chosen.shape;
    const states =
      l === 0
        ? (tf.zeros([b, 1, this.gru.hiddenSize]) as tf.Tensor3D)
        : this.gru.prefixStates(applyPerItem(this.itemEmbedding, chosen));
    return applyPerItem(this.mlp, states);
  }
  parameters(): tf.Variable[] {
    return [...this.itemEmbedding.parameters(), ...this.gru.parameters(), ...this.mlp.parameters()];
  }
}

/** A batch of candidate sets with a list chosen from them, and the list indices to score. */
export interface ListQuery {
  /** [B, S]. */
  state: tf.Tensor2D;
  /** [B, K, d] candidate representations (anything in padded slots). */
  features: tf.Tensor3D;
  /** [B, N] int32: the slots of the list's items (only the first max(prefixLengths) are read). */
  slots: tf.Tensor2D;
  /** Score the index that follows a prefix of this many items, for each entry (I entries). */
  prefixLengths: readonly number[];
  /** [B, I, K]: 1 where the slot is a candidate not yet in that prefix (the graph's nodes). */
  available: tf.Tensor3D;
}

/** Q over the candidate slots at the queried list indices. */
export interface ListQFunction {
  /** [B, I, K] raw Q-values (unavailable slots hold anything: the caller masks them). */
  scores(query: ListQuery): tf.Tensor3D;
}

export interface ListShape {
  stateDim: number;
  featureDim: number;
}

/** [B, L, d] representations of the slots [B, L] (a one-hot product, not a gather: see networks.ts). */
export function slotFeatures(features: tf.Tensor3D, slots: tf.Tensor2D): tf.Tensor3D {
  return tf.matMul(tf.oneHot(slots, features.shape[1]) as tf.Tensor3D, features);
}

/** Repeats [B, …] along a new axis 1, I times, flattened to [B·I, …]. */
function repeatRows<T extends tf.Tensor>(x: T, times: number): T {
  const [b, ...rest] = x.shape;
  return tf.reshape(tileOverItems(x, times), [b * times, ...rest]) as T;
}

/** The Q-network of one variant (main or target: two instances). */
export class ListQNetwork implements ListQFunction, Parameterized {
  readonly encoder: MLP;
  readonly listEncoder: ListEncoder | null;
  /** The list encoder is the main network's (a target with `shareListEncoder`): not among `parameters()`. */
  readonly borrowsListEncoder: boolean;
  /** `preSummarizer`: MLP2_ReLU(v_a) → graphHidden, the graph's node features. */
  readonly preSummarizer: MLP | null;
  /** Twin GATs (`relational` + `summaryGat`), or with `twinGat: false` only `summaryGat`, read for both. */
  readonly graph: ActionGraph | null;
  readonly utility: MLP;
  /** `listEncoder`: the main network's, for a target that shares it (App. B.2.2, AGILE-Tuned). */
  constructor(
    rng: Rng,
    readonly shape: ListShape,
    readonly settings: CDQNSettings,
    name: string,
    listEncoder?: ListEncoder | null,
  ) {
    const s = settings;
    const d = shape.featureDim;
    this.encoder = new MLP(rng, shape.stateDim, s.hidden, {
      hidden: [s.hidden],
      activation: "tanh",
      outputActivation: "tanh",
      name: `${name}.encoder`,
    });
    const cascaded = s.variant !== "simple-dqn";
    this.borrowsListEncoder = cascaded && listEncoder != null;
    this.listEncoder = cascaded ? (listEncoder ?? new ListEncoder(rng, d, s, `${name}.list`)) : null;
    const context = s.hidden + (cascaded ? s.listEncoderDim : 0);
    const agile = s.variant === "agile";
    // Drawn only when on, so the default networks' initial weights are those drawn before the switch.
    const rawNodeSize = s.graphNodes === "action-only" ? d : context + d;
    this.preSummarizer =
      agile && s.preSummarizer
        ? new MLP(rng, rawNodeSize, s.graphHidden, { hidden: [s.graphHidden], name: `${name}.preSummarizer` })
        : null;
    const nodeSize = this.preSummarizer ? s.graphHidden : rawNodeSize;
    this.graph = agile ? new ActionGraph(rng, nodeSize, s, s.twinGat, `${name}.graph`, s.graphLayer) : null;
    const width = context + d + (this.graph ? 2 * s.graphHidden : 0);
    this.utility = new MLP(rng, width, 1, { hidden: s.qHidden, name: `${name}.utility` });
  }

  /**
   * The graph's nodes [B, K, ·]: concat(e_s, e_list, c_a) given the context [B, c] (c_a alone with
   * `graphNodes: "action-only"`), through the pre-summarizer if on.
   */
  graphNodes(context: tf.Tensor2D, features: tf.Tensor3D): tf.Tensor3D {
    const nodes = this.settings.graphNodes === "action-only" ? features : ActionGraph.nodes(context, features);
    return this.preSummarizer ? applyPerItem(this.preSummarizer, nodes) : nodes;
  }

  /** e_rel [B, K, graphHidden] and e_sum [B, graphHidden] over the available nodes. */
  private relationsAndSummary(nodes: tf.Tensor3D, available: tf.Tensor2D): [tf.Tensor3D, tf.Tensor2D] {
    const graph = this.graph as ActionGraph;
    if (graph.relational) return [graph.relationalFeatures(nodes, available), graph.summary(nodes, available)];
    // "No twin-GAT" (App. B.2.2): the one GAT's outputs are e_rel, and their mean the summary's input.
    const shared = graph.summaryGat.apply(nodes, { available });
    return [shared, graph.summaryMlp.apply(maskedMean(shared, available))];
  }

  /**
   * What a target copy of this network syncs from: all parameters, less the list encoder when the
   * target borrows it (its parameters then pair with the rest in order).
   */
  syncSourceFor(target: ListQNetwork): Parameterized {
    if (!target.borrowsListEncoder) return this;
    const shared = new Set(this.listEncoder?.parameters() ?? []);
    return { parameters: () => this.parameters().filter((p) => !shared.has(p)) };
  }

  scores(q: ListQuery): tf.Tensor3D {
    const [b, k, d] = q.features.shape;
    if (d !== this.shape.featureDim)
      throw new QscapeError(`cdqn: features are ${d}-d, expected ${this.shape.featureDim}`);
    const count = q.prefixLengths.length;
    // Context per (row, index): e_s, and e_list of the index's prefix.
    let context = repeatRows(this.encoder.apply(q.state), count);
    if (this.listEncoder) {
      const longest = Math.max(...q.prefixLengths);
      const chosen = slotFeatures(q.features, tf.slice(q.slots, [0, 0], [b, longest]));
      const all = this.listEncoder.prefixes(chosen); // [B, longest + 1, h]
      const picked = q.prefixLengths.map((n) => tf.slice(all, [0, n, 0], [b, 1, -1]));
      const lists = tf.reshape(tf.concat(picked, 1), [b * count, -1]) as tf.Tensor2D;
      context = tf.concat([context, lists], 1);
    }
    const features = repeatRows(q.features, count);
    const available = tf.reshape(q.available, [b * count, k]) as tf.Tensor2D;
    const tiledContext = tileOverItems(context, k) as tf.Tensor3D;
    const parts: tf.Tensor3D[] = [tiledContext];
    if (this.graph) {
      // Nodes concat(e_s, e_list, c_a) over the available candidates only (chosen items leave the graph).
      const [relational, summary] = this.relationsAndSummary(this.graphNodes(context, features), available);
      parts.push(relational, tileOverItems(summary, k) as tf.Tensor3D);
    }
    parts.push(features);
    const input = tf.concat(parts, 2);
    const width = input.shape[2];
    const out = this.utility.apply(tf.reshape(input, [b * count * k, width]));
    return tf.reshape(out, [b, count, k]) as tf.Tensor3D;
  }

  parameters(): tf.Variable[] {
    return [
      ...this.encoder.parameters(),
      ...(this.borrowsListEncoder ? [] : (this.listEncoder?.parameters() ?? [])),
      ...(this.preSummarizer?.parameters() ?? []),
      ...(this.graph?.parameters() ?? []),
      ...this.utility.parameters(),
    ];
  }
}
