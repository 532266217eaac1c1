/**
 * QMP on SAC (Algorithm 4; Def. 5.4.2, Eq. 5.3). The agent holds one SAC learner per task: its
 * own π_i, twin Q_i with targets, α_i and replay buffer 𝒟_i. It does not extend SAC: the learners
 * are used as they are, and QMP only decides which policy collects task i's data.
 *
 * Behaviour policy of task i at state s (the Q-switch):
 *
 *   μ_j = tanh(mean of π_j(·|s))            for every task policy j, including π_i
 *   j*  = argmax_j min(Q_i¹, Q_i²)(s, μ_j)  task i's own critics score every proposal
 *   a   ~ π_{j*}(·|s)                       a sampled action of the winner is executed
 *
 * The paper's practical estimator scores mean actions and drops the entropy term of Eq. 5.3
 * (§5.4); min of the twins is the batched path of the released code. The
 * transition goes only to 𝒟_i with task i's reward; SAC's losses and Bellman targets use π_i,
 * never the mixture, so QMP changes the data and nothing else.
 *
 * The ablations swap only the selection rule (`sharing`): the probabilistic mixture draws j from
 * softmax(scores / T) (App. G.1) and QMP-Domain from a fixed hand-crafted p_{j→i} (App. D D.1); the
 * rules live in `mixtures.ts`.
 *
 * A task with a fixed policy (the didactic example's scripted Gaussians, §5.5.2) contributes
 * candidates but has no learner and collects no data.
 */
import { SACAgent } from "@qscape/baselines";
import { type ActionScaler, type EnvSpaces, QscapeError, Rng, type Snapshot, type Transition, tf } from "@qscape/core";
import { type FixedGaussianPolicy, taskSeed } from "@qscape/envs";
import { type QmpConfigInput, type QmpConfigRecord, type QmpSettings, resolveQmpConfig } from "./config.js";
import { domainMixture, NoDomainMixtureError, softmaxProbabilities } from "./mixtures.js";

/** What the agent reads from a task set: shared spaces and, per task, an optional fixed policy. */
export interface TaskSpaces extends EnvSpaces {
  /** The task set's id: QMP-Domain looks its hand-crafted mixture up by it. */
  readonly id?: string;
  readonly tasks: readonly { readonly name: string; readonly fixedPolicy: FixedGaussianPolicy | null }[];
}

/** A policy's proposal at one state, in the normalised action box: its mean and samples. */
interface Proposal {
  mean(): tf.Tensor2D;
  /** One action drawn from the policy ([1, A]), or `count` of them ([count, A]). */
  sample(count?: number): tf.Tensor2D;
}

/** Task i's held policy and the steps it still acts before the next switch (H-step hold). */
export interface Hold {
  policy: number;
  stepsLeft: number;
}

export class QmpAgent {
  readonly name = "qmp";
  readonly config: QmpSettings;
  readonly numTasks: number;
  readonly obsDim: number;
  readonly actionDim: number;
  /** Task i's SAC learner, or null for a task with a fixed policy. */
  readonly learners: readonly (SACAgent | null)[];
  private readonly fixedPolicies: readonly (FixedGaussianPolicy | null)[];
  private readonly scaler: ActionScaler;
  /** Candidate sampling and the own-policy coin; the learners keep their own streams. */
  private readonly rng: Rng;
  /** selections[i·N + j]: env steps of task i whose action came from π_j. */
  private readonly selections: Float64Array;
  private readonly holds: Hold[];
  /** QMP-Domain's fixed p_{j→i} (row i), or null for the other sharing rules. */
  private readonly mixture: readonly (readonly number[])[] | null;
  private readonly policyIndices: readonly number[];

  constructor(taskSet: TaskSpaces, config: QmpConfigInput | QmpConfigRecord = {}) {
    this.config = resolveQmpConfig(config);
    this.numTasks = taskSet.tasks.length;
    if (this.numTasks === 0) throw new QscapeError("qmp: the task set has no tasks");
    this.fixedPolicies = taskSet.tasks.map((t) => t.fixedPolicy);
    this.learners = taskSet.tasks.map((t, i) =>
      t.fixedPolicy
        ? null
        : new SACAgent(taskSet, { ...this.config.sac, seed: taskSeed(this.config.seed, i) }, { name: `qmp.${t.name}` }),
    );
    const first = this.learners.find((l) => l !== null);
    if (!first) throw new QscapeError("qmp: every task has a fixed policy; at least one task must learn");
    this.obsDim = first.obsDim;
    this.actionDim = first.actionDim;
    this.scaler = first.scaler;
    this.fixedPolicies.forEach((p, i) => {
      if (p && p.mean.length !== this.actionDim) {
        throw new QscapeError(
          `qmp: task ${i} fixedPolicy.mean has ${p.mean.length} values, expected ${this.actionDim}`,
        );
      }
    });
    this.rng = new Rng(this.config.seed);
    this.selections = new Float64Array(this.numTasks * this.numTasks);
    this.holds = taskSet.tasks.map(() => ({ policy: -1, stepsLeft: 0 }));
    this.policyIndices = taskSet.tasks.map((_, j) => j);
    this.mixture = this.config.sharing === "domain" ? QmpAgent.domainMixtureOf(taskSet) : null;
  }

