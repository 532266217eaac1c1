/**
 * AGILE-PPO and its baselines (thesis Ch. 3 §3.4 "uses of the utility: PPO"; §3.6.1). One learner,
 * the network picked by `variant`: the policy is a softmax of per-slot utilities over the actions
 * available this episode, the critic V(s′) (AGILE: s′ = (s, summary) from the critic's own GAT),
 * trained with the clipped PPO objective + value loss − entropy bonus, GAE(λ).
 *
 * Two ways in:
 * - batched, for vector envs (`actBatch` + `recordBatch` + `update`, driven by `trainVector` in
 *   train.ts): the rollout is `numSteps` × `numEnvs` transitions;
 * - the core `Agent` interface (`act` + `observe` + `update`, one env), which the bench's
 *   `TrainingLoop` drives with `rolloutSteps = numSteps · numEnvs`.
 * Actions are inventory ids (`obs.actionIds[slot]`), as the action-set envs take them. A
 * `PolicyHead` (third constructor argument) replaces the slot softmax for Ch. 2 §2.5.3's
 * Nearest-Neighbor and Continuous-output baselines (src/representations/); the rest of PPO is shared.
 *
 * On CREATE, whose action space is the hybrid `Dict({ tool, position })` (Ch. 2 §2.4; §3.5.2), the
 * agent composes a second policy with the slot softmax: the Beta placement head f_χ of
 * placement.ts, on the actor's e_s (or s′ = (e_s, summary) where the actor has a summary). Actions
 * are then `{ tool, position }`; the PPO log-prob is the tool's plus the Betas', the entropy the
 * tool's plus `placementEntropyScale` × the Betas'. The action space switches it on; nothing
 * changes for a Discrete inventory.
 */
import { clippedPolicyLoss, computeGae, valueLoss } from "@qscape/baselines";
import {
  type ActOptions,
  Adam,
  type Agent,
  Checkpointed,
  type EnvSpaces,
  type Parameterized,
  parseConfig,
  QscapeError,
  Rng,
  type Snapshot,
  type StateParts,
  type Transition,
  tf,
} from "@qscape/core";
import { type ActionSetObservation, type StackedActionSetObservation, stackActionSetObservations } from "@qscape/envs";
import { AgileConfig, type AgileConfigInput, type AgileSettings, GRAPH_VARIANTS } from "./config.js";
import {
  ActionListTooLongError,
  ActionSetSpaceError,
  HybridActionSpaceError,
  RepresentationSizeError,
  VariableActionsUnknownError,
} from "./errors.js";
import {
  type ActionSetTensors,
  Actor,
  type ActorOutput,
  actorHasSummary,
  Critic,
  maskedEntropy,
  type NetworkShape,
  variableActionEdges,
} from "./networks.js";
import { betaMode, hybridActionSpace, PlacementPolicy, type PositionSpace, sampleBeta } from "./placement.js";
import { pickAllowed } from "./sampling.js";

/** The sizes an action-set env fixes: state width, padded slots K, representation width d, base set N. */
export interface ActionSetShape extends NetworkShape {
  slots: number;
  /** CREATE's hybrid action space: the position box next to the tool (absent for a Discrete inventory). */
  position?: PositionSpace;
}

/** CREATE's hybrid action (§A6.3 "Dict(index, pos)"): an inventory id and its placement in the position box. */
export interface HybridAction {
  tool: number;
  position: Float32Array;
}

/** What the agent hands an env: an inventory id, or a hybrid `{ tool, position }`. */
export type AgileAction = number | HybridAction;

interface ShapedSpace {
  shape?: readonly number[];
}

/**
 * Reads an action-set env's spaces (`Dict{state, actionIds, actionFeatures, actionMask}` and a
 * Discrete inventory) and checks them against the config: `RepresentationSizeError` when
 * `representationSize` differs from the env's, `ActionListTooLongError` when the env can list
 * more actions than `maxActions`.
 */
export function actionSetShape(spaces: EnvSpaces, config: Pick<AgileSettings, "maxActions" | "representationSize">) {
  const obs = spaces.observationSpace as { spaces?: Record<string, ShapedSpace> } | null;
  const state = obs?.spaces?.state?.shape;
  const features = obs?.spaces?.actionFeatures?.shape;
  const env = spaces.spec?.id ?? spaces.id ?? "this env";
  const notActionSet = () =>
    new ActionSetSpaceError(
      `agile: ${env} is not an action-set env (needs a Dict observation with state [S] and actionFeatures [K, d], and a Discrete inventory or CREATE's Dict(tool, position))`,
    );
  if (state?.length !== 1 || features?.length !== 2) throw notActionSet();
  // CREATE's Dict(tool, position) gives the inventory through its tool part; any other Dict is
  // refused here by name (HybridActionSpaceError).
  const hybrid = hybridActionSpace(spaces.actionSpace, env);
  const n = hybrid ? hybrid.numItems : (spaces.actionSpace as { n?: unknown } | null)?.n;
  if (typeof n !== "number") throw notActionSet();
  const [slots, featureDim] = features as [number, number];
  if (config.representationSize !== undefined && config.representationSize !== featureDim) {
    throw new RepresentationSizeError(
      `agile: representationSize is ${config.representationSize}, but ${env}'s action representations are ${featureDim}-d`,
    );
  }
  if (config.maxActions !== undefined && slots > config.maxActions) {
    throw new ActionListTooLongError(
      `agile: ${env} lists up to ${slots} actions per episode, more than maxActions = ${config.maxActions}`,
    );
  }
  return {
    stateDim: state[0] as number,
    slots,
    featureDim,
    numItems: n,
    ...(hybrid ? { position: hybrid.position } : {}),
  } satisfies ActionSetShape;
}

