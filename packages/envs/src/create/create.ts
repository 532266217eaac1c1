/**
 * CREATE, the Chain REAction Tool Environment (new-actions paper App. A.3), Ch. 2
 * configuration: get the red target ball into the green goal by placing tools from this episode's
 * action set, one tool (or the No-Op) every 40 physics steps, at most 30 actions.
 *
 * - Action (hybrid, §A6.3 "Dict(index, pos)"): `{ tool, position }`, `tool` an inventory index
 *   available this episode (an `ActionSubset`), `position` (x, y) in the screen box [−1, 1]².
 * - Inventory: the 2,110 general tools of tools.ts plus the No-Op (index 2,110), offered in every
 *   episode on top of m = 50 tools drawn from the episode's split (Table A.3). Splits: "default"
 *   (§A6.3: the tools split at random 2:1:1 by `ActionInventory`) or "full" (Table A.1 by class,
 *   the held-out classes cut 1:1 into validation and test, §A6.3 "validation = a random half").
 * - Reward (§A6.3, Eq. A.3 read as a sum, Part C #1), per action: 0.01 alive; +10 when the target
 *   touches the goal (terminates); +2 per subgoal region the target reaches, once each (off with
 *   `subgoalReward: false`, App. C.3); +1 the first time the target is hit by a placed tool or the
 *   marker ball; −0.01 for an invalid placement (the tool would reach off the screen); −0.01 for
 *   an overlap (within 0.3 of a placed tool's position, the code's `overlap_threshold`, or touching
 *   any object). Rejected tools are not placed; the No-Op pays nothing extra.
 * - Termination (§A6.3): goal reached, target off the screen, or nothing on the screen moving
 *   (every dynamic body slower than 0.05 m/s) at the end of two consecutive actions. The 30-action
 *   limit is the registered TimeLimit (truncation).
 * - Observation: the padded action set of action-set.ts with `state` either the low-dimensional
 *   default (`observation: "state"`, `CREATE_STATE_DIM`: target x, y, vx, vy; goal x, y; marker x,
 *   y, vx, vy; actions taken / 30; subgoals reached / subgoals; then (x, y, 1) of each placed tool,
 *   screen units, velocities in screen units per second) or `observation: "image"`: the 84 × 84 × 3
 *   stack (HWC, [0, 1]) of grayscale frames after physics steps 13, 26 and 40 of the last action
 *   (§A6.3 "last 3 grayscale frames"; the reset frame three times).
 * - Action features: ground-truth tool parameters (tools.ts), the stand-in for the paper's
 *   128-d HVAE embeddings; `representations` feeds learned ones ([2,111 × d]).
 *
 * `activators: true` is AGILE's configuration (§B4.2; Part C #10 keeps the two apart): 5 activator
 * tools (fire, water, electric, magnet, spring; inventory 2,111–2,115, 1.2 m square pads) of which
 * each episode offers 2, with m = 23 general tools (registered as `CreateActivatorsPush-v0`); a
 * general tool works only while it touches an activator of its kind (`CREATE_TOOL_ACTIVATOR`) and
 * is pass-through otherwise (loose ones still rest on the level); no No-Op; reward 0.01 + 10 goal
 * + 1 target hit − 0.01 invalid − 0.01 overlap (no subgoal term), where overlaps count only
 * between two general tools or two activators; features [tool features, 0 × 6] for general tools
 * and [0 × d, one-hot over {no-op, fire, water, electric, magnet, spring}] for activators.
 */
import { z } from "zod";
import type { ActionRepresentation, HasActionRepresentation } from "../discrete/action-representation.js";
import {
  ActionInventory,
  type ActionSetObservation,
  type ActionSplit,
  actionSetConfigFields,
  actionSetObservationSpace,
  checkAvailableAction,
  type EpisodeActionSetConfig,
  observeActionSet,
  resetActionSet,
  resolveActionSetConfig,
} from "../discrete/action-set.js";
import type { RgbFrame } from "../discrete/grid-render.js";
import type { Info, ResetArgs, StepResult } from "../env.js";
import { Env, envLabel } from "../env.js";
import { EnvError, InvalidActionError, PositionOutOfRangeError, ResetNeededError } from "../errors.js";
import { ActionSubset, Box, Dict, describeValue } from "../spaces.js";
import {
  buildLevel,
  type CreateLevel,
  checkLevel,
  GOAL_RADIUS,
  type LevelScene,
  SUBGOAL_RADIUS,
  TARGET_RADIUS,
} from "./levels.js";
import { grayscaleInto, renderCreate } from "./render.js";
import {
  CREATE_ACTIVATORS,
  CREATE_FULL_SPLIT_HELD_OUT,
  CREATE_FULL_SPLIT_TRAIN,
  CREATE_TOOL_ACTIVATOR,
  type CreateTool,
  createToolFeatures,
  generateCreateTools,
  toolIdsOfClasses,
} from "./tools.js";
import { CREATE_PHYSICS_STEPS_PER_ACTION, CREATE_SCALE, CreateWorld, type FixtureTag, tagOf } from "./world.js";

