/**
 * Configs of the proposal-actor baselines (SAVO's comparison, Jain et al. 2024 §6). All extend TD3's config (same
 * critics, exploration backbone and update machinery); k = 3 candidates as in SAVO's comparison.
 * Choices the papers leave open are marked [default].
 */
import { z } from "zod";
import { TD3Config } from "../td3/config.js";

export const candidateCount = z.number().int().min(1).default(3);

/** Wolpertinger with Gaussian samples around the actor's proto-action (SAVO's "TD3+Sampling"). */
export const WolpertingerConfig = TD3Config.extend({
  k: candidateCount,
  /** σ of the samples around the proto-action [default: the exploration σ, 0.1]. */
  sampleSigma: z.number().positive().default(0.1),
  /** Keep the proto-action itself as one candidate [default: yes]. */
  includeProtoAction: z.boolean().default(true),
}).strict();
export type WolpertingerConfigInput = z.input<typeof WolpertingerConfig>;

/** k independently initialised actors, each trained by DPG on the shared Q (Osband et al. 2016). */
export const EnsembleConfig = TD3Config.extend({ k: candidateCount }).strict();
export type EnsembleConfigInput = z.input<typeof EnsembleConfig>;

/** Actor-free CEM over Q (QT-Opt style) [default: P = 64, E = 6, I = 2, N(0, 1) in the normalised box]. */
export const CEMConfig = TD3Config.extend({
  population: z.number().int().min(2).default(64),
  elites: z.number().int().min(1).default(6),
  iterations: z.number().int().min(1).default(2),
  initStd: z.number().positive().default(1),
  /** Floor on the refitted σ so the search never collapses to a point. */
  minStd: z.number().nonnegative().default(0.01),
})
  .strict()
  .refine((c) => c.elites <= c.population, { message: "elites must not exceed population", path: ["elites"] });
export type CEMConfigInput = z.input<typeof CEMConfig>;

/**
 * Greedy actor-critic (Neumann et al. 2018): a broad proposal policy samples N actions, the top
 * fraction by Q trains both the actor and the proposal by maximum likelihood (conditional CEM),
 * the proposal with an entropy bonus [default: N = 30, top 20 %].
 */
const greedyFields = {
  proposalSamples: z.number().int().min(2).default(30),
  topFraction: z.number().gt(0).max(1).default(0.2),
  proposalEntropyCoef: z.number().nonnegative().default(0.1),
  /** "sample": act by sampling the Gaussian actor (Greedy-AC); "noise": mean + TD3 exploration noise (Greedy-TD3). */
  exploration: z.enum(["sample", "noise"]),
};

/** Greedy-AC: one critic, no target smoothing, actor updated every step, acts by sampling. */
export const GreedyACConfig = TD3Config.extend({
  ...greedyFields,
  criticCount: z.union([z.literal(1), z.literal(2)]).default(1),
  targetPolicyNoise: z.number().nonnegative().default(0),
  policyDelay: z.number().int().positive().default(1),
  exploration: greedyFields.exploration.default("sample"),
}).strict();
export type GreedyACConfigInput = z.input<typeof GreedyACConfig>;

/** Greedy-TD3: Greedy-AC's actor update with TD3's twin critics, smoothing, delay and exploration. */
export const GreedyTD3Config = TD3Config.extend({
  ...greedyFields,
  exploration: greedyFields.exploration.default("noise"),
}).strict();
export type GreedyTD3ConfigInput = z.input<typeof GreedyTD3Config>;

/** TD3 with periodic resets (SAVO §6.5): re-initialise parameters and their Adam state, keep replay. */
export const ResetConfig = TD3Config.extend({
  /** Gradient updates between resets (SAVO: 200k, 500k or 1M). */
  resetEvery: z.number().int().positive().default(200_000),
  /** "full": every actor and critic layer; "lastLayer": only their output layers. */
  resetMode: z.enum(["full", "lastLayer"]).default("full"),
}).strict();
export type ResetConfigInput = z.input<typeof ResetConfig>;
