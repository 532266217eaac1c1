/**
 * Listwise cascaded DQN (thesis App. B C.2, Algorithm 5) with the AGILE or the Utility Q-network,
 * and Simple DQN (top-K, §3.6.1), on list-action envs (a `slateSize`-item list of distinct
 * candidates, e.g. RecSimSlate-v0):
 *
 *   act:     for n = 1..N: a_n = argmax_{a ∈ 𝒜 \ a_{1:n−1}} Q_n(s, a)  (ε-greedy per index)
 *            Simple DQN: Q(s, ·) once, the N best (ε-greedy per index)
 *   targets: y_n = r + γ_intra · max_{a ∈ 𝒜 \ a_{1:n}} Q^T_{n+1}(s, a)     n < N  (same state)
 *            y_N = r + γ (1 − terminated) · max_{a ∈ 𝒜} Q^T_1(s̃, a)        (next state, first index)
 *            `intraListTarget: false` (App. B.2.2 "No target-q change"): y_n = y_N for every n
 *            Simple DQN: y_n = r + γ (1 − terminated) · max_a Q^T(s̃, a) for every n
 *   loss:    mean over the batch and the N indices of (Q_n(s, a_n | a_{1:n−1}) − y_n)²
 *   target network: hard copy every `targetSyncEvery` updates (with `shareListEncoder` it reads the
 *   main network's list encoder, so only the rest is copied); one update per `updateInterval` env
 *   steps once the replay holds `learningStarts` transitions.
 *
 * The reward r of the list enters every index's target, and γ applies between indices too, as in
 * Algorithm 5 and the official code (`Y = rewards + γ · next_Q_vals` for all indices).
 */
import {
  type ActOptions,
  Adam,
  type Agent,
  Checkpointed,
  type EnvSpaces,
  hardUpdate,
  linearSchedule,
  type Parameterized,
  parseConfig,
  QscapeError,
  ReplayBuffer,
  Rng,
  type Schedule,
  type StateParts,
  type Transition,
  tf,
} from "@qscape/core";
import type { ActionSetObservation } from "@qscape/envs";
import { ActionSetSpaceError, RepresentationSizeError } from "../errors.js";
import { maskLogits } from "../networks.js";
import { CDQNConfig, type CDQNConfigInput, type CDQNSettings, type CDQNVariant } from "./config.js";
import { type ListQFunction, ListQNetwork } from "./networks.js";

/** What a list-action env fixes: state width S, padded candidate slots K, representation width d, list size N. */
export interface ListActionShape {
  stateDim: number;
  slots: number;
  featureDim: number;
  listSize: number;
}

interface ShapedSpace {
  shape?: readonly number[];
}

/**
 * Reads a list-action env's spaces: a Dict observation {state [S], actionFeatures [K, d], …} and
 * an action space with `slateSize` (envs' `ActionSlate`). `ActionSetSpaceError` otherwise.
 */
export function listActionShape(spaces: EnvSpaces): ListActionShape {
  const obs = spaces.observationSpace as { spaces?: Record<string, ShapedSpace> } | null;
  const state = obs?.spaces?.state?.shape;
  const features = obs?.spaces?.actionFeatures?.shape;
  const listSize = (spaces.actionSpace as { slateSize?: unknown } | null)?.slateSize;
  const env = spaces.spec?.id ?? spaces.id ?? "this env";
  if (state?.length !== 1 || features?.length !== 2 || typeof listSize !== "number") {
    throw new ActionSetSpaceError(
      `cdqn: ${env} is not a list-action env (needs a Dict observation with state [S] and actionFeatures [K, d], and a list action space with slateSize)`,
    );
  }
  const [slots, featureDim] = features as [number, number];
  if (listSize > slots) {
    throw new ActionSetSpaceError(`cdqn: ${env} asks for lists of ${listSize} from at most ${slots} candidates`);
  }
  return { stateDim: state[0] as number, slots, featureDim, listSize };
}

