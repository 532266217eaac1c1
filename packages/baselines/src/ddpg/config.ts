/**
 * DDPG (Lillicrap et al. 2016) as TD3 without its three fixes: one critic, no target smoothing,
 * and (by default) OU exploration. Defaults follow CleanRL's `ddpg_continuous_action.py`
 * @ fe8d8a0 (256-256, lr 3e-4, batch 256, τ 0.005, policy every 2 critic steps, 25k warm-up)
 * with the paper's OU noise θ = 0.15, σ = 0.2 (Lillicrap et al. 2016, §7). Lillicrap's critic L2
 * penalty is not modelled.
 */

import { ExplorationNoise } from "@qscape/core";
import { z } from "zod";
import { TD3Config } from "../td3/config.js";

export const DDPGConfig = TD3Config.extend({
  criticCount: z.literal(1).default(1),
  targetPolicyNoise: z.literal(0).default(0),
  explorationNoise: ExplorationNoise.default({ type: "ou", theta: 0.15, sigma: 0.2, dt: 1 }),
}).strict();
export type DDPGConfigInput = z.input<typeof DDPGConfig>;
export type DDPGSettings = z.output<typeof DDPGConfig>;

export const DDPG_PRESETS = {
  /** Lillicrap et al. 2016: 400-300, actor 1e-4, critic 1e-3, τ 1e-3, batch 64, policy every step. */
  lillicrap: {
    actorHidden: [400, 300],
    criticHidden: [400, 300],
    actorLr: 1e-4,
    criticLr: 1e-3,
    tau: 1e-3,
    batchSize: 64,
    policyDelay: 1,
  },
  /** CleanRL with its own Gaussian 0.1 exploration. */
  cleanrl: { explorationNoise: { type: "gaussian", sigma: 0.1 } },
  /** The defaults: CleanRL networks and schedule, paper OU noise. */
  cleanrlOU: {},
} satisfies Record<string, DDPGConfigInput>;
