/**
 * SAVO-TD3 configuration (savo.md §3, §9, §12). Defaults follow the paper ([paper]); where the paper
 * is silent they follow the spec's [default]s, and the official code's choices are options
 * (`SAVO_PRESETS.officialCode`). The TD3 fields keep TD3Config's names and meaning, so the bench's
 * shared overrides (seed, actorHidden, criticHidden, …) apply unchanged.
 */
import { TD3Config } from "@qscape/baselines";
import { configFields } from "@qscape/core";
import { z } from "zod";

const EpsilonSchedule = z
  .object({
    start: z.number().nonnegative().default(1),
    end: z.number().nonnegative().default(0.01),
    /** Env steps (explored `act` calls) over which ε decays linearly; Table 2: 5×10⁵ for MuJoCo. */
    decaySteps: z.number().int().nonnegative().default(500_000),
  })
  .strict();

export const SavoConfig = TD3Config.extend({
  /** [paper] §4.5: target-policy smoothing removed. A positive value is the "+ Action Smoothing" ablation. */
  targetPolicyNoise: z.number().nonnegative().default(0),
  /** [paper] OU on every proposal and on the executed action (θ 0.15, σ 0.2 [default, DDPG]), scaled by ε. */
  explorationNoise: TD3Config.shape.explorationNoise
    .removeDefault()
    .default({ type: "ou", theta: 0.15, sigma: 0.2, dt: 1 }),
  /** [paper] Table 2: 5×10⁵ replay for MuJoCo. */
  bufferSize: configFields.bufferSize(500_000),

  /**
   * Candidate actions in all, ν0 = μ plus numCandidates − 1 successive actors ("List Length 3",
   * savo.md §12.1: the paper's "k = 3"). 1 is plain TD3 without smoothing.
   */
  numCandidates: z.number().int().min(1).max(32).default(3),
  /** [paper] Table 2: DeepSet; LSTM (Bi-LSTM) and attention (Transformer) are the E.1 ablations. */
  summarizer: z.enum(["deepset", "lstm", "attention"]).default("deepset"),
  /** [paper] F.3 mean pooling; the official code max-pools. */
  deepsetPool: z.enum(["mean", "max"]).default("mean"),
  /**
   * Summarizer widths: not in the paper. [official code] the list encoder's hidden width is
   * `dim_hidden` = 64 and its output (the FiLM input, `WOLP_slate_dim_out`) is 16. A small summary
   * also keeps FiLM cheap: each layer's γ, β projections cost 2·summarySize/width of that layer.
   */
  summarizerHidden: z.number().int().positive().default(64),
  summarySize: z.number().int().positive().default(16),
  /** [paper] FiLM conditioning of actors and surrogates; false = "No-FiLM" (input concatenation only). */
  film: z.boolean().default(true),
  /** [paper] condition νi and Ψ̂i on a<i; false = "− Previous Actions". */
  previousActions: z.boolean().default(true),
  /** [paper] learned surrogates Ψ̂i; "exact" = "− Approximation" (νi ascends max{Q, τ} directly). */
  surrogate: z.enum(["learned", "exact"]).default("learned"),
  /** "+ Joint Action": one actor outputs all candidates (k·D), trained with the same losses. */
  jointAction: z.boolean().default(false),
  /** [default] §12.5: ã = μM(s') from the current actors; "target" uses Polyak-averaged actor copies. */
  targetActions: z.enum(["current", "target"]).default("current"),
  /** [default] §12.4: Ψ targets from the online twin critics (min); the official code uses the target critics. */
  surrogateTargetCritic: z.enum(["online", "target"]).default("online"),
  /**
   * [default] §12.3: Eq. 9's first fitting point μ̃M(s) is the stored executed action; "maximizer"
   * uses the current noise-free μM(s) instead.
   */
  surrogateAnchor: z.enum(["executed", "maximizer"]).default("executed"),
  /** [paper] OU noise on every proposal before the maximizer (in addition to the executed action's). */
  proposalNoise: z.boolean().default(true),
  /** Official code (non-MuJoCo): perturb each proposal before it conditions the next actor. */
  noiseBeforeCascade: z.boolean().default(false),
  /** [paper] Table 2 ε: noise-scale multiplier 1 → 0.01 (the official code's semantics); 0 at evaluation. */
  epsilon: EpsilonSchedule.default({ start: 1, end: 0.01, decaySteps: 500_000 }),
  /** Evaluation-time policy: μM over all candidates, or the first actor μ only (Figure 11c). */
  inference: z.enum(["maximizer", "firstActor"]).default("maximizer"),
}).strict();

export type SavoConfigInput = z.input<typeof SavoConfig>;
export type SavoSettings = z.output<typeof SavoConfig>;

/** Named configurations; fields not listed keep the paper defaults above. */
export const SAVO_PRESETS = {
  /** The paper (arXiv 2410.11833v1): the defaults. */
  paper: {},
  /**
   * `USC-Lira/Q3C` large_rl for restricted MuJoCo (savo.md §4): target smoothing kept, max-pooled
   * DeepSet, surrogate targets from the target critics, target actors. Its gradient-clip value is
   * not recorded in the spec, so clipping stays off.
   */
  officialCode: {
    targetPolicyNoise: 0.2,
    deepsetPool: "max",
    surrogateTargetCritic: "target",
    targetActions: "target",
  },
} satisfies Record<string, SavoConfigInput>;

/** What the successive chain (ν1..νk−1, Ψ̂1..Ψ̂k−1, their networks and optimizers) reads from a config. */
export type ChainSettings = Pick<
  SavoSettings,
  | "numCandidates"
  | "summarizer"
  | "deepsetPool"
  | "summarizerHidden"
  | "summarySize"
  | "film"
  | "previousActions"
  | "surrogate"
  | "jointAction"
  | "targetActions"
  | "noiseBeforeCascade"
  | "actorHidden"
  | "actorLayerNorm"
  | "criticHidden"
  | "activation"
  | "actorLr"
  | "criticLr"
  | "gradClipNorm"
>;