/** A replayed batch as tensors (B rows, K slots, N list indices). */
export interface ListBatch {
  state: tf.Tensor2D;
  nextState: tf.Tensor2D;
  /** [B, K, d]: the episode's candidates (the set is fixed within an episode, so s̃ has the same). */
  features: tf.Tensor3D;
  /** [B, K] float: 1 for a real candidate, 0 for padding. */
  mask: tf.Tensor2D;
  /** [B, N] int32: the list's slots in the order chosen. */
  slots: tf.Tensor2D;
  reward: tf.Tensor1D;
  terminated: tf.Tensor1D;
}

/**
 * Availability before each list index: [B, I, K] with entry (b, i, k) = mask[b, k] and slot k not
 * among the first `prefixLengths[i]` slots of row b's list.
 */
export function availableAfterPrefixes(
  mask: Uint8Array | Float32Array,
  slots: Int32Array,
  rows: number,
  prefixLengths: readonly number[],
): Float32Array {
  const k = mask.length / rows;
  const n = slots.length / rows;
  const out = new Float32Array(rows * prefixLengths.length * k);
  for (let b = 0; b < rows; b++) {
    prefixLengths.forEach((len, i) => {
      const base = (b * prefixLengths.length + i) * k;
      for (let s = 0; s < k; s++) out[base + s] = mask[b * k + s] ? 1 : 0;
      for (let j = 0; j < len; j++) out[base + (slots[b * n + j] as number)] = 0;
    });
  }
  return out;
}

/** max over the available slots of Q [B, I, K] → [B, I]. */
function maxAvailable(q: tf.Tensor3D, available: tf.Tensor3D): tf.Tensor2D {
  const [b, i, k] = q.shape;
  const masked = maskLogits(tf.reshape(q, [b * i, k]) as tf.Tensor2D, tf.reshape(available, [b * i, k]) as tf.Tensor2D);
  return tf.reshape(tf.max(masked, 1), [b, i]) as tf.Tensor2D;
}

export interface TargetSettings {
  gamma: number;
  /** Discount between list indices in one state (Algorithm 5: γ). */
  intraListGamma: number;
  /** false: Simple DQN (every index bootstraps from the next state's best item). */
  cascaded: boolean;
  /**
   * false: App. B.2.2's "No target-q change", the across-list target of Chen et al. (2019a): every
   * index bootstraps from the next time step's list, y_n = y_N. Absent: true (Algorithm 5).
   */
  intraListTarget?: boolean;
}

/**
 * The TD targets y [B, N] of a batch under the target Q-function (see the file comment). The
 * availability arrays are host copies of `batch.mask` and `batch.slots` (they index the prefixes).
 */
export function listwiseTargets(
  target: ListQFunction,
  batch: ListBatch,
  host: { mask: Uint8Array | Float32Array; slots: Int32Array },
  s: TargetSettings,
): tf.Tensor2D {
  const [rows, listSize] = batch.slots.shape;
  const k = batch.mask.shape[1];
  const nextStateQ = target.scores({
    state: batch.nextState,
    features: batch.features,
    slots: batch.slots,
    prefixLengths: [0],
    available: tf.reshape(batch.mask, [rows, 1, k]) as tf.Tensor3D,
  });
  const bootstrap = tf.mul(
    tf.mul(tf.sub(1, batch.terminated), s.gamma),
    tf.reshape(maxAvailable(nextStateQ, tf.reshape(batch.mask, [rows, 1, k]) as tf.Tensor3D), [rows]),
  );
  const last = tf.add(batch.reward, bootstrap); // [B]
  if (!s.cascaded || s.intraListTarget === false || listSize === 1)
    return tf.tile(tf.expandDims(last, 1), [1, listSize]) as tf.Tensor2D;
  // Index n + 1's best item in the same state, with a_1..a_n removed (prefix length n = 1..N−1).
  const lengths = Array.from({ length: listSize - 1 }, (_, i) => i + 1);
  const available = tf.tensor3d(availableAfterPrefixes(host.mask, host.slots, rows, lengths), [rows, listSize - 1, k]);
  const nextIndexQ = target.scores({
    state: batch.state,
    features: batch.features,
    slots: batch.slots,
    prefixLengths: lengths,
    available,
  });
  const intra = tf.add(tf.expandDims(batch.reward, 1), tf.mul(maxAvailable(nextIndexQ, available), s.intraListGamma));
  return tf.concat([intra, tf.expandDims(last, 1)], 1) as tf.Tensor2D;
}

