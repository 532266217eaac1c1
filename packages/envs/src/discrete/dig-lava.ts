/**
 * Dig Lava grid navigation (AGILE, thesis §3.5.1 / App. B A.1): cross two lava rivers
 * to the goal with a per-episode action set of 7 of 9 skills, where the dig skills open shortcuts.
 *
 * - Grid: 11 × 11 with its wall ring (Part C #4: the official code's `DualLavaEnv(size=11)`, whose
 *   subgoal columns 4 and 8 are the thesis's "column 4 and column 8"). The observation covers the
 *   9 × 9 interior only (the wall ring is constant), which gives the thesis's Table B.4 state of two
 *   flattened 9 × 9 grids (162-d), so both thesis statements hold.
 * - Orange lava fills column 3 except its top cell (3, 1); pink lava fills column 7 except its
 *   bottom cell (7, 9). Subgoal columns 4 and 8, start (1, 5) facing right, goal (9, 5).
 * - Skills (Table B.1 order = inventory index): 0 move-right, 1 move-down, 2 move-left, 3 move-up
 *   (face that way, then step), 4 turn-left, 5 turn-right, 6 move-forward, 7 dig-orange,
 *   8 dig-pink. Each episode: 0–4 always, plus 2 of 5–8 drawn without replacement.
 * - Lava: stepping in is allowed; on lava, forward movement is blocked, and an agent still on lava
 *   at the end of the next step dies (terminated, failure). `dig-<colour>` on lava of that colour
 *   turns the cell empty, so the agent survives and the river has a gap there.
 * - Reward (§B4.1, exact): goal R_G(1 − λ_G·t/N) − R_E·n, first entry into a subgoal column
 *   R_S(1 − λ_S·t/N) − R_E·n, successful dig R_D, new cell R_E; t = steps so far, N = 50, n = the
 *   exploration bonuses paid since the previous subgoal (this step's included), so the exploration
 *   bonus is handed back at every subgoal and at the goal and cannot bias the path length.
 * - Observation: interior cell codes (0 empty, 1 orange lava, 2 pink lava, 3 goal, 4 subgoal not
 *   yet reached; a reached subgoal column shows as empty so the reward stays Markov) followed by a
 *   one-hot of the agent cell, plus the padded action set (7 slots, 11-d Table B.1 features). The
 *   heading is not observed, as in the thesis.
 */
import { z } from "zod";
import type { Info, ResetArgs, StepResult } from "../env.js";
import { Env, envLabel } from "../env.js";
import { EnvError, ResetNeededError, UnknownSplitError } from "../errors.js";
import { ActionSubset, Box, type Dict } from "../spaces.js";
import type { ActionRepresentation, HasActionRepresentation } from "./action-representation.js";
import {
  type ActionSetObservation,
  actionSetObservationSpace,
  checkAvailableAction,
  observeActionSet,
} from "./action-set.js";
import { drawAgent, fillRect, type Rgb, type RgbFrame, rasterizeGrid } from "./grid-render.js";

export const DIG_LAVA_SIZE = 11;
const INTERIOR = DIG_LAVA_SIZE - 2;

/** Cell codes (the observed grid uses 0–4; walls are never observed). */
export const DL_EMPTY = 0;
export const DL_ORANGE = 1;
export const DL_PINK = 2;
export const DL_GOAL = 3;
export const DL_SUBGOAL = 4;
export const DL_WALL = 5;

export const DIG_LAVA_SKILLS = [
  "move-right",
  "move-down",
  "move-left",
  "move-up",
  "turn-left",
  "turn-right",
  "move-forward",
  "dig-orange",
  "dig-pink",
] as const;
export const DIG_LAVA_FIXED_SKILLS = 5;
export const DIG_LAVA_SAMPLED_SKILLS = 2;

