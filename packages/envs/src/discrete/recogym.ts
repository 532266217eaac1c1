/**
 * RecoGym-based recommender (new-actions paper App. A.2): each episode is a new user
 * who alternates between organic sessions (browsing alone) and bandit sessions, where the agent
 * recommends one product out of 500 drawn from a train/validation/test split of 10,000.
 *
 * - Products: c_i ~ N(0, I₁₆) (the action representation, given by the environment) and a hidden
 *   offset μ_i ~ N(0, σ_μ²), σ_μ = 3 (RecoGym's `sigma_mu_organic`, whose bandit offsets equal the
 *   organic ones; the thesis does not give μ's distribution, Part C #2). Fixed by `productSeed`.
 *   `observeMu` appends μ_i to c_i (App. C.5's fully observable variant, 17-d).
 * - User: v ~ N(0, I₁₆) per episode, observed (the 16-d state). Drift (Part C #2 default for the
 *   thesis's N(v, σ₁σ₂I)): v += σ₁·|σ₂|·ε, σ₁ = 0.1, σ₂ ~ N(0, 1), ε ~ N(0, I), after every
 *   recommendation and after every organic event, so each session perturbs the user.
 * - Click (Eq. A.2): p = f(c_i·v + μ_i), f(x) = σ(14·σ(2·σ(0.3x) − 2) − 6); reward 1 per click.
 * - Sessions (RecoGym defaults): a Markov chain over organic / bandit / leave. From a bandit step:
 *   leave 0.01, to organic 0.05, else stay; after a click the user always browses organically
 *   first (as RecoGym). Each organic event: leave 0.01, back to bandit 0.25, else another event.
 *   Leaving terminates the episode; the 100-recommendation cap is the registered TimeLimit.
 *   Episodes start at the user's first bandit step (the agent has nothing to do before it);
 *   organic product views are not simulated, since no agent input or reward depends on them.
 */
import { Rng } from "@qscape/core";
import { z } from "zod";
import type { Info, ResetArgs, StepResult } from "../env.js";
import { Env, envLabel } from "../env.js";
import { EnvError, ResetNeededError } from "../errors.js";
import { ActionSubset, Box, type Dict } from "../spaces.js";
import type { ActionRepresentation, HasActionRepresentation } from "./action-representation.js";
import {
  ActionInventory,
  type ActionSetObservation,
  type ActionSplit,
  actionSetConfigFields,
  actionSetObservationSpace,
  checkAvailableAction,
  type EpisodeActionSetConfig,
  observeActionSet,
  resetActionSet,
  resolveActionSetConfig,
} from "./action-set.js";

/** σ₁ of the user drift (App. A.2). */
export const RECOGYM_DRIFT = 0.1;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Eq. A.2's squashing f(x) = σ(a·σ(b·σ(c·x) − d) − e) with a = 14, b = 2, c = 0.3, d = 2, e = 6. */
export function recoGymClickFunction(x: number): number {
  return sigmoid(14 * sigmoid(2 * sigmoid(0.3 * x) - 2) - 6);
}

export const RecoGymConfigSchema = z
  .object({
    ...actionSetConfigFields(500),
    numProducts: z.number().int().min(4).default(10_000),
    dim: z.number().int().min(1).default(16),
    /** Std of the hidden per-product offset μ_i (RecoGym `sigma_mu_organic`). */
    sigmaMu: z.number().min(0).default(3),
    /** Append μ_i to the representation (App. C.5 "fully observable"). */
    observeMu: z.boolean().default(false),
    /** Seeds the product catalogue, fixed per env (users are drawn per episode). */
    productSeed: z.number().int().min(0).default(0),
    probLeaveBandit: z.number().min(0).max(1).default(0.01),
    probBanditToOrganic: z.number().min(0).max(1).default(0.05),
    probLeaveOrganic: z.number().min(0).max(1).default(0.01),
    probOrganicToBandit: z.number().min(0).max(1).default(0.25),
    /** "svg" makes `render()` return an SVG frame (Gymnasium `render_mode`). */
    renderMode: z.literal("svg").optional(),
  })
  .strict()
  .refine((c) => c.probLeaveBandit + c.probBanditToOrganic <= 1, {
    message: "probLeaveBandit + probBanditToOrganic must be at most 1",
  })
  .refine((c) => c.probLeaveOrganic + c.probOrganicToBandit <= 1, {
    message: "probLeaveOrganic + probOrganicToBandit must be at most 1",
  })
  .refine((c) => c.probLeaveOrganic + c.probOrganicToBandit > 0, {
    message: "an organic session must end: probLeaveOrganic + probOrganicToBandit must be positive",
  });

