/**
 * k-actor ensemble (SAVO §6.1; Osband et al. 2016): k independently initialised actors, each
 * trained by DPG on the shared Q1 (TD3's step over all actors); their actions are the candidates,
 * ranked by Q1 when acting and (target actors, target critic) in the TD target.
 */

import type { CandidateProposer, EnvSpaces, MLP } from "@qscape/core";
import { parseConfig, tf } from "@qscape/core";
import type { TD3Settings } from "../td3/config.js";
import { ProposalTD3Agent } from "./agent.js";
import { EnsembleConfig, type EnsembleConfigInput } from "./config.js";

/** [B, k, A]: each actor's action μ_j(s). */
export class ActorsProposer implements CandidateProposer {
  constructor(
    private readonly actors: readonly MLP[],
    private readonly targetActors: readonly MLP[],
  ) {}

  propose(obs: tf.Tensor2D): tf.Tensor3D {
    return tf.stack(
      this.actors.map((actor) => actor.apply(obs)),
      1,
    ) as tf.Tensor3D;
  }

  proposeTarget(nextObs: tf.Tensor2D): tf.Tensor3D {
    return tf.stack(
      this.targetActors.map((actor) => actor.apply(nextObs)),
      1,
    ) as tf.Tensor3D;
  }
}

export class EnsembleAgent extends ProposalTD3Agent<TD3Settings & { k: number }, ActorsProposer> {
  constructor(env: EnvSpaces, config: EnsembleConfigInput = {}) {
    const { k } = parseConfig(EnsembleConfig, config, "ensemble");
    super(env, config, {
      name: "ensemble",
      schema: EnsembleConfig,
      actorCount: k,
      proposer: (td3) => new ActorsProposer(td3.actors, td3.targetActors),
    });
  }
}
