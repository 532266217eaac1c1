/**
 * The successive part of SAVO, independent of where Q comes from: the later actors ν1..νk−1, their
 * surrogates Ψ̂1..Ψ̂k−1, the chain of proposals, the Eq. 7 surrogate targets and the Eq. 8/9
 * updates. `SavoAgent` drives it with TD3's twin critics; tests drive it with a fixed, known Q.
 *
 *   propose:  a0 = snap(μ(s)),  ai = snap(νi(s; a<i))           (a<i clean unless noiseBeforeCascade)
 *             âi = snap(clip(ai + εi))                          (exploration only)
 *   targets:  Ψi(s, x; a<i) = max{Q(s, x), max_{j<i} Q(s, aj)}  at x = anchor (μ̃M(s)) and x = ai
 *   Eq. 9:    Σ_i mse(Ψ̂i(s, anchor; a<i), Ψi(anchor)) + mse(Ψ̂i(s, ai; a<i), Ψi(ai))
 *   Eq. 8:    Σ_i −mean Ψ̂i(s, νi(s; a<i); a<i)     (− Approximation: −mean max{Q(s, νi), τi})
 *
 * All i are fitted in one optimizer step (their parameters are disjoint, so the summed loss gives
 * each network exactly its own gradient); the actors likewise. Because a<i enters as constants
 * (computed outside the gradient tape), no gradient reaches earlier actors.
 */
import {
  Adam,
  hardUpdate,
  type MLP,
  type Parameterized,
  ParamGroup,
  polyakUpdate,
  QscapeError,
  type Rng,
  readParameters,
  type SerializedTensor,
  tf,
  writeParameters,
} from "@qscape/core";
import type { ChainSettings } from "./config.js";
import { makeJointActor, SuccessiveActor, SuccessiveSurrogate } from "./networks.js";

/** Q(s, a) → [B, 1]. */
export type QFunction = (obs: tf.Tensor2D, action: tf.Tensor2D) => tf.Tensor2D;
/** Maps proto-actions [B, D] to their nearest items' representations [B, D] (discrete tasks). */
export type Snap = (actions: tf.Tensor2D) => tf.Tensor2D;

export interface ProposeOptions {
  /** Use the Polyak-averaged copies (config targetActions = "target"). */
  target?: boolean;
  snap?: Snap | null;
  /** Per-candidate exploration noise, each [B, D] (already scaled by ε); omit for the clean chain. */
  noise?: tf.Tensor2D[] | null;
}

/** What a checkpoint holds of the chain: every network's parameters and both optimizers' moments. */
export interface ChainState {
  params: SerializedTensor[][];
  actorOptimizer: ReturnType<Adam["getState"]> | null;
  surrogateOptimizer: ReturnType<Adam["getState"]> | null;
}

export interface Proposals {
  /** Network outputs before snapping, a0..ak−1 (continuous tasks: equal to `clean`). */
  raw: tf.Tensor2D[];
  /** Noise-free chain a0..ak−1, snapped. */
  clean: tf.Tensor2D[];
  /** What the maximizer ranks: âi with noise, else `clean`. */
  proposals: tf.Tensor2D[];
}

/**
 * Eq. 7 targets for i = 1..k−1 from Q at the anchor [B, 1] and at the chain a0..ak−1 (each [B, 1]):
 * anchor[i−1] = max{Q(anchor), τi}, own[i−1] = max{Q(ai), τi}, τi = max_{j<i} Q(aj).
 */
export function successiveTargets(
  qAnchor: tf.Tensor2D,
  qChain: tf.Tensor2D[],
): { thresholds: tf.Tensor2D[]; anchor: tf.Tensor2D[]; own: tf.Tensor2D[] } {
  const thresholds: tf.Tensor2D[] = [];
  const anchor: tf.Tensor2D[] = [];
  const own: tf.Tensor2D[] = [];
  let tau = qChain[0] as tf.Tensor2D;
  for (let i = 1; i < qChain.length; i++) {
    const qi = qChain[i] as tf.Tensor2D;
    thresholds.push(tau);
    anchor.push(tf.maximum(qAnchor, tau));
    own.push(tf.maximum(qi, tau));
    tau = tf.maximum(tau, qi);
  }
  return { thresholds, anchor, own };
}

export class SuccessiveChain {
  readonly count: number;
  /** ν1..νk−1 (empty with jointAction). */
  readonly actors: SuccessiveActor[];
  readonly targetActors: SuccessiveActor[];
  /** Ψ̂1..Ψ̂k−1 (empty with surrogate = "exact"). */
  readonly surrogates: SuccessiveSurrogate[];
  /** + Joint Action: one network for all k candidates. */
  readonly joint: MLP | null;
  readonly targetJoint: MLP | null;
  readonly actorOptimizer: Adam | null;
  readonly surrogateOptimizer: Adam | null;

