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
 * in this project; and AGILE's "Pairing" variant.
 */
import { Rng } from "@qscape/core";
import { z } from "zod";
import type { Info, ResetArgs, StepResult } from "../env.js";
import { Env, envLabel } from "../env.js";
import { EnvError, ResetNeededError } from "../errors.js";
import { Box, Dict, Discrete, MultiDiscrete } from "../spaces.js";
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
}

/**
 * Items from a Gaussian mixture: category k and subcategory s uniform, then
 * x = μ_{k,s} + itemStd·ε with μ_{k,s} = c_k + subcategorySpread·u_{k,s} (u a random unit vector).
 */
export function sampleItemCatalog(spec: MixtureSpec, rng: Rng): ItemCatalog {
  const { numItems, dim, numCategories: K, numSubcategories: S } = spec;
  const unit = (out: Float32Array, offset: number) => {
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const v = rng.normal();
      out[offset + j] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let j = 0; j < dim; j++) out[offset + j] = (out[offset + j] as number) / norm;
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
      if (S > 1) unit(direction, 0);
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

/** The interest-evolution user shared by both recommenders (see the file comment). */
export class InterestUser {
  readonly interest: Float64Array;
  private readonly masks: Float64Array;

  constructor(
    private readonly catalog: ItemCatalog,
    private readonly updateRate: number,
  ) {
    const { dim } = catalog;
    const K = catalog.centres.length / dim;
    this.interest = new Float64Array(dim);
    this.masks = new Float64Array(K * dim);
    for (let k = 0; k < K; k++) {
      let max = 0;
      for (let j = 0; j < dim; j++) max = Math.max(max, Math.abs(catalog.centres[k * dim + j] as number));
      for (let j = 0; j < dim; j++) this.masks[k * dim + j] = Math.abs(catalog.centres[k * dim + j] as number) / max;
    }
  }

  reset(rng: Rng): void {
    for (let j = 0; j < this.interest.length; j++) this.interest[j] = rng.uniform(-1, 1);
  }

  /** ⟨e_u, e_i⟩. */
  affinity(item: number): number {
    const { embeddings, dim } = this.catalog;
    let s = 0;
    for (let j = 0; j < dim; j++) s += (this.interest[j] as number) * (embeddings[item * dim + j] as number);
    return s;
  }

  /** Interest drift after a click on `item`. */
  consume(item: number, rng: Rng): void {
    const { dim } = this.catalog;
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

// ---------------------------------------------------------------------------------------------
// Listwise recommender with CPR (AGILE)
// ---------------------------------------------------------------------------------------------

export const RecSimSlateConfigSchema = z
  .object({
    numCategories: z.number().int().min(2).default(10),
    /** 2 in the thesis, 4 in the official code. */
    numSubcategories: z.number().int().min(1).default(2),
    dim: z.number().int().min(2).default(20),
    itemStd: z.number().positive().default(0.05),
    subcategorySpread: z.number().min(0).default(0.3),
    numTrainItems: z.number().int().min(1).default(250),
    numTestItems: z.number().int().min(1).default(250),
    /** Which disjoint half of the base set the episodes draw candidates from. */
    split: z.enum(["train", "test"]).default("train"),
    numCandidates: z.number().int().min(1).default(20),
    slateSize: z.number().int().min(1).default(6),
    /** Share of candidates from the episode's majority category (official code "skewed", 0.4). */
    skewRatio: z.number().min(0).max(1).default(0.4),
    alphaUser: z.number().default(0.3),
    alphaCpr: z.number().default(5),
    /** Skip item logit (official code no_click_mass 4). */
    noClickMass: z.number().default(4),
    interestUpdateRate: z.number().min(0).max(1).default(0.1),
    /** "click" (implicit CPR, the default) or "click+cpr" (App. B.3 Direct CPR). */
    reward: z.enum(["click", "click+cpr"]).default("click"),
    itemSeed: z.number().int().min(0).default(0),
  })
  .strict()
  .refine((c) => c.slateSize <= c.numCandidates, { message: "slateSize must be at most numCandidates" })
  .refine((c) => c.numCandidates <= Math.min(c.numTrainItems, c.numTestItems), {
    message: "numCandidates must be at most the number of items in each split",
  });

export type RecSimSlateConfig = z.input<typeof RecSimSlateConfigSchema>;

export interface SlateObservation extends Record<string, unknown> {
  /** The user interest e_u. */
  user: Float32Array;
  /** Item ids (into the split's items) of this episode's candidates. */
  candidateIds: Int32Array;
  /** [numCandidates × dim] representations of the candidates. */
  candidates: Float32Array;
}

function entropy2(counts: ArrayLike<number>, total: number): number {
  let h = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] as number;
    if (c > 0) h -= (c / total) * Math.log2(c / total);
  }
  return h;
}

/**
 * CPR ∈ [0, 1] of a list, in the official code's product form normalised to [0, 1]:
 * coherence = 1 − H(category)/log2(L) (1 when one main category), times diversity = the
 * count-weighted mean over present categories of H(subcategory | category)/log2(numSubcategories)
 * (1 when subcategories are evenly mixed; taken as 1 with a single subcategory). The thesis's
 * H(sub)/H(cat) is undefined for single-category lists, which CPR is meant to reward.
 */
export function cprScore(
  categories: ArrayLike<number>,
  subcategories: ArrayLike<number>,
  numSubcategories: number,
): number {
  const L = categories.length;
  if (L <= 1) return 0;
  const byCategory = new Map<number, number[]>();
  for (let i = 0; i < L; i++) {
    const k = categories[i] as number;
    const counts = byCategory.get(k) ?? new Array<number>(numSubcategories).fill(0);
    counts[subcategories[i] as number] = (counts[subcategories[i] as number] as number) + 1;
    byCategory.set(k, counts);
  }
  const categoryCounts = [...byCategory.values()].map((c) => c.reduce((a, b) => a + b, 0));
  const coherence = 1 - entropy2(categoryCounts, L) / Math.log2(L);
  if (numSubcategories === 1) return coherence;
  let diversity = 0;
  for (const counts of byCategory.values()) {
    const n = counts.reduce((a, b) => a + b, 0);
    const maxH = Math.log2(Math.min(n, numSubcategories));
    diversity += (n / L) * (maxH > 0 ? entropy2(counts, n) / Math.log2(numSubcategories) : 0);
  }
  return coherence * diversity;
}

/**
 * AGILE's listwise RecSim: each episode draws `numCandidates` items of the split (a `skewRatio`
 * share from one majority category, the rest uniformly from the others); each step the agent
 * recommends `slateSize` distinct candidate ids. Item scores α_user⟨e_u, e_i⟩ + α_cpr·CPR(list)
 * and the skip logit `noClickMass` go through a softmax; the user clicks one item or skips.
 * Reward: the click (or click + CPR). The available set is both the observation keys
 * `candidateIds`/`candidates` and `info.actionRepresentation.available`.
 */
export class RecSimSlateEnv extends Env<SlateObservation, Int32Array> implements HasActionRepresentation {
  readonly config: z.output<typeof RecSimSlateConfigSchema>;
  /** The whole base set (train items first, then test items). */
  readonly baseCatalog: ItemCatalog;
  /** Items of the configured split; ids are indices into it. */
  readonly catalog: ItemCatalog;
  readonly user: InterestUser;
  readonly observationSpace: Dict<SlateObservation>;
  readonly actionSpace: MultiDiscrete;
  readonly actionRepresentation: ActionRepresentation;
  candidateIds: Int32Array = new Int32Array(0);
  private hasState = false;

  constructor(config: RecSimSlateConfig = {}) {
    super();
    this.config = parseWith(RecSimSlateConfigSchema, config, "RecSimSlate");
    const c = this.config;
    this.baseCatalog = sampleItemCatalog(
      {
        numItems: c.numTrainItems + c.numTestItems,
        dim: c.dim,
        numCategories: c.numCategories,
        numSubcategories: c.numSubcategories,
        centres: "random",
        subcategorySpread: c.subcategorySpread,
        itemStd: c.itemStd,
      },
      new Rng(c.itemSeed),
    );
    const [from, to] = c.split === "train" ? [0, c.numTrainItems] : [c.numTrainItems, c.numTrainItems + c.numTestItems];
    const b = this.baseCatalog;
    this.catalog = {
      ...b,
      embeddings: b.embeddings.slice(from * c.dim, to * c.dim),
      numItems: to - from,
      category: b.category.slice(from, to),
      subcategory: b.subcategory.slice(from, to),
    };
    this.user = new InterestUser(this.catalog, c.interestUpdateRate);
    this.actionRepresentation = {
      itemEmbeddings: this.catalog.embeddings,
      numItems: this.catalog.numItems,
      dim: c.dim,
      available: new Uint8Array(this.catalog.numItems),
    };
    this.observationSpace = new Dict<SlateObservation>({
      user: new Box(-1, 1, [c.dim]),
      candidateIds: new MultiDiscrete(new Array(c.numCandidates).fill(this.catalog.numItems)),
      candidates: new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, [c.numCandidates, c.dim]),
    });
    this.actionSpace = new MultiDiscrete(new Array(c.slateSize).fill(this.catalog.numItems));
  }

  /**
   * `options.candidateIds` (distinct item ids of the split, `numCandidates` of them) fixes this
   * episode's action set instead of sampling it.
   */
  reset({ seed, options }: ResetArgs = {}): [SlateObservation, Info] {
    this.seedRng(seed);
    const { candidateIds, ...rest } = options ?? {};
    checkResetOptions(this, rest);
    if (candidateIds === undefined) this.sampleCandidates();
    else this.setCandidates(this.checkCandidates(candidateIds));
    this.user.reset(this.rng);
    this.hasState = true;
    return [this.observe(), { actionRepresentation: this.actionRepresentation, candidateIds: this.candidateIds }];
  }

  private sampleCandidates(): void {
    const { numCandidates, skewRatio, numCategories } = this.config;
    const cat = this.catalog;
    const majority = this.rng.int(0, numCategories);
    const inMajority: number[] = [];
    const others: number[] = [];
    for (let i = 0; i < cat.numItems; i++) (cat.category[i] === majority ? inMajority : others).push(i);
    const fromMajority = Math.min(Math.round(skewRatio * numCandidates), inMajority.length);
    const pick = (pool: number[], n: number) =>
      Array.from(this.rng.permutation(pool.length).subarray(0, n), (j) => pool[j] as number);
    const chosen = [...pick(inMajority, fromMajority), ...pick(others, numCandidates - fromMajority)];
    this.setCandidates(Int32Array.from(chosen));
  }

  private checkCandidates(ids: unknown): Int32Array {
    const { numCandidates } = this.config;
    const n = this.catalog.numItems;
    const list = ids instanceof Int32Array || Array.isArray(ids) ? Array.from(ids as ArrayLike<unknown>) : null;
    if (list === null || list.length !== numCandidates) {
      throw new EnvError(`${envLabel(this)}: reset option candidateIds must be ${numCandidates} item ids`);
    }
    for (const id of list) {
      if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id >= n) {
        throw new EnvError(
          `${envLabel(this)}: reset option candidateIds has ${String(id)}, not an item id in 0..${n - 1}`,
        );
      }
    }
    if (new Set(list).size !== list.length)
      throw new EnvError(`${envLabel(this)}: reset option candidateIds repeats an item`);
    return Int32Array.from(list as number[]);
  }

  private setCandidates(ids: Int32Array): void {
    this.candidateIds = ids.sort();
    const available = this.actionRepresentation.available as Uint8Array;
    available.fill(0);
    for (const i of this.candidateIds) available[i] = 1;
  }

  private observe(): SlateObservation {
    const { dim } = this.config;
    const candidates = new Float32Array(this.candidateIds.length * dim);
    this.candidateIds.forEach((id, r) => {
      candidates.set(this.catalog.embeddings.subarray(id * dim, (id + 1) * dim), r * dim);
    });
    return { user: this.user.observe(), candidateIds: this.candidateIds.slice(), candidates };
  }

  /** CPR of a list of item ids. */
  cpr(slate: ArrayLike<number>): number {
    const ids = Array.from(slate);
    return cprScore(
      ids.map((i) => this.catalog.category[i] as number),
      ids.map((i) => this.catalog.subcategory[i] as number),
      this.config.numSubcategories,
    );
  }

  /** Click probability of each slate position, and of skipping (last entry). */
  choiceProbabilities(slate: ArrayLike<number>): Float64Array {
    const { alphaUser, alphaCpr, noClickMass } = this.config;
    const cpr = this.cpr(slate);
    const logits = Array.from(slate, (i) => alphaUser * this.user.affinity(i) + alphaCpr * cpr);
    logits.push(noClickMass);
    const max = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - max));
    const total = exps.reduce((a, b) => a + b, 0);
    return Float64Array.from(exps, (e) => e / total);
  }

  step(action: Int32Array): StepResult<SlateObservation> {
    if (!this.hasState) throw new ResetNeededError(`${envLabel(this)}: call reset() before step()`);
    const why = this.actionSpace.explain(action);
    if (why !== null) throw new EnvError(`${envLabel(this)}: slate ${why}`);
    const available = this.actionRepresentation.available as Uint8Array;
    for (let p = 0; p < action.length; p++) {
      const id = action[p] as number;
      if (!available[id]) throw new EnvError(`${envLabel(this)}: item ${id} is not a candidate this episode`);
      if (action.indexOf(id) !== p) throw new EnvError(`${envLabel(this)}: item ${id} appears twice in the slate`);
    }
    const probs = this.choiceProbabilities(action);
    let u = this.rng.random();
    let choice = probs.length - 1;
    for (let p = 0; p < probs.length - 1; p++) {
      u -= probs[p] as number;
      if (u < 0) {
        choice = p;
        break;
      }
    }
    const clicked = choice < action.length;
    if (clicked) this.user.consume(action[choice] as number, this.rng);
    const cpr = this.cpr(action);
    const reward = (clicked ? 1 : 0) + (this.config.reward === "click+cpr" ? cpr : 0);
    return [this.observe(), reward, false, false, { clicked, clickedItem: clicked ? action[choice] : -1, cpr }];
  }
}
