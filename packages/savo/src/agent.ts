/**
 * SAVO-TD3 (Jain et al. 2024, Algorithm 1): TD3's twin critics, replay, delayed
 * updates and Polyak targets (inherited from `TD3Agent`) with a chain of k candidate actors.
 *
 *   act:     a0 = μ(s), ai = νi(s; a<i), âi = ai + ε·OUi      (`SuccessiveChain.propose`)
 *            μM(s) = argmax_i Q1(s, âi);  a = μM(s) + ε·OU    (TD3's chooseAction ranks the candidates)
 *   target:  ã = μM(s') from the noise-free chain;  y = r + γ(1 − d) · max_i min(Q1', Q2')(s', ai)
 *            (argmax and value both by the min of the target twins, no smoothing)
 *   update:  TD3's critic step; every policyDelay steps: the clean chain at s, one batched
 *            twin-critic evaluation at [μ̃M(s); a0..ak−1] for the Eq. 7 targets, one Ψ̂ step (Eq. 9),
 *            μ's DPG step on Q1 (TD3's), one step for ν1..νk−1 on Ψ̂ (Eq. 8), Polyak targets.
 *
 * Discrete tasks: give the agent a Box proto-action env that publishes its items (a
 * `NearestItemWrapper`, or `options.items`); every proposal is snapped to its nearest item with
 * the envs package's `KnnIndex` before it is ranked by Q and before it conditions the next actor.
 */

import { TD3Agent, type TD3Batch } from "@qscape/baselines";
import {
  type ActionNoise,
  type ActOptions,
  activate,
  addParts,
  type Critics,
  type EnvSpaces,
  GaussianNoise,
  type Linear,
  OUNoise,
  QscapeError,
  type StateParts,
  type Transition,
  tf,
} from "@qscape/core";
import { type ActionRepresentation, KnnIndex } from "@qscape/envs";
import { type Snap, SuccessiveChain, successiveTargets } from "./chain.js";
import { SavoConfig, type SavoConfigInput, type SavoSettings } from "./config.js";
import { perStateOp } from "./networks.js";

export interface SavoOptions {
  /** Agent name in logs and checkpoints (default "savo"). */
  name?: string;
  /** Item representations of a discrete task; read from `env.representation` when omitted. */
  items?: ActionRepresentation;
}

/** Nearest-item snapping in the agent's normalised action box. */
export class ItemSnapper {
  readonly index: KnnIndex;
  private readonly available: Uint8Array | Int32Array | undefined;
  /** [numItems × D] item representations in [−1, 1] units. */
  readonly normalised: Float32Array;
  constructor(
    items: ActionRepresentation,
    toNormalised: (a: ArrayLike<number>) => Float32Array,
    readonly dim: number,
  ) {
    this.normalised = new Float32Array(items.numItems * dim);
    for (let i = 0; i < items.numItems; i++) {
      this.normalised.set(toNormalised(items.itemEmbeddings.subarray(i * dim, (i + 1) * dim)), i * dim);
    }
    this.index = new KnnIndex(this.normalised, items.numItems, dim);
    this.available = items.available;
  }

  /** Nearest item of each row of `actions` [B × D]; returns the items' representations. */
  snapArray(actions: Float32Array): { items: Int32Array; actions: Float32Array } {
    const batch = actions.length / this.dim;
    const { indices } = this.index.query(actions, batch, 1, this.available);
    const out = new Float32Array(actions.length);
    for (let b = 0; b < batch; b++) {
      const item = indices[b] as number;
      out.set(this.normalised.subarray(item * this.dim, (item + 1) * this.dim), b * this.dim);
    }
    return { items: indices, actions: out };
  }

  /** The tensor form (one sync), for use inside the chain. */
  readonly snap: Snap = (actions) => {
    const { actions: snapped } = this.snapArray(actions.dataSync() as Float32Array);
    return tf.tensor2d(snapped, actions.shape);
  };

  dispose(): void {
    this.index.dispose();
  }
}

