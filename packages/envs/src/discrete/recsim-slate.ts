/**
 * AGILE's listwise RecSim with CPR (thesis §3.5.3, App. B A.3) and its Direct-CPR (App. B.3) and
 * Pairing (App. B.4) variants, on the shared varying-action-set machinery (`action-set.ts`).
 *
 * - Items: 250 train + 250 test items (disjoint halves of one base set) from a Gaussian mixture
 *   with one centre per main category (10) and `numSubcategories` (2) subcategory components per
 *   centre, 20-d (Table B.4). Centre k is the one-hot e_k in dims [0, 10); the subcategory offsets
 *   live in dims [10, 20).
 * - User: interest e_u ∈ [−1, 1]^10 (n = number of categories, Table B.4), fully observed, dotted
 *   with an item's first 10 dims. After a click, Δ(e_u) = (−y|e_u| + y)(1 − e_u) (App. B A.3) is
 *   added with probability (e_uᵀe_i + 1)/2, else subtracted, along the clicked item's category (see
 *   `InterestUser`).
 * - Candidates: 20 per episode ("most common category sampling"): a `skewRatio` share from one
 *   majority category, the rest uniformly from the other categories' items of the split.
 * - Action: a slate of 6 distinct candidates (`ActionSlate` over the episode's `ActionSubset`).
 * - Choice (§3.5.3): score_i = α_user⟨e_u, e_i⟩ + α_cpr·CPR(slate), a softmax over the slate's
 *   scores and a skip item with logit `noClickMass`, one categorical draw: a click (r = 1) or a
 *   skip (r = 0). `choiceModel: "proportional"` is the official code's proportional model instead.
 */
import { Rng } from "@qscape/core";
import { z } from "zod";
import type { Info, ResetArgs, StepResult } from "../env.js";
import { Env, envLabel } from "../env.js";
import {
  ActionSetSizeError,
  EnvError,
  InvalidActionError,
  ResetNeededError,
  UnavailableActionError,
} from "../errors.js";
import { ActionSlate, ActionSubset, Box, type Dict } from "../spaces.js";
import type { ActionRepresentation, HasActionRepresentation } from "./action-representation.js";
import {
  ActionInventory,
  type ActionSetObservation,
  type ActionSplit,
  actionSetObservationSpace,
  checkSplit,
  observeActionSet,
} from "./action-set.js";
import { InterestUser, type ItemCatalog, sampleItemCatalog } from "./recsim.js";

export const RECSIM_SLATE_VARIANTS = ["implicit-cpr", "direct-cpr", "pairing"] as const;
export type RecSimSlateVariant = (typeof RECSIM_SLATE_VARIANTS)[number];

export const RecSimSlateConfigSchema = z
  .object({
    numCategories: z.number().int().min(2).default(10),
    /** 2 in the thesis, 4 in the official code. */
    numSubcategories: z.number().int().min(1).default(2),
    /** Item dim (Table B.4: 20); at least `numCategories` (the one-hot category centres). */
    dim: z.number().int().min(2).default(20),
    itemStd: z.number().positive().default(0.05),
    subcategorySpread: z.number().min(0).default(0.3),
    numTrainItems: z.number().int().min(1).default(250),
    numTestItems: z.number().int().min(1).default(250),
    /** The split episodes draw candidates from, unless `reset({ options: { split } })` says otherwise. */
    split: z.string().default("train"),
    numCandidates: z.number().int().min(1).default(20),
    slateSize: z.number().int().min(1).default(6),
    /** Share of candidates from the episode's majority category (official code "skewed", 0.4). */
    skewRatio: z.number().min(0).max(1).default(0.4),
    alphaUser: z.number().default(0.3),
    alphaCpr: z.number().default(5),
    /** The skip item's logit (softmax) or mass (proportional); official code no_click_mass 4. */
    noClickMass: z.number().default(4),
    /**
     * "softmax" (§3.5.3, the default) or "proportional" (the official code's RecSim
     * `MultinomialProportionalChoiceModel`: p ∝ score − minNormalizer, the skip item's mass included).
     */
    choiceModel: z.enum(["softmax", "proportional"]).default("softmax"),
    /** Subtracted from every score (and the skip mass) by the proportional model; RecSim's `min_normalizer`. */
    minNormalizer: z.number().default(-1),
    interestUpdateRate: z.number().min(0).max(1).default(0.1),
    /**
     * "implicit-cpr" (§3.5.3, the default): CPR only shifts the click probabilities; "direct-cpr"
     * (App. B.3): reward = click + CPR; "pairing" (App. B.4): only items whose predefined partner
     * is in the same slate can be clicked.
     */
    variant: z.enum(RECSIM_SLATE_VARIANTS).default("implicit-cpr"),
    /** Seeds the item catalogue, the validation half of the test items and the pairs. */
    itemSeed: z.number().int().min(0).default(0),
  })
  .strict()
  .refine((c) => c.slateSize <= c.numCandidates, { message: "slateSize must be at most numCandidates" })
  .refine((c) => c.dim >= c.numCategories, { message: "dim must be at least numCategories" })
  .refine((c) => c.variant !== "pairing" || c.numCandidates % 2 === 0, {
    message: "the pairing variant needs an even numCandidates (candidates come in pairs)",
  });

