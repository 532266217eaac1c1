/**
 * Ch. 2's whole method for a harness that builds the env itself (the bench): a utility policy
 * (Eq. 2.3, `variant: "utility-policy"`) that reads every available action through a learned
 * representation instead of the env's own features. `policy` swaps the utility policy for one of
 * §2.5.3's baselines over the same representations (`nearest-neighbor.ts`, `continuous-output.ts`). The representations are trained once, with
 * the run's seed, on the env's training actions (Algorithm 1's first loop) before the policy's
 * first step, and kept in the agent's snapshot, so a resumed run reads them back instead of
 * training again. The agent holds an `AgilePPOAgent` (composition) and only swaps the features.
 *
 * `representation: { model: "hand-engineered" }` skips stage 1: the policy reads the env's own action
 * features as they are. On SkillGridWorld these are the 5-d skill codes (Ch. 2 §2.6.3, Fig. 2.7b: in
 * Grid World the HVAE performs comparably to them), so the policy comparison can run without training
 * the HVAE; on the recommender (RecoGym-v0) they are the only representations there are (App. A.2,
 * Table A.3: the 16-d product vectors are given by the environment, not learned).
 */
import { type ActOptions, type Agent, type EnvSpaces, QscapeError, type Snapshot, type Transition } from "@qscape/core";
import {
  ActionInventory,
  type ActionSetObservation,
  CreateEnv,
  handEngineeredSkillCodes,
  NUM_SKILLS,
  SkillGridWorldEnv,
} from "@qscape/envs";
import { z } from "zod";
import { type AgileAction, AgilePPOAgent, actionSetShape, type PolicyHeadFactory } from "../agent.js";
import { AgileConfig } from "../config.js";
import { RepresentationSizeError } from "../errors.js";
import { REPRESENTATION_MODELS, RepresentationConfig } from "./config.js";
import { continuousOutputHead } from "./continuous-output.js";
import {
  type ActionRepresentations,
  type RepresentationMeta,
  trainRepresentations,
  UnsupportedRepresentationEnvError,
} from "./hvae.js";
import { nearestNeighborHead, trainingSplitControl, trainingSplitOf } from "./nearest-neighbor.js";

/**
 * The policy over the representations: Ch. 2's utility policy (Eq. 2.3, "Ours") or one of the
 * §2.5.3 baselines that pick actions by distances in representation space instead.
 */
export const NEW_ACTIONS_POLICIES = ["utility-policy", "nearest-neighbor", "continuous-output"] as const;
export type NewActionsPolicy = (typeof NEW_ACTIONS_POLICIES)[number];

/**
 * Where the policy's action features come from: a model learned from play data (`"hvae"`,
 * `"flat-vae"`), or `"hand-engineered"`, the env's own codes used as they are (no stage 1).
 */
export const NEW_ACTIONS_REPRESENTATIONS = [...REPRESENTATION_MODELS, "hand-engineered"] as const;
export type NewActionsRepresentation = (typeof NEW_ACTIONS_REPRESENTATIONS)[number];

/** A learned representation stage's settings; its seed is the run's. */
const LearnedRepresentation = RepresentationConfig.omit({ seed: true, flipKl: true }).strict();

/**
 * The hand-engineered choice learns nothing, so every learned setting is refused by name rather
 * than silently ignored (a run's config should not claim settings that had no effect); the width
 * is the env's (5 on SkillGridWorld-v0: one code per move of the skill, App. A.1).
 */
const HandEngineeredRepresentation = z.strictObject(
  { model: z.literal("hand-engineered") },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `${issue.keys.map((k) => `representation.${k}`).join(", ")}: not a setting of model "hand-engineered" (nothing is learned: the policy reads the env's own features; model is its only setting)`
        : undefined,
  },
);

