/**
 * Shared machinery of the environments whose action set changes per episode (new-actions paper
 * Ch. 2 and AGILE Ch. 3): an action inventory with feature vectors and disjoint seeded
 * train/validation/test splits, per-episode subsampling of m actions from a split, and the padded
 * action-set observation that vector envs and batched utility networks consume.
 *
 * Design (see discrete/README.md "Varying action sets"):
 * - The action is an inventory index; the action space is an `ActionSubset` whose `mask`
 *   (length = inventory size) is MaskablePPO's `action_masks()`.
 * - The observation is `{ state, actionIds, actionFeatures, actionMask }`: the available actions'
 *   inventory indices (−1 in padded slots), their representations (0 in padded slots) and a 0/1
 *   slot mask, all of fixed length `maxActions`, so a utility policy scores slots and executes
 *   `actionIds[slot]`.
 */
import { Rng } from "@qscape/core";
import { z } from "zod";
import type { Env } from "../env.js";
import { envLabel } from "../env.js";
import {
  ActionSetSizeError,
  EnvError,
  InvalidActionError,
  UnavailableActionError,
  UnknownSplitError,
} from "../errors.js";
import { type ActionSubset, Box, Dict, MultiBinary, MultiDiscrete, type Space } from "../spaces.js";
import type { ActionRepresentation } from "./action-representation.js";

export const ACTION_SPLITS = ["train", "validation", "test"] as const;
export type ActionSplit = (typeof ACTION_SPLITS)[number];

export function isActionSplit(x: unknown): x is ActionSplit {
  return typeof x === "string" && (ACTION_SPLITS as readonly string[]).includes(x);
}

export interface ActionInventoryOptions {
  /** [size × dim] row-major feature vectors (action representations), one row per action. */
  representations: Float32Array;
  size: number;
  dim: number;
  /** Seeds the split assignment, fixed per inventory (not per episode). */
  splitSeed: number;
  /** Relative sizes of train : validation : test (§A1: 2:1:1 in every environment). */
  splitRatio: readonly [number, number, number];
  /**
   * A split fixed by hand instead of drawn (CREATE's class-based "full" split, new-actions
   * Table A.1): `train` as given, `heldOut` cut into validation : test by `splitRatio[1] :
   * splitRatio[2]` with the seeded permutation; actions in neither list are in no split.
   */
  fixedSplit?: { train: ArrayLike<number>; heldOut: ArrayLike<number> } | undefined;
  /**
   * Every split given by hand (AGILE's RecSim: 250 train and 250 test items, thesis App. B A.3).
   * Train must share no action with validation or test; validation may be a subset of test
   * (new-actions App. A.3: "the validation set is a random half of the test set").
   */
  explicitSplit?: Record<ActionSplit, ArrayLike<number>> | undefined;
}

/**
 * A fixed action inventory with disjoint train/validation/test splits. The assignment is a seeded
 * permutation of the inventory cut by `splitRatio` (train and validation rounded down, test gets
 * the rest), so the same seed gives the same splits on every platform and no action is in two.
 */
export class ActionInventory {
  readonly representations: Float32Array;
  readonly size: number;
  readonly dim: number;
  private readonly splitIds: Record<ActionSplit, Int32Array>;

  constructor({
    representations,
    size,
    dim,
    splitSeed,
    splitRatio,
    fixedSplit,
    explicitSplit,
  }: ActionInventoryOptions) {
    if (representations.length !== size * dim) {
      throw new EnvError(
        `ActionInventory: representations has ${representations.length} values, expected ${size} × ${dim}`,
      );
    }
    if (splitRatio.some((r) => !(r > 0))) {
      throw new EnvError(`ActionInventory: splitRatio entries must be positive, got [${splitRatio.join(", ")}]`);
    }
    this.representations = representations;
    this.size = size;
    this.dim = dim;
    const sorted = (a: Int32Array) => a.slice().sort();
    if (explicitSplit) {
      const ids = (split: ActionSplit) => {
        const a = Int32Array.from(explicitSplit[split]);
        const seen = new Uint8Array(size);
        for (const id of a) {
          if (!Number.isInteger(id) || id < 0 || id >= size || seen[id]) {
            throw new EnvError(`ActionInventory: ${split} id ${id} is out of range or listed twice`);
          }
          seen[id] = 1;
        }
        return sorted(a);
      };
      this.splitIds = { train: ids("train"), validation: ids("validation"), test: ids("test") };
      const train = new Set(this.splitIds.train);
      if ([...this.splitIds.validation, ...this.splitIds.test].some((id) => train.has(id))) {
        throw new EnvError("ActionInventory: a train action is also in the validation or test split");
      }
      return;
    }
    if (fixedSplit) {
      const train = Int32Array.from(fixedSplit.train);
      const heldOut = Int32Array.from(fixedSplit.heldOut);
      const seen = new Uint8Array(size);
      for (const id of [...train, ...heldOut]) {
        if (!Number.isInteger(id) || id < 0 || id >= size || seen[id]) {
          throw new EnvError(`ActionInventory: fixedSplit id ${id} is out of range or listed twice`);
        }
        seen[id] = 1;
      }
      const perm = new Rng(splitSeed).permutation(heldOut.length).map((i) => heldOut[i] as number);
      const nValidation = Math.floor((heldOut.length * splitRatio[1]) / (splitRatio[1] + splitRatio[2]));
      this.splitIds = {
        train: sorted(train),
        validation: sorted(perm.subarray(0, nValidation)),
        test: sorted(perm.subarray(nValidation)),
      };
      return;
    }
    const total = splitRatio[0] + splitRatio[1] + splitRatio[2];
    const nTrain = Math.floor((size * splitRatio[0]) / total);
    const nValidation = Math.floor((size * splitRatio[1]) / total);
    const perm = new Rng(splitSeed).permutation(size);
    this.splitIds = {
      train: sorted(perm.subarray(0, nTrain)),
      validation: sorted(perm.subarray(nTrain, nTrain + nValidation)),
      test: sorted(perm.subarray(nTrain + nValidation)),
    };
  }

