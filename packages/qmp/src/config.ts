/**
 * QMP settings (Zhang, Jain et al., ICLR 2025; thesis Ch. 5 and App. D). Two schemas:
 *
 * - `QmpConfig`, the agent: the behaviour-sharing switch, the multistep hold H (§5.7.3), the MT10
 *   "own policy 70 %" probability (App. D H.5) and the SAC settings every task's learner shares.
 * - `TrainConfig`, the multi-task loop: Table D.4's per-task minimum buffer size, env steps and
 *   gradient steps per update, plus the env-step budget and the evaluation cadence (§8).
 *
 * The SAC defaults are the paper's (App. D H): 2 × 256 ReLU MLPs (ReLU as in the released code,
 * where the thesis says tanh), lr 3e-4 for π, Q and α, γ 0.99, Polyak 0.995 (τ = 0.005), automatic
 * α with target entropy −|A|, log σ bounded to [−20, 2], one policy step per critic step (garage).
 * Errors name the field.
 */
import { SACConfig, type SACConfigInput } from "@qscape/baselines";
import { QscapeError } from "@qscape/core";
import { z } from "zod";

/** The SAC fields QMP changes from the baselines' SAC defaults (garage SAC as used by the paper). */
export const QMP_SAC_DEFAULTS = {
  actorHidden: [256, 256],
  criticHidden: [256, 256],
  activation: "relu",
  actorLr: 3e-4,
  criticLr: 3e-4,
  alphaLr: 3e-4,
  gamma: 0.99,
  tau: 0.005,
  batchSize: 256,
  logStdMin: -20,
  logStdMax: 2,
  policyFrequency: 1,
} satisfies SACConfigInput;