/** The policy's settings (Utility-Policy's) plus the representation stage's, seeded by the run. */
export const NewActionsConfig = AgileConfig.extend({
  /** The critic's (and Ours' actor's) variant: V(s), as Utility-Policy's. */
  variant: z.literal("utility-policy").default("utility-policy"),
  /** Ours, or a §2.5.3 baseline (`nearest-neighbor`, `continuous-output`) over the same representations. */
  policy: z.enum(NEW_ACTIONS_POLICIES).default("utility-policy"),
  /** Table A.3 Grid world: entropy 0.05; PPO batch 4096 = 32 processes × 128 steps. */
  numEnvs: AgileConfig.shape.numEnvs.default(32),
  /** A learned model's settings (default: the HVAE), or `{ model: "hand-engineered" }` alone. */
  representation: z.discriminatedUnion("model", [HandEngineeredRepresentation, LearnedRepresentation]).prefault({}),
});
export type NewActionsConfigInput = z.input<typeof NewActionsConfig>;
export type NewActionsSettings = z.output<typeof NewActionsConfig>;

/** The SkillGridWorld under the wrappers, or null. */
function skillGridWorld(spaces: EnvSpaces): SkillGridWorldEnv | null {
  const inner = (spaces as { unwrapped?: unknown }).unwrapped ?? spaces;
  return inner instanceof SkillGridWorldEnv ? inner : null;
}

/**
 * The registered id whose play data the representations learn from, and how many of the env's
 * actions have play data, when a representation can be learned for it: SkillGridWorld (1,024
 * skills) or a CREATE level without activators (the 2,110 general tools; the No-Op has none), made
 * with `make` or built directly. Else null.
 */
function playDataEnv(spaces: EnvSpaces): { id: string; numActions: number } | null {
  const inner = (spaces as { unwrapped?: unknown }).unwrapped ?? spaces;
  if (inner instanceof SkillGridWorldEnv) return { id: "SkillGridWorld-v0", numActions: NUM_SKILLS };
  if (inner instanceof CreateEnv && !inner.config.activators) {
    return { id: `Create${inner.level}-v0`, numActions: inner.noOp };
  }
  return null;
}

/** The env's action inventory (its representation table and splits) under the wrappers, or null. */
function envInventory(spaces: EnvSpaces): ActionInventory | null {
  const inner = ((spaces as { unwrapped?: unknown }).unwrapped ?? spaces) as { inventory?: unknown };
  return inner?.inventory instanceof ActionInventory ? inner.inventory : null;
}

/**
 * null when the env carries features the policy can read as they are: an action-set env with a
 * Discrete inventory and its representation table (SkillGridWorld-v0, RecoGym-v0, DigLava-v0, …),
 * else why not. CREATE's (tool, position) action is Utility-Policy's own entry (`utility-policy`).
 */
function envFeaturesControl(spaces: EnvSpaces): string | null {
  let hybrid: boolean;
  try {
    hybrid = actionSetShape(spaces, {}).position !== undefined;
  } catch (err) {
    return (err as Error).message;
  }
  if (hybrid) {
    return "a (tool, position) action: the new-actions entries choose a Discrete action only (run CREATE with utility-policy)";
  }
  return envInventory(spaces)
    ? null
    : "has no action inventory with a representation table (the features the policy would read)";
}

interface ControlConfig {
  policy?: string;
  representation: { model: string };
}

/**
 * null when the env supports `config`'s representation and policy: the env's own features need an
 * action-set env with an inventory; a learned model needs play data (SkillGridWorld-v0, a CREATE
 * level without activators); on CREATE's (tool, position) action only the utility policy has the
 * placement head. Without a config the default (a learned HVAE, the utility policy) is asked about.
 */