  /** The inventory indices of `split`, ascending (a copy). */
  ids(split: ActionSplit): Int32Array {
    return this.splitIds[checkSplit(split, "ActionInventory")].slice();
  }

  /**
   * `m` distinct actions of `split` drawn uniformly without replacement (§A2 "action-set
   * subsampling"), ascending. Throws `UnknownSplitError` / `ActionSetSizeError` on bad input.
   */
  sample(split: ActionSplit, m: number, rng: Rng, label = "ActionInventory"): Int32Array {
    const pool = this.splitIds[checkSplit(split, label)];
    if (!Number.isInteger(m) || m < 1 || m > pool.length) {
      throw new ActionSetSizeError(
        `${label}: cannot draw ${m} actions per episode from the ${split} split, which has ${pool.length}`,
      );
    }
    // Partial Fisher–Yates: only the first m positions are drawn.
    const work = pool.slice();
    for (let i = 0; i < m; i++) {
      const j = rng.int(i, work.length);
      const t = work[i] as number;
      work[i] = work[j] as number;
      work[j] = t;
    }
    return work.subarray(0, m).sort();
  }

  /** The representation view `ActionRepresentation` with `mask` as its `available` entry. */
  representation(mask: Uint8Array): ActionRepresentation {
    return { itemEmbeddings: this.representations, numItems: this.size, dim: this.dim, available: mask };
  }
}

/** `split` as an `ActionSplit`, or `UnknownSplitError` naming the three splits. */
export function checkSplit(split: unknown, label: string): ActionSplit {
  if (!isActionSplit(split)) {
    throw new UnknownSplitError(
      `${label}: unknown split ${JSON.stringify(split)}; expected one of ${ACTION_SPLITS.join(", ")}`,
    );
  }
  return split;
}

/** The observation of an env with a varying action set. */
export interface ActionSetObservation extends Record<string, unknown> {
  /** The environment state. */
  state: Float32Array;
  /** [maxActions] inventory indices of the available actions, −1 in padded slots. */
  actionIds: Int32Array;
  /** [maxActions × dim] their representations, 0 in padded slots. */
  actionFeatures: Float32Array;
  /** [maxActions] 1 for a real slot, 0 for padding. */
  actionMask: Uint8Array;
}

/** The Dict space of `ActionSetObservation`s over an inventory of `size` actions with `dim`-d features. */
export function actionSetObservationSpace(
  state: Box,
  size: number,
  dim: number,
  maxActions: number,
  featureLow = Number.NEGATIVE_INFINITY,
  featureHigh = Number.POSITIVE_INFINITY,
): Dict<ActionSetObservation> {
  return new Dict<ActionSetObservation>({
    state,
    actionIds: new MultiDiscrete(new Array(maxActions).fill(size + 1), new Array(maxActions).fill(-1)),
    actionFeatures: new Box(featureLow, featureHigh, [maxActions, dim]),
    // MultiBinary samples Int8Arrays but contains any 0/1 array; the env emits Uint8Array masks.
    actionMask: new MultiBinary(maxActions) as unknown as Space<Uint8Array>,
  });
}

/**
 * A fresh observation of `state` and the space's available actions (features are rows of
 * `representations`, `dim` wide), padded to the space's `maxAvailable`.
 */
export function observeActionSet(
  state: Float32Array,
  representations: Float32Array,
  dim: number,
  space: ActionSubset,
): ActionSetObservation {
  const { maxAvailable } = space;
  const ids = space.available;
  const actionIds = new Int32Array(maxAvailable).fill(-1);
  const actionFeatures = new Float32Array(maxAvailable * dim);
  const actionMask = new Uint8Array(maxAvailable);
  ids.forEach((id, slot) => {
    actionIds[slot] = id;
    actionFeatures.set(representations.subarray(id * dim, (id + 1) * dim), slot * dim);
    actionMask[slot] = 1;
  });
  return { state, actionIds, actionFeatures, actionMask };
}

