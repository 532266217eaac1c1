/**
 * Parameter-Sharing ("Multihead SAC", §5.6.2) and QMP composed with it (§5.6.2, App. D H.5). The
 * agent holds one `MultiheadSAC` (shared trunks, head i for task i, buffer 𝒟_i per task) and
 * decides which head collects task i's data:
 *
 * - `sharing: "none"`, Parameter-Sharing: head i, sampled.
 * - `sharing: "qSwitch"`, QMP + Parameter-Sharing, after task i's warm-up:
 *
 *     μ_j = tanh(mean of head j at s)             all N heads from one actor trunk pass
 *     j*  = argmax_j min_k Q_k,i(s, μ_j)          task i's own Q head; one critic pass over the N rows
 *     a   ~ head j* at s                          a sampled action of the winner is executed
 *
 *   With `holdSteps` H > 1 (§5.7.3's multistep variant) head j* keeps acting for H steps, sampled at
 *   each, before task i's Q-switch runs again; a new episode starts a new choice.
 *
 *   As in QMP on separate networks, the transition goes to 𝒟_i with r_i and the losses are left as
 *   they are: the Q-switch changes only the data (§5.4). Scoring mean actions with min of the twins
 *   follows QMP's practical estimator (#13).
 *
 * Every task must learn: a task set with fixed-policy helpers is refused (they would need heads that
 * never train).
 */
import type { Snapshot, Transition } from "@qscape/core";
import { ActionScaler, QscapeError, type Rng, requireBoxAction, requireBoxObservation, tf } from "@qscape/core";
import { type Hold, QmpAgent, type TaskSpaces } from "./agent.js";
import {
  type ParamSharingConfigInput,
  type ParamSharingConfigRecord,
  type ParamSharingSettings,
  resolveParamSharingConfig,
} from "./config.js";
import { MultiheadSAC } from "./multihead.js";
import type { MultiTaskAgent } from "./multitask-agent.js";

export class ParamSharingAgent implements MultiTaskAgent {
  readonly name = "param-sharing";
  readonly config: ParamSharingSettings;
  readonly numTasks: number;
  readonly obsDim: number;
  readonly actionDim: number;
  readonly learner: MultiheadSAC;
  /** Every task's learner is the one multi-head SAC. */
  readonly learners: readonly MultiheadSAC[];
  private readonly scaler: ActionScaler;
  /** Behaviour samples; the learner keeps its own stream for minibatches and losses. */
  private readonly rng: Rng;
  /** selections[i·N + j]: env steps of task i acted by head j. */
  private readonly selections: Float64Array;
  /** Per task: the held head and the steps it still acts before the next switch (H-step hold). */
  private readonly holds: Hold[];

  constructor(taskSet: TaskSpaces, config: ParamSharingConfigInput | ParamSharingConfigRecord = {}) {
    this.config = resolveParamSharingConfig(config);
    this.numTasks = taskSet.tasks.length;
    if (this.numTasks === 0) throw new QscapeError("param-sharing: the task set has no tasks");
    const fixed = taskSet.tasks.findIndex((t) => t.fixedPolicy !== null);
    if (fixed >= 0) {
      throw new QscapeError(
        `param-sharing: task ${fixed} (${taskSet.tasks[fixed]?.name}) has a fixed policy; every task needs a head that learns`,
      );
    }
    this.obsDim = requireBoxObservation(taskSet, this.name);
    this.scaler = new ActionScaler(requireBoxAction(taskSet, this.name));
    this.actionDim = this.scaler.dim;
    this.learner = new MultiheadSAC(
      this.numTasks,
      this.obsDim,
      this.actionDim,
      { ...this.config.sac, seed: this.config.seed },
      this.name,
    );
    this.learners = taskSet.tasks.map(() => this.learner);
    this.rng = this.learner.rng.fork();
    this.selections = new Float64Array(this.numTasks * this.numTasks);
    this.holds = taskSet.tasks.map(() => ({ policy: -1, stepsLeft: 0 }));
  }

  private checkTask(task: number): number {
    if (!Number.isInteger(task) || task < 0 || task >= this.numTasks) {
      throw new QscapeError(`param-sharing: task ${task} is not in [0, ${this.numTasks})`);
    }
    return task;
  }

  private obsTensor(obs: Float32Array): tf.Tensor2D {
    if (obs.length !== this.obsDim) {
      throw new QscapeError(`param-sharing: observation has ${obs.length} values, expected ${this.obsDim}`);
    }
    return tf.tensor2d(obs, [1, this.obsDim]);
  }

  /** Env steps task i has collected (its warm-up clock). */
  private collected(task: number): number {
    let n = 0;
    for (let j = 0; j < this.numTasks; j++) n += this.selections[task * this.numTasks + j] as number;
    return n;
  }

  /**
   * min_k Q_k,i(s, μ_j) for every head j: the N heads' mean actions from one actor pass, scored by
   * task i's Q head in one critic pass over the N rows.
   */
  scores(task: number, obs: Float32Array): Float32Array {
    this.checkTask(task);
    return tf.tidy(() => this.scoreHeads(task, this.obsTensor(obs)).scores);
  }

