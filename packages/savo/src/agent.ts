/**
 * SAVO-TD3 (Jain et al. 2024, Algorithm 1): a TD3 learner (μ = ν0, twin critics, replay, delayed
 * updates, Polyak targets) held as a part, the successive chain ν1..νk−1 with its surrogates
 * Ψ̂1..Ψ̂k−1, and the maximizer actor μM, a selector that ranks the chain's proposals by Q1.
 *
 *   act:     a0 = μ(s), ai = νi(s; a<i), âi = ai + ε·OUi      (`SuccessiveChain.propose`)
 *            μM(s) = argmax_i Q1(s, âi);  a = μM(s) + ε·OU    (`CandidateSelector.choose`)
 *   target:  ã = μM(s') from the noise-free chain;  y = r + γ(1 − d) · max_i min(Q1', Q2')(s', ai)
 *            (argmax and value both by the min of the target twins, no smoothing)
 *   update:  TD3's critic step; every policyDelay steps: the clean chain at s, one batched
 *            twin-critic evaluation at [μ̃M(s); a0..ak−1] for the Eq. 7 targets, one Ψ̂ step (Eq. 9),
 *            one step for ν1..νk−1 on Ψ̂ (Eq. 8), μ's DPG step on Q1 (TD3's), Polyak targets.
 *
 * Discrete tasks: give the agent a Box proto-action env that publishes its items (a
 * `NearestItemWrapper`, or `options.items`); every proposal is snapped to its nearest item
 * (`ItemSnapper`) before it is ranked by Q and before it conditions the next actor.
 */

import { explorationNoise, smoothed, TD3Agent, type TD3Batch } from "@qscape/baselines";
import {
  type ActionChoice,
  type ActionNoise,
  type ActOptions,
  type Agent,
  activate,
  addParts,
  argmax,
  CandidateSelector,
  Checkpointed,
  type Critics,
  type EnvSpaces,
  type Linear,
  type MLP,
  oneHotFloat,
  QscapeError,
  type StateParts,
  type Transition,
  tf,
} from "@qscape/core";
import type { ActionRepresentation } from "@qscape/envs";
import { type Snap, SuccessiveChain, successiveTargets } from "./chain.js";
import { SavoConfig, type SavoConfigInput, type SavoSettings } from "./config.js";
import { ItemSnapper } from "./items.js";
import { perStateOp } from "./networks.js";

export interface SavoOptions {
  /** Agent name in logs and checkpoints (default "savo"). */
  name?: string;
  /** Item representations of a discrete task; read from `env.representation` when omitted. */
  items?: ActionRepresentation;
}

export class SavoAgent extends Checkpointed implements Agent<Float32Array, Float32Array> {
  readonly name: string;
  readonly settings: SavoSettings;
  readonly obsDim: number;
  readonly actionDim: number;
  /** TD3's parts: μ (= ν0), twin critics, their targets and optimizers, replay, the executed action's noise, the RNG. */
  readonly td3: TD3Agent<SavoSettings>;
  /** ν1..νk−1, Ψ̂1..Ψ̂k−1, their targets and optimizers. */
  readonly chain: SuccessiveChain;
  readonly snapper: ItemSnapper | null;
  /** μM: ranks the chain's proposals by Q1 and counts the Q evaluations. */
  readonly selector: CandidateSelector;
  /** OU1..OUk: one exploration process per proposal. */
  private readonly proposalNoises: ActionNoise[];
  /**
   * Exploring steps taken (the ε schedule's clock) and, per proposal i, how often μM picked it while
   * exploring (`picks<i>`): whether the successive actors are used at all (§4's mechanism) shows here.
   */
  private readonly counts: { exploreSteps: number } & Record<string, number> = { exploreSteps: 0 };

  constructor(env: EnvSpaces, config: SavoConfigInput = {}, options: SavoOptions = {}) {
    super();
    this.name = options.name ?? "savo";
    this.td3 = new TD3Agent(env, config, { name: this.name, schema: SavoConfig });
    const s = this.td3.config;
    this.settings = s;
    if (s.jointAction && s.numCandidates < 2) {
      throw new QscapeError(`${this.name} config: jointAction needs numCandidates ≥ 2, got ${s.numCandidates}`);
    }
    const { obsDim, actionDim, rng, scaler } = this.td3;
    this.obsDim = obsDim;
    this.actionDim = actionDim;
    this.chain = new SuccessiveChain(rng.fork(), obsDim, actionDim, s, `${this.name}.chain`);
    const items = options.items ?? (env as { representation?: ActionRepresentation }).representation;
    this.snapper = items ? new ItemSnapper(items, (a) => scaler.fromEnv(a), actionDim) : null;
    this.proposalNoises = Array.from({ length: s.numCandidates }, () =>
      explorationNoise(rng, actionDim, s.explorationNoise),
    );
    this.selector = new CandidateSelector(this.name, obsDim, actionDim, this.td3.counts);
    for (let i = 0; i < s.numCandidates; i++) this.counts[`picks${i}`] = 0;
  }