export type RecoGymConfig = z.input<typeof RecoGymConfigSchema>;

export class RecoGymEnv extends Env<ActionSetObservation, number> implements HasActionRepresentation {
  readonly config: z.output<typeof RecoGymConfigSchema>;
  /** [numProducts × dim] product vectors c_i. */
  readonly products: Float32Array;
  /** Hidden per-product offsets μ_i. */
  readonly mu: Float64Array;
  readonly inventory: ActionInventory;
  readonly actionSet: EpisodeActionSetConfig;
  readonly actionSpace: ActionSubset;
  readonly observationSpace: Dict<ActionSetObservation>;
  readonly actionRepresentation: ActionRepresentation;
  /** The user vector v. */
  readonly user: Float64Array;
  split: ActionSplit = "train";
  /** Recommendations and clicks so far this episode, and the last recommendation (−1 before the first). */
  steps = 0;
  clicks = 0;
  lastProduct = -1;
  private hasState = false;

  constructor(config: RecoGymConfig = {}) {
    super();
    const parsed = RecoGymConfigSchema.safeParse(config);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; ");
      throw new EnvError(`RecoGym: invalid config (${issues})`);
    }
    const c = parsed.data;
    this.config = c;
    const rng = new Rng(c.productSeed);
    this.products = rng.fillNormal(new Float32Array(c.numProducts * c.dim)) as Float32Array;
    this.mu = rng.fillNormal(new Float64Array(c.numProducts), 0, c.sigmaMu) as Float64Array;
    const repDim = c.dim + (c.observeMu ? 1 : 0);
    let representations = this.products;
    if (c.observeMu) {
      representations = new Float32Array(c.numProducts * repDim);
      for (let i = 0; i < c.numProducts; i++) {
        representations.set(this.products.subarray(i * c.dim, (i + 1) * c.dim), i * repDim);
        representations[i * repDim + c.dim] = this.mu[i] as number;
      }
    }
    this.inventory = new ActionInventory({
      representations,
      size: c.numProducts,
      dim: repDim,
      splitSeed: c.splitSeed,
      splitRatio: c.splitRatio,
    });
    this.actionSet = resolveActionSetConfig("RecoGym", this.inventory, c);
    this.actionSpace = new ActionSubset(c.numProducts, this.actionSet.maxActions);
    this.observationSpace = actionSetObservationSpace(
      new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, [c.dim]),
      c.numProducts,
      repDim,
      this.actionSet.maxActions,
    );
    this.actionRepresentation = this.inventory.representation(this.actionSpace.mask);
    this.user = new Float64Array(c.dim);
    this.metadata = { renderModes: ["svg"] };
    this.initRenderMode(c.renderMode);
  }

  /** MaskablePPO's `action_masks()`: 1 for the products offered this episode (length numProducts). */
  actionMask(): Uint8Array {
    return this.actionSpace.mask.slice();
  }

  /** `options.split` ("train" | "validation" | "test") overrides the configured split for this episode. */
  reset({ seed, options }: ResetArgs = {}): [ActionSetObservation, Info] {
    this.seedRng(seed);
    this.split = resetActionSet(this, this.inventory, this.actionSpace, this.actionSet, options);
    this.rng.fillNormal(this.user);
    this.steps = 0;
    this.clicks = 0;
    this.lastProduct = -1;
    this.hasState = true;
    return [this.observe(), { actionRepresentation: this.actionRepresentation, split: this.split }];
  }

  /** Eq. A.2's click probability of `product` for the current user. */
  clickProbability(product: number): number {
    const { dim } = this.config;
    let s = this.mu[product] as number;
    for (let j = 0; j < dim; j++) s += (this.products[product * dim + j] as number) * (this.user[j] as number);
    return recoGymClickFunction(s);
  }

  private drift(): void {
    const scale = RECOGYM_DRIFT * Math.abs(this.rng.normal());
    for (let j = 0; j < this.user.length; j++) this.user[j] = (this.user[j] as number) + scale * this.rng.normal();
  }

  step(action: number): StepResult<ActionSetObservation> {
    if (!this.hasState) throw new ResetNeededError(`${envLabel(this)}: call reset() before step()`);
    checkAvailableAction(this, this.actionSpace, action);
    const c = this.config;
    const p = this.clickProbability(action);
    const clicked = this.rng.random() < p;
    this.steps++;
    this.clicks += clicked ? 1 : 0;
    this.lastProduct = action;
    this.drift();
    let left = false;
    let organic = clicked;
    if (!clicked) {
      const u = this.rng.random();
      left = u < c.probLeaveBandit;
      organic = !left && u < c.probLeaveBandit + c.probBanditToOrganic;
    }
    let organicEvents = 0;
    while (organic) {
      organicEvents++;
      this.drift();
      const u = this.rng.random();
      if (u < c.probLeaveOrganic) {
        left = true;
        organic = false;
      } else if (u < c.probLeaveOrganic + c.probOrganicToBandit) organic = false;
    }
    if (left) this.hasState = false;
    return [this.observe(), clicked ? 1 : 0, left, false, { clicked, clickProbability: p, organicEvents }];
  }

  /** An SVG frame (see `renderRecoGymSvg`). */
  override render(): string {
    this.requireRenderMode();
    return renderRecoGymSvg(this);
  }

  private observe(): ActionSetObservation {
    return observeActionSet(
      Float32Array.from(this.user),
      this.inventory.representations,
      this.inventory.dim,
      this.actionSpace,
    );
  }
}

