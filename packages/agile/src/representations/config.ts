/**
 * Stage 1 of Jain's thesis Ch. 2 ("Generalization to New Actions in Reinforcement Learning",
 * Jain\*, Szot\* & Lim, ICML 2020): action representations learned from each action's
 * observations with a hierarchical VAE (the Neural Statistician, Ch. 2 Eq. 2.2), or with the
 * flat, non-hierarchical VAE baseline of Ch. 2's comparisons. Defaults are the paper's Grid World settings:
 *
 * - App. A Table A.3 (Grid world column): representation size 16, batch size 128, 10,000 epochs;
 * - App. A Table A.4: learning rate 1e-3, 1,024 action observations, default hidden 64, q_φ hidden
 *   128, "MLP hidden layers 3";
 * - App. A D.3: a 2-layer Bi-LSTM observation encoder, an LSTM decoder from the first state x_0.
 *
 * The thesis trains with RAdam; qscape's optimizer is core's Adam (same lr). The z size is not in
 * the thesis; 16 is the official code's "o/z dims 16" for Grid World.
 */
import { configFields } from "@qscape/core";
import { z } from "zod";

export const REPRESENTATION_MODELS = ["hvae", "flat-vae"] as const;
export type RepresentationModel = (typeof REPRESENTATION_MODELS)[number];

export const RepresentationConfig = z
  .object({
    /** Seeds the weights, the batches and the reparameterisation noise. */
    seed: configFields.seed(0),
    /** "hvae" (Ours, Eq. 2.2) or "flat-vae" (Ch. 2's non-hierarchical VAE baseline). */
    model: z.enum(REPRESENTATION_MODELS).default("hvae"),
    /** Width of c, the action representation (Table A.3 Grid world: 16). */
    representationSize: z.number().int().positive().default(16),
    /** Width of the per-observation latent z (HVAE only; official code: 16). */
    latentSize: z.number().int().positive().default(16),
    /** Encoder, q_ψ, prior and decoder width (Table A.4 "default hidden layer size": 64). */
    hidden: z.number().int().positive().default(64),
    /** q_φ width (Table A.4 "q_φ hidden layer size": 128). */
    actionHidden: z.number().int().positive().default(128),
    /** Stacked Bi-LSTM layers of the observation encoder (App. A D.3: 2). */
    encoderLayers: z.number().int().positive().default(2),
    lr: configFields.learningRate(1e-3),
    /** Action observation sets per gradient step (Table A.3 Grid world: 128). */
    batchSize: configFields.batchSize(128),
    /** Gradient steps, one batch each (Algorithm 1's "epochs"; Table A.3 Grid world: 10,000). */
    epochs: z.number().int().positive().default(10_000),
    /** Play trajectories recorded per action (Table A.4 "action observations": 1,024). */
    observationsPerAction: z.number().int().positive().default(1024),
    /**
     * Observations per set in a training batch, drawn from the action's recorded ones. Absent: the
     * whole set (the thesis pools over all of an action's observations).
     */
    setSize: z.number().int().positive().optional(),
    /** Side of the empty play grid (App. A.1: 80 × 80). */
    playGridSize: z.number().int().positive().default(80),
    /**
     * Lower bound on the decoder's log σ² (not in the thesis): positions are whole cells, so an
     * unbounded Gaussian likelihood can shrink σ toward 0 and its gradient grow without limit.
     * −9 is σ = 0.011, under half a cell (a cell is 2/79 in the normalised [−1, 1] units).
     */
    minObservationLogVar: z.number().default(-9),
    /** PyTorch BatchNorm1d's running-statistics momentum (q_φ's batch norm, App. A D.3). */
    batchNormMomentum: z.number().min(0).max(1).default(0.1),
    /** Test hook: the KL terms enter the loss with the wrong sign (a broken ELBO the tests must catch). */
    flipKl: z.boolean().default(false),
  })
  .strict();

export type RepresentationConfigInput = z.input<typeof RepresentationConfig>;
export type RepresentationSettings = z.output<typeof RepresentationConfig>;
