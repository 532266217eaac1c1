/**
 * Ch. 2's Nearest-Neighbor baseline (§2.5.3): "A standard discrete action policy is trained. The
 * representation of this policy's output action is used to select the nearest neighbor from new
 * actions." The head has one logit per training action of the env's inventory:
 *
 *   π(j | s) = softmax_j(Linear(f_ω(s)))          j over the training split (|𝔸| logits)
 *
 * - All available actions are training actions (training): the softmax is masked to them (a
 *   Mask-Output head over the training split) and the chosen action is executed.
 * - Some available action is not (validation / test sets, §2.4's zero-shot setting): the softmax is
 *   over the whole head; the chosen training action's representation picks the available action
 *   nearest to it (Euclidean), among the representations the observation carries.
 *
 * PPO's log-prob is the chosen training index's under that same softmax (the executed action is a
 * function of it), so a rollout on new actions trains the head as well. The critic is V(s).
 */
import { type EnvSpaces, Linear, type MLP, QscapeError, type Rng, tf } from "@qscape/core";
import type { StackedActionSetObservation } from "@qscape/envs";
import type { ActionSetShape, BatchAction, PolicyHead, PolicyHeadFactory } from "../agent.js";
import type { AgileSettings } from "../config.js";
import { RepresentationSizeError, TrainingSplitUnknownError } from "../errors.js";
import { type ActionSetTensors, maskedEntropy, maskLogits, stateEncoder } from "../networks.js";
import { pickAllowed } from "../sampling.js";

export interface NearestNeighborOptions {
  /** Inventory ids of the training split: head logit j is action `trainIds[j]`. */
  trainIds: ArrayLike<number>;
  /**
   * The [numItems × d] representation table indexed by inventory id, the same representations the
   * observations carry (read when a new action set first needs it, so a table learned later works).
   */
  representations: () => Float32Array;
}

interface InventoryLike {
  ids(split: string): Int32Array;
  representations?: Float32Array;
}

/** The env's action inventory under its wrappers, or `TrainingSplitUnknownError` naming the env. */
function inventoryOf(spaces: EnvSpaces): InventoryLike {
  const inner = ((spaces as { unwrapped?: unknown }).unwrapped ?? spaces) as { inventory?: Partial<InventoryLike> };
  const inventory = inner?.inventory;
  const name = spaces.spec?.id ?? spaces.id ?? "this env";
  if (typeof inventory?.ids !== "function") {
    throw new TrainingSplitUnknownError(
      `nearest-neighbor: ${name} has no action inventory with a readable training split (inventory.ids("train")); the baseline's head has one logit per training action (Ch. 2 §2.5.3)`,
    );
  }
  return inventory as InventoryLike;
}

/** The env's training-split inventory ids (read through wrappers), or `TrainingSplitUnknownError`. */
export function trainingSplitOf(spaces: EnvSpaces): Int32Array {
  const name = spaces.spec?.id ?? spaces.id ?? "this env";
  let ids: unknown;
  try {
    ids = inventoryOf(spaces).ids("train");
  } catch (err) {
    if (err instanceof TrainingSplitUnknownError) throw err;
    throw new TrainingSplitUnknownError(
      `nearest-neighbor: ${name}'s training split cannot be read (${(err as Error).message})`,
    );
  }
  if (!(ids instanceof Int32Array) || ids.length === 0) {
    throw new TrainingSplitUnknownError(`nearest-neighbor: ${name}'s training split is empty or not a list of ids`);
  }
  return ids;
}

