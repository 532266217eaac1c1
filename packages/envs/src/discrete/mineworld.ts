/**
 * MineWorld ("Mining Expedition", SAVO §5 / App. C.1): reach the goal of a grid maze whose
 * passages are blocked by mines, breaking them with the right pick-axe.
 *
 * - 54 actions: 4 navigation actions (0 right, 1 down, 2 left, 3 up: turn that way, then step
 *   forward if the cell ahead is empty or the goal) and 50 tools. Tool t works on exactly one mine
 *   type: 8 basic tools break basic mines 7..14 (→ 15 = broken), 42 complex tools turn a complex
 *   mine 0..6 into a basic mine or break it (42 of the 63 possible pairs, 6 per complex mine,
 *   drawn once from `toolSeed`). A correct tool earns R_tool, a break also R_bonus.
 * - Observation (8 + K, K = 15), each entry in [0, 1]: x and y over (gridSize − 1), direction / 3,
 *   4 "free path" flags (right, down, left, up: 1 if empty or goal), and a (K + 1) one-hot of the
 *   cell ahead (first K: mine type; last: goal; all zero for empty, wall or border).
 * - Reward (Eq. 12): 1[goal]·R_goal·(1 − λ·t/T) + R_step·(D_before − D_after) + 1[correct tool]·R_tool
 *   + 1[mine broken]·R_bonus, D = Manhattan distance to the goal (as the official code), T = maxSteps.
 *   Paper constants by default; `rewardPreset: "code"` gives the official code's (30, 0.2, 0.05, 0.05).
 * - Layout: regenerated on every reset with the start (0, 0) and goal (gridSize − 1, gridSize − 1)
 *   fixed. Each other cell is a wall with p = wallDensity, a mine of uniform type with
 *   p = mineDensity, else empty; layouts whose goal is walled off are redrawn. The paper does not
 *   give the generator; the official code uses MiniGrid multi-rooms (16×16 with its wall ring, i.e.
 *   14×14 free cells as our default, rooms 10×10, mine "fullness" 0.7). Defaults: 14, 0.5, 0.1.
 * - Action representation (paper): [skill category (1 navigation, 0 tool), direction / 3,
 *   mine before / 15, mine after / 15], plus `extraActionDims` uniform noise dims (SAVO Table 2
 *   lists 5 "extra action dims"; off by default).
 * - Episodes end on reaching the goal (terminated); the 100-step limit is a TimeLimit truncation.
 */
import { Rng } from "@qscape/core";
import { z } from "zod";
import type { Info, ResetArgs, StepResult } from "../env.js";
import { Env, envLabel } from "../env.js";
import { EnvError, ResetNeededError } from "../errors.js";
import { Box, Discrete } from "../spaces.js";
import type { ActionRepresentation, HasActionRepresentation } from "./action-representation.js";
import { drawAgent, type Rgb, type RgbFrame, rasterizeGrid } from "./grid-render.js";

export const MINE_TYPES = 15;
/** Mine id after a breaking tool. */
export const BROKEN = 15;
export const NUM_COMPLEX_MINES = 7;
export const NUM_NAV_ACTIONS = 4;
export const NUM_TOOLS = 50;
const COMPLEX_TOOLS_PER_MINE = 6;

/** Cell codes; mines are their type 0..14. */
export const EMPTY = -1;
export const WALL = -2;
export const GOAL = -3;

/** (dx, dy) for directions 0 right, 1 down, 2 left, 3 up (y grows downwards). */
export const DIRECTIONS: readonly (readonly [number, number])[] = [
  [1, 0],
  [0, 1],
  [-1, 0],
  [0, -1],
];

const REWARD_PRESETS = {
  paper: { rewardGoal: 10, rewardStep: 0.1, rewardTool: 0.1, rewardBonus: 0.1, goalDecay: 0.9 },
  code: { rewardGoal: 30, rewardStep: 0.2, rewardTool: 0.05, rewardBonus: 0.05, goalDecay: 0.9 },
} as const;

export const MineWorldConfigSchema = z
  .object({
    gridSize: z.number().int().min(4).max(64).default(14),
    mineDensity: z.number().min(0).max(1).default(0.5),
    wallDensity: z.number().min(0).max(0.5).default(0.1),
    /** N_maxsteps of the goal reward; match the registered time limit. */
    maxSteps: z.number().int().positive().default(100),
    rewardPreset: z.enum(["paper", "code"]).default("paper"),
    rewardGoal: z.number().optional(),
    rewardStep: z.number().optional(),
    rewardTool: z.number().optional(),
    rewardBonus: z.number().optional(),
    goalDecay: z.number().optional(),
    extraActionDims: z.number().int().min(0).default(0),
    /** Seeds the tool set and the extra representation dims (fixed per env, not per episode). */
    toolSeed: z.number().int().min(0).default(0),
    /** "rgb_array" makes `render()` draw the maze (Gymnasium `render_mode`). */
    renderMode: z.literal("rgb_array").optional(),
  })
  .strict()
  .refine((c) => c.mineDensity + c.wallDensity <= 1, { message: "mineDensity + wallDensity must be at most 1" });