export type RecSimSlateConfig = z.input<typeof RecSimSlateConfigSchema>;

/** The slate env's observation: `state` is the user interest e_u; the candidates are the action set. */
export type SlateObservation = ActionSetObservation;

/** −Σ p log₂ p over the non-zero counts, p = count / total. */
function entropy2(counts: Iterable<number>, total: number): number {
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / total) * Math.log2(c / total);
  return h;
}

/**
 * CPR of a list, the official code's `minmax_scale(1/H_main) × Σ_c H_sub(c)` (thesis §3.5.3 gives
 * H(sub)/H(cat), which is undefined for single-category lists), with log₂
 * entropies over counts / L:
 * - coherence = 1/H_main min–max scaled over the values a list of L items can take: 1 at the
 *   smallest positive entropy (L − 1 items of one category, 1 of another) and above (H_main = 0,
 *   one category), 0 at the largest (the L items spread over min(L, numCategories) categories as
 *   evenly as possible);
 * - diversity = Σ_c H_sub(c) = −Σ_{c,s} (n_cs/L) log₂(n_cs/L), the entropy of the list's
 *   (category, subcategory) cells.
 * A list of 6 is best with 5 items from one category (split 3 : 2 over its subcategories) and 1
 * from another (CPR ≈ 1.459); 6 of one category split 3 : 3 gives 1.
 */
export function cprScore(
  categories: ArrayLike<number>,
  subcategories: ArrayLike<number>,
  numCategories: number,
): number {
  const L = categories.length;
  if (L <= 1) return 0;
  const byCategory = new Map<number, number>();
  const byCell = new Map<string, number>();
  for (let i = 0; i < L; i++) {
    const k = categories[i] as number;
    byCategory.set(k, (byCategory.get(k) ?? 0) + 1);
    const cell = `${k}/${subcategories[i] as number}`;
    byCell.set(cell, (byCell.get(cell) ?? 0) + 1);
  }
  const hMain = entropy2(byCategory.values(), L);
  const hMin = entropy2([L - 1, 1], L);
  const spread = Math.min(L, numCategories);
  const even = Array.from({ length: spread }, (_, c) => Math.floor(L / spread) + (c < L % spread ? 1 : 0));
  const hMax = entropy2(even, L);
  let coherence: number;
  if (hMain <= hMin + 1e-12) coherence = 1;
  else if (hMax - hMin < 1e-12) coherence = 0;
  else coherence = Math.min(1, Math.max(0, (1 / hMain - 1 / hMax) / (1 / hMin - 1 / hMax)));
  return coherence * entropy2(byCell.values(), L);
}

/**
 * Fixed item pairs for the Pairing variant: within each of `groups`, items are shuffled (seeded),
 * stably sorted by category and paired consecutively, so partners share a category except where an
 * odd category count carries over into the next; an odd group leaves its last item unpaired (−1).
 */