  constructor(
    rng: Rng,
    readonly obsDim: number,
    readonly actionDim: number,
    readonly config: ChainSettings,
    readonly name: string,
  ) {
    const k = config.numCandidates;
    this.count = k;
    const later = Array.from({ length: k - 1 }, (_, j) => j + 1);
    const withTargets = config.targetActions === "target";
    if (config.jointAction) {
      this.joint = makeJointActor(rng, obsDim, actionDim, k, config, `${name}.joint`);
      this.targetJoint = withTargets ? makeJointActor(rng, obsDim, actionDim, k, config, `${name}.targetJoint`) : null;
      if (this.targetJoint) hardUpdate(this.targetJoint, this.joint);
      this.actors = [];
      this.targetActors = [];
    } else {
      this.joint = null;
      this.targetJoint = null;
      this.actors = later.map((i) => new SuccessiveActor(rng, obsDim, actionDim, config, `${name}.nu${i}`));
      this.targetActors = withTargets
        ? later.map((i) => new SuccessiveActor(rng, obsDim, actionDim, config, `${name}.targetNu${i}`))
        : [];
      this.targetActors.forEach((t, j) => {
        hardUpdate(t, this.actors[j] as SuccessiveActor);
      });
    }
    this.surrogates =
      config.surrogate === "learned"
        ? later.map((i) => new SuccessiveSurrogate(rng, obsDim, actionDim, config, `${name}.psi${i}`))
        : [];
    const clip = config.gradClipNorm ? { clipNorm: config.gradClipNorm } : {};
    const actorParams = this.actorParameters();
    this.actorOptimizer =
      actorParams.parameters().length > 0
        ? new Adam(`${name}.successors`, actorParams, { lr: config.actorLr, ...clip })
        : null;
    this.surrogateOptimizer =
      this.surrogates.length > 0
        ? new Adam(`${name}.surrogates`, ParamGroup.of(`${name}.surrogates`, ...this.surrogates), {
            lr: config.criticLr,
            ...clip,
          })
        : null;
  }

  private actorParameters(): Parameterized {
    return this.joint ? this.joint : ParamGroup.of(`${this.name}.successors`, ...this.actors);
  }

  /**
   * The chain of k proposals for states `obs`. `first` is μ(s) (ignored with jointAction, where
   * the joint network emits all k).
   */
  propose(obs: tf.Tensor2D, first: tf.Tensor2D | null, opts: ProposeOptions = {}): Proposals {
    const snap = opts.snap ?? ((a: tf.Tensor2D) => a);
    const noise = opts.noise ?? null;
    if (noise !== null && noise.length !== this.count) {
      throw new QscapeError(`${this.name}: ${noise.length} noise tensors for ${this.count} candidates`);
    }
    const perturb = (a: tf.Tensor2D, i: number): tf.Tensor2D =>
      snap(tf.clipByValue(tf.add(a, noise?.[i] as tf.Tensor2D), -1, 1) as tf.Tensor2D);
    const raw: tf.Tensor2D[] = [];
    const clean: tf.Tensor2D[] = [];
    const proposals: tf.Tensor2D[] = [];
    const joint = opts.target ? this.targetJoint : this.joint;
    const jointChunks = joint ? (tf.split(joint.apply(obs), this.count, 1) as tf.Tensor2D[]) : null;
    const actors = opts.target ? this.targetActors : this.actors;
    if (opts.target && !joint && actors.length !== this.count - 1) {
      throw new QscapeError(`${this.name}: target actors requested but config.targetActions is "current"`);
    }
    // The list later actors are conditioned on: clean actions (paper), or the perturbed ones.
    const conditioning: tf.Tensor2D[] = [];
    for (let i = 0; i < this.count; i++) {
      let out: tf.Tensor2D;
      if (jointChunks) out = jointChunks[i] as tf.Tensor2D;
      else if (i === 0) {
        if (first === null) throw new QscapeError(`${this.name}: the first action μ(s) is required`);
        out = first;
      } else out = (actors[i - 1] as SuccessiveActor).apply(obs, conditioning);
      const a = snap(out);
      raw.push(out);
      clean.push(a);
      const explored = noise ? perturb(a, i) : a;
      proposals.push(explored);
      conditioning.push(this.config.noiseBeforeCascade ? explored : a);
    }
    return { raw, clean, proposals };
  }