export type MineWorldConfig = z.input<typeof MineWorldConfigSchema>;

export interface Tool {
  /** The only mine type the tool works on. */
  before: number;
  /** What that mine becomes: a basic mine 7..14, or BROKEN. */
  after: number;
}

/** The 50 tools: 8 basic (mine 7+i → broken), then 6 complex tools per complex mine 0..6. */
export function makeTools(toolSeed: number): Tool[] {
  const rng = new Rng(toolSeed);
  const tools: Tool[] = [];
  for (let m = NUM_COMPLEX_MINES; m < MINE_TYPES; m++) tools.push({ before: m, after: BROKEN });
  for (let m = 0; m < NUM_COMPLEX_MINES; m++) {
    // Outcomes 7..15 (8 basic mines or broken); keep 6 of the 9 per complex mine.
    const outcomes = Array.from(rng.permutation(MINE_TYPES - NUM_COMPLEX_MINES + 1), (o) => o + NUM_COMPLEX_MINES);
    for (const after of outcomes.slice(0, COMPLEX_TOOLS_PER_MINE).sort((a, b) => a - b))
      tools.push({ before: m, after });
  }
  return tools;
}

function parseConfig(config: MineWorldConfig) {
  const parsed = MineWorldConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; ");
    throw new EnvError(`MineWorld: invalid config (${issues})`);
  }
  const c = parsed.data;
  const preset = REWARD_PRESETS[c.rewardPreset];
  return {
    ...c,
    rewardGoal: c.rewardGoal ?? preset.rewardGoal,
    rewardStep: c.rewardStep ?? preset.rewardStep,
    rewardTool: c.rewardTool ?? preset.rewardTool,
    rewardBonus: c.rewardBonus ?? preset.rewardBonus,
    goalDecay: c.goalDecay ?? preset.goalDecay,
  };
}

export type ResolvedMineWorldConfig = ReturnType<typeof parseConfig>;

export class MineWorldEnv extends Env<Float32Array, number> implements HasActionRepresentation {
  readonly config: ResolvedMineWorldConfig;
  readonly tools: readonly Tool[];
  readonly observationSpace = new Box(0, 1, [8 + MINE_TYPES]);
  readonly actionSpace = new Discrete(NUM_NAV_ACTIONS + NUM_TOOLS);
  readonly actionRepresentation: ActionRepresentation;
  /** Row-major [gridSize × gridSize] cell codes (EMPTY, WALL, GOAL or a mine type). */
  readonly grid: Int8Array;
  x = 0;
  y = 0;
  dir = 0;
  steps = 0;
  private hasState = false;

  constructor(config: MineWorldConfig = {}) {
    super();
    this.config = parseConfig(config);
    this.tools = makeTools(this.config.toolSeed);
    this.grid = new Int8Array(this.config.gridSize * this.config.gridSize);
    this.actionRepresentation = this.buildRepresentation();
    this.metadata = { renderModes: ["rgb_array"] };
    this.initRenderMode(this.config.renderMode);
  }

  /**
   * An RGB frame (32-pixel tiles): empty cells black, walls grey, the goal white, each mine type its own hue
   * (complex mines 0–6 darker than basic mines 7–14, since they take more tools), the agent a red triangle
   * along its heading.
   */
  override render(): RgbFrame {
    this.requireRenderMode();
    const n = this.config.gridSize;
    const tile = 32;
    const colorOf = (x: number, y: number): Rgb => {
      const c = this.cell(x, y);
      if (c === EMPTY) return [0, 0, 0];
      if (c === WALL) return [110, 110, 110];
      if (c === GOAL) return [255, 255, 255];
      return mineColor(c);
    };
    const frame = rasterizeGrid(n, n, tile, colorOf);
    drawAgent(frame, this.x, this.y, tile, this.dir, [255, 0, 0]);
    return frame;
  }

