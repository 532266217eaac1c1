/**
 * Grid World with skills (new-actions paper App. A.1): cross a lava wall through its
 * one opening to the goal, choosing each step one of 50 five-move skills subsampled from the
 * 1,024 skills of a train/validation/test split.
 *
 * - Grid: 9 × 9 including the wall ring (MiniGrid `LavaCrossingS9N1`): start (1, 1), goal (7, 7),
 *   one lava wall per episode, vertical or horizontal with equal probability, at x (or y) ∈ {2, 4, 6}
 *   uniformly, across the whole interior except one opening at a uniform interior position. The
 *   opening is the subgoal.
 * - Skills: all 4⁵ = 1,024 sequences of 5 moves in {0 up, 1 down, 2 left, 3 right}; skill k's
 *   move j is the j-th base-4 digit of k, most significant first. Moves run one by one; a move
 *   into the wall ring is a no-op; entering lava ends the episode (terminated, failure); reaching
 *   the goal ends it (terminated, success) and the skill's remaining moves are dropped.
 * - Reward (Eq. A.1): 0.1 the first time the agent passes through the subgoal, plus
 *   1 − 0.9·N/50 at the goal, N = moves taken so far (bumps included).
 * - Episodes last at most 10 skills (50 moves): the registered TimeLimit.
 * - State: the 81 cell codes of the flattened grid (0 empty, 1 wall, 2 agent, 3 goal, 4 lava,
 *   5 subgoal not yet passed; afterwards the opening shows as empty, so the reward stays Markov),
 *   plus the padded action set (m = 50 slots).
 * - Action representations: the paper learns 16-d ones with an HVAE from play data
 *   (`collectSkillPlayObservations`); pass them as `representations`. The default is the paper's
 *   hand-engineered 5-d alternative (§A5 analyses): move j coded as (move − 1.5)/1.5 ∈ {±1, ±1/3}.
 */
import { Rng } from "@qscape/core";
import { z } from "zod";
import type { Info, ResetArgs, StepResult } from "../env.js";
import { Env, envLabel } from "../env.js";
import { EnvError, ResetNeededError } from "../errors.js";
import { ActionSubset, Box, type Dict } from "../spaces.js";
import type { ActionRepresentation, HasActionRepresentation } from "./action-representation.js";
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
} from "./action-set.js";
import { drawAgent, type Rgb, type RgbFrame, rasterizeGrid } from "./grid-render.js";

export const SKILL_LENGTH = 5;
export const NUM_SKILLS = 4 ** SKILL_LENGTH;
export const SKILL_GRID_SIZE = 9;
/** Eq. A.1's move budget: 10 skills of 5 moves. */
export const SKILL_GRID_MAX_MOVES = 50;

/** Cell codes of the observed grid. */
export const SG_EMPTY = 0;
export const SG_WALL = 1;
export const SG_AGENT = 2;
export const SG_GOAL = 3;
export const SG_LAVA = 4;
export const SG_SUBGOAL = 5;

/** (dx, dy) of moves 0 up, 1 down, 2 left, 3 right (y grows downwards). */
export const SKILL_MOVES: readonly (readonly [number, number])[] = [
  [0, -1],
  [0, 1],
  [-1, 0],
  [1, 0],
];

/** The 5 moves of skill `k`, first move first. */
export function skillMoves(k: number): number[] {
  return Array.from({ length: SKILL_LENGTH }, (_, j) => Math.floor(k / 4 ** (SKILL_LENGTH - 1 - j)) % 4);
}

/** The hand-engineered 5-d codes, [1024 × 5]. */
export function handEngineeredSkillCodes(): Float32Array {
  const out = new Float32Array(NUM_SKILLS * SKILL_LENGTH);
  for (let k = 0; k < NUM_SKILLS; k++) {
    skillMoves(k).forEach((m, j) => {
      out[k * SKILL_LENGTH + j] = (m - 1.5) / 1.5;
    });
  }
  return out;
}

export const SkillGridWorldConfigSchema = z
  .object({
    ...actionSetConfigFields(50),
    /** [1024 × d] skill representations (e.g. HVAE means); default the 5-d hand-engineered codes. */
    representations: z.instanceof(Float32Array).optional(),
    /** "rgb_array" makes `render()` draw the grid (Gymnasium `render_mode`). */
    renderMode: z.literal("rgb_array").optional(),
  })
  .strict();

export type SkillGridWorldConfig = z.input<typeof SkillGridWorldConfigSchema>;

