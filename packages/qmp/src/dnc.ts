/**
 * DnC and DnC (Regularization Only), the behaviour-regularisation baselines of the QMP paper
 * (§5.6.2, App. D H; Divide-and-Conquer, Ghosh et al. 2018, adapted to SAC):
 *
 *   L_π_i = SAC's L_π on β_i  +  Σ_{j≠i} β · E_s[ KL(π_j(·|s) ‖ π_i(·|s)) ],  s from every task's buffer
 *
 * and, for DnC, `distillations` times over the run (App. D H: 10) a central policy π_c is fitted by
 * maximum likelihood to the (s, a) of every buffer (`distillEpochs` Adam steps; 500 in the paper),
 * after which every local π_i is reset to π_c. Data collection is No-Sharing's: each task acts with
 * its own π_i (the agent holds a QmpAgent with sharing "none" and its N SAC learners), and SAC's
 * critic and α updates are unchanged; only the actor loss gains the KL term, through SAC's
 * `extraActorLoss` option.
 *
 * The KL between tanh-squashed Gaussians is computed in closed form on the pre-tanh Gaussians: tanh
 * is a bijection, and a KL divergence is unchanged when both distributions are pushed through the
 * same bijection (the log-Jacobians cancel), so KL(tanh#N_j ‖ tanh#N_i) = KL(N_j ‖ N_i) exactly,
 * with no sampling noise. Only π_i receives its gradient: the other policies are targets.
 *
 * Only learning tasks take part: a task with a fixed policy has no buffer and no policy to regularise.
 */
import { SquashedGaussianActor } from "@qscape/baselines";
import {
  Adam,
  disposeState,
  hardUpdate,
  loadState,
  QscapeError,
  Rng,
  type Snapshot,
  type StateParts,
  saveState,
  tf,
} from "@qscape/core";
import { QmpAgent, type TaskSpaces } from "./agent.js";
import { type DncConfigInput, type DncSettings, resolveDncConfig } from "./config.js";
import type { MultiTaskAgent } from "./multitask-agent.js";
import { learningTasks } from "./train.js";

/** A diagonal Gaussian over pre-tanh actions, [B, A] each. */
export interface PreTanhGaussian {
  mean: tf.Tensor2D;
  logStd: tf.Tensor2D;
}

/**
 * KL(p ‖ q) per row for tanh-squashed diagonal Gaussians, [B]: the closed form of the pre-tanh
 * Gaussians (equal to the squashed one, see above),
 * Σ_d log σ_q − log σ_p + (σ_p² + (μ_p − μ_q)²) / (2σ_q²) − ½.
 */
export function squashedGaussianKl(p: PreTanhGaussian, q: PreTanhGaussian): tf.Tensor1D {
  return tf.tidy(() => {
    const varP = tf.exp(tf.mul(p.logStd, 2));
    const varQ = tf.exp(tf.mul(q.logStd, 2));
    const spread = tf.div(tf.add(varP, tf.square(tf.sub(p.mean, q.mean))), tf.mul(varQ, 2));
    return tf.sum(tf.add(tf.sub(q.logStd, p.logStd), tf.sub(spread, 0.5)), 1) as tf.Tensor1D;
  });
}

/** Stored actions are squashed into [−1, 1]; atanh needs them strictly inside. */
const ACTION_EDGE = 1 - 1e-6;

/**
 * Sets π_c's initial σ to 1 (garage's initial policy std; the paper's SAC is garage's, App. D H).
 * Core's head squashes log σ smoothly into [min, max] and so starts at (min + max)/2, e^−9 with the
 * paper's [−20, 2]; from there the maximum-likelihood fit stalls (measured on a 16-16 policy, 300
 * Adam steps at lr 3e-3: mean action error 0.78 → 0.48, against 0.78 → 0.03 from σ = 1).
 */
function startAtUnitStd(actor: SquashedGaussianActor, logStdMin: number, logStdMax: number): void {
  if (!(logStdMin < 0 && logStdMax > 0)) return;
  const raw = Math.atanh((2 * -logStdMin) / (logStdMax - logStdMin) - 1);
  const bias = actor.head.linear.bias;
  const dim = bias.shape[0] as number;
  tf.tidy(() => {
    const values = Float32Array.from(bias.dataSync());
    values.fill(raw, dim / 2);
    bias.assign(tf.tensor1d(values));
  });
}

export class DncAgent implements MultiTaskAgent {
  readonly name = "qmp.dnc";
  readonly config: DncSettings;
  /** The N SAC learners and their No-Sharing data collection. */
  readonly separate: QmpAgent;
  /** π_c, the distillation target (same network as every π_i). */
  readonly central: SquashedGaussianActor;
  private readonly centralOptimizer: Adam;
  /** KL states and distillation minibatches; the learners keep their own streams. */
  private readonly rng: Rng;
  private readonly tasks: readonly number[];
  /** `distillations`: schedule points passed (one distillation each, at most one per epoch). */
  private readonly counts = { distillations: 0 };

