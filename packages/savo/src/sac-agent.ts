/**
 * SAVO on SAC, the paper's "preliminary" variant (App. D.3): a SAC learner (stochastic actor,
 * twin soft critics, entropy tuning; unchanged) held as a part, SAVO's chain of successive actors
 * ν1..νk−1 and surrogates Ψ̂1..Ψ̂k−1 (`SuccessiveChain`, the same Eq. 8/9 losses as SAVO-TD3) and
 * the maximizer actor μM over their proposals.
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
import { explorationNoise, SACAgent } from "@qscape/baselines";
import {
  type ActionChoice,
  type ActionNoise,
  type ActOptions,
  type Agent,
  addParts,
  argmax,
  CandidateSelector,
  Checkpointed,
  type ContinuousBatch,
  type EnvSpaces,
  oneHotFloat,
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

export class SavoSacAgent extends Checkpointed implements Agent<Float32Array, Float32Array> {
  readonly name: string;
  readonly settings: SavoSacSettings;
  readonly obsDim: number;
  readonly actionDim: number;
  /** SAC's parts: π (its mean is ν0), twin soft critics and targets, α, optimizers, replay, the RNG. */
  readonly sac: SACAgent<SavoSacSettings>;
  /** ν1..νk−1, Ψ̂1..Ψ̂k−1 and their optimizers. */
  readonly chain: SuccessiveChain;
  /** μM: ranks the proposals by Q1 and counts the Q evaluations. */
  readonly selector: CandidateSelector;
  /** OU1..OUk−1: one exploration process per later proposal. */
  private readonly proposalNoises: ActionNoise[];
  /** The ε schedule's clock, Q evaluations and how often a later actor won (the bench's counters). */
  private readonly counts = { exploreSteps: 0, qEvaluations: 0, laterActorPicks: 0 };

  constructor(env: EnvSpaces, config: SavoSacConfigInput = {}, options: SavoSacOptions = {}) {
    super();
    this.name = options.name ?? "savo-sac";
    this.sac = new SACAgent(env, config, { name: this.name, schema: SavoSacConfig });
    const s = this.sac.config;
    this.settings = s;
    const { obsDim, actionDim, rng } = this.sac;
    this.obsDim = obsDim;
    this.actionDim = actionDim;
    // ν0 is SAC's actor, so no joint actor; SAC has no target actors; later actors see the clean chain;
    // SAC's actor has no LayerNorm, so neither have the later ones.
    const chainSettings: ChainSettings = {
      ...s,
      actorLayerNorm: false,
      jointAction: false,
      targetActions: "current",
      noiseBeforeCascade: false,
    };
    this.chain = new SuccessiveChain(rng.fork(), obsDim, actionDim, chainSettings, `${this.name}.chain`);
    this.proposalNoises = Array.from({ length: s.numCandidates - 1 }, () =>
      explorationNoise(rng, actionDim, s.explorationNoise),
    );
    this.selector = new CandidateSelector(this.name, obsDim, actionDim, this.counts);
  }

  /** The ε noise-scale multiplier after `step` explored steps (SAVO-TD3's schedule, linear). */
  epsilon(step = this.counts.exploreSteps): number {
    const { start, end, decaySteps } = this.settings.epsilon;
    return decaySteps <= 0 ? end : start + (end - start) * Math.min(1, step / decaySteps);
  }

  // ---- acting -------------------------------------------------------------------------------

  act(obs: Float32Array, opts: ActOptions): Float32Array {
    const { action } = this.chooseAction(obs, opts.explore);
    if (opts.explore) this.counts.exploreSteps += 1;
    return this.sac.scaler.toEnv(action);
  }

  /** μM in `obs` and the candidates it chose from, in [−1, 1] units. */
  chooseAction(obs: Float32Array, explore: boolean): ActionChoice {
    const choice = this.selector.choose(
      this.sac.critics,
      obs,
      (o) => tf.stack(this.proposals(o, explore), 1) as tf.Tensor3D,
    );
    if (choice.q && argmax(choice.q) > 0) this.counts.laterActorPicks += 1;
    return choice;
  }

  /** The candidates â0..âk−1 for states `obs`, each [B, D] (see the module comment). */
  private proposals(obs: tf.Tensor2D, explore: boolean): tf.Tensor2D[] {
    const policy = this.sac.actor.apply(obs);
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
    return [policy.rsample(this.sac.rng).action, ...proposals.slice(1)];
  }

  // ---- learning -----------------------------------------------------------------------------

  observe(t: Transition<Float32Array, Float32Array>): void {
    this.sac.observe(t);
    if (t.terminated || t.truncated) for (const n of this.proposalNoises) n.reset();
  }

  update(): Record<string, number> {
    const sac = this.sac;
    const { data, updatePolicy } = sac.sample();
    return tf.tidy(() => {
      const batch = sac.toBatch(data);
      const alpha = tf.exp(sac.logAlpha);
      const out: Record<string, number> = { criticLoss: sac.criticStep(batch, alpha) };
      if (updatePolicy) {
        for (let i = 0; i < this.settings.policyFrequency; i++) {
          this.chainStep(batch, out);
          sac.policyStep(batch, alpha, out);
        }
        out.alpha = sac.alpha;
      }
      sac.updateTargets();
      return out;
    });
  }

  /** Eq. 9 (Ψ̂) and Eq. 8 (ν1..νk−1) on the clean chain of the pre-step actors; writes their losses. */
  private chainStep(batch: ContinuousBatch, metrics: Record<string, number>): void {
    const s = this.settings;
    const k = s.numCandidates;
    if (k <= 1) return;
    const { critics, targetCritics, actor } = this.sac;
    const obs = batch.obs;
    const chain = this.chain.propose(obs, actor.apply(obs).mode()).clean;
    // [default] "twin critics compute the surrogate target": their min, online or target copies.
    const twins = s.surrogateTargetCritic === "online" ? critics : targetCritics;
    const twinMin = (actions: tf.Tensor2D[]) =>
      tf.split(
        twins.min(tf.tile(obs, [actions.length, 1]) as tf.Tensor2D, tf.concat(actions, 0)),
        actions.length,
        0,
      ) as tf.Tensor2D[];
    let anchor: tf.Tensor2D;
    let qAnchor: tf.Tensor2D;
    let qChain: tf.Tensor2D[];
    if (s.surrogateAnchor === "executed") {
      // [default] μ̃M(s) is the stored executed action.
      anchor = batch.action;
      const q = twinMin([...chain, anchor]);
      qAnchor = q[k] as tf.Tensor2D;
      qChain = q.slice(0, k);
    } else {
      qChain = twinMin(chain);
      const all = tf.concat(qChain, 1);
      const pick = oneHotFloat(tf.argMax(all, 1), k);
      anchor = tf.sum(tf.mul(tf.stack(chain, 1), tf.expandDims(pick, 2)), 1) as tf.Tensor2D;
      qAnchor = tf.max(all, 1, true) as tf.Tensor2D;
    }
    this.counts.qEvaluations += obs.shape[0] * (qChain.length + 1);
    const targets = successiveTargets(qAnchor, qChain);
    if (s.surrogate === "learned") metrics.surrogateLoss = this.chain.fitSurrogates(obs, anchor, chain, targets);
    metrics.successorLoss = this.chain.stepActors(obs, chain, {
      thresholds: targets.thresholds,
      // Actor steps only: the critics pass gradients through, their weight gradients are skipped.
      exactQ: (o, a) => critics.min(o, a, { paramGrads: false }),
      firstQ: (o, a) => critics.q1(o, a, { paramGrads: false }),
      flip: s.flipActorLoss,
    });
  }

  counters(): Record<string, number> {
    return {
      ...this.sac.counters(),
      qEvaluations: this.counts.qEvaluations,
      laterActorPicks: this.counts.laterActorPicks,
    };
  }

  // ---- checkpoints --------------------------------------------------------------------------

  stateParts(): StateParts {
    return addParts(this.sac.stateParts(), {
      stateful: {
        chain: this.chain,
        ...Object.fromEntries(this.proposalNoises.map((n, i) => [`proposalNoise${i + 1}`, n])),
      },
      counters: [this.counts],
    });
  }
}
