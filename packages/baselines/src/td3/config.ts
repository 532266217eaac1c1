/**
 * TD3 (Fujimoto et al. 2018). Defaults are the author's current code (`sfujim/TD3` @ 34770cc:
 * 256-256 ReLU, Adam 3e-4 for both nets, batch 256, γ 0.99, τ 0.005, exploration N(0, 0.1),
 * target smoothing 0.2 clipped at 0.5, policy delay 2, 25k random warm-up steps); the other
 * presets (the TD3 paper's §6.1, CleanRL, SB3, RL-Zoo) are in `TD3_PRESETS`. Noise scales are in the normalised action
 * box [−1, 1], i.e. fractions of max_action as in the author code.
 */

import { configFields, ExplorationNoise, hiddenSizes } from "@qscape/core";
import { z } from "zod";

export const TD3Config = z
  .object({
    seed: configFields.seed(),
    actorHidden: hiddenSizes.default([256, 256]),
    criticHidden: hiddenSizes.default([256, 256]),
    activation: z.enum(["relu", "tanh", "elu"]).default("relu"),
    /**
     * LayerNorm after every actor layer, the output layer included, before tanh. Neither TD3 nor SAVO's
     * paper has it; SAVO's released code does (for all its actors). With one action dimension the
     * output LayerNorm leaves a constant (tanh(β)), with two only ±γ + β.
     */
    actorLayerNorm: z.boolean().default(false),
    actorLr: configFields.learningRate(3e-4),
    criticLr: configFields.learningRate(3e-4),
    /** Global-norm gradient clipping for both optimizers (SAVO's code clips; TD3's does not). */
    gradClipNorm: z.number().positive().optional(),
    batchSize: configFields.batchSize(256),
    bufferSize: configFields.bufferSize(1_000_000),
    gamma: configFields.gamma(),
    tau: configFields.tau(),
    /** Critic updates per actor (and target) update. */
    policyDelay: z.number().int().positive().default(2),
    /** Target-policy smoothing: σ of the noise added to μ'(s'), clipped to ±targetNoiseClip; 0 turns it off. */
    targetPolicyNoise: z.number().nonnegative().default(0.2),
    targetNoiseClip: z.number().nonnegative().default(0.5),
    /** 2 = clipped double Q (TD3); 1 = a single critic (DDPG). */
    criticCount: z.union([z.literal(1), z.literal(2)]).default(2),
    explorationNoise: ExplorationNoise.default({ type: "gaussian", sigma: 0.1 }),
    /** Test hook: climb −Q instead of Q, so tests can show that a broken learner fails. */
    flipActorLoss: z.boolean().default(false),
  })
  .strict();
export type TD3ConfigInput = z.input<typeof TD3Config>;
export type TD3Settings = z.output<typeof TD3Config>;

/** Named presets: the TD3 paper's and common libraries' settings (fields not listed keep the defaults above). */
export const TD3_PRESETS = {
  /** TD3 paper §6.1: 400-300, Adam 1e-3, batch 100, 1k warm-up (10k for HalfCheetah/Ant). */
  paper: {
    actorHidden: [400, 300],
    criticHidden: [400, 300],
    actorLr: 1e-3,
    criticLr: 1e-3,
    batchSize: 100,
  },
  /** sfujim/TD3 current code (the defaults). */
  authorCode: {},
  /** CleanRL td3_continuous_action.py: same as the author code, buffer 1e6. */
  cleanrl: {},
  /** SB3 TD3: 400-300, lr 1e-3, no exploration noise and 100 warm-up steps unless supplied. */
  sb3: {
    actorHidden: [400, 300],
    criticHidden: [400, 300],
    actorLr: 1e-3,
    criticLr: 1e-3,
    explorationNoise: { type: "gaussian", sigma: 0 },
  },
  /** RL Zoo td3.yml (MuJoCo): 400-300, lr 1e-3, 10k warm-up, normal noise 0.1. */
  rlZoo: { actorHidden: [400, 300], criticHidden: [400, 300], actorLr: 1e-3, criticLr: 1e-3 },
  /** Tianshou mujoco_td3.py: 256-256, 3e-4, 25k warm-up. */
  tianshou: {},
} satisfies Record<string, TD3ConfigInput>;
