/**
 * Online UDS, the data-sharing baseline of the QMP paper (§5.6.2; Yu et al. 2022's "unlabeled data
 * sharing", adapted online). For each SAC batch of task i:
 *
 *   β_i      ~ 𝒟_i                          (SAC's own batch, SAC's own stream)
 *   β_{j≠i}  ~ the other tasks' buffers     (as many rows, each from a uniformly chosen other task)
 *   keep (s, a, s′) ∈ β_{j≠i}  iff  Q_i(s, a) − P_k[ Q_i(s̃, ã) : (s̃, ã) ∈ β_i ] ≥ 0
 *   and relabel every kept row's reward with the task set's minimum reward
 *
 * because another task's transition cannot be relabelled with task i's reward (§5.3): the minimum
 * reward is a pessimistic label, and the filter keeps only the rows task i's critic already rates
 * at least as well as the k-th percentile of its own data. SAC then updates on β_i plus the kept rows
 * with its losses unchanged (`SACAgent.updateFrom`). Data collection is a held QmpAgent's: No-Sharing's
 * (sharing "none", each task acts with π_i) for UDS, the Q-switch (sharing "qSwitch") for QMP + UDS
 * (§5.6.2: composed with QMP only the collection policy changes). Q_i is min(Q_i¹, Q_i²), the value SAC
 * itself uses; a shared row's `terminated` flag is kept as stored (the paper relabels only the reward).
 */
import { type Batch, loadState, QscapeError, Rng, type Snapshot, type StateParts, saveState, tf } from "@qscape/core";
import { QmpAgent, type TaskSpaces } from "./agent.js";
import { resolveUdsConfig, type UdsConfigInput, type UdsSettings } from "./config.js";
import type { MultiTaskAgent } from "./multitask-agent.js";
import { learningTasks } from "./train.js";