/** null when the env's training split can be read, else why not (a bench entry's `supports`). */
export function trainingSplitControl(spaces: EnvSpaces): string | null {
  try {
    trainingSplitOf(spaces);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** The head for `options`' training split and representation table. */
export function nearestNeighborHead(options: NearestNeighborOptions): PolicyHeadFactory {
  return (rng, shape, config) => new NearestNeighborHead(rng, shape, config, options);
}

/** The head over an env's own training split and inventory representations (what its observations carry). */
export function envNearestNeighborHead(spaces: EnvSpaces): PolicyHeadFactory {
  const trainIds = trainingSplitOf(spaces);
  const table = inventoryOf(spaces).representations;
  if (!(table instanceof Float32Array)) {
    throw new TrainingSplitUnknownError(
      `nearest-neighbor: ${spaces.spec?.id ?? "this env"} publishes no inventory representations; pass them with nearestNeighborHead({ trainIds, representations })`,
    );
  }
  return nearestNeighborHead({ trainIds, representations: () => table });
}

/**
 * The available slot of observation `b` whose representation is nearest (Euclidean) to `target`;
 * ties go to the lower slot. Padded slots are never chosen.
 */
export function nearestAvailableSlot(
  obs: StackedActionSetObservation,
  b: number,
  slots: number,
  d: number,
  target: ArrayLike<number>,
  offset = 0,
): number {
  let best = -1;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let k = 0; k < slots; k++) {
    const i = b * slots + k;
    if (!obs.actionMask[i] || (obs.actionIds[i] as number) < 0) continue;
    let distance = 0;
    for (let j = 0; j < d; j++) {
      const diff = (obs.actionFeatures[i * d + j] as number) - (target[offset + j] as number);
      distance += diff * diff;
    }
    if (distance < bestDistance) {
      best = k;
      bestDistance = distance;
    }
  }
  if (best < 0) throw new QscapeError(`observation ${b} lists no available action`);
  return best;
}

export class NearestNeighborHead implements PolicyHead {
  readonly name = "nearest-neighbor";
  readonly choiceWidth = 1;
  readonly encoder: MLP;
  /** One logit per training action. */
  readonly head: Linear;
  readonly trainIds: Int32Array;
  /** Inventory id → head index, −1 outside the training split. */
  private readonly indexOf: Int32Array;

  constructor(
    rng: Rng,
    readonly shape: ActionSetShape,
    config: Pick<AgileSettings, "hidden">,
    private readonly options: NearestNeighborOptions,
  ) {
    this.trainIds = Int32Array.from(options.trainIds);
    this.indexOf = new Int32Array(shape.numItems).fill(-1);
    this.trainIds.forEach((id, j) => {
      if (!Number.isInteger(id) || id < 0 || id >= shape.numItems || (this.indexOf[id] as number) >= 0) {
        throw new TrainingSplitUnknownError(
          `nearest-neighbor: training id ${id} is outside the ${shape.numItems}-action inventory or listed twice`,
        );
      }
      this.indexOf[id] = j;
    });
    if (this.trainIds.length === 0)
      throw new TrainingSplitUnknownError("nearest-neighbor: the training split is empty");
    this.encoder = stateEncoder(rng, shape.stateDim, config.hidden, "actor.encoder");
    this.head = new Linear(rng, config.hidden, this.trainIds.length, { name: "actor.head" });
  }

  /** |𝔸|, the number of training actions (the head's width). */
  get size(): number {
    return this.trainIds.length;
  }

  /**
   * Masked logits over the head [B, |𝔸|] and their mask: the available training actions, or the
   * whole head where an available action is not a training action.
   */
  distribution(x: ActionSetTensors): { logits: tf.Tensor2D; mask: tf.Tensor2D } {
    const logits = this.head.apply(this.encoder.apply(x.state));
    const train = tf.gather(x.availability, tf.tensor1d(this.trainIds, "int32"), 1) as tf.Tensor2D;
    const novel = tf.cast(tf.greater(tf.sum(x.availability, 1), tf.sum(train, 1)), "float32");
    // max(train, novel) of 0/1 masks, written as train + (1 − train)·novel: the WASM backend's
    // broadcasting Maximum is ≈ 19× slower than these three ops over a [B, 5,000] head.
    const mask = tf.add(train, tf.mul(tf.sub(1, train), tf.expandDims(novel, 1))) as tf.Tensor2D;
    return { logits: maskLogits(logits, mask), mask };
  }

  /** The table's row of inventory action `id`. */
  private representation(id: number): Float32Array {
    const d = this.shape.featureDim;
    const table = this.options.representations();
    if (table.length !== this.shape.numItems * d) {
      throw new RepresentationSizeError(
        `nearest-neighbor: the representation table has ${table.length} values, not ${this.shape.numItems} actions × ${d}`,
      );
    }
    return table.subarray(id * d, id * d + d);
  }

  choose(
    x: ActionSetTensors,
    obs: StackedActionSetObservation,
    batch: number,
    explore: boolean,
    rng: Rng,
  ): BatchAction & { choices: Float32Array } {
    const n = this.size;
    const slots = obs.actionMask.length / batch;
    const logp = tf.logSoftmax(this.distribution(x).logits).dataSync() as Float32Array;
    const out = {
      actions: new Int32Array(batch),
      slots: new Int32Array(batch),
      logProbs: new Float32Array(batch),
      choices: new Float32Array(batch),
    };
    for (let b = 0; b < batch; b++) {
      // The same mask as `distribution`, on the CPU: the available training actions, or all of them.
      const allowed = new Uint8Array(n);
      let novel = false;
      for (let k = 0; k < slots; k++) {
        const id = obs.actionIds[b * slots + k] as number;
        if (!obs.actionMask[b * slots + k] || id < 0) continue;
        const j = this.indexOf[id] as number;
        if (j < 0) novel = true;
        else allowed[j] = 1;
      }
      if (novel) allowed.fill(1);
      const row = logp.subarray(b * n, (b + 1) * n);
      const choice = pickAllowed(row, allowed, explore, rng);
      if (choice < 0) throw new QscapeError(`${this.name}: observation ${b} lists no available action`);
      const id = this.trainIds[choice] as number;
      let slot = -1;
      if (novel) slot = nearestAvailableSlot(obs, b, slots, this.shape.featureDim, this.representation(id));
      else for (let k = 0; k < slots && slot < 0; k++) if (obs.actionIds[b * slots + k] === id) slot = k;
      out.slots[b] = slot;
      out.actions[b] = obs.actionIds[b * slots + slot] as number;
      out.logProbs[b] = row[choice] as number;
      out.choices[b] = choice;
    }
    return out;
  }

  logProbEntropy(x: ActionSetTensors, choices: tf.Tensor2D): { logProb: tf.Tensor1D; entropy: tf.Tensor1D } {
    const { logits, mask } = this.distribution(x);
    const chosen = tf.oneHot(tf.cast(tf.reshape(choices, [-1]), "int32") as tf.Tensor1D, this.size);
    return {
      logProb: tf.sum(tf.mul(tf.logSoftmax(logits), chosen), 1) as tf.Tensor1D,
      entropy: maskedEntropy(logits, mask),
    };
  }

  parameters(): tf.Variable[] {
    return [...this.encoder.parameters(), ...this.head.parameters()];
  }
}
