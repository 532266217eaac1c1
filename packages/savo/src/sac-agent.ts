/**
 * SAVO on SAC, the paper's "preliminary" variant (App. D.3; savo.md §3.9): SAC's stochastic actor,
 * twin soft critics and entropy tuning (inherited from `SACAgent`, unchanged) with SAVO's chain of
 * successive actors ν1..νk−1 and surrogates Ψ̂1..Ψ̂k−1 (`SuccessiveChain`, the same Eq. 8/9 losses
 * as SAVO-TD3) and the maximizer actor μM over their proposals.
 *
 *   candidates: a0 = tanh(mean) of π(·|s)        [paper] "the mean action of the stochastic actors"
 *               ai = νi(s; a<i), i = 1..k−1      conditioned on the clean chain a<i
 *   act:        explore  â0 ~ π(·|s) (SAC's own exploration, no extra noise),
 *                        âi = clip(ai + ε·OUi)  [default] SAVO-TD3's proposal noise and ε schedule
 *                        a = argmax_i Q1(s, âi) [default] ranked by Q1 as in SAVO-TD3; no noise on a
 *               evaluate a = argmax_i Q1(s, ai) over the mean chain (or a0 alone: inference firstActor)
 *   target:     SAC's soft target with a' ~ π(·|s') [default] kept as SAC's: the critics learn the
 *               soft Q of π, and μM improves acting only (the paper gives no detail; this is the
 *               naive combination it describes)
 *   update:     SAC's critic step; at each of SAC's policy steps, on the clean chain of the
 *               pre-step actors: Ψ̂ fit (Eq. 9, targets from the twin critics' min, max-so-far),
 *               ν1..νk−1 step (Eq. 8), then SAC's own actor and α steps. ν1..νk−1 thus take as
 *               many steps as ν0 [default].
 */
import { type ActionChoice, SACAgent } from "@qscape/baselines";
import {
  type ActionNoise,
  type ActOptions,
  addParts,
  type ContinuousBatch,
  type EnvSpaces,
  GaussianNoise,
  OUNoise,
  QscapeError,
  type StateParts,
  type Transition,
  tf,
} from "@qscape/core";
import { SuccessiveChain, successiveTargets } from "./chain.js";
import type { ChainSettings } from "./config.js";
import { SavoSacConfig, type SavoSacConfigInput, type SavoSacSettings } from "./sac-config.js";

export interface SavoSacOptions {
  /** Agent name in logs and checkpoints (default "savo-sac"). */
  name?: string;
}

export class SavoSacAgent extends SACAgent {
  readonly settings: SavoSacSettings;
  readonly chain: SuccessiveChain;
  private readonly proposalNoises: ActionNoise[];
  /** The ε schedule's clock, Q evaluations and how often a later actor won (the bench's counters). */
  private readonly savoCounts = { exploreSteps: 0, qEvaluations: 0, laterActorPicks: 0 };

  constructor(env: EnvSpaces, config: SavoSacConfigInput = {}, options: SavoSacOptions = {}) {
    super(env, config, { name: options.name ?? "savo-sac", schema: SavoSacConfig });
    this.settings = this.config as SavoSacSettings;
    // ν0 is SAC's actor, so no joint actor; SAC has no target actors; later actors see the clean chain.
    const chainSettings: ChainSettings = {
      ...this.settings,
      jointAction: false,
      targetActions: "current",
      noiseBeforeCascade: false,
    };
    this.chain = new SuccessiveChain(this.rng.fork(), this.obsDim, this.actionDim, chainSettings, `${this.name}.chain`);
    const noise = this.settings.explorationNoise;
    this.proposalNoises = Array.from({ length: this.settings.numCandidates - 1 }, () =>
      noise.type === "gaussian"
        ? new GaussianNoise(this.rng, this.actionDim, noise.sigma)
        : new OUNoise(this.rng, this.actionDim, noise),
    );
  }

  /** The ε noise-scale multiplier after `step` explored steps (SAVO-TD3's schedule, linear). */
  epsilon(step = this.savoCounts.exploreSteps): number {
    const { start, end, decaySteps } = this.settings.epsilon;
    return decaySteps <= 0 ? end : start + (end - start) * Math.min(1, step / decaySteps);
  }

  // ---- acting -------------------------------------------------------------------------------

  override act(obs: Float32Array, opts: ActOptions): Float32Array {
    const { action } = this.chooseAction(obs, opts.explore);
    if (opts.explore) this.savoCounts.exploreSteps += 1;
    return this.scaler.toEnv(action);
  }

  /** μM in `obs` and the candidates it chose from, in [−1, 1] units (one `dataSync`). */
  chooseAction(obs: Float32Array, explore: boolean): ActionChoice {
    if (obs.length !== this.obsDim) {
      throw new QscapeError(`${this.name}.act: observation has ${obs.length} values, expected ${this.obsDim}`);
    }
    const packed = tf.tidy(() => {
      const o = tf.tensor2d(obs, [1, this.obsDim]);
      const candidates = this.proposals(o, explore);
      const flat = tf.reshape(tf.concat(candidates, 1), [-1]);
      if (candidates.length === 1) return flat;
      const q = this.critics.q1(tf.tile(o, [candidates.length, 1]) as tf.Tensor2D, tf.concat(candidates, 0));
      return tf.concat([flat, tf.reshape(q, [-1])]);
    });
    const data = packed.dataSync() as Float32Array;
    packed.dispose();
    const d = this.actionDim;
    const k = data.length === d ? 1 : data.length / (d + 1);
    const candidates = Array.from({ length: k }, (_, j) => data.slice(j * d, (j + 1) * d));
    if (k === 1) return { action: candidates[0] as Float32Array, candidates, q: null };
    this.savoCounts.qEvaluations += k;
    const q = data.slice(k * d);
    let best = 0;
    for (let j = 1; j < k; j++) if ((q[j] as number) > (q[best] as number)) best = j;
    if (best > 0) this.savoCounts.laterActorPicks += 1;
    return { action: (candidates[best] as Float32Array).slice(), candidates, q };
  }

