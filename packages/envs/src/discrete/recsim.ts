/**
 * RecSim-style simulated recommenders with large item sets (SAVO §5 / App. C.2) and the listwise
 * CPR variant of AGILE (§3.5.3, App. B A.3). Both share the item catalogue (a Gaussian mixture
 * whose components are item categories) and the interest-evolution user.
 *
 * User: interest e_u ∈ [−1, 1]^dim, drawn U(−1, 1) per episode and observed directly (SAVO §5:
 * "based on user preference information"). After a click on item i, with the mask m_i = |c_i| / max|c_i|
 * of the item's category centre c_i and Δ = y·(1 − |e_u|)⊙(1 − e_u)⊙m_i (the AGILE chapter's
 * Δ(e_u) = (−y|e_u| + y)(1 − e_u), restricted to the clicked category as RecSim's interest-evolution
 * model masks its update by the document's topic): e_u ← clip(e_u + Δ) with probability
 * (⟨e_u, e_i⟩ + 1)/2 (clipped to [0, 1]), else e_u ← clip(e_u − Δ).
 *
 * Not here: RecSim-Data (MovieLens-100k + a learned reward model), since no data can be downloaded
 * in this project.
 */
import { Rng } from "@qscape/core";
import { z } from "zod";
import type { Info, ResetArgs, StepResult } from "../env.js";
import { Env, envLabel } from "../env.js";
import { EnvError, ResetNeededError } from "../errors.js";
import { Box, Discrete } from "../spaces.js";
import type { ActionRepresentation, HasActionRepresentation } from "./action-representation.js";

export interface ItemCatalog {
  /** [numItems × dim]. */
  embeddings: Float32Array;
  numItems: number;
  dim: number;
  category: Int32Array;
  /** Subcategory within the category (0 when there is one subcategory). */
  subcategory: Int32Array;
  /** [numCategories × dim] main category centres. */
  centres: Float32Array;
  /** [numCategories × numSubcategories × dim] mixture component means. */
  componentMeans: Float32Array;
}

export interface MixtureSpec {
  numItems: number;
  dim: number;
  numCategories: number;
  numSubcategories: number;
  /** "onehot": centre k = e_k (needs dim ≥ numCategories); "random": random unit vectors. */
  centres: "onehot" | "random";
  /** Distance of each subcategory mean from its category centre (random direction). */
  subcategorySpread: number;
  /** Isotropic standard deviation of each mixture component. */
  itemStd: number;
  /**
   * First dim of the subspace the subcategory offsets live in (default 0: all dims). AGILE's
   * slate env puts the one-hot category centres in dims [0, K) and the offsets in [K, dim).
   */
  subcategoryFrom?: number;
}

/**
 * Items from a Gaussian mixture: category k and subcategory s uniform, then
 * x = μ_{k,s} + itemStd·ε with μ_{k,s} = c_k + subcategorySpread·u_{k,s} (u a random unit vector).
 */
export function sampleItemCatalog(spec: MixtureSpec, rng: Rng): ItemCatalog {
  const { numItems, dim, numCategories: K, numSubcategories: S } = spec;
  const unit = (out: Float32Array, offset: number, from = 0) => {
    let norm = 0;
    for (let j = from; j < dim; j++) {
      const v = rng.normal();
      out[offset + j] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let j = from; j < dim; j++) out[offset + j] = (out[offset + j] as number) / norm;
  };
  const centres = new Float32Array(K * dim);
  for (let k = 0; k < K; k++) {
    if (spec.centres === "onehot") centres[k * dim + k] = 1;
    else unit(centres, k * dim);
  }
  const componentMeans = new Float32Array(K * S * dim);
  const direction = new Float32Array(dim);
  for (let k = 0; k < K; k++) {
    for (let s = 0; s < S; s++) {
      const o = (k * S + s) * dim;
      if (S > 1) unit(direction, 0, spec.subcategoryFrom ?? 0);
      for (let j = 0; j < dim; j++) {
        componentMeans[o + j] =
          (centres[k * dim + j] as number) + (S > 1 ? spec.subcategorySpread * (direction[j] as number) : 0);
      }
    }
  }
  const embeddings = new Float32Array(numItems * dim);
  const category = new Int32Array(numItems);
  const subcategory = new Int32Array(numItems);
  for (let i = 0; i < numItems; i++) {
    const k = rng.int(0, K);
    const s = rng.int(0, S);
    category[i] = k;
    subcategory[i] = s;
    const o = (k * S + s) * dim;
    for (let j = 0; j < dim; j++)
      embeddings[i * dim + j] = (componentMeans[o + j] as number) + spec.itemStd * rng.normal();
  }
  return { embeddings, numItems, dim, category, subcategory, centres, componentMeans };
}