  private buildRepresentation(): ActionRepresentation {
    const dim = 4 + this.config.extraActionDims;
    const numItems = NUM_NAV_ACTIONS + NUM_TOOLS;
    const emb = new Float32Array(numItems * dim);
    for (let d = 0; d < NUM_NAV_ACTIONS; d++) {
      emb[d * dim] = 1;
      emb[d * dim + 1] = d / 3;
    }
    this.tools.forEach((t, i) => {
      const row = (NUM_NAV_ACTIONS + i) * dim;
      emb[row + 2] = t.before / BROKEN;
      emb[row + 3] = t.after / BROKEN;
    });
    // Extra dims come from their own stream so the tool set does not depend on them.
    const noise = new Rng(this.config.toolSeed + 0x5eed);
    for (let i = 0; i < numItems; i++) for (let j = 4; j < dim; j++) emb[i * dim + j] = noise.random();
    return { itemEmbeddings: emb, numItems, dim };
  }

  get goal(): [number, number] {
    return [this.config.gridSize - 1, this.config.gridSize - 1];
  }

  cell(x: number, y: number): number {
    const n = this.config.gridSize;
    if (x < 0 || y < 0 || x >= n || y >= n) return WALL;
    return this.grid[y * n + x] as number;
  }

  reset({ seed, options }: ResetArgs = {}): [Float32Array, Info] {
    this.seedRng(seed);
    if (options !== undefined && Object.keys(options).length > 0) {
      throw new EnvError(`${envLabel(this)}: reset takes no options, got ${Object.keys(options).join(", ")}`);
    }
    this.generateLayout();
    this.x = 0;
    this.y = 0;
    this.dir = 0;
    this.steps = 0;
    this.hasState = true;
    return [this.observe(), { actionRepresentation: this.actionRepresentation }];
  }

  private generateLayout(): void {
    const { gridSize: n, mineDensity, wallDensity } = this.config;
    for (let attempt = 0; attempt < 1000; attempt++) {
      for (let i = 0; i < n * n; i++) {
        const u = this.rng.random();
        this.grid[i] = u < wallDensity ? WALL : u < wallDensity + mineDensity ? this.rng.int(0, MINE_TYPES) : EMPTY;
      }
      this.grid[0] = EMPTY;
      this.grid[n * n - 1] = GOAL;
      if (this.goalReachable()) return;
    }
    throw new EnvError(`${envLabel(this)}: no layout with a reachable goal in 1000 draws (wallDensity too high?)`);
  }

  /** Whether the goal can be reached from the start through non-wall cells. */
  private goalReachable(): boolean {
    const n = this.config.gridSize;
    const seen = new Uint8Array(n * n);
    const stack = [0];
    seen[0] = 1;
    while (stack.length > 0) {
      const c = stack.pop() as number;
      if (c === n * n - 1) return true;
      for (const [dx, dy] of DIRECTIONS) {
        const x = (c % n) + dx;
        const y = Math.floor(c / n) + dy;
        if (x < 0 || y < 0 || x >= n || y >= n) continue;
        const j = y * n + x;
        if (seen[j] || this.grid[j] === WALL) continue;
        seen[j] = 1;
        stack.push(j);
      }
    }
    return false;
  }

  private distanceToGoal(): number {
    const [gx, gy] = this.goal;
    return Math.abs(gx - this.x) + Math.abs(gy - this.y);
  }

  step(action: number): StepResult<Float32Array> {
    if (!this.hasState) throw new ResetNeededError(`${envLabel(this)}: call reset() before step()`);
    if (!this.actionSpace.contains(action)) {
      throw new EnvError(`${envLabel(this)}: action ${action} is not in ${this.actionSpace.toString()}`);
    }
    const c = this.config;
    this.steps++;
    const before = this.distanceToGoal();
    let reward = 0;
    let toolApplied = false;
    let mineBroken = false;
    let reachedGoal = false;
    if (action < NUM_NAV_ACTIONS) {
      this.dir = action;
      const [dx, dy] = DIRECTIONS[action] as readonly [number, number];
      const ahead = this.cell(this.x + dx, this.y + dy);
      if (ahead === EMPTY || ahead === GOAL) {
        this.x += dx;
        this.y += dy;
        reachedGoal = ahead === GOAL;
      }
    } else {
      const tool = this.tools[action - NUM_NAV_ACTIONS] as Tool;
      const [dx, dy] = DIRECTIONS[this.dir] as readonly [number, number];
      const fx = this.x + dx;
      const fy = this.y + dy;
      if (this.cell(fx, fy) === tool.before) {
        toolApplied = true;
        reward += c.rewardTool;
        mineBroken = tool.after === BROKEN;
        this.grid[fy * c.gridSize + fx] = mineBroken ? EMPTY : tool.after;
        if (mineBroken) reward += c.rewardBonus;
      }
    }
    reward += c.rewardStep * (before - this.distanceToGoal());
    if (reachedGoal) reward += c.rewardGoal * (1 - (c.goalDecay * this.steps) / c.maxSteps);
    if (reachedGoal) this.hasState = false;
    return [this.observe(), reward, reachedGoal, false, { success: reachedGoal, toolApplied, mineBroken }];
  }