/**
 * The inventory ids an env draws per episode (App. B.1's "variable actions"), as the env publishes
 * them: a `variableActions` array of ids in [0, numItems), read through wrappers. Throws
 * `VariableActionsUnknownError` naming the env when it publishes none (or a malformed one).
 */
export function variableActionsOf(spaces: EnvSpaces, numItems: number): readonly number[] {
  const env = spaces as EnvSpaces & { getWrapperAttr?: (name: string) => unknown; variableActions?: unknown };
  let ids: unknown;
  if (typeof env.getWrapperAttr === "function") {
    try {
      ids = env.getWrapperAttr("variableActions");
    } catch {
      ids = undefined;
    }
  } else ids = env.variableActions;
  const name = spaces.spec?.id ?? spaces.id ?? "this env";
  if (!Array.isArray(ids) || ids.some((id) => !Number.isInteger(id) || id < 0 || id >= numItems)) {
    throw new VariableActionsUnknownError(
      `agile: graphEdges "variable-actions" (domain-knowledge edges, App. B.1) needs an env that says which actions are the variable ones (a \`variableActions\` list of inventory ids below ${numItems}); ${name} ${ids === undefined ? "does not" : "publishes an invalid one"}`,
    );
  }
  return ids as number[];
}

/** One rollout step of every env (env-major arrays). */
interface RolloutColumn {
  obs: StackedActionSetObservation;
  slots: Int32Array;
  logProbs: Float32Array;
  /** A policy head's choices [E × choiceWidth] (absent for the slot softmax, whose choice is the slot). */
  choices?: Float32Array;
  /** Hybrid actions: the Beta samples u ∈ [0, 1] [E × d] that `logProbs` scored (not the positions). */
  placements?: Float32Array;
  rewards: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  /** The observation each step led to (the pre-reset one where an episode ended). */
  next: StackedActionSetObservation;
}

export interface BatchAction {
  /** Inventory ids to execute. */
  actions: Int32Array;
  /** The chosen slots (indices into the observed action list). */
  slots: Int32Array;
  logProbs: Float32Array;
  /**
   * What a policy head chose ([batch × choiceWidth]) and `logProbs` are the log-probabilities of,
   * when that is not the executed slot (Ch. 2's baselines: a training-action index, a continuous
   * vector). Absent for the slot softmax.
   */
  choices?: Float32Array;
  /** Hybrid actions: the Beta draws (or modes) u ∈ [0, 1] [batch × d] that `logProbs` include. */
  placements?: Float32Array;
  /** Hybrid actions: the positions executed, low + (high − low)·u [batch × d]. */
  positions?: Float32Array;
}

/** What the envs of a batch execute: the inventory ids, or one `{ tool, position }` per env (CREATE). */
export function envActions(act: BatchAction): Int32Array | HybridAction[] {
  const positions = act.positions;
  if (!positions) return act.actions;
  const d = positions.length / act.actions.length;
  return Array.from(act.actions, (tool, b) => ({ tool, position: positions.slice(b * d, (b + 1) * d) }));
}

/** The policy's differentiable terms for a minibatch of chosen actions. */
interface PolicyTerms {
  /** log π(tool, u | s, 𝒜) [B]. */
  logProb: tf.Tensor1D;
  /** The entropy the bonus uses [B]: the tool's, plus placementEntropyScale × the Betas' on CREATE. */
  entropy: tf.Tensor1D;
  /** Hybrid actions: the Betas' entropy, unscaled [B]. */
  placementEntropy?: tf.Tensor1D;
}

/**
 * The policy side of PPO when it is not a softmax over the listed slots (Ch. 2 §2.5.3's
 * Nearest-Neighbor and Continuous-output baselines): the head owns the actor's weights, chooses,
 * says what the rollout keeps of the choice, and gives the differentiable log-prob and entropy of
 * kept choices. Everything else (critic V(s), rollout, GAE, clipped loss, optimizers, checkpoints)
 * is the agent's, unchanged.
 */
