/**
 * DQN (Mnih et al. 2015) with the usual switches: double-DQN targets (van Hasselt et al. 2016),
 * dueling heads (Wang et al. 2016), proportional prioritized replay (Schaul et al. 2016) and
 * n-step returns. Defaults follow CleanRL's `dqn.py` @ fe8d8a0 (120-84 MLP, Adam 2.5e-4,
 * buffer 1e4, batch 128, γ 0.99, hard target copy every 500 steps, ε 1 → 0.05 over half of 500k
 * steps, 10k warm-up, one update every 10 steps); PER uses QMLE's settings (α 0.6, constant β 0.2,
 * priority |δ| + 1e-6).
 */

import { configFields, hiddenSizes } from "@qscape/core";
import { z } from "zod";

export const DQNConfig = z
  .object({
    seed: configFields.seed(),
    hidden: hiddenSizes.default([120, 84]),
    activation: z.enum(["relu", "tanh", "elu"]).default("relu"),
    lr: configFields.learningRate(2.5e-4),
    gradClipNorm: z.number().positive().optional(),
    batchSize: configFields.batchSize(128),
    bufferSize: configFields.bufferSize(10_000),
    gamma: configFields.gamma(),
    /** Target update: τ = 1 copies every `targetUpdateInterval` updates; τ < 1 is Polyak. */
    tau: configFields.tau(1),
    targetUpdateInterval: z.number().int().positive().default(50),
    epsilonStart: z.number().min(0).max(1).default(1),
    epsilonEnd: z.number().min(0).max(1).default(0.05),
    /** Env steps over which ε decays linearly. */
    epsilonDecaySteps: z.number().int().nonnegative().default(250_000),
    double: z.boolean().default(true),
    dueling: z.boolean().default(false),
    /** Huber (smooth L1) instead of squared TD error. */
    huber: z.boolean().default(false),
    nStep: z.number().int().positive().default(1),
    prioritized: z
      .object({
        alpha: z.number().nonnegative().default(0.6),
        beta: z.number().min(0).max(1).default(0.2),
        eps: z.number().nonnegative().default(1e-6),
      })
      .strict()
      .optional(),
  })
  .strict();
export type DQNConfigInput = z.input<typeof DQNConfig>;
export type DQNSettings = z.output<typeof DQNConfig>;