  private static domainMixtureOf(taskSet: TaskSpaces): number[][] {
    if (taskSet.id === undefined) throw new NoDomainMixtureError('qmp: sharing "domain" needs the task set\'s id');
    const mixture = domainMixture(taskSet.id);
    const n = taskSet.tasks.length;
    if (mixture.length !== n || mixture.some((row) => row.length !== n)) {
      throw new QscapeError(`qmp: the domain mixture of ${taskSet.id} is not ${n} × ${n}`);
    }
    return mixture;
  }

  /** Task i's learner; throws for a task that does not learn. */
  learner(task: number): SACAgent {
    const l = this.learners[this.checkTask(task)];
    if (!l) throw new QscapeError(`qmp: task ${task} has a fixed policy and no learner`);
    return l;
  }

  private checkTask(task: number): number {
    if (!Number.isInteger(task) || task < 0 || task >= this.numTasks) {
      throw new QscapeError(`qmp: task ${task} is not in [0, ${this.numTasks})`);
    }
    return task;
  }

  private proposal(j: number, obs: tf.Tensor2D): Proposal {
    const learner = this.learners[j];
    if (learner) {
      const dist = learner.actor.apply(obs);
      return {
        mean: () => dist.mode(),
        sample: (count = 1) =>
          count === 1
            ? dist.rsample(this.rng).action
            : learner.actor.apply(tf.tile(obs, [count, 1]) as tf.Tensor2D).rsample(this.rng).action,
      };
    }
    const { mean, std } = this.fixedPolicies[j] as FixedGaussianPolicy;
    const m = tf.tensor2d(mean, [1, this.actionDim]);
    return {
      mean: () => m,
      sample: (count = 1) => {
        const noise = this.rng.fillNormal(new Float32Array(count * this.actionDim), 0, std) as Float32Array;
        const draws = tf.add(tf.tile(m, [count, 1]), tf.tensor2d(noise, [count, this.actionDim]));
        return tf.clipByValue(draws, -1, 1) as tf.Tensor2D;
      },
    };
  }

  private obsTensor(obs: Float32Array): tf.Tensor2D {
    if (obs.length !== this.obsDim) {
      throw new QscapeError(`qmp: observation has ${obs.length} values, expected ${this.obsDim}`);
    }
    return tf.tensor2d(obs, [1, this.obsDim]);
  }

  /**
   * The Q-switch's scores for every policy j, one batched critic pass: min(Q_i¹, Q_i²)(s, μ_j), or
   * with `expectationSamples` M > 0 its mean over M actions drawn from π_j (App. G.2).
   */
  scores(task: number, obs: Float32Array): Float32Array {
    return tf.tidy(() => {
      const s = this.obsTensor(obs);
      return this.scoreProposals(task, s, this.proposalsAt(s), this.config.expectationSamples);
    });
  }

  private proposalsAt(obs: tf.Tensor2D): Proposal[] {
    return Array.from({ length: this.numTasks }, (_, j) => this.proposal(j, obs));
  }

  private scoreProposals(task: number, obs: tf.Tensor2D, proposals: Proposal[], samples = 0): Float32Array {
    const per = Math.max(samples, 1);
    const actions = tf.concat(proposals.map((p) => (samples > 0 ? p.sample(samples) : p.mean())));
    const tiled = tf.tile(obs, [this.numTasks * per, 1]) as tf.Tensor2D;
    const q = this.learner(task).critics.min(tiled, actions as tf.Tensor2D);
    if (samples === 0) return q.dataSync() as Float32Array; // one row per policy: the scores as they are
    // Rows are policy-major: policy j's M draws are rows j·M … j·M + M − 1.
    return tf.mean(tf.reshape(q, [this.numTasks, per]), 1).dataSync() as Float32Array;
  }

  /** j* = argmax_j scores[j]; ties go to the lowest task index. */
  static argmax(scores: ArrayLike<number>): number {
    let best = 0;
    for (let j = 1; j < scores.length; j++) if ((scores[j] as number) > (scores[best] as number)) best = j;
    return best;
  }

  /** Starts a new episode of task i: the multistep variant re-selects at its first step. */
  beginEpisode(task: number): void {
    (this.holds[this.checkTask(task)] as Hold).stepsLeft = 0;
  }

  /**
   * The behaviour action of task i (env units) and the policy that produced it. With sharing on,
   * the Q-switch re-selects every `holdSteps` steps (H = 1: every step); in between, the held
   * policy keeps acting with a fresh sample each step (§5.7.3).
   */
  behave(task: number, obs: Float32Array): { action: Float32Array; policy: number } {
    this.learner(task); // only learning tasks collect data
    const hold = this.holds[task] as Hold;
    const out = tf.tidy(() => {
      const s = this.obsTensor(obs);
      let proposal: Proposal;
      if (hold.stepsLeft > 0) {
        hold.stepsLeft -= 1;
        proposal = this.proposal(hold.policy, s);
      } else {
        const chosen = this.select(task, s);
        hold.policy = chosen.policy;
        hold.stepsLeft = this.config.holdSteps - 1;
        proposal = chosen.proposal;
      }
      return { policy: hold.policy, action: proposal.sample().dataSync() as Float32Array };
    });
    const cell = task * this.numTasks + out.policy;
    this.selections[cell] = (this.selections[cell] as number) + 1;
    return { action: this.scaler.toEnv(out.action), policy: out.policy };
  }

