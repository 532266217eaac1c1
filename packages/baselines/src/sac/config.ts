/**
 * SAC with automatic entropy tuning (Haarnoja et al. 2018). Defaults follow CleanRL's
 * `sac_continuous_action.py` @ fe8d8a0: policy lr 3e-4, critic and α lr
 * 1e-3, batch 256, γ 0.99, τ 0.005, 5k random warm-up steps, log σ squashed into [−5, 2],
 * TD3-style delayed policy updates (every 2 critic updates, run twice to compensate), target
 * entropy −|A|. Hidden 256-256 as in SB3/garage.
 */

import { configFields, hiddenSizes } from "@qscape/core";
import { z } from "zod";

export const SACConfig = z
  .object({
    seed: configFields.seed(),
    actorHidden: hiddenSizes.default([256, 256]),
    criticHidden: hiddenSizes.default([256, 256]),
    activation: z.enum(["relu", "tanh", "elu"]).default("relu"),
    actorLr: configFields.learningRate(3e-4),
    criticLr: configFields.learningRate(1e-3),
    alphaLr: configFields.learningRate(1e-3),
    gradClipNorm: z.number().positive().optional(),
    batchSize: configFields.batchSize(256),
    bufferSize: configFields.bufferSize(1_000_000),
    gamma: configFields.gamma(),
    tau: configFields.tau(),
    /** Policy (and α) updates happen every this many critic updates, this many times. */
    policyFrequency: z.number().int().positive().default(2),
    /** Learn α towards the target entropy; off keeps α fixed at `initialAlpha`. */
    autoAlpha: z.boolean().default(true),
    initialAlpha: z.number().positive().default(1),
    /** Target entropy; defaults to −|A|. */
    targetEntropy: z.number().optional(),
    logStdMin: z.number().default(-5),
    logStdMax: z.number().default(2),
    /** Test hook: the policy descends Q instead of ascending it. */
    flipActorLoss: z.boolean().default(false),
  })
  .strict();
export type SACConfigInput = z.input<typeof SACConfig>;
export type SACSettings = z.output<typeof SACConfig>;

export const SAC_PRESETS = {
  cleanrl: {},
  /** SB3 sac.py: lr 3e-4 everywhere, 100 warm-up steps, policy every step, log σ in [−20, 2]. */
  sb3: { criticLr: 3e-4, alphaLr: 3e-4, policyFrequency: 1, logStdMin: -20 },
  /** Tianshou mujoco_sac.py: lr 1e-3 both nets, α lr 3e-4, 10k warm-up, α fixed at 0.2 by default. */
  tianshou: {
    actorLr: 1e-3,
    criticLr: 1e-3,
    alphaLr: 3e-4,
    autoAlpha: false,
    initialAlpha: 0.2,
    policyFrequency: 1,
  },
  /** garage SAC as used by QMP: 3e-4 everywhere, std clamped to [e^−20, e^2], policy every step. */
  garageQmp: { criticLr: 3e-4, alphaLr: 3e-4, logStdMin: -20, policyFrequency: 1 },
} satisfies Record<string, SACConfigInput>;