export function newActionsControl(spaces: EnvSpaces, config?: ControlConfig): string | null {
  const model = config?.representation.model ?? "hvae";
  if (model === "hand-engineered") return envFeaturesControl(spaces);
  if (!playDataEnv(spaces)) {
    return `representation.model "${model}" needs play data: SkillGridWorld-v0 or a CREATE level without activators (CreatePush-v0, CreateObstacle-v0, CreateSeesaw-v0); representation: { model: "hand-engineered" } reads an action-set env's own features`;
  }
  const policy = config?.policy ?? "utility-policy";
  if (policy !== "utility-policy" && skillGridWorld(spaces) === null) {
    return `policy "${policy}" chooses a tool only; on CREATE's (tool, position) action the utility policy (new-actions-hvae) runs, with the placement head`;
  }
  return null;
}

/** `newActionsControl`, and the Nearest-Neighbor head's training split must be readable. */
export function nearestNeighborControl(spaces: EnvSpaces, config?: ControlConfig): string | null {
  return newActionsControl(spaces, config) ?? trainingSplitControl(spaces);
}

/** Snapshot (and agent) names per policy; Ours keeps the name its checkpoints already carry. */
const AGENT_NAMES: Record<NewActionsPolicy, string> = {
  "utility-policy": "new-actions",
  "nearest-neighbor": "new-actions-nn",
  "continuous-output": "new-actions-continuous",
};