/** §A6.3 reward constants (the code's `CreateGameSettings` defaults). */
export const CREATE_REWARD = {
  alive: 0.01,
  goal: 10,
  subgoal: 2,
  targetHit: 1,
  invalid: -0.01,
  overlap: -0.01,
} as const;

/** At most 30 actions per episode (§A6.3; the registered time limit). */
export const CREATE_MAX_ACTIONS = 30;
/** Minimum distance, in action units, between placed tools' positions (the code's `overlap_threshold`). */
export const CREATE_OVERLAP_THRESHOLD = 0.3;
/** Dynamic bodies slower than this (m/s) count as still. */
export const CREATE_MIN_VELOCITY = 0.05;
export const CREATE_IMAGE_SIZE = 84;
/** Physics steps (1-based) within an action after which the 3 stacked frames are taken. */
const FRAME_STEPS = [13, 26, 40] as const;
export const CREATE_STATE_DIM = 12 + 3 * CREATE_MAX_ACTIONS;
/** Activators offered per episode (§B4.2: 23 general tools + 2 activators). */
const ACTIVATORS_PER_EPISODE = 2;

export interface CreateAction extends Record<string, unknown> {
  /** Inventory index of a tool available this episode (or the No-Op). */
  tool: number;
  /** (x, y) in [−1, 1]², the screen centred at (0, 0). */
  position: ArrayLike<number>;
}

export type CreateOutcome = "placed" | "noop" | "invalid" | "overlap";

export const CreateConfigSchema = z
  .object({
    /** One of `CREATE_LEVELS`; a plain string so an unknown level fails with `UnknownLevelError`. */
    level: z.string().default("Push"),
    ...actionSetConfigFields(50),
    /** "default": random 2:1:1 over all tools; "full": Table A.1's class-based split. */
    toolSplit: z.enum(["default", "full"]).default("default"),
    observation: z.enum(["state", "image"]).default("state"),
    /** App. C.3 trains CREATE without the subgoal reward. */
    subgoalReward: z.boolean().default(true),
    /** [2,111 × d] tool representations (e.g. HVAE means, No-Op last); default the ground-truth features. */
    representations: z.instanceof(Float32Array).optional(),
    /**
     * AGILE's configuration (§B4.2, Part C #10): 5 activator tools, 2 of them per episode; general
     * tools only work while touching their activator; no No-Op and no subgoal term.
     */
    activators: z.boolean().default(false),
    /** "rgb_array" makes `render()` return frames (Gymnasium `render_mode`). */
    renderMode: z.literal("rgb_array").optional(),
  })
  .strict();

export type CreateConfig = z.input<typeof CreateConfigSchema>;

interface Placed {
  tool: number;
  x: number;
  y: number;
}

export class CreateEnv extends Env<ActionSetObservation, CreateAction> implements HasActionRepresentation {
  readonly config: z.output<typeof CreateConfigSchema>;
  readonly level: CreateLevel;
  readonly tools: readonly CreateTool[];
  /** Inventory index of the No-Op (= the number of general tools); never offered with `activators`. */
  readonly noOp: number;
  /** Inventory index of the first activator (fire; `CREATE_ACTIVATORS` order), with `activators`. */
  readonly firstActivator: number;
  readonly inventory: ActionInventory;
  readonly actionSet: EpisodeActionSetConfig;
  /** The `tool` part of the action: this episode's tools plus the No-Op (or 2 activators). */
  readonly toolSpace: ActionSubset;
  readonly actionSpace: Dict<CreateAction>;
  readonly observationSpace: Dict<ActionSetObservation>;
  readonly actionRepresentation: ActionRepresentation;
  /** The split of the current episode's action set. */
  split: ActionSplit = "train";
  /** Actions taken this episode. */
  steps = 0;
  world = new CreateWorld();
  private scene: LevelScene | null = null;
  private placed: Placed[] = [];
  private subgoalReached: boolean[] = [];
  private targetHit = false;
  private stillActions = 0;
  private readonly frames = new Float32Array(CREATE_IMAGE_SIZE * CREATE_IMAGE_SIZE * 3);