export class SkillGridWorldEnv extends Env<ActionSetObservation, number> implements HasActionRepresentation {
  readonly inventory: ActionInventory;
  readonly actionSet: EpisodeActionSetConfig;
  readonly actionSpace: ActionSubset;
  readonly observationSpace: Dict<ActionSetObservation>;
  readonly actionRepresentation: ActionRepresentation;
  /** Row-major [9 × 9] cell codes without the agent. */
  readonly grid = new Int8Array(SKILL_GRID_SIZE * SKILL_GRID_SIZE);
  x = 1;
  y = 1;
  /** Moves taken this episode (N of Eq. A.1). */
  moves = 0;
  /** The split of the current episode's action set. */
  split: ActionSplit = "train";
  private subgoalPassed = false;
  private hasState = false;

  constructor(config: SkillGridWorldConfig = {}) {
    super();
    const parsed = SkillGridWorldConfigSchema.safeParse(config);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; ");
      throw new EnvError(`SkillGridWorld: invalid config (${issues})`);
    }
    const c = parsed.data;
    const representations = c.representations ?? handEngineeredSkillCodes();
    const dim = representations.length / NUM_SKILLS;
    if (!Number.isInteger(dim) || dim < 1) {
      throw new EnvError(`SkillGridWorld: representations has ${representations.length} values, not 1024 × d`);
    }
    this.inventory = new ActionInventory({
      representations,
      size: NUM_SKILLS,
      dim,
      splitSeed: c.splitSeed,
      splitRatio: c.splitRatio,
    });
    this.actionSet = resolveActionSetConfig("SkillGridWorld", this.inventory, c);
    this.actionSpace = new ActionSubset(NUM_SKILLS, this.actionSet.maxActions);
    const hand = c.representations === undefined;
    this.observationSpace = actionSetObservationSpace(
      new Box(0, SG_SUBGOAL, [SKILL_GRID_SIZE * SKILL_GRID_SIZE]),
      NUM_SKILLS,
      dim,
      this.actionSet.maxActions,
      hand ? -1 : Number.NEGATIVE_INFINITY,
      hand ? 1 : Number.POSITIVE_INFINITY,
    );
    this.actionRepresentation = this.inventory.representation(this.actionSpace.mask);
    this.metadata = { renderModes: ["rgb_array"] };
    this.initRenderMode(c.renderMode);
  }

  /** MaskablePPO's `action_masks()`: 1 for the skills available this episode (length 1,024). */
  actionMask(): Uint8Array {
    return this.actionSpace.mask.slice();
  }

  cell(x: number, y: number): number {
    return this.grid[y * SKILL_GRID_SIZE + x] as number;
  }

  /** `options.split` ("train" | "validation" | "test") overrides the configured split for this episode. */
  reset({ seed, options }: ResetArgs = {}): [ActionSetObservation, Info] {
    this.seedRng(seed);
    this.split = resetActionSet(this, this.inventory, this.actionSpace, this.actionSet, options);
    this.layout();
    this.x = 1;
    this.y = 1;
    this.moves = 0;
    this.subgoalPassed = false;
    this.hasState = true;
    return [this.observe(), { actionRepresentation: this.actionRepresentation, split: this.split }];
  }

  private layout(): void {
    const n = SKILL_GRID_SIZE;
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++)
        this.grid[y * n + x] = x === 0 || y === 0 || x === n - 1 || y === n - 1 ? SG_WALL : SG_EMPTY;
    }
    const vertical = this.rng.random() < 0.5;
    const at = 2 * this.rng.int(1, 4);
    const opening = this.rng.int(1, n - 1);
    for (let i = 1; i < n - 1; i++) {
      const [x, y] = vertical ? [at, i] : [i, at];
      this.grid[y * n + x] = i === opening ? SG_SUBGOAL : SG_LAVA;
    }
    this.grid[(n - 2) * n + (n - 2)] = SG_GOAL;
  }

  step(action: number): StepResult<ActionSetObservation> {
    if (!this.hasState) throw new ResetNeededError(`${envLabel(this)}: call reset() before step()`);
    checkAvailableAction(this, this.actionSpace, action);
    let reward = 0;
    let success = false;
    let lava = false;
    for (const m of skillMoves(action)) {
      const [dx, dy] = SKILL_MOVES[m] as readonly [number, number];
      this.moves++;
      if (this.cell(this.x + dx, this.y + dy) !== SG_WALL) {
        this.x += dx;
        this.y += dy;
      }
      const here = this.cell(this.x, this.y);
      if (here === SG_LAVA) {
        lava = true;
        break;
      }
      if (here === SG_SUBGOAL && !this.subgoalPassed) {
        this.subgoalPassed = true;
        reward += 0.1;
        this.grid[this.y * SKILL_GRID_SIZE + this.x] = SG_EMPTY;
      }
      if (here === SG_GOAL) {
        success = true;
        reward += 1 - (0.9 * this.moves) / SKILL_GRID_MAX_MOVES;
        break;
      }
    }
    const terminated = success || lava;
    if (terminated) this.hasState = false;
    return [this.observe(), reward, terminated, false, { success, lava, moves: this.moves }];
  }

  private observe(): ActionSetObservation {
    const state = Float32Array.from(this.grid);
    state[this.y * SKILL_GRID_SIZE + this.x] = SG_AGENT;
    return observeActionSet(state, this.inventory.representations, this.inventory.dim, this.actionSpace);
  }

  /** An RGB frame (`rgb_array`, 16-pixel tiles): lava orange, opening blue until passed, goal green, agent red. */
  override render(): RgbFrame {
    this.requireRenderMode();
    const colours: Record<number, Rgb> = {
      [SG_EMPTY]: [0, 0, 0],
      [SG_WALL]: [100, 100, 100],
      [SG_GOAL]: [0, 200, 0],
      [SG_LAVA]: [255, 128, 0],
      [SG_SUBGOAL]: [40, 60, 160],
    };
    const tile = 16;
    const frame = rasterizeGrid(SKILL_GRID_SIZE, SKILL_GRID_SIZE, tile, (x, y) => colours[this.cell(x, y)] as Rgb);
    drawAgent(frame, this.x, this.y, tile, null, [220, 30, 30]);
    return frame;
  }
}