  /** One Adam step on Eq. 9 for every Ψ̂i; returns the summed loss. */
  fitSurrogates(
    obs: tf.Tensor2D,
    anchor: tf.Tensor2D,
    chain: tf.Tensor2D[],
    targets: { anchor: tf.Tensor2D[]; own: tf.Tensor2D[] },
  ): number {
    const optimizer = this.surrogateOptimizer;
    if (optimizer === null) throw new QscapeError(`${this.name}: no learned surrogates to fit`);
    return optimizer.minimize(() => {
      const losses = this.surrogates.map((psi, j) => {
        const i = j + 1;
        // Both points of a state share its summary and FiLM terms: evaluate them as one [2B, D] batch.
        const x = tf.concat([anchor, chain[i] as tf.Tensor2D], 0);
        const y = tf.concat([targets.anchor[j] as tf.Tensor2D, targets.own[j] as tf.Tensor2D], 0);
        // Mean over both points = (mse at point 1 + mse at point 2) / 2; the factor only rescales Adam's input.
        return tf.losses.meanSquaredError(y, psi.values(psi.context(obs, chain.slice(0, i)), x));
      });
      return tf.addN(losses) as tf.Scalar;
    });
  }

  /**
   * One Adam step on Eq. 8 for ν1..νk−1 (or the joint actor). `chain` is the clean a0..ak−1 (constants);
   * `thresholds` τ1..τk−1 and `exactQ` are used by the − Approximation ablation; `firstQ` trains
   * the joint actor's first chunk (the role of μ's DPG loss).
   */
  stepActors(
    obs: tf.Tensor2D,
    chain: tf.Tensor2D[],
    opts: { thresholds: tf.Tensor2D[]; exactQ: QFunction; firstQ: QFunction; flip: boolean },
  ): number {
    const optimizer = this.actorOptimizer;
    if (optimizer === null) throw new QscapeError(`${this.name}: no successive actors to train`);
    const sign = opts.flip ? 1 : -1;
    return optimizer.minimize(() => {
      const chunks = this.joint ? (tf.split(this.joint.apply(obs), this.count, 1) as tf.Tensor2D[]) : null;
      const losses: tf.Scalar[] = [];
      if (chunks) losses.push(tf.mul(sign, tf.mean(opts.firstQ(obs, chunks[0] as tf.Tensor2D))));
      for (let i = 1; i < this.count; i++) {
        const previous = chain.slice(0, i);
        const action = chunks
          ? (chunks[i] as tf.Tensor2D)
          : (this.actors[i - 1] as SuccessiveActor).apply(obs, previous);
        const value =
          this.surrogates.length > 0
            ? (this.surrogates[i - 1] as SuccessiveSurrogate).apply(obs, action, previous)
            : tf.maximum(opts.exactQ(obs, action), opts.thresholds[i - 1] as tf.Tensor2D);
        losses.push(tf.mul(sign, tf.mean(value)));
      }
      return tf.addN(losses) as tf.Scalar;
    });
  }

  updateTargets(tau: number): void {
    if (this.joint && this.targetJoint) polyakUpdate(this.targetJoint, this.joint, tau);
    this.targetActors.forEach((t, j) => {
      polyakUpdate(t, this.actors[j] as SuccessiveActor, tau);
    });
  }

  private modules(): Parameterized[] {
    return [
      ...(this.joint ? [this.joint] : []),
      ...(this.targetJoint ? [this.targetJoint] : []),
      ...this.actors,
      ...this.targetActors,
      ...this.surrogates,
    ];
  }

  /** Every network and optimizer of the chain (a stateful part of its agent's checkpoint). */
  getState(): ChainState {
    return {
      params: this.modules().map((m) => readParameters(m)),
      actorOptimizer: this.actorOptimizer?.getState() ?? null,
      surrogateOptimizer: this.surrogateOptimizer?.getState() ?? null,
    };
  }

  setState(state: ChainState): void {
    const modules = this.modules();
    if (!Array.isArray(state?.params) || state.params.length !== modules.length) {
      throw new QscapeError(
        `${this.name}.load: snapshot has a different chain (numCandidates / ablation flags differ)`,
      );
    }
    modules.forEach((m, i) => {
      writeParameters(m, state.params[i] as SerializedTensor[]);
    });
    for (const [optimizer, saved] of [
      [this.actorOptimizer, state.actorOptimizer],
      [this.surrogateOptimizer, state.surrogateOptimizer],
    ] as const) {
      if (optimizer === null) continue;
      if (saved === null) throw new QscapeError(`${this.name}.load: the snapshot has no state for ${optimizer.name}`);
      optimizer.setState(saved);
    }
  }

  parameterCount(): number {
    return this.modules().reduce((n, m) => n + m.parameters().reduce((c, v) => c + v.size, 0), 0);
  }

  dispose(): void {
    for (const m of this.modules()) for (const v of m.parameters()) v.dispose();
    this.actorOptimizer?.dispose();
    this.surrogateOptimizer?.dispose();
  }
}