export interface PolicyHead extends Parameterized {
  /** The agent's (and its snapshot's) name. */
  readonly name: string;
  /** Floats kept per env step in the rollout (`BatchAction.choices`). */
  readonly choiceWidth: number;
  /** Chooses for each observation of the batch (called inside tf.tidy; `x` is `obs` as tensors). */
  choose(
    x: ActionSetTensors,
    obs: StackedActionSetObservation,
    batch: number,
    explore: boolean,
    rng: Rng,
  ): BatchAction & { choices: Float32Array };
  /** log π(choice | s, 𝒜) [B] and the entropy [B] of a minibatch, differentiable (inside the optimizer's closure). */
  logProbEntropy(x: ActionSetTensors, choices: tf.Tensor2D): { logProb: tf.Tensor1D; entropy: tf.Tensor1D };
}

/** Builds a policy head for the agent's shape and settings, from the agent's RNG. */
export type PolicyHeadFactory = (rng: Rng, shape: ActionSetShape, config: AgileSettings) => PolicyHead;

export interface AgilePPOOptions {
  /** A policy head instead of the variant's slot softmax (its critic is still the variant's). */
  head?: PolicyHeadFactory;
}

type Pending = {
  obs: ActionSetObservation;
  act: BatchAction;
  stacked: StackedActionSetObservation;
  action: AgileAction;
};

function sameAction(a: AgileAction, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "number" || typeof b !== "object" || b === null) return false;
  const other = b as Partial<HybridAction>;
  return other.tool === a.tool && a.position.every((v, j) => other.position?.[j] === v);
}

/**
 * `A` is what `act` returns: inventory ids (the default) or `HybridAction` on CREATE's hybrid
 * action space (`new AgilePPOAgent<HybridAction>(make("CreatePush-v0"))`); the action space, not
 * the type argument, decides what the agent does.
 */