  constructor(taskSet: TaskSpaces, config: DncConfigInput = {}) {
    this.config = resolveDncConfig(config);
    const { seed, sac } = this.config;
    const { seed: _sacSeed, ...sacFields } = sac;
    this.separate = new QmpAgent(taskSet, { seed, sharing: "none", sac: sacFields });
    this.tasks = learningTasks(this.separate);
    const root = new Rng(seed);
    this.central = new SquashedGaussianActor(root.fork(), this.obsDim, this.actionDim, sac, `${this.name}.central`);
    startAtUnitStd(this.central, sac.logStdMin, sac.logStdMax);
    this.centralOptimizer = new Adam(`${this.name}.central`, this.central, { lr: sac.actorLr });
    this.rng = root.fork();
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
  get distillations(): number {
    return this.counts.distillations;
  }

  /** `perTask` rows of every learning task's buffer (its own stream), concatenated per field. */
  private drawFromAll(perTask: number, fields: readonly ("obs" | "action")[]): Record<string, Float32Array> {
    const parts = this.tasks.map((j) => this.learner(j).replay.sample(perTask, this.rng).data);
    return Object.fromEntries(
      fields.map((f) => {
        const chunks = parts.map((p) => p[f] as Float32Array);
        const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
        let at = 0;
        for (const c of chunks) {
          out.set(c, at);
          at += c.length;
        }
        return [f, out];
      }),
    );
  }

  /**
   * One SAC step of task i with the KL term added to its actor loss. The states are
   * ⌈batch / L⌉ from each of the L learning tasks' buffers, drawn at every step; with β = 0 the step
   * equals No-Sharing's exactly (the term adds 0 and its gradient 0).
   */
  update(task: number): Record<string, number> {
    const learner = this.learner(task);
    const others = this.tasks.filter((j) => j !== task);
    if (others.length === 0) return learner.update();
    const perTask = Math.ceil(learner.config.batchSize / this.tasks.length);
    const { obs } = this.drawFromAll(perTask, ["obs"]);
    const { klCoef } = this.config;
    return tf.tidy(() => {
      const states = tf.tensor2d(obs as Float32Array, [(obs as Float32Array).length / this.obsDim, this.obsDim]);
      // π_j for j ≠ i: fixed targets, computed outside π_i's gradient tape.
      const targets = others.map((j) => this.learner(j).actor.apply(states));
      let kl = Number.NaN;
      const metrics = learner.update({
        extraActorLoss: () => {
          const own = learner.actor.apply(states);
          const term = tf.mean(tf.addN(targets.map((p) => squashedGaussianKl(p, own))));
          kl = term.dataSync()[0] as number;
          return tf.mul(term, klCoef) as tf.Scalar;
        },
      });
      return { ...metrics, ...(Number.isNaN(kl) ? {} : { kl }) };
    });
  }

  /**
   * DnC's schedule: the d-th distillation (d = 1..D) happens after the first epoch that reaches
   * d/D of the budget, so the last one ends the run and the policies evaluated are π_c's.
   */
  afterEpoch(envSteps: number, totalEnvSteps: number): void {
    const D = this.config.distillations;
    if (D === 0) return;
    const due = Math.min(D, Math.floor((envSteps * D) / totalEnvSteps));
    if (due <= this.counts.distillations) return;
    this.distill();
    this.counts.distillations = due;
  }

  /**
   * Fits π_c by maximum likelihood to every learning task's (s, a): `distillEpochs` Adam steps, each
   * on a SAC batch from every buffer, −mean log π_c(a|s) with a's pre-tanh value atanh(a). Then
   * resets every π_i to π_c (their optimizers keep their moments). Returns the last step's loss.
   */
  distill(): number {
    const batch = this.learner(this.tasks[0] as number).config.batchSize;
    let loss = Number.NaN;
    for (let e = 0; e < this.config.distillEpochs; e++) {
      const { obs, action } = this.drawFromAll(batch, ["obs", "action"]);
      const rows = (obs as Float32Array).length / this.obsDim;
      loss = tf.tidy(() => {
        const s = tf.tensor2d(obs as Float32Array, [rows, this.obsDim]);
        const a = tf.tensor2d(action as Float32Array, [rows, this.actionDim]);
        const preTanh = tf.atanh(tf.clipByValue(a, -ACTION_EDGE, ACTION_EDGE)) as tf.Tensor2D;
        return this.centralOptimizer.minimize(() => tf.neg(tf.mean(this.central.apply(s).logProbOfPreTanh(preTanh))));
      });
    }
    for (const i of this.tasks) hardUpdate(this.learner(i).actor, this.central);
    return loss;
  }

  private stateParts(): StateParts {
    return {
      config: this.config,
      networks: { central: this.central },
      stateful: { centralOptimizer: this.centralOptimizer, rng: this.rng },
      counters: [this.counts],
    };
  }

  /** The whole state: the N learners (weights, optimisers, α, buffers, RNGs), π_c and its optimiser, the schedule. */
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
    disposeState(this.stateParts());
  }
}
