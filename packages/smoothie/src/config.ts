import { configFields } from "@qscape/core";
/**
 * Smoothie's hyperparameters (Nachum et al. 2018, arXiv 1803.02348). The paper gives no network sizes
 * or learning rates in its main text, so every value below
 * is a [default]: fields shared with DDPG/TD3 take the repo's DDPG defaults (CleanRL: 256-256,
 * Adam 3e-4, batch 256, γ 0.99, τ 0.005, 25k warm-up) so a Smoothie-vs-DDPG run is matched, and
 * field names are TD3's wherever they mean the same thing. The paper searched actor lr, critic lr,
 * reward scale and the KL weight λ per task (§6.2).
 */
import { z } from "zod";

const hiddenSizes = z.array(z.number().int().positive()).min(1);

/**
 * Activations the critic may use. The action enters the critic's first layer, so every layer is on
 * the action path and must be twice differentiable with a non-zero second derivative: ReLU would
 * make ∇²ₐQ̃ = 0 almost everywhere and Σ would never learn (its update is the Hessian term of eq. 15).
 */
export const SMOOTH_ACTIVATIONS = ["tanh", "softplus", "elu", "sigmoid"] as const;
export type SmoothActivation = (typeof SMOOTH_ACTIVATIONS)[number];

export const SmoothieConfig = z
  .object({
    seed: configFields.seed(),
    actorHidden: hiddenSizes.default([256, 256]),
    criticHidden: hiddenSizes.default([256, 256]),
    /** The mean network's hidden activation (no second derivative is taken through it). */
    actorActivation: z.enum(["relu", "tanh", "elu"]).default("relu"),
    criticActivation: z
      .enum(SMOOTH_ACTIVATIONS, {
        error: `the critic needs a smooth activation (one of ${SMOOTH_ACTIVATIONS.join(", ")}): with ReLU its action-Hessian is 0 and the covariance cannot learn (Nachum et al. 2018, eq. 15)`,
      })
      .default("tanh"),
    /** η_π: step size for the mean network θ and the log-variance φ (Algorithm 1 uses one rate). */
    actorLr: configFields.learningRate(3e-4),
    /**
     * How θ and φ follow their ascent directions: Adam (the [default] for MuJoCo) or plain gradient
     * steps θ ← θ + η_π Δθ as Algorithm 1 writes them.
     */
    policyOptimizer: z.enum(["adam", "sgd"]).default("adam"),
    /** η_Q: Adam step size for the critic w. */
    criticLr: configFields.learningRate(3e-4),
    gradClipNorm: z.number().positive().optional(),
    batchSize: configFields.batchSize(256),
    bufferSize: configFields.bufferSize(1_000_000),
    gamma: configFields.gamma(),
    /** Polyak rate for θ', φ', w' (Algorithm 1's target lag). */
    tau: configFields.tau(),
    /** c: rewards are multiplied by this in the critic target (searched per task in the paper, §6.2). */
    rewardScale: z.number().positive().default(1),
    /** λ: weight of KL(π ‖ π_target) in the policy objective (eq. 20); 0 is the no-KL ablation. */
    klWeight: z.number().nonnegative().default(0),
    /** Initial σ per action dimension (normalised units): φ₀ = log σ² (not given in the paper; 0.3…1 works). */
    initStd: z.number().positive().default(0.3),
    /** σ is kept in [minStd, maxStd] (a guard against collapse or blow-up; not in the paper). */
    minStd: z.number().positive().default(1e-3),
    maxStd: z.number().positive().default(2),
    /**
     * Critic in the TD target: the Polyak target w' (the text's "target network") or the online w
     * (Algorithm 1 as printed, which maintains w' but never uses it; §4.2's text says the target is fixed).
     */
    targetQ: z.enum(["target", "online"]).default("target"),
    /**
     * Weight each critic sample by 1/q(ã|s), the behaviour density stored at collection (batch-
     * normalised, clipped at `importanceWeightClip`). The paper ignores q (eq. 18 unweighted);
     * the weights remove the bias eq. 19 shows when q is not near-uniform: with Gaussian behaviour
     * actions the unweighted regression fits a shrunk, half-variance smoothing of Q.
     */
    importanceWeights: z.boolean().default(false),
    importanceWeightClip: z.number().positive().default(10),
    /** Test hook: descend instead of ascend along ∇ₐQ̃, so tests can show that a broken learner fails. */
    flipMeanUpdate: z.boolean().default(false),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!(c.minStd < c.maxStd)) {
      ctx.addIssue({ code: "custom", path: ["minStd"], message: `must be below maxStd (${c.maxStd})` });
    }
    if (c.initStd < c.minStd || c.initStd > c.maxStd) {
      ctx.addIssue({
        code: "custom",
        path: ["initStd"],
        message: `must lie in [minStd, maxStd] = [${c.minStd}, ${c.maxStd}]`,
      });
    }
  });
export type SmoothieConfigInput = z.input<typeof SmoothieConfig>;
export type SmoothieSettings = z.output<typeof SmoothieConfig>;