export class AgilePPOAgent<A extends AgileAction = number>
  extends Checkpointed
  implements Agent<ActionSetObservation, A>
{
  readonly name: string;
  readonly config: AgileSettings;
  readonly shape: ActionSetShape;
  /** `act` samples from `ActOptions.rng` when given (sampled evaluation; Eq. 2.1's a ∼ π). */
  readonly samplesWithGivenRng = true;
  /** The policy network: the variant's slot softmax, or the policy head given at construction. */
  readonly actor: Actor | PolicyHead;
  readonly critic: Critic;
  /**
   * CREATE's placement policy f_χ (Ch. 2 §2.4): Betas over the position box, trained with the
   * actor (the same Adam and gradient clip). null for a Discrete inventory.
   */
  readonly placement: PlacementPolicy | null;
  /** The policy head, when one replaces the slot softmax. */
  private readonly head: PolicyHead | null;
  private readonly rng: Rng;
  /** graphEdges "variable-actions": 1 at the inventory ids the env draws per episode (else null). */
  private readonly variableActions: Uint8Array | null = null;
  /** One Adam per network, each clipping its own gradient norm (see the constructor). */
  private readonly actorOptimizer: Adam;
  private readonly criticOptimizer: Adam;
  private rollout: RolloutColumn[] = [];
  private pending: Pending | null = null;
  private readonly counts = { updates: 0, gradientUpdates: 0 };

  constructor(spaces: EnvSpaces, config: AgileConfigInput = {}, options: AgilePPOOptions = {}) {
    super();
    this.config = parseConfig(AgileConfig, config, "agile");
    this.shape = actionSetShape(spaces, this.config);
    if (this.shape.position && options.head) {
      throw new HybridActionSpaceError(
        `agile: ${spaces.spec?.id ?? spaces.id ?? "this env"} takes a tool and a position; a policy head (Ch. 2 §2.5.3's baselines) chooses the tool only, so the Beta placement (Ch. 2 §2.4) composes with the variant's slot softmax alone`,
      );
    }
    if (this.config.graphEdges === "variable-actions") {
      if (!GRAPH_VARIANTS.includes(this.config.variant)) {
        throw new QscapeError(
          `agile config: graphEdges "variable-actions" needs an action graph; variant "${this.config.variant}" has none (use one of ${GRAPH_VARIANTS.join(", ")})`,
        );
      }
      this.variableActions = new Uint8Array(this.shape.numItems);
      for (const id of variableActionsOf(spaces, this.shape.numItems)) this.variableActions[id] = 1;
    }
    this.rng = new Rng(this.config.seed);
    this.head = options.head ? options.head(this.rng.fork(), this.shape, this.config) : null;
    this.actor = this.head ?? new Actor(this.rng.fork(), this.config.variant, this.shape, this.config);
    this.name = this.head?.name ?? (this.config.variant === "agile" ? "agile-ppo" : this.config.variant);
    this.critic = new Critic(this.rng.fork(), this.config.variant, this.shape, this.config);
    // Forked after the others, so a Discrete inventory's weights and draws are what they were.
    const position = this.shape.position;
    this.placement = position
      ? new PlacementPolicy(
          this.rng.fork(),
          this.config.hidden + (actorHasSummary(this.config.variant) ? this.config.graphHidden : 0),
          position.dim,
        )
      : null;
    // Actor and critic share no weights (§3.4), so the joint loss's gradient splits into the
    // policy part (clip + entropy terms) and the value part. Each is clipped to maxGradNorm on its
    // own: one global norm over both would let the critic's errors on Dig Lava's returns of up
    // to 100 shrink every policy step (the thesis does not say how it clipped).
    const adam = { lr: this.config.lr, eps: this.config.adamEps, clipNorm: this.config.maxGradNorm };
    // f_χ is part of the policy (θ = {ν, ω, χ} trained end to end, §2.4): the actor's optimizer.
    const placement = this.placement;
    const policy = placement
      ? { parameters: () => [...this.actor.parameters(), ...placement.parameters()] }
      : this.actor;
    this.actorOptimizer = new Adam(`${this.name}.actor`, policy, adam);
    this.criticOptimizer = new Adam(`${this.name}.critic`, this.critic, adam);
  }

  /** Transitions per update through the single-env `Agent` interface: numSteps · numEnvs. */
  get rolloutSteps(): number {
    return this.config.numSteps * this.config.numEnvs;
  }

  /** Checks a stacked batch of `batch` observations against the networks' shapes. */
  private check(obs: StackedActionSetObservation, batch: number): void {
    const { stateDim, featureDim } = this.shape;
    const slots = obs.actionMask.length / batch;
    if (!Number.isInteger(slots) || obs.state.length !== batch * stateDim || obs.actionIds.length !== batch * slots) {
      throw new QscapeError(
        `${this.name}: observation batch does not match ${batch} envs with ${stateDim}-d states (state ${obs.state.length}, mask ${obs.actionMask.length})`,
      );
    }
    const max = this.config.maxActions ?? this.shape.slots;
    if (slots > max) {
      throw new ActionListTooLongError(`${this.name}: ${slots} listed actions, more than maxActions = ${max}`);
    }
    if (obs.actionFeatures.length !== batch * slots * featureDim) {
      throw new RepresentationSizeError(
        `${this.name}: action representations are ${obs.actionFeatures.length / (batch * slots)}-d, expected ${featureDim}`,
      );
    }
  }

  /** Tensors for a stacked batch (call inside tf.tidy). */
  tensors(obs: StackedActionSetObservation, batch: number): ActionSetTensors {
    const slots = obs.actionMask.length / batch;
    const n = this.shape.numItems;
    const availability = new Float32Array(batch * n);
    const ids = new Int32Array(batch * slots);
    for (let i = 0; i < batch * slots; i++) {
      const id = obs.actionIds[i] as number;
      if (obs.actionMask[i] && id >= 0) {
        if (id >= n) throw new QscapeError(`${this.name}: action id ${id} is outside the ${n}-action inventory`);
        availability[Math.floor(i / slots) * n + id] = 1;
        ids[i] = id;
      }
    }
    const mask = tf.tensor2d(Float32Array.from(obs.actionMask), [batch, slots]);
    const out: ActionSetTensors = {
      state: tf.tensor2d(obs.state, [batch, this.shape.stateDim]),
      features: tf.tensor3d(obs.actionFeatures, [batch, slots, this.shape.featureDim]),
      mask,
      ids: tf.tensor2d(ids, [batch, slots], "int32"),
      availability: tf.tensor2d(availability, [batch, n]),
    };
    if (this.variableActions) {
      const table = this.variableActions;
      const variable = Float32Array.from(obs.actionIds, (id, i) => (obs.actionMask[i] && id >= 0 ? table[id]! : 0));
      out.adjacency = variableActionEdges(tf.tensor2d(variable, [batch, slots]), mask);
    }
    return out;
  }

  /** The variant's slot softmax (absent when a policy head replaces it). */
  private slotActor(): Actor {
    if (this.head) throw new QscapeError(`${this.name}: its policy head is not a softmax over the listed slots`);
    return this.actor as Actor;
  }

  /** π(·|s, 𝒜) over the slots of each observation, [B × K] row-major (0 at padded slots). */
  probabilities(obs: StackedActionSetObservation, batch: number): Float32Array {
    this.check(obs, batch);
    const actor = this.slotActor();
    return tf.tidy(() => tf.softmax(actor.apply(this.tensors(obs, batch)).logits).dataSync() as Float32Array);
  }

  /**
   * Actions for `batch` envs: sampled (explore) or the most probable available slot. Samples draw
   * from `rng`, the agent's own unless a sampled evaluation passes another.
   */
  actBatch(obs: StackedActionSetObservation, batch: number, explore: boolean, rng: Rng = this.rng): BatchAction {
    this.check(obs, batch);
    if (this.head) {
      const head = this.head;
      let chosen: BatchAction | undefined;
      tf.tidy(() => {
        chosen = head.choose(this.tensors(obs, batch), obs, batch, explore, rng);
      });
      return chosen as BatchAction;
    }
    const actor = this.slotActor();
    if (this.placement) return this.actHybrid(obs, batch, explore, rng, actor, this.placement);
    // The critic is not needed to act: update() evaluates V on the whole rollout in one pass
    // (the same weights, since nothing changes them within a rollout).
    const data = tf.tidy(() => tf.logSoftmax(actor.apply(this.tensors(obs, batch)).logits).dataSync() as Float32Array);
    return this.pickSlots(data, obs, batch, explore, rng);
  }

  /**
   * Slots from per-slot log-probs [B × K]: one uniform draw per env (explore) or the most probable
   * available slot; `logProbs` are the chosen slots'.
   */
  private pickSlots(
    data: Float32Array,
    obs: StackedActionSetObservation,
    batch: number,
    explore: boolean,
    rng: Rng,
  ): BatchAction {
    const slots = obs.actionMask.length / batch;
    const out: BatchAction = {
      actions: new Int32Array(batch),
      slots: new Int32Array(batch),
      logProbs: new Float32Array(batch),
    };
    for (let b = 0; b < batch; b++) {
      const logp = data.subarray(b * slots, (b + 1) * slots);
      const mask = obs.actionMask.subarray(b * slots, (b + 1) * slots);
      const slot = pickAllowed(logp, mask, explore, rng);
      if (slot < 0) throw new QscapeError(`${this.name}: observation ${b} lists no available action`);
      out.slots[b] = slot;
      out.logProbs[b] = logp[slot] as number;
      out.actions[b] = obs.actionIds[b * slots + slot] as number;
    }
    return out;
  }

  /** f_χ's input: s′ = (e_s, summary) where the actor has a set summary (AGILE, §3.5.2), else e_s (§2.4). */
  private placementInput(output: ActorOutput): tf.Tensor2D {
    return output.summary ? tf.concat([output.encodedState, output.summary], 1) : output.encodedState;
  }

  /**
   * CREATE: the tool as for any action set, then u ~ Beta(α, β) per position dimension (greedy: the
   * Beta's mode), the position low + (high − low)·u. The tool's draws come first, then the Betas'.
   */
  private actHybrid(
    obs: StackedActionSetObservation,
    batch: number,
    explore: boolean,
    rng: Rng,
    actor: Actor,
    placement: PlacementPolicy,
  ): BatchAction {
    const { dim, low, high } = this.shape.position as PositionSpace;
    let out: BatchAction | undefined;
    tf.tidy(() => {
      const output = actor.apply(this.tensors(obs, batch));
      const dist = placement.apply(this.placementInput(output));
      const chosen = this.pickSlots(tf.logSoftmax(output.logits).dataSync() as Float32Array, obs, batch, explore, rng);
      const alpha = dist.alpha.dataSync() as Float32Array;
      const beta = dist.beta.dataSync() as Float32Array;
      const u = new Float32Array(batch * dim);
      for (let i = 0; i < u.length; i++) {
        u[i] = explore
          ? sampleBeta(alpha[i] as number, beta[i] as number, rng)
          : betaMode(alpha[i] as number, beta[i] as number);
      }
      const placementLogProbs = dist.logProb(tf.tensor2d(u, [batch, dim])).dataSync() as Float32Array;
      const positions = new Float32Array(batch * dim);
      for (let i = 0; i < u.length; i++) {
        const j = i % dim;
        const lo = low[j] as number;
        const hi = high[j] as number;
        positions[i] = Math.min(hi, Math.max(lo, lo + (hi - lo) * (u[i] as number)));
      }
      // The joint log-prob: the placement does not see the tool (§2.4), so the parts add.
      for (let b = 0; b < batch; b++) {
        chosen.logProbs[b] = (chosen.logProbs[b] as number) + (placementLogProbs[b] as number);
      }
      out = { ...chosen, placements: u, positions };
    });
    return out as BatchAction;
  }

  /** Stores one step of every env (the act that chose it, what the envs returned). */
  recordBatch(step: {
    obs: StackedActionSetObservation;
    act: BatchAction;
    rewards: ArrayLike<number>;
    terminated: ArrayLike<number | boolean>;
    truncated: ArrayLike<number | boolean>;
    next: StackedActionSetObservation;
  }): void {
    const e = step.act.actions.length;
    const width = this.head?.choiceWidth ?? 0;
    if (this.head && step.act.choices?.length !== e * width) {
      throw new QscapeError(`${this.name}: a rollout step needs its head's choices (${e} × ${width})`);
    }
    const dim = this.placement?.dim ?? 0;
    if (this.placement && step.act.placements?.length !== e * dim) {
      throw new QscapeError(
        `${this.name}: a rollout step on a hybrid action space needs its placements (${e} × ${dim})`,
      );
    }
    this.rollout.push({
      obs: step.obs,
      slots: step.act.slots,
      logProbs: step.act.logProbs,
      ...(this.head ? { choices: step.act.choices } : {}),
      ...(this.placement ? { placements: step.act.placements } : {}),
      rewards: Float32Array.from(step.rewards),
      terminated: Uint8Array.from(step.terminated, Number),
      truncated: Uint8Array.from(step.truncated, Number),
      next: step.next,
    });
    if (this.rollout[0]?.slots.length !== e) {
      throw new QscapeError(
        `${this.name}: a rollout step of ${e} envs after steps of ${this.rollout[0]?.slots.length}`,
      );
    }
  }

  get rolloutLength(): number {
    return this.rollout.length;
  }

  // ---- the core Agent interface (one env) -------------------------------------------------------

  act(obs: ActionSetObservation, opts: ActOptions): A {
    const stacked = stackActionSetObservations([obs]);
    const act = this.actBatch(stacked, 1, opts.explore, opts.rng);
    const action = envActions(act)[0] as A;
    // A sampled evaluation (opts.rng) keeps nothing: the next transition to learn from is training's.
    if (opts.explore && !opts.rng) this.pending = { obs, act, stacked, action };
    return action;
  }

  observe(t: Transition<ActionSetObservation, A>): void {
    if (this.pending === null || this.pending.obs !== t.obs || !sameAction(this.pending.action, t.action)) {
      throw new QscapeError(`${this.name}.observe: every transition must follow an act(obs, {explore: true}) on it`);
    }
    this.recordBatch({
      obs: this.pending.stacked,
      act: this.pending.act,
      rewards: [t.reward],
      terminated: [t.terminated ? 1 : 0],
      truncated: [t.truncated ? 1 : 0],
      next: stackActionSetObservations([t.nextObs]),
    });
    this.pending = null;
  }

  /** One PPO update on the stored rollout (epochs × minibatches Adam steps), then clears it. */
  update(): Record<string, number> {
    const columns = this.rollout;
    const T = columns.length;
    const E = columns[0]?.slots.length ?? 0;
    if (T === 0) throw new QscapeError(`${this.name}.update: the rollout is empty; record steps first`);
    const c = this.config;
    if (c.lrDecayUpdates !== undefined) {
      const lr = c.lr * Math.max(0, 1 - this.counts.updates / c.lrDecayUpdates);
      this.actorOptimizer.config.lr = lr;
      this.criticOptimizer.config.lr = lr;
    }
    const n = T * E;
    // Flat, time-major: sample t·E + e.
    const obs = concatStacked(columns.map((col) => col.obs));
    const next = concatStacked(columns.map((col) => col.next));
    // V(s_t) and V(s_{t+1}) of the whole rollout in one critic pass.
    const both = tf.tidy(
      () => this.critic.apply(this.tensors(concatStacked([obs, next]), 2 * n)).dataSync() as Float32Array,
    );
    const values = both.slice(0, n);
    const nextValues = both.subarray(n);
    const advantages = new Float32Array(n);
    const returns = new Float32Array(n);
    for (let e = 0; e < E; e++) {
      const pick = <A extends Float32Array | Uint8Array>(f: (col: RolloutColumn) => A, make: (k: number) => A) => {
        const out = make(T);
        for (let t = 0; t < T; t++) out[t] = f(columns[t] as RolloutColumn)[e] as number;
        return out;
      };
      const v = Float32Array.from({ length: T }, (_, t) => values[t * E + e] as number);
      const gae = computeGae({
        rewards: pick(
          (col) => col.rewards,
          (k) => new Float32Array(k),
        ),
        values: v,
        nextValues: Float32Array.from({ length: T }, (_, t) => nextValues[t * E + e] as number),
        terminated: pick(
          (col) => col.terminated,
          (k) => new Uint8Array(k),
        ),
        truncated: pick(
          (col) => col.truncated,
          (k) => new Uint8Array(k),
        ),
        gamma: c.gamma,
        lambda: c.gaeLambda,
      });
      for (let t = 0; t < T; t++) {
        advantages[t * E + e] = gae.advantages[t] as number;
        returns[t * E + e] = gae.returns[t] as number;
      }
    }
    const slots = new Int32Array(n);
    const oldLogProbs = new Float32Array(n);
    const head = this.head;
    const width = head?.choiceWidth ?? 0;
    const choices = new Float32Array(n * width);
    const dim = this.placement?.dim ?? 0;
    const placements = new Float32Array(n * dim);
    columns.forEach((col, t) => {
      slots.set(col.slots, t * E);
      oldLogProbs.set(col.logProbs, t * E);
      if (head) choices.set(col.choices as Float32Array, t * E * width);
      if (dim > 0) placements.set(col.placements as Float32Array, t * E * dim);
    });
    const minibatchSize = Math.max(1, Math.floor(n / c.minibatches));
    const totals = { policyLoss: 0, valueLoss: 0, entropy: 0, loss: 0, placementEntropy: 0 };
    let count = 0;
    tf.tidy(() => {
      const all = this.tensors(obs, n);
      const k = all.mask.shape[1];
      const allSlots = tf.tensor1d(slots, "int32");
      const allChoices = head ? tf.tensor2d(choices, [n, width]) : null;
      const allPlacements = dim > 0 ? tf.tensor2d(placements, [n, dim]) : null;
      const allOld = tf.tensor1d(oldLogProbs);
      const allValues = tf.tensor1d(values);
      const allAdv = tf.tensor1d(advantages);
      const allRet = tf.tensor1d(returns);
      for (let epoch = 0; epoch < c.epochs; epoch++) {
        const order = this.rng.permutation(n);
        for (let start = 0; start + minibatchSize <= n; start += minibatchSize) {
          const idx = tf.tensor1d(order.subarray(start, start + minibatchSize), "int32");
          const take = <X extends tf.Tensor>(x: X) => tf.gather(x, idx) as X;
          const mb: ActionSetTensors = {
            state: take(all.state),
            features: take(all.features),
            mask: take(all.mask),
            ids: take(all.ids),
            availability: take(all.availability),
            ...(all.adjacency ? { adjacency: take(all.adjacency) } : {}),
          };
          const chosen = head ? null : tf.oneHot(take(allSlots), k);
          const choice = allChoices ? take(allChoices) : null;
          const placed = allPlacements ? take(allPlacements) : null;
          const adv = c.normalizeAdvantages ? normalise(take(allAdv)) : take(allAdv);
          const oldLp = take(allOld);
          const oldV = take(allValues);
          const ret = take(allRet);
          const parts: tf.Scalar[] = [];
          const extra: tf.Scalar[] = [];
          // loss = policy loss + valueCoef · value loss − entropyCoef · entropy, one optimizer per network.
          totals.loss += this.actorOptimizer.minimize(() => {
            const terms: PolicyTerms = head
              ? head.logProbEntropy(mb, choice as tf.Tensor2D)
              : this.policyTerms(mb, chosen as tf.Tensor2D, placed);
            const { logProb, entropy } = terms;
            const pl = tf.mul(clippedPolicyLoss(logProb, oldLp, adv, c.clip), c.flipPolicyLoss ? -1 : 1) as tf.Scalar;
            const ent = tf.mean(entropy) as tf.Scalar;
            parts.push(tf.keep(pl), tf.keep(ent));
            if (terms.placementEntropy) extra.push(tf.keep(tf.mean(terms.placementEntropy) as tf.Scalar));
            return tf.sub(pl, tf.mul(ent, c.entropyCoef)) as tf.Scalar;
          });
          totals.loss += this.criticOptimizer.minimize(() => {
            const vl = valueLoss(this.critic.apply(mb), oldV, ret, c.clipValueLoss ? c.clip : null);
            parts.push(tf.keep(vl));
            return tf.mul(vl, c.valueCoef) as tf.Scalar;
          });
          const [pl, ent, vl, placementEntropy] = tf.stack([...parts, ...extra]).dataSync() as Float32Array;
          tf.dispose([...parts, ...extra]);
          if (extra.length > 0) totals.placementEntropy += placementEntropy as number;
          totals.policyLoss += pl as number;
          totals.valueLoss += vl as number;
          totals.entropy += ent as number;
          count += 1;
          this.counts.gradientUpdates += 1;
        }
      }
    });
    this.rollout = [];
    this.counts.updates += 1;
    return {
      policyLoss: totals.policyLoss / count,
      valueLoss: totals.valueLoss / count,
      entropy: totals.entropy / count,
      loss: totals.loss / count,
      // CREATE: the Betas' entropy, unscaled (the tool's is entropy − placementEntropyScale × this).
      ...(this.placement ? { placementEntropy: totals.placementEntropy / count } : {}),
    };
  }

  /**
   * The slot softmax's log-prob of the chosen slots (one-hot [B, K]) and its entropy; on CREATE
   * plus the placement's: log π(tool, u) = log π(tool) + Σ_j log Beta(u_j) (f_χ does not see the
   * tool, §2.4), entropy = H(tool) + placementEntropyScale · Σ_j H(Beta_j) (Table A.3 "continuous
   * entropy scaling" 0.1). The log-prob is of u ∈ [0, 1], not of the position: the affine map's
   * log-Jacobian, −Σ_j log(high_j − low_j), is a constant that cancels in PPO's ratio, so it is dropped.
   */
  private policyTerms(mb: ActionSetTensors, chosen: tf.Tensor2D, placements: tf.Tensor2D | null): PolicyTerms {
    const output = this.slotActor().apply(mb);
    const logProb = tf.sum(tf.mul(tf.logSoftmax(output.logits), chosen), 1) as tf.Tensor1D;
    const entropy = maskedEntropy(output.logits, mb.mask);
    if (!this.placement || !placements) return { logProb, entropy };
    const dist = this.placement.apply(this.placementInput(output));
    const placementEntropy = dist.entropy();
    return {
      logProb: tf.add(logProb, dist.logProb(placements)),
      entropy: tf.add(entropy, tf.mul(placementEntropy, this.config.placementEntropyScale)),
      placementEntropy,
    };
  }

  /**
   * What the update computes for given choices, as numbers: log π of slots `slots` [B] (and, on
   * CREATE, placements u [B × d] in [0, 1]) under the current weights, and the bonus's entropy.
   */
  evaluateActions(
    obs: StackedActionSetObservation,
    batch: number,
    slots: Int32Array,
    placements?: Float32Array,
  ): { logProbs: Float32Array; entropies: Float32Array; placementEntropies?: Float32Array } {
    this.check(obs, batch);
    const dim = this.placement?.dim ?? 0;
    if (dim > 0 && placements?.length !== batch * dim) {
      throw new QscapeError(`${this.name}.evaluateActions: a hybrid action space needs ${batch} × ${dim} placements`);
    }
    return tf.tidy(() => {
      const x = this.tensors(obs, batch);
      const chosen = tf.oneHot(tf.tensor1d(slots, "int32"), x.mask.shape[1]) as tf.Tensor2D;
      const terms = this.policyTerms(x, chosen, dim > 0 ? tf.tensor2d(placements as Float32Array, [batch, dim]) : null);
      return {
        logProbs: terms.logProb.dataSync() as Float32Array,
        entropies: terms.entropy.dataSync() as Float32Array,
        ...(terms.placementEntropy ? { placementEntropies: terms.placementEntropy.dataSync() as Float32Array } : {}),
      };
    });
  }

  /** CREATE: the placement Betas' parameters for each observation, α and β [B × d] row-major. */
  placementParameters(obs: StackedActionSetObservation, batch: number): { alpha: Float32Array; beta: Float32Array } {
    this.check(obs, batch);
    const placement = this.placement;
    if (!placement) throw new QscapeError(`${this.name}: this env's action space has no position (no placement head)`);
    return tf.tidy(() => {
      const dist = placement.apply(this.placementInput(this.slotActor().apply(this.tensors(obs, batch))));
      return { alpha: dist.alpha.dataSync() as Float32Array, beta: dist.beta.dataSync() as Float32Array };
    });
  }

  counters(): Record<string, number> {
    return { gradientUpdates: this.counts.gradientUpdates, qEvaluations: 0 };
  }

  stateParts(): StateParts {
    return {
      config: this.config,
      networks: { actor: this.actor, critic: this.critic, ...(this.placement ? { placement: this.placement } : {}) },
      stateful: {
        actorOptimizer: this.actorOptimizer,
        criticOptimizer: this.criticOptimizer,
        rng: this.rng,
        // The unfinished rollout: a resumed run completes it as the uninterrupted one would.
        rollout: {
          getState: () => this.rollout,
          setState: (columns: RolloutColumn[]) => {
            this.rollout = columns.map((col) => ({ ...col }));
          },
        },
      },
      counters: [this.counts],
    };
  }

  override load(state: Snapshot): void {
    super.load(state);
    this.pending = null;
  }
}

function concatStacked(parts: StackedActionSetObservation[]): StackedActionSetObservation {
  const cat = <A extends Float32Array | Int32Array | Uint8Array>(
    get: (p: StackedActionSetObservation) => A,
    out: A,
  ) => {
    let offset = 0;
    for (const p of parts) {
      out.set(get(p), offset);
      offset += get(p).length;
    }
    return out;
  };
  const total = (get: (p: StackedActionSetObservation) => { length: number }) =>
    parts.reduce((s, p) => s + get(p).length, 0);
  return {
    state: cat((p) => p.state, new Float32Array(total((p) => p.state))),
    actionIds: cat((p) => p.actionIds, new Int32Array(total((p) => p.actionIds))),
    actionFeatures: cat((p) => p.actionFeatures, new Float32Array(total((p) => p.actionFeatures))),
    actionMask: cat((p) => p.actionMask, new Uint8Array(total((p) => p.actionMask))),
  };
}

function normalise(x: tf.Tensor1D): tf.Tensor1D {
  const { mean, variance } = tf.moments(x);
  return tf.div(tf.sub(x, mean), tf.add(tf.sqrt(variance), 1e-8));
}