/** Appends `extra` N(0, std²) noise dims to each row ("extra action dims" of SAVO Table 2). */
function withExtraDims(cat: ItemCatalog, extra: number, std: number, rng: Rng): ActionRepresentation {
  if (extra === 0) return { itemEmbeddings: cat.embeddings, numItems: cat.numItems, dim: cat.dim };
  const dim = cat.dim + extra;
  const out = new Float32Array(cat.numItems * dim);
  for (let i = 0; i < cat.numItems; i++) {
    out.set(cat.embeddings.subarray(i * cat.dim, (i + 1) * cat.dim), i * dim);
    for (let j = cat.dim; j < dim; j++) out[i * dim + j] = std * rng.normal();
  }
  return { itemEmbeddings: out, numItems: cat.numItems, dim };
}

/**
 * The interest-evolution user shared by both recommenders (see the file comment). The interest
 * has `userDim` entries (default: the item dim) and is dotted with an item's first `userDim`
 * dims: AGILE's slate env observes a 10-d user (Table B.4, n = number of categories) against
 * 20-d items whose category centres are the one-hot vectors of the first 10 dims.
 */
export class InterestUser {
  readonly interest: Float64Array;
  private readonly masks: Float64Array;
  readonly userDim: number;

  constructor(
    private readonly catalog: ItemCatalog,
    private readonly updateRate: number,
    userDim = catalog.dim,
  ) {
    const { dim } = catalog;
    const K = catalog.centres.length / dim;
    this.userDim = userDim;
    this.interest = new Float64Array(userDim);
    this.masks = new Float64Array(K * userDim);
    for (let k = 0; k < K; k++) {
      let max = 0;
      for (let j = 0; j < userDim; j++) max = Math.max(max, Math.abs(catalog.centres[k * dim + j] as number));
      for (let j = 0; j < userDim; j++)
        this.masks[k * userDim + j] = Math.abs(catalog.centres[k * dim + j] as number) / max;
    }
  }

  reset(rng: Rng): void {
    for (let j = 0; j < this.interest.length; j++) this.interest[j] = rng.uniform(-1, 1);
  }

  /** ⟨e_u, e_i⟩ (over the user's `userDim` dims). */
  affinity(item: number): number {
    const { embeddings, dim } = this.catalog;
    let s = 0;
    for (let j = 0; j < this.userDim; j++) s += (this.interest[j] as number) * (embeddings[item * dim + j] as number);
    return s;
  }

  /** Interest drift after a click on `item`. */
  consume(item: number, rng: Rng): void {
    const dim = this.userDim;
    const pUp = Math.min(1, Math.max(0, (this.affinity(item) + 1) / 2));
    const sign = rng.random() < pUp ? 1 : -1;
    const k = this.catalog.category[item] as number;
    for (let j = 0; j < dim; j++) {
      const e = this.interest[j] as number;
      const delta = this.updateRate * (1 - Math.abs(e)) * (1 - e) * (this.masks[k * dim + j] as number);
      this.interest[j] = Math.min(1, Math.max(-1, e + sign * delta));
    }
  }

  observe(): Float32Array {
    return Float32Array.from(this.interest);
  }
}

function parseWith<S extends z.ZodType>(schema: S, config: unknown, name: string): z.output<S> {
  const parsed = schema.safeParse(config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; ");
    throw new EnvError(`${name}: invalid config (${issues})`);
  }
  return parsed.data;
}