  /** The ε noise-scale multiplier after `step` explored steps (Table 2: 1 → 0.01, linear). */
  epsilon(step = this.counts.exploreSteps): number {
    const { start, end, decaySteps } = this.settings.epsilon;
    return decaySteps <= 0 ? end : start + (end - start) * Math.min(1, step / decaySteps);
  }

  private get snap(): Snap | null {
    return this.snapper ? this.snapper.snap : null;
  }

  // ---- the successive chain -----------------------------------------------------------------

  /** The noise-free chain a0..ak−1 in states `obs`; `target`: from the Polyak-averaged actor copies. */
  cleanChain(obs: tf.Tensor2D, target = false): tf.Tensor2D[] {
    const mu = this.settings.jointAction
      ? null
      : ((target ? this.td3.targetActors : this.td3.actors)[0] as MLP).apply(obs);
    return this.chain.propose(obs, mu, { target, snap: this.snap }).clean;
  }

  /** Candidates [B, k, D] for acting: the chain, perturbed by ε·OU per proposal when exploring. */
  private proposals(obs: tf.Tensor2D, explore: boolean): tf.Tensor3D {
    const s = this.settings;
    if (!explore && s.inference === "firstActor") {
      return tf.expandDims(this.cleanChain(obs)[0] as tf.Tensor2D, 1) as tf.Tensor3D;
    }
    const mu = s.jointAction ? null : (this.td3.actors[0] as MLP).apply(obs);
    const b = obs.shape[0];
    const noise =
      explore && s.proposalNoise
        ? this.proposalNoises.map((n) => {
            const values = new Float32Array(b * this.actionDim);
            const eps = this.epsilon();
            for (let r = 0; r < b; r++) {
              const row = n.sample(new Float32Array(this.actionDim));
              for (let d = 0; d < this.actionDim; d++) values[r * this.actionDim + d] = eps * (row[d] as number);
            }
            return tf.tensor2d(values, [b, this.actionDim]);
          })
        : null;
    const { proposals } = this.chain.propose(obs, mu, { snap: this.snap, noise });
    return tf.stack(proposals, 1) as tf.Tensor3D;
  }

  // ---- acting -------------------------------------------------------------------------------

  act(obs: Float32Array, opts: ActOptions): Float32Array {
    const choice = this.chooseAction(obs, opts.explore);
    let action = choice.action;
    if (opts.explore) {
      this.td3.explore(action, this.epsilon());
      this.counts.exploreSteps += 1;
      // μM's pick: the candidate with the highest Q1 (a single candidate is proposal 0).
      const key = `picks${choice.q ? argmax(choice.q) : 0}`;
      this.counts[key] = (this.counts[key] as number) + 1;
    }
    if (this.snapper) action = this.snapper.snapArray(action).actions;
    return this.td3.scaler.toEnv(action);
  }

  /** μM(s) before the executed action's noise, with the candidates it chose from (normalised units). */
  chooseAction(obs: Float32Array, explore: boolean): ActionChoice {
    return this.selector.choose(this.td3.critics, obs, (o) => this.proposals(o, explore));
  }

  /** Q1 of candidate actions in one state, normalised units (diagnostics). */
  evaluateQ(obs: Float32Array, actions: Float32Array[]): Float32Array {
    return this.selector.evaluate(this.td3.critics, obs, actions);
  }

  // ---- learning -----------------------------------------------------------------------------

  observe(t: Transition<Float32Array, Float32Array>): void {
    this.td3.observe(t);
    if (t.terminated || t.truncated) for (const n of this.proposalNoises) n.reset();
  }

  update(): Record<string, number> {
    const td3 = this.td3;
    const { data, smoothing, delayed } = td3.sample();
    return tf.tidy(() => {
      const batch = td3.toBatch(data);
      const out: Record<string, number> = { criticLoss: td3.criticStep(batch, this.tdTarget(batch, smoothing)) };
      if (delayed) {
        Object.assign(out, this.actorStep(batch));
        td3.updateTargets();
        this.chain.updateTargets(this.settings.tau);
      }
      return out;
    });
  }

  /**
   * y = r + γ(1 − terminated) · max_i min(Q1', Q2')(s', ai) over the noise-free chain at s'. With
   * smoothing (the "+ Action Smoothing" ablation): TD3's target at the chain's best action by Q1'.
   */
  tdTarget(batch: TD3Batch, smoothing: Float32Array | null): tf.Tensor2D {
    const td3 = this.td3;
    const chain = this.cleanChain(batch.nextObs, this.settings.targetActions === "target");
    if (smoothing !== null) {
      const best = this.selector.select(td3.targetCritics, batch.nextObs, tf.stack(chain, 1) as tf.Tensor3D);
      return td3.tdTarget(batch, smoothed(best, smoothing));
    }
    const q = this.twinMinAt(td3.targetCritics, batch.nextObs, tf.concat(chain, 0));
    const nextQ = tf.reshape(tf.max(tf.reshape(q, [chain.length, -1]), 0), [-1, 1]);
    return tf.add(batch.reward, tf.mul(tf.mul(batch.notDone, this.settings.gamma), nextQ));
  }

