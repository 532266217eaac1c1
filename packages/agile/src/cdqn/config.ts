/**
 * Listwise CDQN with AGILE (thesis Ch. 3, App. B C.2, Algorithm 5; the cascaded DQN of Chen et al.
 * 2019) and its value-based baselines (§3.6.1). A list of `slateSize` items is built one index at
 * a time from the episode's candidates; one Q-network, shared by every list index, scores the
 * remaining candidates given the state and the list so far. Defaults are the RecSim column of
 * Table B.4 and the graph of Table B.3:
 *
 * - lr 1e-4, γ 0.99, batch 128, Q-network hidden 256 × 64, list encoder 64, action encoder 32,
 *   hidden 64 (state encoder), target sync every 500 updates, ε 1 → 0.1 over the first 500
 *   epochs, warm start 5000 transitions;
 * - GAT: 2 layers, 1 head, LeakyReLU 0.2, graph hidden 64, residual (Table B.3);
 * - gradient-norm clip 1.0 (the official code's `grad_clip`; the thesis does not state it).
 *
 * One "epoch" of the thesis's RecSim runs is one 15-step episode of 16 parallel users followed by
 * one minibatch update (App. B C.2), i.e. 240 transitions per update; the per-env-step settings
 * below are those numbers expressed in env steps.
 *
 * `variant`: `agile` (graph over concat(e_s, e_list, c_a), twin GATs → relational feature +
 * summary), `utility` (CDQN whose Q-network scores each item alone from (e_s, e_list, c_a)), and
 * `simple-dqn` (§3.6.1 "Simple DQN": no cascade, Q(s, a) per item, the top-K items are the list).
 *
 * App. B.2's tuning variants of AGILE-Tuned are settings of `agile`: "Sync-freq=10"
 * (`targetSyncEvery: 10`), "Graph-dim=32" (`graphHidden: 32`), and the B.2.2 switches below; so are
 * Fig. B.9's GCN and Only-Action analyses (`graphLayer`, `graphNodes`).
 */
import { configFields, hiddenSizes } from "@qscape/core";
import { z } from "zod";

export const CDQN_VARIANTS = ["agile", "utility", "simple-dqn"] as const;
export type CDQNVariant = (typeof CDQN_VARIANTS)[number];

/** Transitions per "epoch" of the thesis's RecSim runs: 16 parallel users × 15 steps (App. B C.2). */
export const ENV_STEPS_PER_EPOCH = 16 * 15;

export const CDQNConfig = z
  .object({
    seed: configFields.seed(0),
    variant: z.enum(CDQN_VARIANTS).default("agile"),
    /** State encoder width (Table B.4 "hidden layer size" 64). */
    hidden: z.number().int().positive().default(64),
    /** Q-network (utility) hidden layers (Table B.4 "Q-network hidden dimension" 256×64). */
    qHidden: hiddenSizes.default([256, 64]),
    /** GRU + 2-layer MLP list encoder width (Table B.4 "list encoder dimension" 64). */
    listEncoderDim: z.number().int().positive().default(64),
    /** Linear item embedding the list encoder's GRU reads (Table B.4 "action encoder dimension" 32). */
    actionEncoderDim: z.number().int().positive().default(32),
    /** Graph hidden dimension (Table B.3: 64). */
    graphHidden: z.number().int().positive().default(64),
    gatLayers: z.number().int().positive().default(2),
    gatHeads: z.number().int().positive().default(1),
    leakyReluAlpha: z.number().min(0).max(1).default(0.2),
    residual: z.boolean().default(true),
    /**
     * App. B.2.2's design switches (agile only). `twinGat` false = "No twin-GAT": one GAT gives both
     * e_rel and, mean-pooled, e_sum. `preSummarizer` true = "with pre-summarizer": a 2-layer ReLU
     * MLP (graphHidden wide) on each node before the GAT (App. B C.3.1: optional, "does not help").
     */
    twinGat: z.boolean().default(true),
    preSummarizer: z.boolean().default(false),
    /**
     * App. B Fig. B.9's analyses of AGILE's graph on RecSim (agile only). `graphLayer` "gcn": GCN
     * message passing (zero-diagonal normalised adjacency, App. B C.3.1) instead of graph attention.
     * `graphNodes` "action-only": v_a = c_a, the nodes leave out e_s and e_list (AGILE-Only-Action;
     * the Q-network still reads them).
     */
    graphLayer: z.enum(["gat", "gcn"]).default("gat"),
    graphNodes: z.enum(["state-action", "action-only"]).default("state-action"),
    /**
     * App. B.2.2: true = the intra-list target (y_n from Q^T_{n+1} in the same state, AGILE-Tuned);
     * false = "No target-q change" (Chen et al. 2019a's across-list target: every index regresses on
     * y_N = r + γ max_a Q^T_1(s̃, a), the next time step's list).
     */
    intraListTarget: z.boolean().default(true),
    /**
     * App. B.2.2: true = the target Q-network reads the main network's list encoder (AGILE-Tuned);
     * false = it has its own copy, synced with the rest every `targetSyncEvery` updates (App. B.2.2's
     * curve named "No main-target separation", whose text says "separate the list-action encoder";
     * also the official code's default). Off by default so that runs made before the switch existed
     * keep their numbers.
     */
    shareListEncoder: z.boolean().default(false),
    lr: configFields.learningRate(1e-4),
    gamma: configFields.gamma(0.99),
    /**
     * Discount between list indices in the same state. Absent: γ, as Algorithm 5 writes it and as
     * the official code does by default; 1 is the code's `use_intra_slate_gamma` option.
     */
    intraListGamma: z.number().min(0).max(1).optional(),
    batchSize: configFields.batchSize(128),
    /**
     * Replay rows. Table B.4 has 10⁶; a row holds the episode's padded candidate features (20 × 20
     * floats on RecSim, ≈ 1.8 kB), so 10⁶ rows would reserve ≈ 1.8 GB here. Set 1e6 to match.
     */
    bufferSize: configFields.bufferSize(100_000),
    /** No update before the replay holds this many transitions (Table B.4 "initialize replay buffer size" 5000). */
    learningStarts: z.number().int().nonnegative().default(5000),
    /** Env steps per gradient update: one update per epoch of 16 users × 15 steps (App. B C.2). */
    updateInterval: z.number().int().positive().default(ENV_STEPS_PER_EPOCH),
    /** Hard target copy every this many gradient updates (Table B.4: 500; App. B D.3: "sensitive"). */
    targetSyncEvery: z.number().int().positive().default(500),
    epsilonStart: z.number().min(0).max(1).default(1),
    epsilonEnd: z.number().min(0).max(1).default(0.1),
    /** Env steps over which ε decays linearly: 500 epochs (Table B.4) × 240 steps. */
    epsilonDecaySteps: z
      .number()
      .int()
      .nonnegative()
      .default(500 * ENV_STEPS_PER_EPOCH),
    /** Global gradient-norm clip (official code `grad_clip` 1.0). */
    gradClipNorm: z.number().positive().default(1),
    /** Test hook: ascend the TD loss instead of descending it (a broken learner tests must catch). */
    flipTdLoss: z.boolean().default(false),
  })
  .strict();

export type CDQNConfigInput = z.input<typeof CDQNConfig>;
export type CDQNSettings = z.output<typeof CDQNConfig>;
