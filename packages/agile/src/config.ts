/**
 * AGILE-PPO's hyperparameters (Jain, Kosaka, Kim & Lim, "Know Your Action Set: Learning Action
 * Relations for Reinforcement Learning", ICLR 2022 = Jain's thesis Ch. 3). Defaults are the
 * paper's:
 *
 * - the graph (§3.4; App. B Table B.3): 2 GAT layers, 1 attention head, 1 message-passing step,
 *   LeakyReLU α 0.2, graph hidden 64, residual connection on; the summary is mean-pooled (Table
 *   B.3 "Summarizer pooling operation: mean") and passed through a 2-layer ReLU MLP;
 * - the Dig Lava (Grid world) column of Table B.4: hidden 64, lr 1e-3, γ 0.99, entropy 0.05,
 *   value coefficient 0.5, 4 PPO epochs, clip 0.1, 64 parallel processes; the training batch of
 *   8192 = 64 processes × 128 steps (the thesis's number; the official code's 512 steps differ);
 * - PPO internals shared with Ch. 2 (App. A Table A.4 and Kostrikov's PPO that both chapters
 *   cite): GAE λ 0.95, 4 minibatches, grad-norm 0.5, Adam ε 1e-5, lr decaying linearly to 0.
 *
 * `variant` selects the method or a baseline of §3.6.1: `agile` (relational features + summary),
 * `utility-policy` (each action scored alone, Ch. 2 Eq. 2.3), `mask-output` (a fixed head over
 * the whole base set, unavailable logits masked) and `mask-input-output` (Mask-Output plus the
 * |𝔸|-d availability mask through an MLP of hidden 64, Table B.3), and the summary ablations of
 * §3.6.3 / App. B C.1, whose utility sees the raw representation c_i plus a set summary:
 * `summary-gat` (AGILE's GAT used only for the summary), `summary-deepset` (2-layer ReLU MLP per c_i,
 * mean pool, 2-layer ReLU MLP) and `summary-lstm` (per-c_i MLP, 2-layer bidirectional LSTM, hidden
 * 64, mean pool, MLP; Table B.3). Two analyses of §3.6.3 (App. B C.3.1, Fig. B.10) change AGILE's graph
 * only: `agile-gcn` (GCN message passing over the zero-diagonal normalised adjacency instead of
 * attention) and `agile-only-action` (nodes c_i alone, so relations do not depend on the state;
 * the utility still sees e_s). `graphEdges` adds App. B.1's domain-knowledge edges to any variant
 * with a graph.
 */
import { configFields } from "@qscape/core";
import { z } from "zod";

export const AGILE_VARIANTS = [
  "agile",
  "utility-policy",
  "mask-output",
  "mask-input-output",
  "summary-gat",
  "summary-deepset",
  "summary-lstm",
  "agile-gcn",
  "agile-only-action",
] as const;
export type AgileVariant = (typeof AGILE_VARIANTS)[number];

/** The variants whose networks hold an action graph (and so can take `graphEdges`). */
export const GRAPH_VARIANTS: readonly AgileVariant[] = ["agile", "agile-gcn", "agile-only-action", "summary-gat"];

export const GRAPH_EDGES = ["complete", "variable-actions"] as const;
export type GraphEdges = (typeof GRAPH_EDGES)[number];

export const AgileConfig = z
  .object({
    /** Seed 31 is the official PPO code's default (App. B Table B.4 notes). */
    seed: configFields.seed(31),
    variant: z.enum(AGILE_VARIANTS).default("agile"),
    /** State-encoder, utility and critic width (Table B.4 "hidden layer size" 64). */
    hidden: z.number().int().positive().default(64),
    /** Graph hidden dimension (Table B.3: 64). */
    graphHidden: z.number().int().positive().default(64),
    /** GAT layers per pathway (Table B.3: 2; ELU between them). */
    gatLayers: z.number().int().positive().default(2),
    /** Attention heads (Table B.3: 1; 2 "learned nothing meaningful", App. B D.3). */
    gatHeads: z.number().int().positive().default(1),
    /** LeakyReLU slope in the attention logits (Table B.3: 0.2). */
    leakyReluAlpha: z.number().min(0).max(1).default(0.2),
    /** Residual connection after the last GAT layer (Table B.3: True; "crucial", App. B D.3). */
    residual: z.boolean().default(true),
    /**
     * The action graph's edges: `complete` (§3.4) or `variable-actions`, App. B.1's domain
     * knowledge: only edges to and from the actions the env draws per episode, plus every node's
     * self-loop (Dig Lava: 7² = 49 → 29, the 20 edges between always-available actions removed).
     * Needs a variant in GRAPH_VARIANTS and an env that publishes `variableActions`
     * (`VariableActionsUnknownError` otherwise, before anything runs).
     */
    graphEdges: z.enum(GRAPH_EDGES).default("complete"),
    /** Mask-Input-Output's availability-mask MLP width (Table B.3: 64). */
    maskHidden: z.number().int().positive().default(64),
    /**
     * Most available actions an episode may offer (the padded action list length). Absent: the
     * env's padding. An env that can offer more is refused with `ActionListTooLongError`.
     */
    maxActions: z.number().int().positive().optional(),
    /**
     * Width of an action representation (Table B.4: 11 for Dig Lava). Absent: the env's. A
     * mismatch with the env is refused with `RepresentationSizeError`.
     */
    representationSize: z.number().int().positive().optional(),
    /** Parallel envs of the vector trainer (Table B.4: 64 processes for Grid world). */
    numEnvs: z.number().int().positive().default(64),
    /** Steps per env per rollout: 8192 = 64 × 128 (Table B.4 "training batch size", Part C #5). */
    numSteps: z.number().int().positive().default(128),
    lr: configFields.learningRate(1e-3),
    /** Decay lr linearly to 0 over this many updates (the thesis's PPO, App. A: "linear decay"); constant when absent. */
    lrDecayUpdates: z.number().int().positive().optional(),
    adamEps: z.number().positive().default(1e-5),
    maxGradNorm: z.number().positive().default(0.5),
    epochs: z.number().int().positive().default(4),
    minibatches: z.number().int().positive().default(4),
    gamma: configFields.gamma(0.99),
    gaeLambda: z.number().min(0).max(1).default(0.95),
    clip: z.number().positive().default(0.1),
    /**
     * Clip the value update to ±clip around the rollout's values (CleanRL / Kostrikov's option).
     * The thesis does not mention it; off by default, since with Dig Lava's returns of up to 100 a
     * ±0.1 step per update keeps the critic far behind its targets for hundreds of updates.
     */
    clipValueLoss: z.boolean().default(false),
    valueCoef: z.number().nonnegative().default(0.5),
    /** Table B.4 Grid world: 0.05. */
    entropyCoef: z.number().nonnegative().default(0.05),
    /**
     * CREATE's hybrid action (tool + (x, y), Ch. 2 §2.4): the Beta placement's entropy enters the
     * entropy bonus scaled by this factor (Table A.3 "continuous entropy scaling": 0.1). The
     * placement head is on exactly when the env's action space is the hybrid Dict; this is unused otherwise.
     */
    placementEntropyScale: z.number().nonnegative().default(0.1),
    normalizeAdvantages: z.boolean().default(true),
    /** Test hook: ascend the clipped objective's negative (a broken learner the learning tests must fail). */
    flipPolicyLoss: z.boolean().default(false),
  })
  .strict();

export type AgileConfigInput = z.input<typeof AgileConfig>;
export type AgileSettings = z.output<typeof AgileConfig>;