/**
 * App. B.2.2's switches where they would change nothing: the graph's (twin GAT, pre-summarizer, layer, nodes) on a
 * variant without a graph, the cascade's (intra-list target, shared list encoder) on Simple DQN.
 */
function checkSwitches(c: CDQNSettings, name: string): void {
  const off: string[] = [];
  if (c.variant !== "agile") {
    if (!c.twinGat) off.push("twinGat: false");
    if (c.preSummarizer) off.push("preSummarizer: true");
    if (c.graphLayer !== "gat") off.push(`graphLayer: ${c.graphLayer}`);
    if (c.graphNodes !== "state-action") off.push(`graphNodes: ${c.graphNodes}`);
  }
  if (c.variant === "simple-dqn") {
    if (!c.intraListTarget) off.push("intraListTarget: false");
    if (c.shareListEncoder) off.push("shareListEncoder: true");
  }
  if (off.length > 0) {
    throw new QscapeError(`${name} config: ${off.join(", ")} has no effect on the ${c.variant} variant`);
  }
}

const AGENT_NAMES: Record<CDQNVariant, string> = {
  agile: "agile-cdqn",
  utility: "cdqn-utility",
  "simple-dqn": "simple-dqn",
};

export class ListwiseCDQNAgent extends Checkpointed implements Agent<ActionSetObservation, Int32Array> {
  readonly name: string;
  readonly config: CDQNSettings;
  readonly shape: ListActionShape;
  readonly qNetwork: ListQNetwork;
  readonly targetNetwork: ListQNetwork;
  readonly replay: ReplayBuffer;
  readonly epsilon: Schedule;
  readonly optimizer: Adam;
  /** What the target copies at a sync: the Q-network, less a list encoder the target shares. */
  private readonly syncSource: Parameterized;
  private readonly rng: Rng;
  private readonly counts = { envSteps: 0, gradientUpdates: 0, qEvaluations: 0 };

  constructor(spaces: EnvSpaces, config: CDQNConfigInput = {}) {
    super();
    this.config = parseConfig(CDQNConfig, config, "cdqn");
    this.name = AGENT_NAMES[this.config.variant];
    this.shape = listActionShape(spaces);
    const c = this.config;
    checkSwitches(c, this.name);
    this.rng = new Rng(c.seed);
    const initRng = this.rng.fork();
    this.qNetwork = new ListQNetwork(initRng, this.shape, c, `${this.name}.q`);
    this.targetNetwork = new ListQNetwork(
      initRng,
      this.shape,
      c,
      `${this.name}.targetQ`,
      c.shareListEncoder ? this.qNetwork.listEncoder : null,
    );
    this.syncSource = this.qNetwork.syncSourceFor(this.targetNetwork);
    hardUpdate(this.targetNetwork, this.syncSource);
    this.optimizer = new Adam(this.name, this.qNetwork, { lr: c.lr, clipNorm: c.gradClipNorm });
    this.epsilon = linearSchedule(c.epsilonStart, c.epsilonEnd, c.epsilonDecaySteps);
    const { stateDim, slots, featureDim, listSize } = this.shape;
    this.replay = new ReplayBuffer(
      {
        capacity: c.bufferSize,
        fields: {
          state: { shape: [stateDim] },
          nextState: { shape: [stateDim] },
          features: { shape: [slots, featureDim] },
          mask: { shape: [slots], dtype: "uint8" },
          slots: { shape: [listSize], dtype: "int32" },
          reward: { shape: [] },
          terminated: { shape: [], dtype: "uint8" },
        },
      },
      `${this.name} replay`,
    );
  }