/**
 * An SVG frame of the current user (`svg` render mode): left, the 16 entries of v as bars; right, a
 * histogram of Eq. A.2's click probability over this episode's offered products, with the last
 * recommendation's probability marked in red.
 */
export function renderRecoGymSvg(env: RecoGymEnv): string {
  const bars = Array.from(env.user, (v, j) => {
    const h = Math.min(60, Math.abs(v) * 20);
    const y = v >= 0 ? 100 - h : 100;
    return `<rect x="${20 + j * 12}" y="${y.toFixed(1)}" width="9" height="${h.toFixed(1)}" fill="#3b6fb6"/>`;
  });
  const bins = new Array<number>(20).fill(0);
  for (const id of env.actionSpace.available) {
    const b = Math.min(19, Math.floor(env.clickProbability(id) * 20));
    bins[b] = (bins[b] as number) + 1;
  }
  const top = Math.max(1, ...bins);
  const hist = bins.map((n, b) => {
    const h = (n / top) * 120;
    return `<rect x="${240 + b * 11}" y="${(160 - h).toFixed(1)}" width="9" height="${h.toFixed(1)}" fill="#7a7a7a"/>`;
  });
  const marker =
    env.lastProduct >= 0
      ? `<line x1="${(240 + env.clickProbability(env.lastProduct) * 220).toFixed(1)}" y1="30" x2="${(240 + env.clickProbability(env.lastProduct) * 220).toFixed(1)}" y2="160" stroke="#d02020" stroke-width="2"/>`
      : "";
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="200" viewBox="0 0 480 200">`,
    `<rect width="480" height="200" fill="white"/>`,
    `<text x="20" y="20" font-family="sans-serif" font-size="12">user v (16-d)</text>`,
    `<line x1="16" y1="100" x2="216" y2="100" stroke="black"/>`,
    ...bars,
    `<text x="240" y="20" font-family="sans-serif" font-size="12">click probability of the offered products</text>`,
    `<line x1="240" y1="160" x2="460" y2="160" stroke="black"/>`,
    `<text x="236" y="176" font-family="sans-serif" font-size="10">0</text>`,
    `<text x="456" y="176" font-family="sans-serif" font-size="10">1</text>`,
    ...hist,
    marker,
    `<text x="20" y="190" font-family="sans-serif" font-size="12">step ${env.steps}, clicks ${env.clicks}, split ${env.split}</text>`,
    "</svg>",
  ].join("");
}
