/**
 * Wolpertinger for large discrete action spaces (Dulac-Arnold et al. 2015; SAVO §6.1).
 * Each action is an item with a vector representation. The actor outputs a proto-action in that
 * space (plus exploration noise when exploring), the k nearest items are ranked by Q1(s, item)
 * and the best is executed; the TD target does the same with the target actor and target critic.
 * The critic and actor learn exactly as TD3's, with the executed item's vector as the action.
 */
import type { ActOptions, Agent, CandidateProposer, MLP, Snapshot, Transition } from "@qscape/core";
import { argmax, type EnvSpaces, QscapeError, requireDiscreteAction, tf } from "@qscape/core";
import type { z } from "zod";
import type { TD3Agent } from "../td3/agent.js";
import { TD3Config } from "../td3/config.js";
import { ProposalTD3Agent } from "./agent.js";
import { candidateCount } from "./config.js";

/** One vector per discrete action, row-major (the shape of `@qscape/envs`' ActionRepresentation). */
export interface ItemRepresentation {
  itemEmbeddings: Float32Array;
  numItems: number;
  dim: number;
  /** 1 for items available now (read at every query, so an in-place update takes effect). */
  available?: Uint8Array | Int32Array;
}

/** Exact k-nearest-neighbour search over the items (e.g. `@qscape/envs`' KnnIndex). */
export interface NearestItems {
  query(queries: Float32Array, batch: number, k: number, mask?: Uint8Array | Int32Array): { indices: Int32Array };
}

export const KnnWolpertingerConfig = TD3Config.extend({ k: candidateCount }).strict();
export type KnnWolpertingerConfigInput = z.input<typeof KnnWolpertingerConfig>;
type KnnWolpertingerSettings = z.output<typeof KnnWolpertingerConfig>;

/** [B, k, dim]: the normalised vectors of the k items nearest each proto-action (μ(s) + noise when exploring). */
export class NearestItemsProposer implements CandidateProposer {
  /** Item indices of the last single-state proposal (what `act` executes). */
  lastNeighbours: Int32Array = new Int32Array(0);

  constructor(
    private readonly td3: TD3Agent<KnnWolpertingerSettings>,
    private readonly items: ItemRepresentation,
    private readonly index: NearestItems,
  ) {}

  propose(obs: tf.Tensor2D, explore: boolean): tf.Tensor3D {
    const { actors, actionDim, noise } = this.td3;
    const proto = (actors[0] as MLP).apply(obs);
    if (!explore) return this.nearestItems(proto, true);
    const b = obs.shape[0];
    const eps = new Float32Array(b * actionDim);
    for (let i = 0; i < b; i++) eps.set(noise.sample(new Float32Array(actionDim)), i * actionDim);
    return this.nearestItems(tf.clipByValue(tf.add(proto, tf.tensor2d(eps, proto.shape)), -1, 1), true);
  }

  proposeTarget(nextObs: tf.Tensor2D): tf.Tensor3D {
    return this.nearestItems((this.td3.targetActors[0] as MLP).apply(nextObs), false);
  }

  private nearestItems(proto: tf.Tensor2D, remember: boolean): tf.Tensor3D {
    const { scaler, config } = this.td3;
    const [b, d] = proto.shape;
    const k = config.k;
    const normalised = proto.dataSync() as Float32Array;
    const queries = new Float32Array(b * d);
    for (let i = 0; i < b; i++) queries.set(scaler.toEnv(normalised.subarray(i * d, (i + 1) * d)), i * d);
    const { indices } = this.index.query(queries, b, k, this.items.available);
    const vectors = new Float32Array(b * k * d);
    for (let i = 0; i < b; i++) {
      for (let j = 0; j < k; j++) {
        // Fewer than k items available: repeat the nearest.
        const item = (indices[i * k + j] as number) >= 0 ? (indices[i * k + j] as number) : (indices[i * k] as number);
        indices[i * k + j] = item;
        const row = this.items.itemEmbeddings.subarray(item * d, (item + 1) * d);
        vectors.set(scaler.fromEnv(row), (i * k + j) * d);
      }
    }
    if (remember) this.lastNeighbours = indices;
    return tf.tensor3d(vectors, [b, k, d]);
  }
}

export class KnnWolpertingerAgent implements Agent<Float32Array, number> {
  readonly name = "knnWolpertinger";
  /** TD3 over the item-vector box, acting and bootstrapping through the k nearest items. */
  readonly learner: ProposalTD3Agent<KnnWolpertingerSettings, NearestItemsProposer>;
  private readonly items: ItemRepresentation;

  constructor(env: EnvSpaces, items: ItemRepresentation, index: NearestItems, config: KnnWolpertingerConfigInput = {}) {
    const n = requireDiscreteAction(env, this.name);
    if (items.numItems !== n || items.itemEmbeddings.length !== n * items.dim) {
      throw new QscapeError(
        `${this.name}: the item representation has ${items.numItems} items of dim ${items.dim} (${items.itemEmbeddings.length} values), but the env has Discrete(${n})`,
      );
    }
    // The actor's box spans the items' bounding box (widened where all items agree).
    const low = new Float32Array(items.dim).fill(Number.POSITIVE_INFINITY);
    const high = new Float32Array(items.dim).fill(Number.NEGATIVE_INFINITY);
    for (let i = 0; i < items.itemEmbeddings.length; i++) {
      const j = i % items.dim;
      low[j] = Math.min(low[j] as number, items.itemEmbeddings[i] as number);
      high[j] = Math.max(high[j] as number, items.itemEmbeddings[i] as number);
    }
    for (let j = 0; j < items.dim; j++) {
      if ((high[j] as number) - (low[j] as number) < 1e-6) {
        low[j] = (low[j] as number) - 1;
        high[j] = (high[j] as number) + 1;
      }
    }
    const spaces = { ...env, observationSpace: env.observationSpace, actionSpace: { shape: [items.dim], low, high } };
    this.learner = new ProposalTD3Agent(spaces, config, {
      name: this.name,
      schema: KnnWolpertingerConfig,
      proposer: (td3) => new NearestItemsProposer(td3, items, index),
    });
    this.items = items;
  }

  act(obs: Float32Array, opts: ActOptions): number {
    const { q } = this.learner.chooseAction(obs, opts.explore);
    return this.learner.proposer.lastNeighbours[q ? argmax(q) : 0] as number;
  }

  observe(t: Transition<Float32Array, number>): void {
    const d = this.items.dim;
    const vector = this.items.itemEmbeddings.subarray(t.action * d, (t.action + 1) * d);
    this.learner.observe({ ...t, action: vector });
  }

  update(): Record<string, number> {
    return this.learner.update();
  }

  counters(): Record<string, number> {
    return this.learner.counters();
  }

  save(): Snapshot {
    return this.learner.save();
  }

  load(state: Snapshot): void {
    this.learner.load(state);
  }

  dispose(): void {
    this.learner.dispose();
  }
}