  private scoreHeads(task: number, s: tf.Tensor2D) {
    const heads = this.learner.actor.applyAll(s);
    const means = tf.concat(heads.map((h) => h.mode())) as tf.Tensor2D;
    const tiled = tf.tile(s, [this.numTasks, 1]) as tf.Tensor2D;
    const q = this.learner.critics.min(tiled, means, task);
    return { heads, scores: q.dataSync() as Float32Array };
  }

  beginEpisode(task: number): void {
    (this.holds[this.checkTask(task)] as Hold).stepsLeft = 0;
  }

  /** Task i's behaviour action (env units) and the head that produced it. */
  behave(task: number, obs: Float32Array): { action: Float32Array; policy: number } {
    this.checkTask(task);
    const { sharing, mixtureWarmupSteps, holdSteps } = this.config;
    const hold = this.holds[task] as Hold;
    const out = tf.tidy(() => {
      const s = this.obsTensor(obs);
      if (sharing === "none" || this.collected(task) < mixtureWarmupSteps) {
        return { policy: task, action: this.learner.actor.apply(s, task).rsample(this.rng).action.dataSync() };
      }
      if (hold.stepsLeft > 0) {
        hold.stepsLeft -= 1;
        return {
          policy: hold.policy,
          action: this.learner.actor.apply(s, hold.policy).rsample(this.rng).action.dataSync(),
        };
      }
      const { heads, scores } = this.scoreHeads(task, s);
      const policy = QmpAgent.argmax(scores);
      hold.policy = policy;
      hold.stepsLeft = holdSteps - 1;
      return { policy, action: heads[policy]?.rsample(this.rng).action.dataSync() as Float32Array };
    });
    const cell = task * this.numTasks + out.policy;
    this.selections[cell] = (this.selections[cell] as number) + 1;
    return { action: this.scaler.toEnv(out.action as Float32Array), policy: out.policy };
  }

  /** Deterministic action of task i: head i's mean ("own"), or the mean of the head the Q-switch picks ("mixture"). */
  evalAction(task: number, obs: Float32Array, mode: "own" | "mixture" = "own"): Float32Array {
    this.checkTask(task);
    const action = tf.tidy(() => {
      const s = this.obsTensor(obs);
      if (mode === "own" || this.config.sharing === "none") {
        return this.learner.actor.apply(s, task).mode().dataSync() as Float32Array;
      }
      const { heads, scores } = this.scoreHeads(task, s);
      return heads[QmpAgent.argmax(scores)]?.mode().dataSync() as Float32Array;
    });
    return this.scaler.toEnv(action);
  }

  /** Stores a transition of task i in 𝒟_i only, with task i's reward. */
  observe(task: number, t: Transition<Float32Array, Float32Array>): void {
    this.learner.replays[this.checkTask(task)]?.add({
      obs: t.obs,
      action: this.scaler.fromEnv(t.action),
      reward: t.reward,
      nextObs: t.nextObs,
      terminated: t.terminated ? 1 : 0,
    });
  }

  update(task: number): Record<string, number> {
    return this.learner.update(this.checkTask(task));
  }

  replaySize(task: number): number {
    return this.learner.replays[this.checkTask(task)]?.size as number;
  }

  selectionCounts(): number[][] {
    return Array.from({ length: this.numTasks }, (_, i) =>
      Array.from(this.selections.subarray(i * this.numTasks, (i + 1) * this.numTasks)),
    );
  }

  gradientUpdates(): number {
    return this.learner.counts.gradientUpdates as number;
  }

  /** The learner (weights, optimisers, α_i, buffers, RNG), the behaviour RNG and the selection counts. */
  save(): Snapshot {
    return {
      name: this.name,
      numTasks: this.numTasks,
      learner: this.learner.save(),
      rng: this.rng.getState() as unknown as Snapshot,
      selections: Float64Array.from(this.selections),
      holds: this.holds.map((h) => [h.policy, h.stepsLeft]),
    };
  }

  load(state: Snapshot): void {
    const s = state as Record<string, Snapshot> | null;
    if (s === null || typeof s !== "object" || s.name !== this.name) {
      throw new QscapeError(`param-sharing.load: not a param-sharing snapshot (name ${String(s?.name)})`);
    }
    if (s.numTasks !== this.numTasks) {
      throw new QscapeError(
        `param-sharing.load: snapshot has ${String(s.numTasks)} tasks, this agent ${this.numTasks}`,
      );
    }
    this.learner.load(s.learner as Snapshot);
    this.rng.setState(s.rng as unknown as ReturnType<Rng["getState"]>);
    this.selections.set(s.selections as Float64Array);
    // Snapshots from before the hold existed (H = 1) hold nothing.
    ((s.holds as number[][] | undefined) ?? []).forEach(([policy, stepsLeft], i) => {
      this.holds[i] = { policy: policy as number, stepsLeft: stepsLeft as number };
    });
  }

  dispose(): void {
    this.learner.dispose();
  }
}