  /** The candidates â0..âk−1 for states `obs`, each [B, D] (see the module comment). */
  private proposals(obs: tf.Tensor2D, explore: boolean): tf.Tensor2D[] {
    const policy = this.actor.apply(obs);
    const mean = policy.mode();
    if (!explore && this.settings.inference === "firstActor") return [mean];
    if (!explore) return this.chain.propose(obs, mean).clean;
    const b = obs.shape[0];
    const eps = this.epsilon();
    const zeros = tf.zeros([b, this.actionDim]) as tf.Tensor2D;
    const later = this.proposalNoises.map((n) => {
      if (!this.settings.proposalNoise) return zeros;
      const values = new Float32Array(b * this.actionDim);
      for (let r = 0; r < b; r++) {
        const row = n.sample(new Float32Array(this.actionDim));
        for (let j = 0; j < this.actionDim; j++) values[r * this.actionDim + j] = eps * (row[j] as number);
      }
      return tf.tensor2d(values, [b, this.actionDim]);
    });
    const { proposals } = this.chain.propose(obs, mean, { noise: [zeros, ...later] });
    // ν0 explores by sampling π; the later actors are still conditioned on its mean (the clean chain).
    return [policy.rsample(this.rng).action, ...proposals.slice(1)];
  }

  // ---- learning -----------------------------------------------------------------------------

  override observe(t: Transition<Float32Array, Float32Array>): void {
    super.observe(t);
    if (t.terminated || t.truncated) for (const n of this.proposalNoises) n.reset();
  }

  /** Eq. 9 (Ψ̂) and Eq. 8 (ν1..νk−1) on the clean chain of the pre-step actors, then SAC's step. */
  protected override policyStep(batch: ContinuousBatch, alpha: tf.Tensor, metrics: Record<string, number>): void {
    const s = this.settings;
    const k = s.numCandidates;
    if (k > 1) {
      const obs = batch.obs;
      const chain = this.chain.propose(obs, this.actor.apply(obs).mode()).clean;
      // [default] §12.4: "twin critics compute the surrogate target": their min, online or target copies.
      const critics = s.surrogateTargetCritic === "online" ? this.critics : this.targetCritics;
      const twinMin = (actions: tf.Tensor2D[]) =>
        tf.split(
          critics.min(tf.tile(obs, [actions.length, 1]) as tf.Tensor2D, tf.concat(actions, 0)),
          actions.length,
          0,
        ) as tf.Tensor2D[];
      let anchor: tf.Tensor2D;
      let qAnchor: tf.Tensor2D;
      let qChain: tf.Tensor2D[];
      if (s.surrogateAnchor === "executed") {
        // [default] §12.3: μ̃M(s) is the stored executed action.
        anchor = batch.action;
        const q = twinMin([...chain, anchor]);
        qAnchor = q[k] as tf.Tensor2D;
        qChain = q.slice(0, k);
      } else {
        qChain = twinMin(chain);
        const all = tf.concat(qChain, 1);
        const pick = tf.oneHot(tf.argMax(all, 1), k, 1, 0, "float32");
        anchor = tf.sum(tf.mul(tf.stack(chain, 1), tf.expandDims(pick, 2)), 1) as tf.Tensor2D;
        qAnchor = tf.max(all, 1, true) as tf.Tensor2D;
      }
      this.savoCounts.qEvaluations += obs.shape[0] * (qChain.length + 1);
      const targets = successiveTargets(qAnchor, qChain);
      if (s.surrogate === "learned") metrics.surrogateLoss = this.chain.fitSurrogates(obs, anchor, chain, targets);
      metrics.successorLoss = this.chain.stepActors(obs, chain, {
        thresholds: targets.thresholds,
        // Actor steps only: the critics pass gradients through, their weight gradients are skipped.
        exactQ: (o, a) => this.critics.min(o, a, { paramGrads: false }),
        firstQ: (o, a) => this.critics.q1(o, a, { paramGrads: false }),
        flip: s.flipActorLoss,
      });
    }
    super.policyStep(batch, alpha, metrics);
  }

  override counters(): Record<string, number> {
    return {
      ...super.counters(),
      qEvaluations: this.savoCounts.qEvaluations,
      laterActorPicks: this.savoCounts.laterActorPicks,
    };
  }

  // ---- checkpoints --------------------------------------------------------------------------

  protected override stateParts(): StateParts {
    return addParts(super.stateParts(), {
      stateful: {
        chain: this.chain,
        ...Object.fromEntries(this.proposalNoises.map((n, i) => [`proposalNoise${i + 1}`, n])),
      },
      counters: [this.savoCounts],
    });
  }
}