/** The k-th percentile (k in [0, 100]) with linear interpolation between order statistics (NumPy's default). */
export function percentile(values: ArrayLike<number>, k: number): number {
  if (values.length === 0) throw new QscapeError("percentile: no values");
  const sorted = Float64Array.from(values).sort();
  const at = (k / 100) * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (at - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/** UDS's filter: the indices of the shared rows with Q_i(s, a) ≥ P_k[Q_i over task i's own batch]. */
export function udsKeep(ownQ: ArrayLike<number>, sharedQ: ArrayLike<number>, k: number): Int32Array {
  const threshold = percentile(ownQ, k);
  const keep: number[] = [];
  for (let r = 0; r < sharedQ.length; r++) if ((sharedQ[r] as number) - threshold >= 0) keep.push(r);
  return Int32Array.from(keep);
}

/** Rows of a batch per field (each field is rows × its row size, row-major). */
function rowsOf(batch: Batch): number {
  return (batch.reward as Float32Array).length;
}

/** `parts` stacked row-wise, field by field. */
function concatRows(parts: readonly Batch[]): Batch {
  const out: Batch = {};
  for (const field of Object.keys(parts[0] as Batch)) {
    const chunks = parts.map((p) => p[field] as Batch[string]);
    const Ctor = (chunks[0] as Batch[string]).constructor as new (n: number) => Batch[string];
    const joined = new Ctor(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      joined.set(c, at);
      at += c.length;
    }
    out[field] = joined;
  }
  return out;
}

/** The rows `rows` of `batch`. */
function pickRows(batch: Batch, rows: Int32Array): Batch {
  const n = rowsOf(batch);
  const out: Batch = {};
  for (const [field, values] of Object.entries(batch)) {
    const size = values.length / n;
    const Ctor = values.constructor as new (k: number) => Batch[string];
    const picked = new Ctor(rows.length * size);
    rows.forEach((r, k) => {
      picked.set(values.subarray(r * size, (r + 1) * size), k * size);
    });
    out[field] = picked;
  }
  return out;
}

/** What UdsAgent reads from a task set: the spaces, the tasks and the minimum reward. */
export interface SharedDataTaskSpaces extends TaskSpaces {
  readonly id?: string;
  readonly minReward: number | null;
}

export class UdsAgent implements MultiTaskAgent {
  readonly name = "qmp.uds";
  readonly config: UdsSettings;
  /** The N SAC learners and their data collection (No-Sharing's, or QMP's with sharing "qSwitch"). */
  readonly separate: QmpAgent;
  /** The task set's lowest one-step reward: every kept shared row's label. */
  readonly minReward: number;
  /** β_{j≠i} draws; each learner keeps its own stream for β_i. */
  private readonly rng: Rng;
  private readonly tasks: readonly number[];
  /** Shared rows offered to the filter and kept by it, over all tasks and updates. */
  private readonly counts = { sharedDrawn: 0, sharedKept: 0 };

  constructor(taskSet: SharedDataTaskSpaces, config: UdsConfigInput = {}) {
    this.config = resolveUdsConfig(config);
    if (taskSet.minReward === null) {
      throw new QscapeError(
        `uds: task set ${taskSet.id ?? ""} states no minReward; UDS relabels shared transitions with it`,
      );
    }
    this.minReward = taskSet.minReward;
    const { seed, sac, sharing, holdSteps, ownPolicyProb } = this.config;
    const { seed: _sacSeed, ...sacFields } = sac;
    this.separate = new QmpAgent(taskSet, { seed, sharing, holdSteps, ownPolicyProb, sac: sacFields });
    this.tasks = learningTasks(this.separate);
    this.rng = new Rng(seed).fork();
  }

  get numTasks(): number {
    return this.separate.numTasks;
  }
  get obsDim(): number {
    return this.separate.obsDim;
  }
  get actionDim(): number {
    return this.separate.actionDim;
  }
  get learners() {
    return this.separate.learners;
  }
  learner(task: number) {
    return this.separate.learner(task);
  }
  beginEpisode(task: number): void {
    this.separate.beginEpisode(task);
  }
  behave(task: number, obs: Float32Array) {
    return this.separate.behave(task, obs);
  }
  evalAction(task: number, obs: Float32Array): Float32Array {
    return this.separate.evalAction(task, obs, "own");
  }
  observe(task: number, t: Parameters<QmpAgent["observe"]>[1]): void {
    this.separate.observe(task, t);
  }
  replaySize(task: number): number {
    return this.separate.replaySize(task);
  }
  selectionCounts(): number[][] {
    return this.separate.selectionCounts();
  }
  /** Shared rows offered and kept so far (the share kept is the filter's acceptance rate). */
  sharing(): { drawn: number; kept: number } {
    return { drawn: this.counts.sharedDrawn, kept: this.counts.sharedKept };
  }

  /** `rows` transitions of the other learning tasks: each row from a uniformly chosen one, then uniformly in its buffer. */
  drawShared(task: number, rows: number): Batch | null {
    const others = this.tasks.filter((j) => j !== task && this.replaySize(j) > 0);
    if (others.length === 0) return null;
    const perTask = new Array<number>(others.length).fill(0);
    for (let r = 0; r < rows; r++) {
      const k = this.rng.int(0, others.length);
      perTask[k] = (perTask[k] as number) + 1;
    }
    const parts = others.flatMap((j, k) =>
      (perTask[k] as number) > 0 ? [this.learner(j).replay.sample(perTask[k] as number, this.rng).data] : [],
    );
    return concatRows(parts);
  }

  /**
   * β_i plus the rows of `shared` that pass UDS's filter under task i's critic, those relabelled
   * with the minimum reward. Returns the batch and how many shared rows it holds.
   */
  shareInto(task: number, own: Batch, shared: Batch): { data: Batch; kept: number } {
    const critics = this.learner(task).critics;
    const q = (b: Batch) =>
      tf.tidy(() => {
        const n = rowsOf(b);
        const obs = tf.tensor2d(b.obs as Float32Array, [n, this.obsDim]);
        const action = tf.tensor2d(b.action as Float32Array, [n, this.actionDim]);
        return critics.min(obs, action).dataSync() as Float32Array;
      });
    const keep = udsKeep(q(own), q(shared), this.config.sharingQuantile);
    const kept = pickRows(shared, keep);
    (kept.reward as Float32Array).fill(this.minReward);
    return { data: keep.length > 0 ? concatRows([own, kept]) : own, kept: keep.length };
  }

  /** One SAC step of task i on β_i plus the shared rows UDS keeps. */
  update(task: number): Record<string, number> {
    const learner = this.learner(task);
    const own = learner.sample();
    const shared = this.drawShared(task, rowsOf(own.data));
    if (!shared) return learner.updateFrom(own);
    const { data, kept } = this.shareInto(task, own.data, shared);
    this.counts.sharedDrawn += rowsOf(shared);
    this.counts.sharedKept += kept;
    return { ...learner.updateFrom({ data, updatePolicy: own.updatePolicy }), sharedKept: kept };
  }

  private stateParts(): StateParts {
    return { config: this.config, stateful: { rng: this.rng }, counters: [this.counts] };
  }

  /** The whole state: the N learners (weights, optimisers, α, buffers, RNGs), the sharing stream and counts. */
  save(): Snapshot {
    return { name: this.name, separate: this.separate.save(), own: saveState(this.name, this.stateParts()) };
  }

  load(state: Snapshot): void {
    const s = state as Record<string, Snapshot> | null;
    if (s === null || typeof s !== "object" || s.name !== this.name) {
      throw new QscapeError(`${this.name}.load: not a ${this.name} snapshot (name ${String(s?.name)})`);
    }
    this.separate.load(s.separate as Snapshot);
    loadState(this.name, this.stateParts(), s.own as Snapshot);
  }

  dispose(): void {
    this.separate.dispose();
  }
}