/** FNV-1a over the values' bytes: names the exact table a run used, as a metric. */
export function representationDigest(values: Float32Array): number {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** Equal lengths and equal values, element by element. */
function sameValues(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * What a hand-engineered run's snapshot keeps of its representations: no table (the codes are the
 * env's, a function of nothing), only what checks that the resuming agent reads the same ones.
 */
interface HandEngineeredSnapshot {
  model: "hand-engineered";
  numActions: number;
  size: number;
  digest: number;
}

/** `A`: `number` on Discrete inventories, `HybridAction` on CREATE (`new NewActionsAgent<HybridAction>(env)`). */
export class NewActionsAgent<A extends AgileAction = number> implements Agent<ActionSetObservation, A> {
  readonly name: string;
  readonly config: NewActionsSettings;
  readonly policy: AgilePPOAgent<A>;
  /** The policy samples from `ActOptions.rng` when given (sampled evaluation). */
  readonly samplesWithGivenRng = true;
  /** The env the representations are learned for (its registered id), or null with the env's own features. */
  private readonly playEnv: string | null;
  private readonly trainIds: Int32Array;
  private readonly slots: number;
  /** Width of the features the policy reads: the learned size, or the env's (5 for SkillGridWorld's codes). */
  private readonly size: number;
  /** Rows of the feature table: the env's inventory size (1,024 skills on SkillGridWorld). */
  private readonly numActions: number;
  /** The env's own [numActions × size] features with `representation.model: "hand-engineered"`, else null. */
  private readonly handEngineered: Float32Array | null;
  private table: ActionRepresentations | null = null;
  /** The last explored observation and its translation (the policy's `observe` checks identity). */
  private pending: { obs: ActionSetObservation; translated: ActionSetObservation } | null = null;
  /** Reported once, with the first update's metrics. */
  private unreported = true;

  constructor(spaces: EnvSpaces, config: NewActionsConfigInput = {}) {
    const parsed = NewActionsConfig.safeParse(config);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
      throw new QscapeError(`new-actions config: ${issues}`);
    }
    this.config = parsed.data;
    this.name = AGENT_NAMES[this.config.policy];
    const why = newActionsControl(spaces, this.config);
    if (why) throw new UnsupportedRepresentationEnvError(`${this.name}: ${why}`);
    this.trainIds = trainingSplitOf(spaces);
    this.slots = actionSetShape(spaces, {}).slots;
    const representation = this.config.representation;
    const grid = skillGridWorld(spaces);
    if (representation.model === "hand-engineered") {
      const inventory = envInventory(spaces) as ActionInventory;
      // The label must stay true: a SkillGridWorld built with a `representations` table carries other features.
      if (grid && !sameValues(inventory.representations, handEngineeredSkillCodes())) {
        throw new QscapeError(
          `${this.name}: representation.model "hand-engineered" reads the env's own features, but this SkillGridWorld carries a ${NUM_SKILLS} × ${inventory.dim} table that is not its 5-d hand-engineered codes (built with the representations option?)`,
        );
      }
      this.handEngineered = inventory.representations;
      this.size = inventory.dim;
      this.numActions = inventory.size;
      this.playEnv = null;
    } else {
      this.handEngineered = null;
      this.size = representation.representationSize;
      const source = playDataEnv(spaces) as { id: string; numActions: number };
      this.playEnv = source.id;
      this.numActions = source.numActions;
    }
    const d = this.size;
    const { representation: _, policy, ...policyConfig } = this.config;
    if (policyConfig.representationSize !== undefined && policyConfig.representationSize !== d) {
      throw new RepresentationSizeError(
        this.handEngineered
          ? `new-actions: representationSize is ${policyConfig.representationSize}, but the env's own action features are ${d} wide`
          : `new-actions: representationSize is ${policyConfig.representationSize}, but representation.representationSize is ${d}`,
      );
    }
    // The baselines read the same table as the policy's features: NN for its chosen training
    // action's row (the rows `translate` puts in the observations), continuous-output through them.
    const head: PolicyHeadFactory | undefined =
      policy === "nearest-neighbor"
        ? nearestNeighborHead({ trainIds: this.trainIds, representations: () => this.features() })
        : policy === "continuous-output"
          ? continuousOutputHead()
          : undefined;
    // The policy sees d-wide features: the learned ones, or the env's own codes.
    const obsSpace = spaces.observationSpace as { spaces: Record<string, { shape?: readonly number[] }> };
    this.policy = new AgilePPOAgent<A>(
      {
        ...spaces,
        observationSpace: {
          spaces: { ...obsSpace.spaces, actionFeatures: { ...obsSpace.spaces.actionFeatures, shape: [this.slots, d] } },
        },
      },
      { ...policyConfig, representationSize: d },
      head ? { head } : {},
    );
  }

  /** The learned representation table, trained on first use unless a snapshot brought it. */
  representations(): ActionRepresentations {
    const representation = this.config.representation;
    if (representation.model === "hand-engineered") {
      throw new QscapeError(
        `${this.name}.representations: representation.model "hand-engineered" learns none; features() gives the env's codes the policy reads`,
      );
    }
    if (!this.table) {
      const { meta, values } = trainRepresentations({
        ...representation,
        env: this.playEnv as string,
        seed: this.config.seed,
        trainActions: this.trainIds,
      });
      this.table = { meta, values };
    }
    return this.table;
  }

  /**
   * The [numActions × d] table (row = inventory id) the policy's features come from: the learned
   * representations (trained on first use), or the env's hand-engineered codes.
   */
  features(): Float32Array {
    return this.handEngineered ?? this.representations().values;
  }

  /**
   * `obs` with each slot's features replaced by its action's learned representation; the
   * observation itself with the hand-engineered codes (it already carries them).
   */
  translate(obs: ActionSetObservation): ActionSetObservation {
    if (this.handEngineered) return obs;
    const { values, meta } = this.representations();
    const d = meta.size;
    const ids = obs.actionIds as Int32Array;
    const features = new Float32Array(ids.length * d);
    ids.forEach((id, slot) => {
      // Padded slots, and CREATE's No-Op (an id past the tools, with no play data), keep a zero row.
      if (id >= 0 && id < this.numActions) features.set(values.subarray(id * d, id * d + d), slot * d);
    });
    return { ...obs, actionFeatures: features };
  }

  act(obs: ActionSetObservation, opts: ActOptions): A {
    const translated = this.translate(obs);
    const action = this.policy.act(translated, opts);
    // A sampled evaluation (opts.rng) keeps nothing for learning, as a greedy one.
    this.pending = opts.explore && !opts.rng ? { obs, translated } : null;
    return action;
  }

  observe(t: Transition<ActionSetObservation, A>): void {
    if (this.pending === null || this.pending.obs !== t.obs) {
      throw new QscapeError(`${this.name}.observe: every transition must follow an act(obs, {explore: true}) on it`);
    }
    this.policy.observe({ ...t, obs: this.pending.translated, nextObs: this.translate(t.nextObs) });
    this.pending = null;
  }

  /**
   * The PPO update's metrics; the first also says which representation the run uses:
   * `representationHandEngineered` (1 the env's codes, 0 learned), and for a learned table
   * `representationHierarchical` (1 HVAE, 0 flat VAE) and its final loss.
   */
  update(): Record<string, number> {
    const metrics = this.policy.update();
    if (!this.unreported) return metrics;
    this.unreported = false;
    if (this.handEngineered) {
      return {
        ...metrics,
        representationHandEngineered: 1,
        representationSize: this.size,
        representationDigest: representationDigest(this.handEngineered),
      };
    }
    const { meta, values } = this.representations();
    return {
      ...metrics,
      representationHierarchical: meta.model === "hvae" ? 1 : 0,
      representationHandEngineered: 0,
      representationSize: meta.size,
      representationDigest: representationDigest(values),
      representationFinalLoss: meta.final.loss,
    };
  }

  save(): Snapshot {
    if (this.handEngineered) {
      const representations: HandEngineeredSnapshot = {
        model: "hand-engineered",
        numActions: this.numActions,
        size: this.size,
        digest: representationDigest(this.handEngineered),
      };
      return { name: this.name, policy: this.policy.save(), representations: { ...representations } };
    }
    const table = this.representations();
    return {
      name: this.name,
      policy: this.policy.save(),
      representations: { meta: JSON.parse(JSON.stringify(table.meta)) as Snapshot, values: table.values },
    };
  }

  load(state: Snapshot): void {
    const s = state as {
      name?: unknown;
      policy?: Snapshot;
      representations?: { meta?: unknown; values?: unknown; model?: unknown };
    };
    if (s?.name !== this.name || !s.representations)
      throw new QscapeError(`${this.name}.load: not a ${this.name} snapshot`);
    const saved = s.representations;
    const savedModel =
      saved.model === "hand-engineered"
        ? "hand-engineered"
        : ((saved.meta as RepresentationMeta | undefined)?.model ?? "of an unknown model");
    const model = this.config.representation.model;
    if ((savedModel === "hand-engineered") !== (model === "hand-engineered")) {
      throw new QscapeError(
        `${this.name}.load: the snapshot's representations are ${savedModel}, this agent's ${model} (representation.model)`,
      );
    }
    if (this.handEngineered) {
      const hand = saved as Partial<HandEngineeredSnapshot>;
      if (
        hand.numActions !== this.numActions ||
        hand.size !== this.size ||
        hand.digest !== representationDigest(this.handEngineered)
      ) {
        throw new QscapeError(
          `${this.name}.load: the snapshot's hand-engineered features (${hand.numActions} × ${hand.size}, digest ${hand.digest}) are not this env's`,
        );
      }
      this.policy.load(s.policy ?? null);
      return;
    }
    if (!(saved.values instanceof Float32Array))
      throw new QscapeError(`${this.name}.load: not a ${this.name} snapshot`);
    const meta = saved.meta as RepresentationMeta;
    if (meta.numActions !== this.numActions || meta.size !== this.size) {
      throw new QscapeError(
        `${this.name}.load: the snapshot's representations are ${meta.numActions} × ${meta.size}, this agent's ${this.numActions} × ${this.size}`,
      );
    }
    this.policy.load(s.policy ?? null);
    this.table = { meta, values: saved.values };
  }

  counters(): Record<string, number> {
    return this.policy.counters();
  }

  dispose(): void {
    this.policy.dispose();
  }
}