function makePairs(groups: readonly Int32Array[], category: Int32Array, size: number, rng: Rng): Int32Array {
  const partner = new Int32Array(size).fill(-1);
  for (const group of groups) {
    const order = Array.from(rng.permutation(group.length), (j) => group[j] as number);
    order.sort((a, b) => (category[a] as number) - (category[b] as number));
    for (let p = 0; p + 1 < order.length; p += 2) {
      const [a, b] = [order[p] as number, order[p + 1] as number];
      partner[a] = b;
      partner[b] = a;
    }
  }
  return partner;
}

/**
 * AGILE's listwise recommender. Ids 0..numTrainItems−1 are train items, the rest test items; the
 * validation split is a seeded half of the test items' pairs (new-actions App. A.3's convention: "a
 * random half of the test set"; AGILE itself has no validation split). Reset options:
 * `split` (one episode) and `candidateIds` (fixes the candidates instead of sampling them).
 */
export class RecSimSlateEnv extends Env<SlateObservation, Int32Array> implements HasActionRepresentation {
  readonly config: z.output<typeof RecSimSlateConfigSchema>;
  readonly catalog: ItemCatalog;
  readonly inventory: ActionInventory;
  readonly user: InterestUser;
  readonly split: ActionSplit;
  /** The predefined partner of each item (−1 for none); used by the Pairing variant. */
  readonly partner: Int32Array;
  readonly observationSpace: Dict<SlateObservation>;
  readonly actionSpace: ActionSlate;
  readonly candidates: ActionSubset;
  readonly actionRepresentation: ActionRepresentation;
  episodeSplit: ActionSplit;
  private hasState = false;
  /** The most common category among this episode's candidates (ties: the lowest) and the list counts of §B7's analysis. */
  private majorityCategory = -1;
  private listedItems = 0;
  private listedFromMajority = 0;