export const QmpConfig = z
  .object({
    seed: z.number().int().nonnegative().default(0),
    /**
     * "qSwitch": QMP's behaviour policy (Def. 5.4.2). "none": the No-Sharing baseline, each task
     * collects with its own policy, i.e. N independent SACs through the same code path.
     * "uniform": the QMP-Uniform ablation (§5.7.4), a uniformly random task policy at each
     * re-selection, no critic consulted. "softmax": the probabilistic mixture (App. G.1), policy j
     * drawn with probability softmax_j(Q_i(s, μ_j) / temperature). "domain": QMP-Domain-Knowledge
     * (App. D D.1), policy j drawn with the task set's fixed hand-crafted p_{j→i} (`mixtures.ts`).
     */
    sharing: z.enum(["qSwitch", "none", "uniform", "softmax", "domain"]).default("qSwitch"),
    /**
     * T of the probabilistic mixture (sharing "softmax", App. G.1); ignored otherwise. T → 0 is the
     * Q-switch's argmax, large T QMP-Uniform. The paper reports no T; 1 is ours.
     */
    temperature: z.number().positive("temperature (T) must be > 0").default(1),
    /**
     * H of the multistep variant (§5.7.3, App. D E.6): the chosen policy acts for H steps before
     * the Q-switch runs again. 1 is plain QMP; Table D.2 uses 25 for Maze and 10 elsewhere. The
     * mixture-improvement theory (Thm 5.5.1) does not cover H > 1.
     */
    holdSteps: z.number().int().min(1, "holdSteps (H) must be an integer ≥ 1").default(1),
    /**
     * Probability of using the task's own policy instead of consulting the Q-switch at a
     * re-selection: 0 everywhere except Meta-World MT10, where the paper uses 0.7 (App. D H.5).
     */
    ownPolicyProb: z.number().min(0).max(1).default(0),
    /**
     * How the Q-switch scores a policy j for task i (sharing "qSwitch" or "softmax"). 0: at its mean
     * action, min Q_i(s, μ_j), the paper's practical estimator (§5.4). M > 0: the sampled expectation
     * (1/M) Σ_m min Q_i(s, a_m), a_m ~ π_j(·|s), the App. G.2 ablation (M = 10 there; "no significant
     * difference"). Deterministic evaluation of the mixture always scores means.
     */
    expectationSamples: z.number().int().nonnegative("expectationSamples must be an integer ≥ 0").default(0),
    /** Settings of every task's SAC learner, merged over QMP_SAC_DEFAULTS and checked by SAC's schema. */
    sac: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()
  .refine((c) => c.expectationSamples === 0 || c.sharing === "qSwitch" || c.sharing === "softmax", {
    path: ["expectationSamples"],
    message: "expectationSamples scores policies, which only the Q-switch (sharing qSwitch) and the softmax mixture do",
  });

export type QmpConfigInput = Omit<z.input<typeof QmpConfig>, "sac"> & { sac?: Omit<SACConfigInput, "seed"> };
/** The same with the SAC block unchecked until parsing (what a harness holds after its own zod parse). */
export type QmpConfigRecord = z.input<typeof QmpConfig>;
export type QmpSettings = Omit<z.output<typeof QmpConfig>, "sac"> & { sac: z.output<typeof SACConfig> };

export const TrainConfig = z
  .object({
    seed: z.number().int().nonnegative().default(0),
    /** Budget in env steps summed over the learning tasks. */
    totalEnvSteps: z.number().int().positive(),
    /** Table D.4 "# environment steps per update (per task)"; Maze 600. */
    envStepsPerUpdate: z.number().int().positive().default(600),
    /** Table D.4 "# gradient steps per update (per task)"; Maze 100. */
    gradStepsPerUpdate: z.number().int().nonnegative().default(100),
    /** Table D.4 "minimum buffer size (per task)": no updates for a task before its buffer holds this many. */
    minBufferSize: z.number().int().nonnegative().default(3000),
    /** Evaluate every this many epochs (the official code: every epoch). */
    evalEvery: z.number().int().positive().default(1),
    /** Deterministic evaluation episodes per task (§8: 10). */
    evalEpisodes: z.number().int().positive().default(10),
  })
  .strict();

export type TrainConfigInput = z.input<typeof TrainConfig>;
export type TrainSettings = z.output<typeof TrainConfig>;

/** Table D.4's Maze column (the task set built here), as loop settings and SAC settings. */
export const TABLE_D4 = {
  maze: {
    train: { minBufferSize: 3000, envStepsPerUpdate: 600, gradStepsPerUpdate: 100 },
    sac: { batchSize: 256, actorLr: 3e-4, criticLr: 3e-4, alphaLr: 3e-4 },
  },
} satisfies Record<string, { train: Partial<TrainConfigInput>; sac: SACConfigInput }>;

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new QscapeError(`${what} config: ${issues}`);
  }
  return parsed.data;
}

/** Validates a QMP config; the `sac` block is checked by SAC's own schema (errors say `sac.<field>`). */
export function resolveQmpConfig(input: QmpConfigInput | QmpConfigRecord = {}): QmpSettings {
  const c = parse(QmpConfig, input, "qmp");
  if ("seed" in c.sac)
    throw new QscapeError("qmp config: sac.seed: set qmp's seed; each task's SAC seed derives from it");
  const sac = parse(SACConfig, { ...QMP_SAC_DEFAULTS, ...c.sac }, "qmp sac");
  return { ...c, sac };
}

export function resolveTrainConfig(input: TrainConfigInput): TrainSettings {
  return parse(TrainConfig, input, "qmp train");
}

/**
 * Parameter-Sharing (§5.6.2, "Multihead SAC"): one actor and one twin critic for all tasks, each a
 * shared trunk with N output heads; task i acts, learns and is scored through head i. With
 * `sharing: "qSwitch"` it is QMP composed with parameter sharing (§5.6.2, App. D H.5): task i's
 * behaviour is the head whose mean action task i's own Q head scores highest.
 */
