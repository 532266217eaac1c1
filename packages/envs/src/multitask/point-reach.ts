/**
 * The didactic 2-D point-reaching task set (QMP paper §5.5.2): one task to learn, reach the goal
 * (10, 10) from (0, 0), plus three tasks whose fixed Gaussian policies move in one direction each.
 * With the "relevant" helpers (↑, →, ↗) the ↗ policy heads straight for the goal; the
 * "irrelevant" set (↑, →, ↙) only offers partial progress (↑ and →) and one conflicting direction.
 *
 * The paper gives neither episode length, noise scale nor reward formula; the defaults
 * are 50 steps, helper σ = 0.1 and reward −‖p − goal‖ ("distance"). The option `reward:
 * "expDistance"` gives exp(−‖p − goal‖) − 1 instead, the Maze reward of the same paper (App. D
 * D.2): nearly flat (≈ −1) far from the goal, so only behaviour that gets close is informative.
 * Success (ours): ‖p − goal‖ < 1, which ends the episode. The radius is not the Maze's 0.5: a
 * diagonal step is up to √2 long, and the ↗ helper (whose clipped noise shortens its steps to
 * ≈ 0.96 per axis) would often step over a 0.5 disc around the goal. A helper task's reward is its progress along its direction; it succeeds after
 * 10 units of progress. The observation is the position only (no task id, no goal).
 */
import type { BoxAction, Info, ResetArgs, StepResult } from "../env.js";
import { Env, envLabel } from "../env.js";
import { ResetNeededError } from "../errors.js";
import { Box } from "../spaces.js";
import type { TaskDefinition } from "./task-set.js";
import { TaskSet } from "./task-set.js";

export const POINT_REACH_GOAL = [10, 10] as const;
export const POINT_REACH_STEPS = 50;
export const POINT_REACH_SUCCESS_RADIUS = 1;
/** σ of the fixed helper policies (our default; the paper gives none). */
export const POINT_REACH_HELPER_STD = 0.1;
/** The arena is clipped to this half-width, so observations stay in a bounded box. */
const ARENA = 20;

/** Reach a goal (reward −‖p − goal‖) or move along a direction (reward = progress along it). */
export type PointReachReward = "distance" | "expDistance";

export type PointTask =
  | { kind: "reach"; goal: readonly [number, number]; reward: PointReachReward }
  | { kind: "move"; direction: [number, number] };

export class PointReachEnv extends Env<Float32Array, BoxAction> {
  readonly observationSpace = new Box(-ARENA, ARENA, [2]);
  readonly actionSpace = new Box(-1, 1, [2]);
  private readonly pos = new Float64Array(2);
  private travelled = 0;
  private started = false;

  constructor(readonly task: PointTask) {
    super();
  }

  reset({ seed }: ResetArgs = {}): [Float32Array, Info] {
    this.seedRng(seed);
    this.pos.fill(0);
    this.travelled = 0;
    this.started = true;
    return [Float32Array.from(this.pos), { success: false }];
  }

  step(action: BoxAction): StepResult<Float32Array> {
    if (!this.started) throw new ResetNeededError(`${envLabel(this)}: call reset() before step()`);
    const x0 = this.pos[0] as number;
    const y0 = this.pos[1] as number;
    this.pos[0] = Math.min(Math.max(x0 + (action[0] as number), -ARENA), ARENA);
    this.pos[1] = Math.min(Math.max(y0 + (action[1] as number), -ARENA), ARENA);
    const obs = Float32Array.from(this.pos);
    if (this.task.kind === "reach") {
      const d = Math.hypot((this.pos[0] as number) - this.task.goal[0], (this.pos[1] as number) - this.task.goal[1]);
      const success = d < POINT_REACH_SUCCESS_RADIUS;
      const reward = this.task.reward === "distance" ? -d : Math.exp(-d) - 1;
      return [obs, reward, success, false, { success, distance: d }];
    }
    const [ux, uy] = this.task.direction;
    const norm = Math.hypot(ux, uy);
    const progress = (((this.pos[0] as number) - x0) * ux + ((this.pos[1] as number) - y0) * uy) / norm;
    this.travelled += progress;
    const success = this.travelled >= 10;
    return [obs, progress, success, false, { success }];
  }
}

const HELPERS = {
  up: [0, 1],
  right: [1, 0],
  upRight: [1, 1],
  downLeft: [-1, -1],
} as const satisfies Record<string, [number, number]>;

export type PointReachHelperSet = "relevant" | "irrelevant";

export interface PointReachMTOptions {
  /** "relevant" (default): ↑, →, ↗; "irrelevant": ↑, →, ↙. */
  helpers?: PointReachHelperSet;
  /** Task 0's reward: "distance" (default, −d) or "expDistance" (exp(−d) − 1). */
  reward?: PointReachReward;
}

/**
 * The lowest one-step reward of the set (UDS relabels shared data with it, §5.6.2). A diagonal
 * helper's progress can be −√2; the reach task's −d is at least −30√2 (the arena corner (−20, −20)
 * to the goal (10, 10)), its exp(−d) − 1 above −1.
 */
export function pointReachMinReward(reward: PointReachReward): number {
  const farthest = Math.hypot(ARENA + POINT_REACH_GOAL[0], ARENA + POINT_REACH_GOAL[1]);
  return Math.min(-Math.SQRT2, reward === "distance" ? -farthest : -1);
}

/** Task 0 "reach" is the one to learn; tasks 1–3 are the fixed helpers. */
export function pointReachTaskSet(
  id: string,
  { helpers = "relevant", reward = "distance" }: PointReachMTOptions = {},
): TaskSet {
  const names: (keyof typeof HELPERS)[] =
    helpers === "relevant" ? ["up", "right", "upRight"] : ["up", "right", "downLeft"];
  const reach: TaskDefinition = {
    name: "reach",
    make: () => new PointReachEnv({ kind: "reach", goal: POINT_REACH_GOAL, reward }),
    maxEpisodeSteps: POINT_REACH_STEPS,
  };
  const helperTasks = names.map(
    (name): TaskDefinition => ({
      name,
      make: () => new PointReachEnv({ kind: "move", direction: [...HELPERS[name]] }),
      maxEpisodeSteps: POINT_REACH_STEPS,
      fixedPolicy: { mean: Float32Array.from(HELPERS[name]), std: POINT_REACH_HELPER_STD },
    }),
  );
  return new TaskSet(id, [reach, ...helperTasks], false, { minReward: pointReachMinReward(reward) });
}
