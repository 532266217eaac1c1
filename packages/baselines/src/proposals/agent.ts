/**
 * TD3 that acts and bootstraps through candidate actions (SAVO §6.1's proposal-actor baselines:
 * Wolpertinger, the k-actor ensemble, CEM, k-NN Wolpertinger). It holds TD3's learner, a
 * `CandidateProposer` and a `CandidateSelector`; a baseline is the proposer it is given.
 *
 *   act:     a  = argmax_j Q1(s, c_j),  c = propose(s);  + TD3's exploration noise when exploring
 *   target:  ã' = clip(argmax_j Q1'(s', c'_j) + clip(N(0, σ²), −c, c), −1, 1),  c' = proposeTarget(s')
 *            y  = r + γ(1 − terminated) · min_i Q_i'(s', ã')
 *   update:  TD3's critic step; every policyDelay updates TD3's DPG step on the actors and Polyak targets.
 */
import {
  type ActionChoice,
  type ActOptions,
  type Agent,
  type CandidateProposer,
  CandidateSelector,
  type EnvSpaces,
  type Snapshot,
  type Transition,
  tf,
} from "@qscape/core";
import type { z } from "zod";
import { smoothed, TD3Agent } from "../td3/agent.js";
import type { TD3ConfigInput, TD3Settings } from "../td3/config.js";

export interface ProposalRecipe<S extends TD3Settings, P extends CandidateProposer> {
  /** Agent name in logs, network names and checkpoints. */
  name: string;
  /** The baseline's config schema (extends TD3Config). */
  schema: z.ZodType<S>;
  /** Deterministic actors trained by DPG (default 1). */
  actorCount?: number;
  /** The proposer, built once TD3's learner exists (it may read its actors, RNG, noise and critics). */
  proposer: (td3: TD3Agent<S>, selector: CandidateSelector) => P;
}

export class ProposalTD3Agent<S extends TD3Settings, P extends CandidateProposer = CandidateProposer>
  implements Agent<Float32Array, Float32Array>
{
  readonly name: string;
  readonly obsDim: number;
  readonly actionDim: number;
  /** TD3's parts: actors, twin critics, their targets and optimizers, noise, replay, RNG. */
  readonly td3: TD3Agent<S>;
  readonly selector: CandidateSelector;
  readonly proposer: P;

  constructor(env: EnvSpaces, config: TD3ConfigInput, recipe: ProposalRecipe<S, P>) {
    this.name = recipe.name;
    this.td3 = new TD3Agent(env, config, {
      name: recipe.name,
      schema: recipe.schema,
      actorCount: recipe.actorCount ?? 1,
    });
    this.obsDim = this.td3.obsDim;
    this.actionDim = this.td3.actionDim;
    this.selector = new CandidateSelector(this.name, this.obsDim, this.actionDim, this.td3.counts);
    this.proposer = recipe.proposer(this.td3, this.selector);
  }

  get config(): S {
    return this.td3.config;
  }

  act(obs: Float32Array, opts: ActOptions): Float32Array {
    const action = this.chooseAction(obs, opts.explore).action;
    return this.td3.scaler.toEnv(opts.explore ? this.td3.explore(action) : action);
  }

  /** The pre-noise action in `obs` and the candidates it was chosen from (normalised units). */
  chooseAction(obs: Float32Array, explore: boolean): ActionChoice {
    return this.selector.choose(this.td3.critics, obs, (o) => this.proposer.propose(o, explore));
  }

  /** Q1 of candidate actions in one state, normalised units (tests and diagnostics). */
  evaluateQ(obs: Float32Array, actions: Float32Array[]): Float32Array {
    return this.selector.evaluate(this.td3.critics, obs, actions);
  }

  observe(t: Transition<Float32Array, Float32Array>): void {
    this.td3.observe(t);
  }

  update(): Record<string, number> {
    const td3 = this.td3;
    const { data, smoothing, delayed } = td3.sample();
    return tf.tidy(() => {
      const batch = td3.toBatch(data);
      const next = this.proposer.proposeTarget(batch.nextObs);
      const y = td3.tdTarget(batch, smoothed(this.selector.select(td3.targetCritics, batch.nextObs, next), smoothing));
      const out: Record<string, number> = { criticLoss: td3.criticStep(batch, y) };
      if (delayed) {
        const actorLoss = td3.actorStep(batch.obs);
        if (actorLoss !== undefined) out.actorLoss = actorLoss;
        td3.updateTargets();
      }
      return out;
    });
  }

  counters(): Record<string, number> {
    return this.td3.counters();
  }

  save(): Snapshot {
    return this.td3.save();
  }

  load(state: Snapshot): void {
    this.td3.load(state);
  }

  dispose(): void {
    this.td3.dispose();
  }
}