/** A batch of action-set observations as flat env-major arrays (for batched utility networks). */
export interface StackedActionSetObservation {
  /** [B × stateDim]. */
  state: Float32Array;
  /** [B × maxActions]. */
  actionIds: Int32Array;
  /** [B × maxActions × dim]. */
  actionFeatures: Float32Array;
  /** [B × maxActions]. */
  actionMask: Uint8Array;
}

/** Stacks per-env observations (a vector env's batched Dict observation) into flat arrays. */
export function stackActionSetObservations(batch: readonly ActionSetObservation[]): StackedActionSetObservation {
  const first = batch[0];
  if (!first) throw new EnvError("stackActionSetObservations: empty batch");
  const stack = <T extends Float32Array | Int32Array | Uint8Array>(key: keyof StackedActionSetObservation, out: T) => {
    const n = (first[key] as T).length;
    batch.forEach((o, i) => {
      const v = o[key] as T;
      if (v.length !== n)
        throw new EnvError(`stackActionSetObservations: ${key} of env ${i} has ${v.length} values, env 0 has ${n}`);
      out.set(v, i * n);
    });
    return out;
  };
  const B = batch.length;
  return {
    state: stack("state", new Float32Array(B * first.state.length)),
    actionIds: stack("actionIds", new Int32Array(B * first.actionIds.length)),
    actionFeatures: stack("actionFeatures", new Float32Array(B * first.actionFeatures.length)),
    actionMask: stack("actionMask", new Uint8Array(B * first.actionMask.length)),
  };
}

/**
 * Config fields shared by the split-based envs. `split` is a plain string here so that an unknown
 * split fails with `UnknownSplitError` in `resolveActionSetConfig` rather than as a schema issue.
 */
export function actionSetConfigFields(actionsPerEpisode: number) {
  return {
    /** The split episodes draw their action sets from, unless `reset({ options: { split } })` says otherwise. */
    split: z.string().default("train"),
    /** m, the per-episode subsample size (§A2 regulariser 1; Table A.3 "actions per episode"). */
    actionsPerEpisode: z.number().int().min(1).default(actionsPerEpisode),
    /** Padded length of the observed action set; defaults to `actionsPerEpisode`. */
    maxActions: z.number().int().min(1).optional(),
    /** Seeds the train/validation/test assignment (fixed per env, not per episode). */
    splitSeed: z.number().int().min(0).default(0),
    splitRatio: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]).default([2, 1, 1]),
  };
}

export interface EpisodeActionSetConfig {
  split: ActionSplit;
  actionsPerEpisode: number;
  maxActions: number;
}

/**
 * Checks the split name and that `actionsPerEpisode` fits the padding and the configured split;
 * returns the settings with `maxActions` resolved.
 */
export function resolveActionSetConfig(
  label: string,
  inventory: ActionInventory,
  config: { split: string; actionsPerEpisode: number; maxActions?: number | undefined },
): EpisodeActionSetConfig {
  const split = checkSplit(config.split, label);
  const maxActions = config.maxActions ?? config.actionsPerEpisode;
  if (config.actionsPerEpisode > maxActions) {
    throw new ActionSetSizeError(
      `${label}: actionsPerEpisode ${config.actionsPerEpisode} exceeds the padding maxActions ${maxActions}`,
    );
  }
  const pool = inventory.ids(split).length;
  if (config.actionsPerEpisode > pool) {
    throw new ActionSetSizeError(
      `${label}: cannot draw ${config.actionsPerEpisode} actions per episode from the ${split} split, which has ${pool}`,
    );
  }
  return { split, actionsPerEpisode: config.actionsPerEpisode, maxActions };
}

/**
 * Reads the `split` reset option (the constructor's split when absent), rejects any other option,
 * and makes a fresh subsample of that split available on `space`, plus `alwaysAvailable` (actions
 * outside every split that each episode offers, e.g. CREATE's No-Op; larger than every inventory
 * index, so the slots stay ascending). Returns the split used.
 */
export function resetActionSet(
  env: Env<unknown, unknown>,
  inventory: ActionInventory,
  space: ActionSubset,
  config: EpisodeActionSetConfig,
  options: Record<string, unknown> | undefined,
  alwaysAvailable: readonly number[] = [],
): ActionSplit {
  const { split = config.split, ...rest } = options ?? {};
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new EnvError(`${envLabel(env)}: unknown reset options ${extra.join(", ")}; only split`);
  const checked = checkSplit(split, `${envLabel(env)} reset`);
  const ids = inventory.sample(checked, config.actionsPerEpisode, env.npRandom, envLabel(env));
  space.setAvailable([...ids, ...alwaysAvailable]);
  return checked;
}

/**
 * Throws `UnavailableActionError` for an inventory index outside this episode's action set and
 * `InvalidActionError` for anything that is not an inventory index (the envs check this themselves,
 * so the unwrapped envs fail as loudly as `make()`'s ValidateStep).
 */
export function checkAvailableAction(env: Env<unknown, unknown>, space: ActionSubset, action: unknown): void {
  const why = space.explain(action);
  if (why === null) return;
  const ErrorClass = space.isUnavailable(action) ? UnavailableActionError : InvalidActionError;
  throw new ErrorClass(`${envLabel(env)}: ${why}`);
}