/** Table B.1, verbatim: the 11-d hand-defined representation of each skill. */
export const DIG_LAVA_REPRESENTATIONS: readonly (readonly number[])[] = [
  [0, 0, 0, 0, 1, -1, -1, 0, 0, 0, 0],
  [0, 0, 0, 0, 1, -1, 1, 0, 0, 0, 0],
  [0, 0, 0, 0, 1, 1, -1, 0, 0, 0, 0],
  [0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0],
  [0, 0, 1, 0, 0, 0, 0, 0, 0, -1, 1],
  [0, 0, 1, 0, 0, 0, 0, 0, 0, 1, -1],
  [0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1],
  [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
];

/** §B4.1 reward constants. */
export const DIG_LAVA_REWARD = {
  goal: 100,
  subgoal: 0.5,
  exploration: 0.01,
  dig: 0.01,
  goalDecay: 0.99,
  subgoalDecay: 0.9,
} as const;

export const DIG_LAVA_START: readonly [number, number] = [1, 5];
export const DIG_LAVA_GOAL: readonly [number, number] = [9, 5];
/** Lava columns (orange, pink) and their subgoal columns just right of them. */
const LAVA_COLUMNS = [3, 7] as const;
const SUBGOAL_COLUMNS = [4, 8] as const;

/** (dx, dy) for headings 0 right, 1 down, 2 left, 3 up (y grows downwards, as MiniGrid). */
const HEADINGS: readonly (readonly [number, number])[] = [
  [1, 0],
  [0, 1],
  [-1, 0],
  [0, -1],
];

export const DigLavaConfigSchema = z
  .object({
    /** N_max of the goal and subgoal decay; match the registered 50-step time limit (§B4.1). */
    maxSteps: z.number().int().positive().default(50),
    /** "rgb_array" makes `render()` draw the grid (Gymnasium `render_mode`). */
    renderMode: z.literal("rgb_array").optional(),
  })
  .strict();

export type DigLavaConfig = z.input<typeof DigLavaConfigSchema>;

export class DigLavaEnv extends Env<ActionSetObservation, number> implements HasActionRepresentation {
  readonly config: z.output<typeof DigLavaConfigSchema>;
  readonly actionSpace = new ActionSubset(DIG_LAVA_SKILLS.length, DIG_LAVA_FIXED_SKILLS + DIG_LAVA_SAMPLED_SKILLS);
  readonly observationSpace: Dict<ActionSetObservation>;
  readonly actionRepresentation: ActionRepresentation;
  /**
   * Inventory ids of the skills drawn per episode (5–8; 0–4 are always offered): AGILE App. B.1's
   * "variable actions", whose edges are the only ones its domain-knowledge action graph keeps.
   */
  readonly variableActions: readonly number[] = Array.from(
    { length: DIG_LAVA_SKILLS.length - DIG_LAVA_FIXED_SKILLS },
    (_, i) => DIG_LAVA_FIXED_SKILLS + i,
  );
  /** Row-major [11 × 11] cell codes. */
  readonly grid = new Int8Array(DIG_LAVA_SIZE * DIG_LAVA_SIZE);
  x = 0;
  y = 0;
  dir = 0;
  steps = 0;
  private readonly visited = new Uint8Array(DIG_LAVA_SIZE * DIG_LAVA_SIZE);
  private readonly subgoalReached = [false, false];
  /** Exploration bonuses paid since the previous subgoal (n of the reward). */
  private bonusesSinceSubgoal = 0;
  private hasState = false;

  constructor(config: DigLavaConfig = {}) {
    super();
    const parsed = DigLavaConfigSchema.safeParse(config);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; ");
      throw new EnvError(`DigLava: invalid config (${issues})`);
    }
    this.config = parsed.data;
    this.metadata = { renderModes: ["rgb_array"] };
    this.initRenderMode(this.config.renderMode);
    const dim = 11;
    this.actionRepresentation = {
      itemEmbeddings: Float32Array.from(DIG_LAVA_REPRESENTATIONS.flat()),
      numItems: DIG_LAVA_SKILLS.length,
      dim,
      available: this.actionSpace.mask,
    };
    this.observationSpace = actionSetObservationSpace(
      new Box(0, DL_SUBGOAL, [2 * INTERIOR * INTERIOR]),
      DIG_LAVA_SKILLS.length,
      dim,
      this.actionSpace.maxAvailable,
      -1,
      1,
    );
  }

  /** MaskablePPO's `action_masks()`: 1 for the skills available this episode (length 9). */
  actionMask(): Uint8Array {
    return this.actionSpace.mask.slice();
  }

  cell(x: number, y: number): number {
    return this.grid[y * DIG_LAVA_SIZE + x] as number;
  }

  reset({ seed, options }: ResetArgs = {}): [ActionSetObservation, Info] {
    this.seedRng(seed);
    const { split, ...rest } = options ?? {};
    if (Object.keys(rest).length > 0) {
      throw new EnvError(`${envLabel(this)}: reset takes only the split option, got ${Object.keys(rest).join(", ")}`);
    }
    // AGILE §3.5.1 has no unseen actions: every episode draws from the one (train) split.
    if (split !== undefined && split !== "train") {
      throw new UnknownSplitError(
        `${envLabel(this)}: unknown split ${JSON.stringify(split)}; Dig Lava has only the train split (AGILE §3.5.1: no unseen actions)`,
      );
    }
    this.layout();
    // 5 fixed skills plus 2 of the other 4 without replacement (§B4.1).
    const optional = Array.from(this.rng.permutation(DIG_LAVA_SKILLS.length - DIG_LAVA_FIXED_SKILLS))
      .slice(0, DIG_LAVA_SAMPLED_SKILLS)
      .map((i) => DIG_LAVA_FIXED_SKILLS + i)
      .sort((a, b) => a - b);
    this.actionSpace.setAvailable([0, 1, 2, 3, 4, ...optional]);
    [this.x, this.y] = DIG_LAVA_START;
    this.dir = 0;
    this.steps = 0;
    this.visited.fill(0);
    this.visited[this.y * DIG_LAVA_SIZE + this.x] = 1;
    this.subgoalReached.fill(false);
    this.bonusesSinceSubgoal = 0;
    this.hasState = true;
    return [this.observe(), { actionRepresentation: this.actionRepresentation }];
  }

  private layout(): void {
    const n = DIG_LAVA_SIZE;
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const wall = x === 0 || y === 0 || x === n - 1 || y === n - 1;
        this.grid[y * n + x] = wall ? DL_WALL : DL_EMPTY;
      }
    }
    for (let y = 1; y < n - 1; y++) {
      if (y !== 1) this.grid[y * n + LAVA_COLUMNS[0]] = DL_ORANGE;
      if (y !== n - 2) this.grid[y * n + LAVA_COLUMNS[1]] = DL_PINK;
      for (const c of SUBGOAL_COLUMNS) this.grid[y * n + c] = DL_SUBGOAL;
    }
    this.grid[DIG_LAVA_GOAL[1] * n + DIG_LAVA_GOAL[0]] = DL_GOAL;
  }

  private isLava(x: number, y: number): boolean {
    const c = this.cell(x, y);
    return c === DL_ORANGE || c === DL_PINK;
  }

  step(action: number): StepResult<ActionSetObservation> {
    if (!this.hasState) throw new ResetNeededError(`${envLabel(this)}: call reset() before step()`);
    checkAvailableAction(this, this.actionSpace, action);
    const R = DIG_LAVA_REWARD;
    const N = this.config.maxSteps;
    this.steps++;
    const t = this.steps;
    const onLava = this.isLava(this.x, this.y);
    let dug = false;
    if (action <= 3) {
      this.dir = action;
      if (!onLava) this.forward();
    } else if (action === 4) this.dir = (this.dir + 3) % 4;
    else if (action === 5) this.dir = (this.dir + 1) % 4;
    else if (action === 6) {
      if (!onLava) this.forward();
    } else {
      const colour = action === 7 ? DL_ORANGE : DL_PINK;
      if (this.cell(this.x, this.y) === colour) {
        this.grid[this.y * DIG_LAVA_SIZE + this.x] = DL_EMPTY;
        dug = true;
      }
    }

    let reward = 0;
    const here = this.y * DIG_LAVA_SIZE + this.x;
    if (!this.visited[here]) {
      this.visited[here] = 1;
      this.bonusesSinceSubgoal++;
      reward += R.exploration;
    }
    let subgoal = -1;
    const k = SUBGOAL_COLUMNS.indexOf(this.x as 4 | 8);
    if (k >= 0 && !this.subgoalReached[k]) {
      this.subgoalReached[k] = true;
      subgoal = k;
      reward += R.subgoal * (1 - (R.subgoalDecay * t) / N) - R.exploration * this.bonusesSinceSubgoal;
      this.bonusesSinceSubgoal = 0;
      // The reached column is no longer a subgoal: the observation says which bonuses remain.
      for (let y = 1; y < DIG_LAVA_SIZE - 1; y++) {
        if (this.cell(this.x, y) === DL_SUBGOAL) this.grid[y * DIG_LAVA_SIZE + this.x] = DL_EMPTY;
      }
    }
    const success = this.x === DIG_LAVA_GOAL[0] && this.y === DIG_LAVA_GOAL[1];
    if (success) {
      reward += R.goal * (1 - (R.goalDecay * t) / N) - R.exploration * this.bonusesSinceSubgoal;
      this.bonusesSinceSubgoal = 0;
    }
    if (dug) reward += R.dig;
    // Entered lava on an earlier step and still on it at the end of this one (§B4.1).
    const died = onLava && this.isLava(this.x, this.y);
    const terminated = success || died;
    if (terminated) this.hasState = false;
    return [this.observe(), reward, terminated, false, { success, died, dug, subgoal }];
  }

  private forward(): void {
    const [dx, dy] = HEADINGS[this.dir] as readonly [number, number];
    if (this.cell(this.x + dx, this.y + dy) === DL_WALL) return;
    this.x += dx;
    this.y += dy;
  }

  private observe(): ActionSetObservation {
    const cells = INTERIOR * INTERIOR;
    const state = new Float32Array(2 * cells);
    for (let y = 1; y <= INTERIOR; y++) {
      for (let x = 1; x <= INTERIOR; x++) state[(y - 1) * INTERIOR + (x - 1)] = this.cell(x, y);
    }
    state[cells + (this.y - 1) * INTERIOR + (this.x - 1)] = 1;
    return observeActionSet(state, this.actionRepresentation.itemEmbeddings, 11, this.actionSpace);
  }

  /**
   * An RGB frame (`rgb_array`, 16-pixel tiles): walls grey, lava orange / pink, goal green,
   * unreached subgoal columns dark blue, the agent a red triangle along its heading. As in the
   * official code, the top wall shows the episode's skills: cell x = 1 + skill index is lit when
   * that skill is available (dig skills in their lava colour).
   */
  override render(): RgbFrame {
    this.requireRenderMode();
    const tile = 16;
    const colours: Record<number, Rgb> = {
      [DL_EMPTY]: [0, 0, 0],
      [DL_ORANGE]: [255, 140, 0],
      [DL_PINK]: [255, 105, 180],
      [DL_GOAL]: [0, 200, 0],
      [DL_SUBGOAL]: [20, 20, 70],
      [DL_WALL]: [100, 100, 100],
    };
    const frame = rasterizeGrid(DIG_LAVA_SIZE, DIG_LAVA_SIZE, tile, (x, y) => colours[this.cell(x, y)] as Rgb);
    this.actionSpace.mask.forEach((on, skill) => {
      if (!on) return;
      const colour: Rgb =
        skill === 7 ? (colours[DL_ORANGE] as Rgb) : skill === 8 ? (colours[DL_PINK] as Rgb) : [230, 230, 230];
      fillRect(frame, (1 + skill) * tile + 4, 4, tile - 8, tile - 8, colour);
    });
    drawAgent(frame, this.x, this.y, tile, this.dir, [220, 30, 30]);
    return frame;
  }
}
