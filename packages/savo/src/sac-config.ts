/**
 * SAVO on SAC configuration (savo.md §3.9, App. D.3): SAC's config (its fields, names and CleanRL
 * defaults unchanged, so the bench's shared overrides apply) plus the SAVO chain fields that make
 * sense next to a stochastic ν0. The chain fields reuse SavoConfig's definitions and defaults.
 *
 * Not carried over from SAVO-TD3: target-policy smoothing, target actors and the official code's
 * noise-before-cascade (SAC's target is its own sampled next action, see sac-agent.ts), and the
 * + Joint Action ablation (ν0 is SAC's actor, not one chunk of a joint network).
 */
import { SACConfig } from "@qscape/baselines";
import { ExplorationNoise } from "@qscape/core";
import type { z } from "zod";
import { SavoConfig } from "./config.js";

export const SavoSacConfig = SACConfig.extend({
  ...SavoConfig.pick({
    numCandidates: true,
    summarizer: true,
    deepsetPool: true,
    summarizerHidden: true,
    summarySize: true,
    film: true,
    previousActions: true,
    surrogate: true,
    surrogateTargetCritic: true,
    surrogateAnchor: true,
    proposalNoise: true,
    epsilon: true,
    inference: true,
  }).shape,
  /**
   * Noise on the successive actors' proposals ν1..νk−1 when exploring, scaled by ε ([paper] OU,
   * θ 0.15, σ 0.2 as in SAVO-TD3). ν0 explores the SAC way, by sampling its policy.
   */
  explorationNoise: ExplorationNoise.default({ type: "ou", theta: 0.15, sigma: 0.2, dt: 1 }),
}).strict();

export type SavoSacConfigInput = z.input<typeof SavoSacConfig>;
export type SavoSacSettings = z.output<typeof SavoSacConfig>;
