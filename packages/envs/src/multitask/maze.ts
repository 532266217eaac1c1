/**
 * Maze navigation (QMP paper App. D D.2): a point mass in the D4RL LARGE_MAZE, one fixed start and
 * goal per task (the 10 tasks of the official code's `large_10t_train_goals.csv`). Asset-free
 * re-implementation, so the dynamics are ours, not D4RL's MuJoCo point mass:
 *
 * - World coordinates are cell indices (x = row, y = column); cell (r, c) is the unit square
 *   centred on (r, c). The agent is an axis-aligned square of half-width 0.1.
 * - The action is the target velocity in [−1, 1]² (cells per unit time), applied for dt = 0.1:
 *   p ← p + a·dt. Walls are resolved per axis (x, then y): a move that would overlap a wall cell
 *   is dropped along that axis, so the agent slides along walls.
 * - Observation: position and realised velocity (4-d); no goal and no task id (App. D D.2).
 * - Reward exp(−d) − 1 with d the distance to the goal; success and termination at d < 0.5;
 *   600 steps per episode. The start gets uniform noise in [−0.1, 0.1] per coordinate (D4RL reset).
 */
import type { BoxAction, Info, ResetArgs, StepResult } from "../env.js";
import { Env, envLabel } from "../env.js";
import { ResetNeededError } from "../errors.js";
import { Box } from "../spaces.js";
import { TaskSet } from "./task-set.js";

/** D4RL LARGE_MAZE, 1 = wall (rows = x, columns = y). */
export const LARGE_MAZE: readonly (readonly number[])[] = [
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
  [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1],
  [1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1],
  [1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1],
  [1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 0, 1],
  [1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1],
  [1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1],
  [1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1],
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
];

export type Cell = readonly [number, number];

/** The 10 (start, goal) tasks of the official code; T0–T3 short, T4–T7 medium, T8–T9 long paths. */
export const MAZE_LARGE_TASKS: readonly { start: Cell; goal: Cell }[] = [
  { start: [1, 3], goal: [5, 8] },
  { start: [1, 10], goal: [2, 4] },
  { start: [4, 1], goal: [1, 7] },
  { start: [7, 4], goal: [4, 10] },
  { start: [1, 3], goal: [7, 4] },
  { start: [1, 7], goal: [7, 10] },
  { start: [5, 4], goal: [7, 9] },
  { start: [7, 1], goal: [2, 6] },
  { start: [1, 2], goal: [3, 10] },
  { start: [7, 2], goal: [6, 8] },
];

/**
 * The 3-task subset (App. E.4 uses one but does not list it): [default] one task from each
 * path-length group, T0 (short), T4 (medium), T8 (long).
 */
export const MAZE_LARGE_MT3_TASKS = [0, 4, 8] as const;

export const MAZE_EPISODE_STEPS = 600;
export const MAZE_SUCCESS_DISTANCE = 0.5;
export const MAZE_DT = 0.1;
/** exp(−d) − 1 > −1 for every distance d: the bound UDS relabels shared transitions with. */
export const MAZE_MIN_REWARD = -1;
const HALF_WIDTH = 0.1;
const START_NOISE = 0.1;

export class PointMazeEnv extends Env<Float32Array, BoxAction> {
  readonly observationSpace: Box;
  readonly actionSpace = new Box(-1, 1, [2]);
  private readonly state = new Float64Array(4);
  private started = false;

  constructor(
    readonly start: Cell,
    readonly goal: Cell,
    readonly maze: readonly (readonly number[])[] = LARGE_MAZE,
  ) {
    super();
    const rows = maze.length;
    const cols = (maze[0] as readonly number[]).length;
    this.observationSpace = new Box([0, 0, -1, -1], [rows - 1, cols - 1, 1, 1]);
  }

  /** Whether the agent's square centred on (x, y) overlaps a wall cell. */
  collides(x: number, y: number): boolean {
    for (const cx of [x - HALF_WIDTH, x + HALF_WIDTH]) {
      for (const cy of [y - HALF_WIDTH, y + HALF_WIDTH]) {
        if (this.maze[Math.round(cx)]?.[Math.round(cy)] !== 0) return true;
      }
    }
    return false;
  }

  reset({ seed }: ResetArgs = {}): [Float32Array, Info] {
    this.seedRng(seed);
    this.state[0] = this.start[0] + this.rng.uniform(-START_NOISE, START_NOISE);
    this.state[1] = this.start[1] + this.rng.uniform(-START_NOISE, START_NOISE);
    this.state[2] = 0;
    this.state[3] = 0;
    this.started = true;
    return [Float32Array.from(this.state), { success: false, distance: this.distance() }];
  }

  private distance(): number {
    return Math.hypot((this.state[0] as number) - this.goal[0], (this.state[1] as number) - this.goal[1]);
  }

  step(action: BoxAction): StepResult<Float32Array> {
    if (!this.started) throw new ResetNeededError(`${envLabel(this)}: call reset() before step()`);
    const x = this.state[0] as number;
    const y = this.state[1] as number;
    const vx = Math.min(Math.max(action[0] as number, -1), 1);
    const vy = Math.min(Math.max(action[1] as number, -1), 1);
    const nx = this.collides(x + vx * MAZE_DT, y) ? x : x + vx * MAZE_DT;
    const ny = this.collides(nx, y + vy * MAZE_DT) ? y : y + vy * MAZE_DT;
    this.state[0] = nx;
    this.state[1] = ny;
    this.state[2] = (nx - x) / MAZE_DT;
    this.state[3] = (ny - y) / MAZE_DT;
    const d = this.distance();
    const success = d < MAZE_SUCCESS_DISTANCE;
    return [Float32Array.from(this.state), Math.exp(-d) - 1, success, false, { success, distance: d }];
  }
}

/** A task set over the given rows of MAZE_LARGE_TASKS. */
export function mazeLargeTaskSet(id: string, tasks: readonly number[]): TaskSet {
  return new TaskSet(
    id,
    tasks.map((t) => {
      const { start, goal } = MAZE_LARGE_TASKS[t] as { start: Cell; goal: Cell };
      return {
        name: `T${t}`,
        make: () => new PointMazeEnv(start, goal),
        maxEpisodeSteps: MAZE_EPISODE_STEPS,
      };
    }),
    false,
    { minReward: MAZE_MIN_REWARD },
  );
}