  constructor(config: RecSimSlateConfig = {}) {
    super();
    const parsed = RecSimSlateConfigSchema.safeParse(config);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; ");
      throw new EnvError(`RecSimSlate: invalid config (${issues})`);
    }
    const c = parsed.data;
    this.config = c;
    const size = c.numTrainItems + c.numTestItems;
    const rng = new Rng(c.itemSeed);
    this.catalog = sampleItemCatalog(
      {
        numItems: size,
        dim: c.dim,
        numCategories: c.numCategories,
        numSubcategories: c.numSubcategories,
        centres: "onehot",
        subcategorySpread: c.subcategorySpread,
        itemStd: c.itemStd,
        subcategoryFrom: c.dim > c.numCategories ? c.numCategories : 0,
      },
      rng,
    );
    const range = (from: number, to: number) => Int32Array.from({ length: to - from }, (_, i) => from + i);
    const train = range(0, c.numTrainItems);
    const test = range(c.numTrainItems, size);
    this.partner = makePairs([train, test], this.catalog.category, size, rng);
    // Validation: the test items of a seeded half of the test pairs (unpaired test items join with p = 1/2).
    const validation: number[] = [];
    for (const id of test) {
      const mate = this.partner[id] as number;
      if (mate >= 0 && mate < id) continue;
      const half = rng.random() < 0.5;
      if (half) validation.push(id, ...(mate >= 0 ? [mate] : []));
    }
    this.inventory = new ActionInventory({
      representations: this.catalog.embeddings,
      size,
      dim: c.dim,
      splitSeed: c.itemSeed,
      splitRatio: [2, 1, 1],
      explicitSplit: { train, validation, test },
    });
    this.split = checkSplit(c.split, "RecSimSlate");
    this.checkPoolSize(this.split, "RecSimSlate");
    this.episodeSplit = this.split;
    this.user = new InterestUser(this.catalog, c.interestUpdateRate, c.numCategories);
    this.candidates = new ActionSubset(size, c.numCandidates);
    this.actionSpace = new ActionSlate(this.candidates, c.slateSize);
    this.actionRepresentation = this.inventory.representation(this.candidates.mask);
    this.observationSpace = actionSetObservationSpace(new Box(-1, 1, [c.numCategories]), size, c.dim, c.numCandidates);
  }

  /** `ActionSetSizeError` when `split` holds fewer than `numCandidates` items. */
  private checkPoolSize(split: ActionSplit, label: string): void {
    const pool = this.inventory.ids(split).length;
    if (this.config.numCandidates > pool) {
      throw new ActionSetSizeError(
        `${label}: cannot draw ${this.config.numCandidates} candidates per episode from the ${split} split, which has ${pool}`,
      );
    }
  }

  /** A copy of the mask of this episode's candidates over all items. */
  actionMask(): Uint8Array {
    return this.candidates.mask.slice();
  }

  reset({ seed, options }: ResetArgs = {}): [SlateObservation, Info] {
    this.seedRng(seed);
    const { split = this.split, candidateIds, ...rest } = options ?? {};
    const extra = Object.keys(rest);
    if (extra.length > 0) {
      throw new EnvError(`${envLabel(this)}: unknown reset options ${extra.join(", ")}; only split and candidateIds`);
    }
    const episodeSplit = checkSplit(split, `${envLabel(this)} reset`);
    this.checkPoolSize(episodeSplit, envLabel(this));
    const ids =
      candidateIds === undefined
        ? this.sampleCandidates(episodeSplit)
        : this.checkCandidates(candidateIds, episodeSplit);
    this.candidates.setAvailable(ids.sort());
    this.majorityCategory = this.mostCommonCategory(ids);
    this.listedItems = 0;
    this.listedFromMajority = 0;
    this.episodeSplit = episodeSplit;
    this.user.reset(this.rng);
    this.hasState = true;
    return [
      this.observe(),
      {
        actionRepresentation: this.actionRepresentation,
        candidateIds: this.candidates.available,
        split: episodeSplit,
      },
    ];
  }

  private mostCommonCategory(ids: ArrayLike<number>): number {
    const counts = new Int32Array(this.config.numCategories);
    for (let i = 0; i < ids.length; i++) {
      const k = this.catalog.category[ids[i] as number] as number;
      counts[k] = (counts[k] as number) + 1;
    }
    let best = 0;
    for (let k = 1; k < counts.length; k++) if ((counts[k] as number) > (counts[best] as number)) best = k;
    return best;
  }

  /** Majority-category sampling; in the Pairing variant whole pairs are drawn. */
  private sampleCandidates(split: ActionSplit): Int32Array {
    const { numCandidates, skewRatio, numCategories, variant } = this.config;
    const category = this.catalog.category;
    const majority = this.rng.int(0, numCategories);
    const pool = Array.from(this.inventory.ids(split));
    const pairing = variant === "pairing";
    // Units: single items, or (for pairing) pairs inside the split, keyed by their lower id.
    const inSplit = new Set(pool);
    const units = pairing
      ? pool.filter((i) => {
          const mate = this.partner[i] as number;
          return mate > i && inSplit.has(mate);
        })
      : pool;
    const per = pairing ? 2 : 1;
    const need = numCandidates / per;
    if (units.length < need) {
      throw new ActionSetSizeError(
        `${envLabel(this)}: the ${split} split has ${units.length} ${pairing ? "pairs" : "items"}, fewer than ${need}`,
      );
    }
    const inMajority = units.filter((i) => category[i] === majority);
    const others = units.filter((i) => category[i] !== majority);
    const fromMajority = Math.min(Math.round(skewRatio * need), inMajority.length, need);
    const fromOthers = need - fromMajority;
    const pick = (list: number[], n: number) =>
      Array.from(this.rng.permutation(list.length).subarray(0, n), (j) => list[j] as number);
    // When the other categories run short (tiny splits), fill up from the majority category.
    const chosen =
      fromOthers <= others.length
        ? [...pick(inMajority, fromMajority), ...pick(others, fromOthers)]
        : [...pick(others, others.length), ...pick(inMajority, need - others.length)];
    const ids = pairing ? chosen.flatMap((i) => [i, this.partner[i] as number]) : chosen;
    return Int32Array.from(ids);
  }

  private checkCandidates(ids: unknown, split: ActionSplit): Int32Array {
    const { numCandidates } = this.config;
    const list = ids instanceof Int32Array || Array.isArray(ids) ? Array.from(ids as ArrayLike<unknown>) : null;
    if (list === null || list.length !== numCandidates) {
      throw new ActionSetSizeError(`${envLabel(this)}: reset option candidateIds must be ${numCandidates} item ids`);
    }
    const pool = new Set(this.inventory.ids(split));
    for (const id of list) {
      if (typeof id !== "number" || !pool.has(id)) {
        throw new EnvError(
          `${envLabel(this)}: reset option candidateIds has ${String(id)}, not an item of the ${split} split`,
        );
      }
    }
    if (new Set(list).size !== list.length) {
      throw new EnvError(`${envLabel(this)}: reset option candidateIds repeats an item`);
    }
    return Int32Array.from(list as number[]);
  }

  private observe(): SlateObservation {
    return observeActionSet(this.user.observe(), this.catalog.embeddings, this.config.dim, this.candidates);
  }

  /** CPR of a list of item ids. */
  cpr(slate: ArrayLike<number>): number {
    const ids = Array.from(slate);
    return cprScore(
      ids.map((i) => this.catalog.category[i] as number),
      ids.map((i) => this.catalog.subcategory[i] as number),
      this.config.numCategories,
    );
  }

  /**
   * Click probability of each slate position and of skipping (last entry): a softmax over
   * α_user⟨e_u, e_i⟩ + α_cpr·CPR(slate) and the skip logit (§3.5.3). In the Pairing variant an item
   * whose partner is not in the slate gets probability 0.
   */
  choiceProbabilities(slate: ArrayLike<number>): Float64Array {
    const { alphaUser, alphaCpr, noClickMass, variant, choiceModel, minNormalizer } = this.config;
    const cpr = this.cpr(slate);
    const ids = Array.from(slate);
    const clickable = (i: number) => variant !== "pairing" || ids.includes(this.partner[i] as number);
    if (choiceModel === "proportional") {
      // Scores below minNormalizer (RecSim asserts there are none) count as mass 0.
      const mass = ids.map((i) =>
        clickable(i) ? Math.max(0, alphaUser * this.user.affinity(i) + alphaCpr * cpr - minNormalizer) : 0,
      );
      mass.push(Math.max(0, noClickMass - minNormalizer));
      const total = mass.reduce((a, b) => a + b, 0);
      if (total > 0) return Float64Array.from(mass, (m) => m / total);
      const skipOnly = new Float64Array(mass.length);
      skipOnly[mass.length - 1] = 1;
      return skipOnly;
    }
    const logits = ids.map((i) =>
      clickable(i) ? alphaUser * this.user.affinity(i) + alphaCpr * cpr : Number.NEGATIVE_INFINITY,
    );
    logits.push(noClickMass);
    const max = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - max));
    const total = exps.reduce((a, b) => a + b, 0);
    return Float64Array.from(exps, (e) => e / total);
  }

  step(action: Int32Array): StepResult<SlateObservation> {
    if (!this.hasState) throw new ResetNeededError(`${envLabel(this)}: call reset() before step()`);
    const why = this.actionSpace.explain(action);
    if (why !== null) {
      const ErrorClass = this.actionSpace.isUnavailable(action) ? UnavailableActionError : InvalidActionError;
      throw new ErrorClass(`${envLabel(this)}: slate ${why}`);
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
    const reward = (clicked ? 1 : 0) + (this.config.variant === "direct-cpr" ? cpr : 0);
    for (const item of action) if (this.catalog.category[item] === this.majorityCategory) this.listedFromMajority += 1;
    this.listedItems += action.length;
    // §B7: AGILE lists 5 of 6 items from the candidates' majority category; the share so far this episode.
    const episodeMetrics = { majorityShare: this.listedFromMajority / this.listedItems };
    return [
      this.observe(),
      reward,
      false,
      false,
      { clicked, clickedItem: clicked ? action[choice] : -1, cpr, episodeMetrics },
    ];
  }
}