  /** The policy that acts for task i from state s (a re-selection), with its proposal there. */
  private select(task: number, s: tf.Tensor2D): { policy: number; proposal: Proposal } {
    const { sharing, ownPolicyProb } = this.config;
    if (sharing === "none" || (ownPolicyProb > 0 && this.rng.random() < ownPolicyProb)) {
      return { policy: task, proposal: this.proposal(task, s) };
    }
    if (sharing === "uniform") {
      const policy = this.rng.int(0, this.numTasks);
      return { policy, proposal: this.proposal(policy, s) };
    }
    if (sharing === "domain") {
      const policy = this.rng.choice(this.policyIndices, (this.mixture as number[][])[task]);
      return { policy, proposal: this.proposal(policy, s) };
    }
    const proposals = this.proposalsAt(s);
    const scores = this.scoreProposals(task, s, proposals, this.config.expectationSamples);
    const policy =
      sharing === "softmax"
        ? this.rng.choice(this.policyIndices, softmaxProbabilities(scores, this.config.temperature))
        : QmpAgent.argmax(scores);
    return { policy, proposal: proposals[policy] as Proposal };
  }

  /**
   * Deterministic evaluation action of task i (env units): π_i's mean ("own", what the paper's
   * results report by default) or the mean of the policy the Q-switch picks ("mixture").
   */
  evalAction(task: number, obs: Float32Array, mode: "own" | "mixture" = "own"): Float32Array {
    this.learner(task); // fixed helpers are not evaluated
    const action = tf.tidy(() => {
      const s = this.obsTensor(obs);
      // Only the Q-switch has a deterministic mixture: No-Sharing's behaviour is π_i itself, and
      // the random switches (Uniform, softmax, domain) have no deterministic form: they evaluate π_i.
      if (mode === "own" || this.config.sharing !== "qSwitch") {
        return this.proposal(task, s).mean().dataSync() as Float32Array;
      }
      const proposals = this.proposalsAt(s);
      const j = QmpAgent.argmax(this.scoreProposals(task, s, proposals));
      return (proposals[j] as Proposal).mean().dataSync() as Float32Array;
    });
    return this.scaler.toEnv(action);
  }

  /** Stores a transition of task i in 𝒟_i only; its reward must be task i's (no relabelling). */
  observe(task: number, t: Transition<Float32Array, Float32Array>): void {
    this.learner(task).observe(t);
  }

  /** One unchanged SAC gradient step of task i on 𝒟_i. */
  update(task: number): Record<string, number> {
    return this.learner(task).update();
  }

  replaySize(task: number): number {
    return this.learner(task).replay.size;
  }

  /** Q-switch selection counts as rows per task: counts[i][j] = task-i steps acted by π_j. */
  selectionCounts(): number[][] {
    return Array.from({ length: this.numTasks }, (_, i) =>
      Array.from(this.selections.subarray(i * this.numTasks, (i + 1) * this.numTasks)),
    );
  }

  /** The whole multi-task state: every learner (weights, optimisers, α, replay, RNG), the QMP RNG, holds, counts. */
  save(): Snapshot {
    return {
      name: this.name,
      numTasks: this.numTasks,
      config: JSON.parse(JSON.stringify(this.config)) as Snapshot,
      learners: this.learners.map((l) => (l ? l.save() : null)),
      rng: this.rng.getState() as unknown as Snapshot,
      selections: Float64Array.from(this.selections),
      holds: this.holds.map((h) => [h.policy, h.stepsLeft]),
    };
  }

  load(state: Snapshot): void {
    const s = state as Record<string, Snapshot> | null;
    if (s === null || typeof s !== "object" || s.name !== this.name) {
      throw new QscapeError(`qmp.load: not a qmp snapshot (name ${String(s?.name)})`);
    }
    if (s.numTasks !== this.numTasks) {
      throw new QscapeError(`qmp.load: snapshot has ${String(s.numTasks)} tasks, this agent ${this.numTasks}`);
    }
    const learners = s.learners as Snapshot[];
    this.learners.forEach((l, i) => {
      if ((l === null) !== (learners[i] === null)) {
        throw new QscapeError(`qmp.load: task ${i} learns in one of snapshot and agent but not the other`);
      }
      l?.load(learners[i] as Snapshot);
    });
    this.rng.setState(s.rng as unknown as ReturnType<Rng["getState"]>);
    this.selections.set(s.selections as Float64Array);
    (s.holds as number[][]).forEach(([policy, stepsLeft], i) => {
      this.holds[i] = { policy: policy as number, stepsLeft: stepsLeft as number };
    });
  }

  dispose(): void {
    for (const l of this.learners) l?.dispose();
  }
}