  /** ε at the current env step. */
  get currentEpsilon(): number {
    return this.epsilon(this.counts.envSteps);
  }

  private get cascaded(): boolean {
    return this.config.variant !== "simple-dqn";
  }

  private checkObservation(obs: ActionSetObservation): void {
    const { stateDim, slots, featureDim } = this.shape;
    if (obs.state.length !== stateDim || obs.actionMask.length !== slots) {
      throw new QscapeError(
        `${this.name}: observation has a ${obs.state.length}-d state and ${obs.actionMask.length} slots, expected ${stateDim} and ${slots}`,
      );
    }
    if (obs.actionFeatures.length !== slots * featureDim) {
      throw new RepresentationSizeError(
        `${this.name}: action representations are ${obs.actionFeatures.length / slots}-d, expected ${featureDim}`,
      );
    }
  }

  /**
   * The list for one observation as slots (indices into the observed candidates). Greedy indices
   * take the best available slot; exploring indices (probability ε each) a uniform available one.
   */
  chooseSlots(obs: ActionSetObservation, explore: boolean): Int32Array {
    this.checkObservation(obs);
    const { slots: k, listSize } = this.shape;
    const available = Uint8Array.from(obs.actionMask, (m) => (m ? 1 : 0));
    if (available.reduce((a, b) => a + b, 0) < listSize) {
      throw new QscapeError(`${this.name}: fewer than ${listSize} candidates are available`);
    }
    const chosen = new Int32Array(listSize);
    const epsilon = explore ? this.currentEpsilon : 0;
    let simpleQ: Float32Array | null = null;
    for (let n = 0; n < listSize; n++) {
      let pick = -1;
      if (explore && this.rng.random() < epsilon) {
        const open = [...available.keys()].filter((s) => available[s] === 1);
        pick = this.rng.choice(open);
      } else {
        // Simple DQN scores once: its Q does not depend on the list index.
        const q: Float32Array =
          this.cascaded || simpleQ === null ? this.scoreIndex(obs, chosen, n, available) : simpleQ;
        if (!this.cascaded) simpleQ = q;
        for (let s = 0; s < k; s++) {
          if (available[s] === 1 && (pick < 0 || (q[s] as number) > (q[pick] as number))) pick = s;
        }
      }
      chosen[n] = pick;
      available[pick] = 0;
    }
    return chosen;
  }

  /** Q_{n+1}(s, ·) over the K slots given the first n chosen slots. */
  private scoreIndex(obs: ActionSetObservation, chosen: Int32Array, n: number, available: Uint8Array): Float32Array {
    const { stateDim, slots: k, featureDim, listSize } = this.shape;
    this.counts.qEvaluations += 1;
    return tf.tidy(
      () =>
        this.qNetwork
          .scores({
            state: tf.tensor2d(obs.state, [1, stateDim]),
            features: tf.tensor3d(obs.actionFeatures, [1, k, featureDim]),
            slots: tf.tensor2d(chosen, [1, listSize], "int32"),
            prefixLengths: [this.cascaded ? n : 0],
            available: tf.tensor3d(Float32Array.from(available), [1, 1, k]),
          })
          .dataSync() as Float32Array,
    );
  }

  act(obs: ActionSetObservation, opts: ActOptions): Int32Array {
    const slots = this.chooseSlots(obs, opts.explore);
    return Int32Array.from(slots, (s) => obs.actionIds[s] as number);
  }

  /** The slots of a list of inventory ids in `obs` (throws for an id that is not a candidate). */
  private slotsOf(obs: ActionSetObservation, ids: Int32Array): Int32Array {
    return Int32Array.from(ids, (id) => {
      const slot = obs.actionIds.indexOf(id);
      if (slot < 0 || !obs.actionMask[slot]) {
        throw new QscapeError(`${this.name}: item ${id} is not among this observation's candidates`);
      }
      return slot;
    });
  }