  private observe(): Float32Array {
    const n = this.config.gridSize;
    const obs = new Float32Array(8 + MINE_TYPES);
    obs[0] = this.x / (n - 1);
    obs[1] = this.y / (n - 1);
    obs[2] = this.dir / 3;
    DIRECTIONS.forEach(([dx, dy], d) => {
      const v = this.cell(this.x + dx, this.y + dy);
      obs[3 + d] = v === EMPTY || v === GOAL ? 1 : 0;
    });
    const [dx, dy] = DIRECTIONS[this.dir] as readonly [number, number];
    const ahead = this.cell(this.x + dx, this.y + dy);
    if (ahead >= 0) obs[7 + ahead] = 1;
    else if (ahead === GOAL) obs[7 + MINE_TYPES] = 1;
    return obs;
  }
}

/**
 * A scripted oracle: Dijkstra from the agent to the goal with entry costs 1 (empty, goal) and
 * 2 + tools needed (mine: turn, dig, step), then the first action along that path (turn/move, or
 * the tool that breaks the mine in front, else one that turns it into a basic mine).
 */
export function mineWorldOracleAction(env: MineWorldEnv): number {
  const n = env.config.gridSize;
  const toolsFor = (m: number) =>
    env.tools.map((t, i) => ({ ...t, action: i + NUM_NAV_ACTIONS })).filter((t) => t.before === m);
  const mineCost = Array.from(
    { length: MINE_TYPES },
    (_, m) => 2 + (toolsFor(m).some((t) => t.after === BROKEN) ? 1 : 2),
  );
  const entryCost = (v: number): number => {
    if (v === WALL) return Number.POSITIVE_INFINITY;
    if (v === EMPTY || v === GOAL) return 1;
    return mineCost[v] as number;
  };
  // Dijkstra backwards from the goal, so each cell knows its next cell towards the goal.
  const cost = new Float64Array(n * n).fill(Number.POSITIVE_INFINITY);
  const done = new Uint8Array(n * n);
  const goal = n * n - 1;
  cost[goal] = 0;
  for (;;) {
    let c = -1;
    for (let i = 0; i < n * n; i++) if (!done[i] && (c < 0 || (cost[i] as number) < (cost[c] as number))) c = i;
    if (c < 0 || cost[c] === Number.POSITIVE_INFINITY) break;
    done[c] = 1;
    const step = entryCost(env.grid[c] as number);
    for (const [dx, dy] of DIRECTIONS) {
      const x = (c % n) + dx;
      const y = Math.floor(c / n) + dy;
      if (x < 0 || y < 0 || x >= n || y >= n) continue;
      const j = y * n + x;
      if ((cost[c] as number) + step < (cost[j] as number)) cost[j] = (cost[c] as number) + step;
    }
  }
  // Best neighbour: its cost to go plus the cost of entering it.
  let bestDir = 0;
  let best = Number.POSITIVE_INFINITY;
  DIRECTIONS.forEach(([dx, dy], d) => {
    const v = env.cell(env.x + dx, env.y + dy);
    const j = (env.y + dy) * n + env.x + dx;
    if (v === WALL) return;
    const total = entryCost(v) + (cost[j] as number);
    if (total < best) {
      best = total;
      bestDir = d;
    }
  });
  const [dx, dy] = DIRECTIONS[bestDir] as readonly [number, number];
  const ahead = env.cell(env.x + dx, env.y + dy);
  if (ahead === EMPTY || ahead === GOAL || env.dir !== bestDir) return bestDir;
  const tools = toolsFor(ahead);
  return (tools.find((t) => t.after === BROKEN) ?? (tools[0] as Tool & { action: number })).action;
}

/** A distinct hue per mine type, darker for the complex mines. */
function mineColor(type: number): Rgb {
  const hue = (type / MINE_TYPES) * 300;
  const value = type < NUM_COMPLEX_MINES ? 150 : 230;
  const f = (k: number) => {
    const h = (k + hue / 60) % 6;
    return Math.round(value * (1 - 0.75 * Math.max(0, Math.min(h, 4 - h, 1))));
  };
  return [f(5), f(3), f(1)];
}