function checkResetOptions(env: Env<unknown, unknown>, options: Record<string, unknown> | undefined): void {
  if (options !== undefined && Object.keys(options).length > 0) {
    throw new EnvError(`${envLabel(env)}: reset takes no options, got ${Object.keys(options).join(", ")}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Single-item recommender (SAVO)
// ---------------------------------------------------------------------------------------------

export const RecSimConfigSchema = z
  .object({
    /** 10,000 in the paper; 100,000 and 500,000 in its App. D.4. */
    numItems: z.number().int().min(1).max(5_000_000).default(10_000),
    /** Categories = embedding dim (SAVO Table 2 "true action dim" 30, official code 30). */
    numCategories: z.number().int().min(1).default(30),
    itemStd: z.number().positive().default(0.1),
    /** score_skip: the skip item's logit (official code no_click_mass 2, multinomial logit). */
    scoreSkip: z.number().default(2),
    /** y in Δ(e_u) (RecSim-NG interest_step_size 0.1). */
    interestUpdateRate: z.number().min(0).max(1).default(0.1),
    /** Noise dims appended to the action representation (SAVO Table 2 "extra action dim" 15). */
    extraActionDims: z.number().int().min(0).default(0),
    /** Seeds the item catalogue, which is fixed per env (users are drawn per episode). */
    itemSeed: z.number().int().min(0).default(0),
  })
  .strict();

export type RecSimConfig = z.input<typeof RecSimConfigSchema>;

/**
 * One item per step out of `numItems`; click with p = e^s / (e^s + e^score_skip), s = ⟨e_u, e_i⟩;
 * reward 1 for a click, else 0; 20-step episodes (a registered time limit). Items: a GMM with one
 * component per category, centred on the one-hot e_k, std `itemStd`.
 */
export class RecSimEnv extends Env<Float32Array, number> implements HasActionRepresentation {
  readonly config: z.output<typeof RecSimConfigSchema>;
  readonly catalog: ItemCatalog;
  readonly user: InterestUser;
  readonly observationSpace: Box;
  readonly actionSpace: Discrete;
  readonly actionRepresentation: ActionRepresentation;
  private hasState = false;

  constructor(config: RecSimConfig = {}) {
    super();
    this.config = parseWith(RecSimConfigSchema, config, "RecSim");
    const c = this.config;
    const rng = new Rng(c.itemSeed);
    this.catalog = sampleItemCatalog(
      {
        numItems: c.numItems,
        dim: c.numCategories,
        numCategories: c.numCategories,
        numSubcategories: 1,
        centres: "onehot",
        subcategorySpread: 0,
        itemStd: c.itemStd,
      },
      rng,
    );
    this.actionRepresentation = withExtraDims(this.catalog, c.extraActionDims, c.itemStd, rng);
    this.user = new InterestUser(this.catalog, c.interestUpdateRate);
    this.observationSpace = new Box(-1, 1, [c.numCategories]);
    this.actionSpace = new Discrete(c.numItems);
  }

  reset({ seed, options }: ResetArgs = {}): [Float32Array, Info] {
    this.seedRng(seed);
    checkResetOptions(this, options);
    this.user.reset(this.rng);
    this.hasState = true;
    return [this.user.observe(), { actionRepresentation: this.actionRepresentation }];
  }

  /** Click probability of `item` for the current user. */
  clickProbability(item: number): number {
    return 1 / (1 + Math.exp(this.config.scoreSkip - this.user.affinity(item)));
  }

  step(action: number): StepResult<Float32Array> {
    if (!this.hasState) throw new ResetNeededError(`${envLabel(this)}: call reset() before step()`);
    if (!this.actionSpace.contains(action)) {
      throw new EnvError(`${envLabel(this)}: action ${action} is not in ${this.actionSpace.toString()}`);
    }
    const p = this.clickProbability(action);
    const clicked = this.rng.random() < p;
    if (clicked) this.user.consume(action, this.rng);
    return [
      this.user.observe(),
      clicked ? 1 : 0,
      false,
      false,
      { clicked, clickProbability: p, category: this.catalog.category[action] },
    ];
  }
}

/** The myopic oracle: the item with the highest affinity ⟨e_u, e_i⟩ for the current user. */
export function recSimGreedyAction(env: RecSimEnv): number {
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < env.catalog.numItems; i++) {
    const s = env.user.affinity(i);
    if (s > bestScore) {
      bestScore = s;
      best = i;
    }
  }
  return best;
}