export class SavoAgent extends TD3Agent {
  readonly settings: SavoSettings;
  readonly chain: SuccessiveChain;
  readonly snapper: ItemSnapper | null;
  private readonly proposalNoises: ActionNoise[];
  /** Explored env steps so far: drives the ε schedule. */
  /** Exploring steps taken: the ε schedule's clock. */
  private readonly savoCounts = { exploreSteps: 0 };
  private pendingMetrics: Record<string, number> = {};

  constructor(env: EnvSpaces, config: SavoConfigInput = {}, options: SavoOptions = {}) {
    super(env, config, { name: options.name ?? "savo", schema: SavoConfig, actorCount: 1 });
    this.settings = this.config as SavoSettings;
    if (this.settings.jointAction && this.settings.numCandidates < 2) {
      throw new QscapeError(
        `${this.name} config: jointAction needs numCandidates ≥ 2, got ${this.settings.numCandidates}`,
      );
    }
    const initRng = this.rng.fork();
    this.chain = new SuccessiveChain(initRng, this.obsDim, this.actionDim, this.settings, `${this.name}.chain`);
    const items = options.items ?? (env as { representation?: ActionRepresentation }).representation;
    this.snapper = items ? new ItemSnapper(items, (a) => this.scaler.fromEnv(a), this.actionDim) : null;
    const noise = this.settings.explorationNoise;
    this.proposalNoises = Array.from({ length: this.settings.numCandidates }, () =>
      noise.type === "gaussian"
        ? new GaussianNoise(this.rng, this.actionDim, noise.sigma)
        : new OUNoise(this.rng, this.actionDim, noise),
    );
  }

  /** The ε noise-scale multiplier after `step` explored steps (Table 2: 1 → 0.01, linear). */
  epsilon(step = this.savoCounts.exploreSteps): number {
    const { start, end, decaySteps } = this.settings.epsilon;
    return decaySteps <= 0 ? end : start + (end - start) * Math.min(1, step / decaySteps);
  }

  private get snap(): Snap | null {
    return this.snapper ? this.snapper.snap : null;
  }

  // ---- acting -------------------------------------------------------------------------------

  override act(obs: Float32Array, opts: ActOptions): Float32Array {
    let action = this.chooseAction(obs, opts.explore).action;
    if (opts.explore) {
      const eps = this.epsilon();
      const n = this.noise.sample(new Float32Array(this.actionDim));
      for (let i = 0; i < action.length; i++) {
        action[i] = Math.min(1, Math.max(-1, (action[i] as number) + eps * (n[i] as number)));
      }
      this.savoCounts.exploreSteps += 1;
    }
    if (this.snapper) action = this.snapper.snapArray(action).actions;
    return this.scaler.toEnv(action);
  }

