/**
 * k-actor ensemble (SAVO §6.1, spec §7.2): k independently initialised actors, each trained by
 * DPG on the shared Q1; their actions are ranked by Q1 when acting and (target actors, target
 * critic) in the TD target. Everything is TD3's multi-actor path; this class only sets k.
 */

import type { EnvSpaces } from "@qscape/core";
import { parseConfig } from "@qscape/core";
import { TD3Agent } from "../td3/agent.js";
import { EnsembleConfig, type EnsembleConfigInput } from "./config.js";

export class EnsembleAgent extends TD3Agent {
  constructor(env: EnvSpaces, config: EnsembleConfigInput = {}) {
    const { k } = parseConfig(EnsembleConfig, config, "ensemble");
    super(env, config, { name: "ensemble", schema: EnsembleConfig, actorCount: k });
  }
}