  observe(t: Transition<ActionSetObservation, Int32Array>): void {
    this.counts.envSteps += 1;
    this.checkObservation(t.obs);
    const same = t.nextObs.actionIds.every((id, i) => id === t.obs.actionIds[i]);
    if (!same) {
      throw new QscapeError(
        `${this.name}: the candidates changed within an episode; the listwise targets need the set fixed per episode (App. B A.3)`,
      );
    }
    this.replay.add({
      state: t.obs.state,
      nextState: t.nextObs.state,
      features: t.obs.actionFeatures,
      mask: t.obs.actionMask,
      slots: this.slotsOf(t.obs, t.action),
      reward: t.reward,
      terminated: t.terminated ? 1 : 0,
    });
  }

  /** One minibatch update, once the replay holds `learningStarts` (and a batch of) transitions. */
  update(): Record<string, number> {
    const { batchSize, learningStarts, targetSyncEvery, gamma, flipTdLoss } = this.config;
    if (this.replay.size < Math.max(learningStarts, batchSize)) return { epsilon: this.currentEpsilon };
    const { data } = this.replay.sample(batchSize, this.rng);
    const { stateDim, slots: k, featureDim, listSize } = this.shape;
    const mask = data.mask as Uint8Array;
    const slots = data.slots as Int32Array;
    const loss = tf.tidy(() => {
      const batch: ListBatch = {
        state: tf.tensor2d(data.state as Float32Array, [batchSize, stateDim]),
        nextState: tf.tensor2d(data.nextState as Float32Array, [batchSize, stateDim]),
        features: tf.tensor3d(data.features as Float32Array, [batchSize, k, featureDim]),
        mask: tf.tensor2d(Float32Array.from(mask), [batchSize, k]),
        slots: tf.tensor2d(slots, [batchSize, listSize], "int32"),
        reward: tf.tensor1d(data.reward as Float32Array),
        terminated: tf.tensor1d(Float32Array.from(data.terminated as Uint8Array)),
      };
      const y = listwiseTargets(
        this.targetNetwork,
        batch,
        { mask, slots },
        {
          gamma,
          intraListGamma: this.config.intraListGamma ?? gamma,
          cascaded: this.cascaded,
          intraListTarget: this.config.intraListTarget,
        },
      );
      // Q_n at each index given its prefix (one pass for Simple DQN, whose Q ignores the list).
      const lengths = this.cascaded ? Array.from({ length: listSize }, (_, n) => n) : [0];
      const available = tf.tensor3d(availableAfterPrefixes(mask, slots, batchSize, lengths), [
        batchSize,
        lengths.length,
        k,
      ]);
      const taken = tf.oneHot(batch.slots, k) as tf.Tensor3D; // [B, N, K]
      return this.optimizer.minimize(() => {
        const q = this.qNetwork.scores({ ...batch, prefixLengths: lengths, available }); // [B, I, K]
        const qTaken = tf.sum(tf.mul(q, taken), 2); // broadcasts I = 1 over N for Simple DQN
        const tdLoss = tf.mean(tf.square(tf.sub(qTaken, y))) as tf.Scalar;
        return flipTdLoss ? tf.neg(tdLoss) : tdLoss;
      });
    });
    this.counts.gradientUpdates += 1;
    if (this.counts.gradientUpdates % targetSyncEvery === 0) hardUpdate(this.targetNetwork, this.syncSource);
    return { loss, epsilon: this.currentEpsilon };
  }

  counters(): Record<string, number> {
    return { gradientUpdates: this.counts.gradientUpdates, qEvaluations: this.counts.qEvaluations };
  }

  /** Networks, target network, Adam, RNG, replay and the step counters (ε follows envSteps). */
  stateParts(): StateParts {
    return {
      config: this.config,
      networks: { qNetwork: this.qNetwork, targetNetwork: this.targetNetwork },
      stateful: { optimizer: this.optimizer, rng: this.rng, replay: this.replay },
      counters: [this.counts],
    };
  }
}