  /** Candidates [B, k, D]: the chain, perturbed by ε·OU per proposal when exploring. */
  protected override proposeActions(obs: tf.Tensor2D, explore: boolean): tf.Tensor3D {
    const s = this.settings;
    const mu = s.jointAction ? null : (this.actors[0] as NonNullable<(typeof this.actors)[0]>).apply(obs);
    if (!explore && s.inference === "firstActor") {
      const first = this.chain.propose(obs, mu, { snap: this.snap }).clean[0] as tf.Tensor2D;
      return tf.expandDims(first, 1) as tf.Tensor3D;
    }
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

  /** The noise-free chain a0..ak−1 at s' for the TD target (current actors unless targetActions = "target"). */
  private targetChain(nextObs: tf.Tensor2D): tf.Tensor2D[] {
    const target = this.settings.targetActions === "target";
    const mu = this.settings.jointAction
      ? null
      : ((target ? this.targetActors[0] : this.actors[0]) as NonNullable<(typeof this.actors)[0]>).apply(nextObs);
    return this.chain.propose(nextObs, mu, { target, snap: this.snap }).clean;
  }

  /** [B, k, D] candidates for TD3's smoothed target (the + Action Smoothing ablation). */
  protected override proposeTargetActions(nextObs: tf.Tensor2D): tf.Tensor3D {
    return tf.stack(this.targetChain(nextObs), 1) as tf.Tensor3D;
  }

  /**
   * min over the twins of `critics` at n actions per state, stacked along the batch axis ([n·B, D],
   * block j = every state's j-th action) → [n·B, 1]. Each critic's first layer is split into its
   * state and action rows so the state's share is computed once per state, not once per action.
   */
  protected twinMinAt(critics: Critics, obs: tf.Tensor2D, actions: tf.Tensor2D): tf.Tensor2D {
    this.counts.qEvaluations += actions.shape[0];
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

  /** y = r + γ(1 − terminated) · max_i min(Q1', Q2')(s', ai); with smoothing (ablation) TD3's path. */
  protected override tdTarget(batch: TD3Batch, smoothing: Float32Array | null): tf.Tensor2D {
    if (smoothing !== null) return super.tdTarget(batch, smoothing);
    const chain = this.targetChain(batch.nextObs);
    const q = this.twinMinAt(this.targetCritics, batch.nextObs, tf.concat(chain, 0));
    const nextQ = tf.reshape(tf.max(tf.reshape(q, [chain.length, -1]), 0), [-1, 1]);
    return tf.add(batch.reward, tf.mul(tf.mul(batch.notDone, this.config.gamma), nextQ));
  }

  // ---- learning -----------------------------------------------------------------------------

  override observe(t: Transition<Float32Array, Float32Array>): void {
    super.observe(t);
    if (t.terminated || t.truncated) for (const n of this.proposalNoises) n.reset();
  }

  override update(): Record<string, number> {
    const metrics = super.update();
    Object.assign(metrics, this.pendingMetrics);
    this.pendingMetrics = {};
    return metrics;
  }

  /** Eq. 9 then Eq. 3 (μ, TD3's step) and Eq. 8 (ν1..νk−1), on the clean chain of the pre-update actors. */
  protected override updateActor(batch: TD3Batch): number | undefined {
    const s = this.settings;
    const k = s.numCandidates;
    const obs = batch.obs;
    const mu = s.jointAction ? null : (this.actors[0] as NonNullable<(typeof this.actors)[0]>).apply(obs);
    const chain = this.chain.propose(obs, mu, { snap: this.snap }).clean;
    if (k > 1) {
      const critics = s.surrogateTargetCritic === "online" ? this.critics : this.targetCritics;
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
        const pick = tf.oneHot(tf.argMax(all, 1), k, 1, 0, "float32");
        anchor = tf.sum(tf.mul(tf.stack(chain, 1), tf.expandDims(pick, 2)), 1) as tf.Tensor2D;
        qAnchor = tf.max(all, 1, true) as tf.Tensor2D;
      }
      const targets = successiveTargets(qAnchor, qChain);
      if (s.surrogate === "learned") {
        this.pendingMetrics.surrogateLoss = this.chain.fitSurrogates(obs, anchor, chain, targets);
      }
      this.pendingMetrics.successorLoss = this.chain.stepActors(obs, chain, {
        thresholds: targets.thresholds,
        // Actor steps only: the critics pass gradients through, their weight gradients are skipped.
        exactQ: (o, a) => this.critics.min(o, a, { paramGrads: false }),
        firstQ: (o, a) => this.critics.q1(o, a, { paramGrads: false }),
        flip: s.flipActorLoss,
      });
    }
    return s.jointAction ? this.pendingMetrics.successorLoss : super.updateActor(batch);
  }

  protected override updateTargets(): void {
    super.updateTargets();
    this.chain.updateTargets(this.config.tau);
  }

  // ---- checkpoints --------------------------------------------------------------------------

  protected override stateParts(): StateParts {
    return addParts(super.stateParts(), {
      stateful: {
        chain: this.chain,
        ...Object.fromEntries(this.proposalNoises.map((n, i) => [`proposalNoise${i + 1}`, n])),
      },
      counters: [this.savoCounts],
      disposables: [this.snapper],
    });
  }
}