export const ParamSharingConfig = z
  .object({
    seed: z.number().int().nonnegative().default(0),
    /** "none": Parameter-Sharing, task i collects with head i. "qSwitch": QMP over the N heads. */
    sharing: z.enum(["none", "qSwitch"]).default("none"),
    /**
     * App. D H.5's "mixture warmup period" of QMP + Parameter-Sharing: task i collects with its own
     * head for its first this-many env steps, then with the Q-switch. The paper gives 0 (Reacher) and
     * 100 (Maze) without a unit; here it counts task i's env steps (the bench converts epochs).
     */
    mixtureWarmupSteps: z.number().int().nonnegative().default(0),
    /** QMP's H-step hold (§5.7.3) over the heads: the chosen head acts H steps before the next switch. */
    holdSteps: z.number().int().min(1, "holdSteps (H) must be an integer ≥ 1").default(1),
    /** The multi-head SAC's settings, merged over QMP_SAC_DEFAULTS; the hidden widths are the trunk's. */
    sac: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()
  .refine((c) => c.sharing === "qSwitch" || c.mixtureWarmupSteps === 0, {
    path: ["mixtureWarmupSteps"],
    message: 'only the Q-switch has a warm-up (set sharing: "qSwitch")',
  })
  .refine((c) => c.sharing === "qSwitch" || c.holdSteps === 1, {
    path: ["holdSteps"],
    message: 'only the Q-switch holds a choice (set sharing: "qSwitch")',
  });

export type ParamSharingConfigInput = Omit<z.input<typeof ParamSharingConfig>, "sac"> & {
  sac?: Omit<SACConfigInput, "seed">;
};
/** The same with the SAC block unchecked until parsing (what a harness holds after its own zod parse). */
export type ParamSharingConfigRecord = z.input<typeof ParamSharingConfig>;
export type ParamSharingSettings = Omit<z.output<typeof ParamSharingConfig>, "sac"> & {
  sac: z.output<typeof SACConfig>;
};

/**
 * Fully-Shared-Behaviors (§5.6.2): one SAC policy, twin critic and buffer for all tasks, the same
 * action for a state whatever the task. The loop's per-task env and gradient steps, summed over
 * tasks, give the paper's ×N; the buffer holds N × `sac.bufferSize`.
 */
export const FullySharedConfig = z
  .object({
    seed: z.number().int().nonnegative().default(0),
    /** The single SAC's settings, merged over QMP_SAC_DEFAULTS. */
    sac: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export type FullySharedConfigInput = Omit<z.input<typeof FullySharedConfig>, "sac"> & {
  sac?: Omit<SACConfigInput, "seed">;
};
export type FullySharedConfigRecord = z.input<typeof FullySharedConfig>;
export type FullySharedSettings = Omit<z.output<typeof FullySharedConfig>, "sac"> & {
  sac: z.output<typeof SACConfig>;
};

function resolveSac(sac: Record<string, unknown>, what: string): z.output<typeof SACConfig> {
  if ("seed" in sac)
    throw new QscapeError(`${what} config: sac.seed: set ${what}'s seed; the SAC seed derives from it`);
  return parse(SACConfig, { ...QMP_SAC_DEFAULTS, ...sac }, `${what} sac`);
}

export function resolveParamSharingConfig(
  input: ParamSharingConfigInput | ParamSharingConfigRecord = {},
): ParamSharingSettings {
  const c = parse(ParamSharingConfig, input, "param-sharing");
  return { ...c, sac: resolveSac(c.sac, "param-sharing") };
}

export function resolveFullySharedConfig(
  input: FullySharedConfigInput | FullySharedConfigRecord = {},
): FullySharedSettings {
  const c = parse(FullySharedConfig, input, "fully-shared");
  return { ...c, sac: resolveSac(c.sac, "fully-shared") };
}

/**
 * The DnC baselines (Ghosh et al. 2018, adapted as in §5.6.2 and App. D H): N SAC learners that
 * collect with their own policies, task i's actor loss plus Σ_{j≠i} β·E_s[KL(π_j ‖ π_i)], and (DnC,
 * not "Regularization Only") periodic distillation into a central policy that every local policy
 * is then reset to.
 */
export const DncConfig = z
  .object({
    seed: z.number().int().nonnegative().default(0),
    /**
     * β of the pairwise KL term. App. D H: 0.001 for DnC (Reacher, Maze, Meta-World) and for
     * "Regularization Only" on Reacher and Meta-World; 0.0001 for "Regularization Only" on Maze.
     */
    klCoef: z.number().nonnegative().default(0.001),
    /** Distillations spread evenly over the run's env-step budget (App. D H: 10); 0 is DnC (Regularization Only). */
    distillations: z.number().int().nonnegative().default(10),
    /** Distillation epochs per distillation (App. D H: 500); one epoch = one Adam step on a batch from every buffer. */
    distillEpochs: z.number().int().positive().default(500),
    /** Settings of every task's SAC learner, merged over QMP_SAC_DEFAULTS. */
    sac: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type DncConfigInput = Omit<z.input<typeof DncConfig>, "sac"> & { sac?: Omit<SACConfigInput, "seed"> };
export type DncSettings = Omit<z.output<typeof DncConfig>, "sac"> & { sac: z.output<typeof SACConfig> };

export function resolveDncConfig(input: DncConfigInput | z.input<typeof DncConfig> = {}): DncSettings {
  const c = parse(DncConfig, input, "dnc");
  return { ...c, sac: resolveQmpConfig({ seed: c.seed, sharing: "none", sac: c.sac }).sac };
}

/**
 * Online UDS (Yu et al. 2022, adapted as in §5.6.2): task i's SAC batch is its own β_i plus
 * β_{j≠i} from the other buffers, of which a transition is kept, with the task set's minimum
 * reward, iff Q_i(s, a) is at least the k-th percentile of Q_i over β_i.
 */
export const UdsConfig = z
  .object({
    seed: z.number().int().nonnegative().default(0),
    /**
     * k, in percent: the shared transitions kept are those with Q_i(s, a) ≥ P_k[Q_i over β_i].
     * The paper tunes k per environment without listing the values (80 is its example of a
     * conservative one); 50, the median, is ours.
     */
    sharingQuantile: z.number().min(0).max(100).default(50),
    /**
     * Who collects the data: "none", each task its own π_i (UDS as the paper's baseline), or
     * "qSwitch", QMP's mixture — "QMP + Data-Sharing" (§5.6.2: composed with QMP only the
     * data-collection policy changes; the learners still filter and relabel as UDS does).
     */
    sharing: z.enum(["none", "qSwitch"]).default("none"),
    /** QMP's H-step hold and own-policy probability (see QmpConfig), with sharing "qSwitch". */
    holdSteps: z.number().int().min(1, "holdSteps (H) must be an integer ≥ 1").default(1),
    ownPolicyProb: z.number().min(0).max(1).default(0),
    /** Settings of every task's SAC learner, merged over QMP_SAC_DEFAULTS. */
    sac: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()
  .refine((c) => c.sharing === "qSwitch" || (c.holdSteps === 1 && c.ownPolicyProb === 0), {
    message: 'holdSteps and ownPolicyProb shape the Q-switch: set sharing: "qSwitch"',
    path: ["sharing"],
  });
export type UdsConfigInput = Omit<z.input<typeof UdsConfig>, "sac"> & { sac?: Omit<SACConfigInput, "seed"> };
export type UdsSettings = Omit<z.output<typeof UdsConfig>, "sac"> & { sac: z.output<typeof SACConfig> };

export function resolveUdsConfig(input: UdsConfigInput | z.input<typeof UdsConfig> = {}): UdsSettings {
  const c = parse(UdsConfig, input, "uds");
  return { ...c, sac: resolveQmpConfig({ seed: c.seed, sharing: "none", sac: c.sac }).sac };
}