export interface SkillPlayOptions {
  seed: number;
  /** Skills to record (default all 1,024). */
  skills?: ArrayLike<number>;
  /** Trajectories per skill (§A6.1: 1,024). */
  trajectoriesPerSkill?: number;
  /** Side of the empty play grid (§A6.1: 80). */
  gridSize?: number;
}

export interface SkillPlayObservations {
  /** [skills × trajectoriesPerSkill × 6 × 2]: the (x, y) cells before and after each of the 5 moves. */
  positions: Float32Array;
  skills: Int32Array;
  trajectoriesPerSkill: number;
  /** Positions per trajectory (6: the start and one per move). */
  length: number;
}

/**
 * The task-independent "play" data of App. A.1: each skill executed from uniformly random start
 * cells of an empty `gridSize × gridSize` grid (moves off the grid are no-ops), recorded as (x, y)
 * sequences, the default observation modality for the HVAE. One seeded stream draws the starts
 * skill by skill, so a seed fixes the whole data set.
 */
export function collectSkillPlayObservations({
  seed,
  skills = Int32Array.from({ length: NUM_SKILLS }, (_, k) => k),
  trajectoriesPerSkill = 1024,
  gridSize = 80,
}: SkillPlayOptions): SkillPlayObservations {
  if (!Number.isInteger(trajectoriesPerSkill) || trajectoriesPerSkill < 1)
    throw new EnvError(
      `collectSkillPlayObservations: trajectoriesPerSkill must be a positive integer, got ${trajectoriesPerSkill}`,
    );
  if (!Number.isInteger(gridSize) || gridSize < 1)
    throw new EnvError(`collectSkillPlayObservations: gridSize must be a positive integer, got ${gridSize}`);
  const ids = Int32Array.from(skills);
  for (const k of ids) {
    if (!Number.isInteger(k) || k < 0 || k >= NUM_SKILLS)
      throw new EnvError(`collectSkillPlayObservations: ${k} is not a skill in 0..${NUM_SKILLS - 1}`);
  }
  const length = SKILL_LENGTH + 1;
  const rng = new Rng(seed);
  const positions = new Float32Array(ids.length * trajectoriesPerSkill * length * 2);
  let o = 0;
  for (const k of ids) {
    const moves = skillMoves(k);
    for (let t = 0; t < trajectoriesPerSkill; t++) {
      let x = rng.int(0, gridSize);
      let y = rng.int(0, gridSize);
      positions[o++] = x;
      positions[o++] = y;
      for (const m of moves) {
        const [dx, dy] = SKILL_MOVES[m] as readonly [number, number];
        if (x + dx >= 0 && x + dx < gridSize && y + dy >= 0 && y + dy < gridSize) {
          x += dx;
          y += dy;
        }
        positions[o++] = x;
        positions[o++] = y;
      }
    }
  }
  return { positions, skills: ids, trajectoriesPerSkill, length };
}
