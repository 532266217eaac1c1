/**
 * PPO (Schulman et al. 2017). Defaults are the new-actions / AGILE code's (`clvrai/new-actions-rl`,
 * `clvrai/agile` rlf/args.py): clip 0.1, 4 epochs × 4 minibatches, GAE λ 0.95,
 * γ 0.99, value coefficient 0.5, grad-norm 0.5, Adam eps 1e-5, lr 1e-3 decaying linearly to 0,
 * hidden 64. Value clipping and per-minibatch advantage normalisation follow CleanRL's ppo.py.
 */

import { configFields, hiddenSizes } from "@qscape/core";
import { z } from "zod";

export const PPOConfig = z
  .object({
    seed: configFields.seed(31),
    hidden: hiddenSizes.default([64, 64]),
    activation: z.enum(["relu", "tanh", "elu"]).default("tanh"),
    lr: configFields.learningRate(1e-3),
    /** Decay lr linearly to 0 over this many updates (rollouts); constant when absent. */
    lrDecayUpdates: z.number().int().positive().optional(),
    adamEps: z.number().positive().default(1e-5),
    maxGradNorm: z.number().positive().default(0.5),
    /** Env steps per rollout: the loop's `rolloutSteps`. */
    rolloutSteps: z.number().int().positive().default(2048),
    epochs: z.number().int().positive().default(4),
    minibatches: z.number().int().positive().default(4),
    gamma: configFields.gamma(),
    gaeLambda: z.number().min(0).max(1).default(0.95),
    clip: z.number().positive().default(0.1),
    /** Clip the value update around the rollout's values with the same ε (off: plain squared error). */
    clipValue: z.boolean().default(true),
    valueCoef: z.number().nonnegative().default(0.5),
    entropyCoef: z.number().nonnegative().default(0.01),
    normalizeAdvantages: z.boolean().default(true),
    /** Initial σ of the Gaussian policy for Box action spaces. */
    initStd: z.number().positive().default(1),
    /** Test hook: ascend the clipped objective's negative (a broken learner). */
    flipPolicyLoss: z.boolean().default(false),
  })
  .strict();
export type PPOConfigInput = z.input<typeof PPOConfig>;
export type PPOSettings = z.output<typeof PPOConfig>;