  constructor(config: CreateConfig = {}) {
    super();
    const parsed = CreateConfigSchema.safeParse(config);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; ");
      throw new EnvError(`CREATE: invalid config (${issues})`);
    }
    const c = parsed.data;
    this.config = c;
    this.level = checkLevel(c.level);
    this.tools = generateCreateTools();
    this.noOp = this.tools.length;
    this.firstActivator = this.noOp + 1;
    const base = c.representations ?? createToolFeatures(this.tools);
    const baseDim = base.length / (this.noOp + 1);
    if (!Number.isInteger(baseDim) || baseDim < 1) {
      throw new EnvError(`CREATE: representations has ${base.length} values, not ${this.noOp + 1} × d`);
    }
    const size = c.activators ? this.firstActivator + CREATE_ACTIVATORS.length : this.noOp + 1;
    const representations = c.activators ? activatorRepresentations(base, baseDim, this.noOp) : base;
    const dim = representations.length / size;
    this.inventory = new ActionInventory({
      representations: representations.subarray(0, this.noOp * dim),
      size: this.noOp,
      dim,
      splitSeed: c.splitSeed,
      splitRatio: c.splitRatio,
      fixedSplit:
        c.toolSplit === "full"
          ? {
              train: toolIdsOfClasses(this.tools, CREATE_FULL_SPLIT_TRAIN),
              heldOut: toolIdsOfClasses(this.tools, CREATE_FULL_SPLIT_HELD_OUT),
            }
          : undefined,
    });
    this.actionSet = resolveActionSetConfig("CREATE", this.inventory, c);
    // Besides m tools, each episode offers the No-Op (Ch. 2) or 2 of the 5 activators (§B4.2).
    this.toolSpace = new ActionSubset(size, this.actionSet.maxActions + (c.activators ? ACTIVATORS_PER_EPISODE : 1));
    this.actionSpace = new Dict<CreateAction>({ tool: this.toolSpace, position: new Box(-1, 1, [2]) });
    const state =
      c.observation === "image"
        ? new Box(0, 1, [CREATE_IMAGE_SIZE, CREATE_IMAGE_SIZE, 3])
        : new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, [CREATE_STATE_DIM]);
    const ground = c.representations === undefined;
    this.observationSpace = actionSetObservationSpace(
      state,
      size,
      dim,
      this.toolSpace.maxAvailable,
      ground ? -1 : Number.NEGATIVE_INFINITY,
      ground ? 1 : Number.POSITIVE_INFINITY,
    );
    this.actionRepresentation = {
      itemEmbeddings: representations,
      numItems: size,
      dim,
      available: this.toolSpace.mask,
    };
    this.metadata = { renderModes: ["rgb_array"] };
    this.initRenderMode(c.renderMode);
  }

  /** MaskablePPO's `action_masks()` over the tool index: 1 for this episode's tools and the No-Op. */
  actionMask(): Uint8Array {
    return this.toolSpace.mask.slice();
  }

  /** `options.split` ("train" | "validation" | "test") overrides the configured split for this episode. */
  reset({ seed, options }: ResetArgs = {}): [ActionSetObservation, Info] {
    this.seedRng(seed);
    const extra = this.config.activators
      ? Array.from(this.rng.permutation(CREATE_ACTIVATORS.length).subarray(0, ACTIVATORS_PER_EPISODE))
          .sort((a, b) => a - b)
          .map((k) => this.firstActivator + k)
      : [this.noOp];
    this.split = resetActionSet(this, this.inventory, this.toolSpace, this.actionSet, options, extra);
    this.world = new CreateWorld();
    const scene = buildLevel(this.level, this.world, this.rng, this.paysSubgoals());
    this.scene = scene;
    this.placed = [];
    this.subgoalReached = scene.subgoals.map(() => false);
    this.targetHit = false;
    this.stillActions = 0;
    this.steps = 0;
    // The target is "hit" when a placed tool or the marker ball touches it (§A6.3 target term).
    this.world.world.on("begin-contact", (contact) => {
      const a = contact.getFixtureA();
      const b = contact.getFixtureB();
      const [ta, tb] = [tagOf(a), tagOf(b)];
      const other = ta.role === "target" ? tb : tb.role === "target" ? ta : null;
      const hits = other && (other.role === "tool" || other.role === "marker") && other.solid;
      if (hits && this.world.isActive(other)) this.targetHit = true;
    });
    if (this.config.observation === "image") {
      const frame = renderCreate(this.world.world, CREATE_IMAGE_SIZE);
      for (let c = 0; c < 3; c++) grayscaleInto(frame, this.frames, c, 3);
    }
    return [this.observe(), { actionRepresentation: this.actionRepresentation, split: this.split }];
  }

  step(action: CreateAction): StepResult<ActionSetObservation> {
    const scene = this.scene;
    if (!scene) throw new ResetNeededError(`${envLabel(this)}: call reset() before step()`);
    if (typeof action !== "object" || action === null || !("tool" in action) || !("position" in action)) {
      throw new InvalidActionError(`${envLabel(this)}: expected { tool, position }, got ${describeValue(action)}`);
    }
    checkAvailableAction(this, this.toolSpace, action.tool);
    const pos = action.position;
    const x = Number(pos?.[0]);
    const y = Number(pos?.[1]);
    if (pos?.length !== 2 || !(Math.abs(x) <= 1) || !(Math.abs(y) <= 1)) {
      throw new PositionOutOfRangeError(
        `${envLabel(this)}: position must be 2 numbers in [−1, 1], got ${describeValue(pos)} ${Array.from(pos ?? [])}`,
      );
    }
    const R = CREATE_REWARD;
    let reward = R.alive;
    const outcome = this.place(action.tool, x, y);
    if (outcome === "invalid") reward += R.invalid;
    else if (outcome === "overlap") reward += R.overlap;

    const wasHit = this.targetHit;
    let success = false;
    let newSubgoals = 0;
    const target = scene.target;
    for (let k = 1; k <= CREATE_PHYSICS_STEPS_PER_ACTION && !success; k++) {
      this.world.step();
      const p = target.getPosition();
      const tx = p.x / CREATE_SCALE;
      const ty = p.y / CREATE_SCALE;
      success = Math.hypot(tx - scene.goal[0], ty - scene.goal[1]) <= GOAL_RADIUS + TARGET_RADIUS;
      scene.subgoals.forEach(([sx, sy], i) => {
        if (this.subgoalReached[i] || Math.hypot(tx - sx, ty - sy) > SUBGOAL_RADIUS + TARGET_RADIUS) return;
        this.subgoalReached[i] = true;
        this.world.world.destroyBody(scene.subgoalBodies[i] as (typeof scene.subgoalBodies)[number]);
        newSubgoals++;
      });
      if (this.config.observation === "image" && (FRAME_STEPS.includes(k as (typeof FRAME_STEPS)[number]) || success)) {
        const rgb = renderCreate(this.world.world, CREATE_IMAGE_SIZE);
        // On success the episode ends mid-action: this frame also fills the channels not yet taken.
        const from = FRAME_STEPS.filter((s) => s < k).length;
        for (let c = from; c < (success ? 3 : from + 1); c++) grayscaleInto(rgb, this.frames, c, 3);
      }
    }
    this.steps++;
    if (success) reward += R.goal;
    reward += R.subgoal * newSubgoals;
    const hitNow = this.targetHit && !wasHit;
    if (hitNow) reward += R.targetHit;

    const p = target.getPosition();
    const offScreen = Math.max(Math.abs(p.x), Math.abs(p.y)) / CREATE_SCALE > 1 + TARGET_RADIUS;
    this.stillActions = this.onScreenSpeed() < CREATE_MIN_VELOCITY ? this.stillActions + 1 : 0;
    const stopped = this.stillActions >= 2;
    const terminated = success || offScreen || stopped;
    const obs = this.observe();
    if (terminated) this.scene = null;
    return [
      obs,
      reward,
      terminated,
      false,
      { success, outcome, targetHit: hitNow, subgoals: newSubgoals, offScreen, stopped },
    ];
  }

  /** Subgoal regions exist (and pay) in the Ch. 2 configuration unless switched off (App. C.3). */
  private paysSubgoals(): boolean {
    return this.config.subgoalReward && !this.config.activators;
  }

  /**
   * Validates and places the chosen tool (§A6.3 invalid and overlap rules; with activators, only
   * general tools block general tools and activators block activators, §B4.2).
   */
  private place(tool: number, x: number, y: number): CreateOutcome {
    if (tool === this.noOp) return "noop";
    const activator = tool >= this.firstActivator ? CREATE_ACTIVATORS[tool - this.firstActivator] : undefined;
    const sameKind = this.placed.filter((q) => q.tool >= this.firstActivator === (activator !== undefined));
    if (sameKind.some((q) => Math.hypot(q.x - x, q.y - y) <= CREATE_OVERLAP_THRESHOLD)) return "overlap";
    const [wx, wy] = [x * CREATE_SCALE, y * CREATE_SCALE];
    const general = this.tools[tool] as CreateTool;
    const bodies = activator ? this.world.addActivator(activator, wx, wy) : this.world.addTool(general, wx, wy);
    const blocking = activator ? (t: FixtureTag) => t.activator !== undefined : undefined;
    const outcome = this.world.outside(bodies, CREATE_SCALE)
      ? "invalid"
      : this.world.overlapsOthers(bodies, blocking)
        ? "overlap"
        : "placed";
    if (outcome !== "placed") {
      this.world.removeBodies(bodies);
      return outcome;
    }
    if (this.config.activators && !activator) {
      this.world.requireActivator(bodies, CREATE_TOOL_ACTIVATOR[general.cls], this.placed.length);
    }
    this.placed.push({ tool, x, y });
    return outcome;
  }

  /** The largest speed of a dynamic body on the screen (bodies that fell off do not keep the episode alive). */
  private onScreenSpeed(): number {
    let max = 0;
    for (let b = this.world.world.getBodyList(); b; b = b.getNext()) {
      if (!b.isDynamic()) continue;
      const p = b.getPosition();
      if (Math.max(Math.abs(p.x), Math.abs(p.y)) > CREATE_SCALE) continue;
      const v = b.getLinearVelocity();
      max = Math.max(max, Math.hypot(v.x, v.y));
    }
    return max;
  }

  private observe(): ActionSetObservation {
    const scene = this.scene;
    let state: Float32Array;
    if (this.config.observation === "image") state = this.frames.slice();
    else {
      state = new Float32Array(CREATE_STATE_DIM);
      if (scene) this.lowDimState(scene, state);
    }
    return observeActionSet(
      state,
      this.actionRepresentation.itemEmbeddings,
      this.actionRepresentation.dim,
      this.toolSpace,
    );
  }

  private lowDimState(scene: LevelScene, out: Float32Array): void {
    const S = CREATE_SCALE;
    const body = (b: typeof scene.target, o: number) => {
      const p = b.getPosition();
      const v = b.getLinearVelocity();
      out.set([p.x / S, p.y / S, v.x / S, v.y / S], o);
    };
    body(scene.target, 0);
    out.set(scene.goal, 4);
    if (scene.marker) body(scene.marker, 6);
    out[10] = this.steps / CREATE_MAX_ACTIONS;
    out[11] = this.subgoalReached.filter(Boolean).length / Math.max(1, this.subgoalReached.length);
    this.placed.slice(0, CREATE_MAX_ACTIONS).forEach((q, i) => {
      out.set([q.x, q.y, 1], 12 + 3 * i);
    });
  }

  /** An 84 × 84 RGB frame: level grey, tools yellow (dynamic ones violet), target red, marker blue, goal green. */
  override render(): RgbFrame {
    this.requireRenderMode();
    return renderCreate(this.world.world, CREATE_IMAGE_SIZE);
  }
}

/**
 * §B4.2's action representations: general tools [features, 0 × 6], the No-Op and the activators
 * [0 × d, one-hot over {no-op, fire, water, electric, magnet, spring}].
 */
function activatorRepresentations(base: Float32Array, d: number, noOp: number): Float32Array {
  const dim = d + 1 + CREATE_ACTIVATORS.length;
  const out = new Float32Array((noOp + 1 + CREATE_ACTIVATORS.length) * dim);
  for (let i = 0; i < noOp; i++) out.set(base.subarray(i * d, (i + 1) * d), i * dim);
  for (let k = 0; k <= CREATE_ACTIVATORS.length; k++) out[(noOp + k) * dim + d + k] = 1;
  return out;
}
