/**
 * QMLE hyperparameters (qmle.md §7.1, Table 1 of the paper). Defaults are the paper's; the
 * paper-vs-official-code conflicts of §10 are separate fields, and `preset: "officialCode"` sets
 * all of them to the code's choices (atavakol/qmle @ 0687780). A field given explicitly wins over
 * the preset.
 *
 * Every action inside the agent lives in the normalised box [−1, 1]^d (DMC's own bounds), so the
 * delta noise, the bang-off-bang bins and the delta MSE are all in normalised units (§10.9).
 */
import { configFields, QscapeError } from "@qscape/core";
import { z } from "zod";

const ratio = z.number().min(0).max(1);

export const QmleConfig = z
  .object({
    /** "paper" (default) or "officialCode": fills the §10 conflict fields not given explicitly. */
    preset: z.enum(["paper", "officialCode"]).default("paper"),
    seed: configFields.seed(),
    /** Observation/action stream and predictor width h; the joint head is 2h wide (§7.2: 128 / 256). */
    width: z.number().int().positive().default(128),
    /** One Adam for Q and both predictors (§3.4: α_q = α_argmax = 5e-4). */
    lr: configFields.learningRate(5e-4),
    batchSize: configFields.batchSize(256),
    bufferSize: configFields.bufferSize(1_000_000),
    gamma: configFields.gamma(),
    /** No gradient updates before this many env steps (§7.1 "training start size" 1000). */
    learningStarts: z.number().int().nonnegative().default(1000),
    /**
     * Env steps per gradient update (§7.1 "update frequency" 10). The agent keeps this schedule
     * itself from the steps it observes, whatever the loop's update cadence (see `QmleAgent.update`).
     */
    updateEvery: z.number().int().positive().default(10),
    /** Env steps between hard target copies (ω⁻ and θ⁻). Paper 2000, code 200 (§10.1). */
    targetUpdateInterval: z.number().int().positive().optional(),
    /** ε of ε-greedy, uniform over the box, constant (§3.6). */
    epsilon: ratio.default(0.1),
    /** m_greedy: candidates when acting, no stored prior (§3.5). */
    greedyCandidates: z.number().int().positive().default(1000),
    /** m_target: candidates for the TD target, plus the stored prior when `storedArgmaxPrior` (§3.5). */
    targetCandidates: z.number().int().positive().default(100),
    /** ρ₀: uniform share (split between box and grid per `uniformSampling`). */
    uniformRatio: ratio.default(0.9),
    /** ρ₁: delta-predictor share; the first delta candidate is the exact prediction. */
    deltaRatio: ratio.default(0.01),
    /** ρ₂: factored-categorical share. */
    categoricalRatio: ratio.default(0.09),
    /**
     * "boxAndGrid": half the uniform share from the continuous box, half uniform over the
     * bang-off-bang grid (official code; what produced the paper's results, §10.3). "box": all of
     * it from the continuous box (the paper's wording).
     */
    uniformSampling: z.enum(["boxAndGrid", "box"]).default("boxAndGrid"),
    /** Bins per dimension of the factored categorical and the grid (bang-off-bang: 3). */
    bins: z.number().int().min(2).default(3),
    /** σ of the Gaussian perturbations of the delta candidates, normalised units (code: 0.1). */
    deltaNoiseStd: z.number().nonnegative().default(0.1),
    /**
     * Include each transition's stored a^max among its target candidates (§3.7). The winner is
     * written back either way; off is an ablation in which the stored a^max never competes
     * again (no amortisation across replays).
     */
    storedArgmaxPrior: z.boolean().default(true),
    /** MLE target: the a^max refreshed in this update (paper, Algorithm 1) or the stored one (code) (§10.2). */
    mleTarget: z.enum(["refreshed", "stored"]).optional(),
    /** Categorical CE on logits (paper) or on softmax probabilities (code's double softmax) (§10.4). */
    categoricalLoss: z.enum(["logits", "probabilities"]).optional(),
    /** Proportional PER (§3.7: α 0.6, β 0.2 constant, ε 1e-6); null gives uniform replay. */
    prioritized: z
      .object({
        alpha: z.number().nonnegative().default(0.6),
        beta: z.number().min(0).max(1).default(0.2),
        eps: z.number().nonnegative().default(1e-6),
      })
      .strict()
      .nullable()
      .default({ alpha: 0.6, beta: 0.2, eps: 1e-6 }),
  })
  .strict()
  .superRefine((c, ctx) => {
    const sum = c.uniformRatio + c.deltaRatio + c.categoricalRatio;
    if (Math.abs(sum - 1) > 1e-6) {
      ctx.addIssue({
        code: "custom",
        path: ["uniformRatio"],
        message: `uniformRatio + deltaRatio + categoricalRatio must be 1, got ${sum}`,
      });
    }
  });

export type QmleConfigInput = z.input<typeof QmleConfig>;

/** The §10 conflict fields per preset. */
export const QMLE_PRESETS = {
  paper: { targetUpdateInterval: 2000, mleTarget: "refreshed", categoricalLoss: "logits" },
  officialCode: { targetUpdateInterval: 200, mleTarget: "stored", categoricalLoss: "probabilities" },
} as const;

type Parsed = z.output<typeof QmleConfig>;
export type QmleSettings = Omit<Parsed, keyof (typeof QMLE_PRESETS)["paper"]> & {
  targetUpdateInterval: number;
  mleTarget: "refreshed" | "stored";
  categoricalLoss: "logits" | "probabilities";
};

/** Validates `input` (errors name the field) and fills the preset's conflict fields. */
export function resolveQmleConfig(input: unknown): QmleSettings {
  const parsed = QmleConfig.safeParse(input ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new QscapeError(`qmle config: ${issues}`);
  }
  const c = parsed.data;
  const preset = QMLE_PRESETS[c.preset];
  return {
    ...c,
    targetUpdateInterval: c.targetUpdateInterval ?? preset.targetUpdateInterval,
    mleTarget: c.mleTarget ?? preset.mleTarget,
    categoricalLoss: c.categoricalLoss ?? preset.categoricalLoss,
  };
}