  /**
   * Eq. 9 (Ψ̂) and Eq. 8 (ν1..νk−1) on the clean chain of the pre-update actors, then μ's DPG step
   * (TD3's; with + Joint Action the joint actor's step is the actor step).
   */
  private actorStep(batch: TD3Batch): Record<string, number> {
    const s = this.settings;
    const k = s.numCandidates;
    const { obs } = batch;
    const chain = this.cleanChain(obs);
    const losses: Record<string, number> = {};
    if (k > 1) {
      const critics = s.surrogateTargetCritic === "online" ? this.td3.critics : this.td3.targetCritics;
      let anchor: tf.Tensor2D;
      let qAnchor: tf.Tensor2D;
      let qChain: tf.Tensor2D[];
      if (s.surrogateAnchor === "executed") {
        // One batched twin-critic pass over [a0; …; ak−1; μ̃M(s)].
        anchor = batch.action;
        const q = tf.split(this.twinMinAt(critics, obs, tf.concat([...chain, anchor], 0)), k + 1, 0) as tf.Tensor2D[];
        qAnchor = q[k] as tf.Tensor2D;
        qChain = q.slice(0, k);
      } else {
        qChain = tf.split(this.twinMinAt(critics, obs, tf.concat(chain, 0)), k, 0) as tf.Tensor2D[];
        const all = tf.concat(qChain, 1);
        const pick = oneHotFloat(tf.argMax(all, 1), k);
        anchor = tf.sum(tf.mul(tf.stack(chain, 1), tf.expandDims(pick, 2)), 1) as tf.Tensor2D;
        qAnchor = tf.max(all, 1, true) as tf.Tensor2D;
      }
      const targets = successiveTargets(qAnchor, qChain);
      if (s.surrogate === "learned") losses.surrogateLoss = this.chain.fitSurrogates(obs, anchor, chain, targets);
      losses.successorLoss = this.chain.stepActors(obs, chain, {
        thresholds: targets.thresholds,
        // Actor steps only: the critics pass gradients through, their weight gradients are skipped.
        exactQ: (o, a) => this.td3.critics.min(o, a, { paramGrads: false }),
        firstQ: (o, a) => this.td3.critics.q1(o, a, { paramGrads: false }),
        flip: s.flipActorLoss,
      });
    }
    const actorLoss = s.jointAction ? losses.successorLoss : this.td3.actorStep(obs);
    return { ...(actorLoss !== undefined ? { actorLoss } : {}), ...losses };
  }

  /**
   * min over the twins of `critics` at n actions per state, stacked along the batch axis ([n·B, D],
   * block j = every state's j-th action) → [n·B, 1]. Each critic's first layer is split into its
   * state and action rows so the state's share is computed once per state, not once per action.
   */
  private twinMinAt(critics: Critics, obs: tf.Tensor2D, actions: tf.Tensor2D): tf.Tensor2D {
    this.selector.counts.qEvaluations += actions.shape[0];
    const values = critics.nets.map((net) => {
      const first = net.layers[0] as Linear;
      const stateRows = tf.slice(first.weight, [0, 0], [this.obsDim, -1]) as tf.Tensor2D;
      const actionRows = tf.slice(first.weight, [this.obsDim, 0], [-1, -1]) as tf.Tensor2D;
      const perState = tf.add(tf.matMul(obs, stateRows), first.bias) as tf.Tensor2D;
      let h = perStateOp(tf.matMul(actions, actionRows), perState, tf.add);
      for (let l = 1; l < net.layers.length; l++) {
        const norm = net.norms[l - 1];
        h = (net.layers[l] as Linear).apply(activate(norm ? norm.apply(h) : h, net.activation));
      }
      return activate(h, net.outputActivation);
    });
    return values.reduce((a, b) => tf.minimum(a, b));
  }

  counters(): Record<string, number> {
    const picks = Object.entries(this.counts).filter(([k]) => k.startsWith("picks"));
    return { ...this.td3.counters(), ...Object.fromEntries(picks.map(([k, v]) => [`maximizerPicks${k.slice(5)}`, v])) };
  }

  // ---- checkpoints --------------------------------------------------------------------------

  stateParts(): StateParts {
    return addParts(this.td3.stateParts(), {
      stateful: {
        chain: this.chain,
        ...Object.fromEntries(this.proposalNoises.map((n, i) => [`proposalNoise${i + 1}`, n])),
      },
      counters: [this.counts],
      disposables: [this.snapper],
    });
  }
}
