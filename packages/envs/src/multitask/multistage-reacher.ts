/**
 * Multistage Reacher, 5 tasks (QMP paper §5.6.1, App. D D.1, Table D.1): an APPROXIMATE
 * substitute. The paper's arm is a 6-DoF Jaco in MuJoCo with meshes; here the hand is a kinematic
 * 3-D point under velocity control (our substitute: the meshes are not available), which keeps the task
 * structure: Table D.1's subgoal sequences, the −2-shifted task 1, the sparse task 3 and the
 * conflicting stay task 4. The dynamics and therefore the numbers are not the paper's.
 *
 * - Hand: p ∈ [0, 0.6] × [−0.5, 0.5] × [0, 0.7], p ← clip(p + 0.05·a) with a ∈ [−1, 1]³. Start at
 *   HAND_START plus uniform noise in [−0.01, 0.01] per coordinate (App. D D.1).
 * - Observation (10-d): hand position, hand velocity (the last displacement), and the number of
 *   subgoals reached as a one-hot over 0–3. No subgoal locations and no task id (App. D D.1).
 * - Reward, in the form of the paper's released code (App. D D.1): −‖hand − goal‖ (0 for the sparse task 3)
 *   + stage reward + control penalty −0.01‖a‖² + shift. Stage reward: −0.4·(3 − stage) for tasks
 *   0, 2, 3; task 1 instead gets (|shift| + 1)·200/3 on each step that completes a subgoal, with
 *   shift = −2 on every step; task 4 (dense) gets none.
 * - A subgoal is completed when ‖hand − goal‖ < 0.05, and the next one becomes the goal. Task 4's
 *   goal is the start position itself; its stage advances after every 30 consecutive steps within
 *   0.05 of it. Success = all 3 stages completed, which ends the episode; 200 steps otherwise.
 */
import type { BoxAction, Info, ResetArgs, StepResult } from "../env.js";
import { Env, envLabel } from "../env.js";
import { ResetNeededError } from "../errors.js";
import { Box } from "../spaces.js";
import type { TaskDefinition } from "./task-set.js";
import { TaskSet } from "./task-set.js";

type Vec3 = readonly [number, number, number];

/** The hand's start (ours: the Jaco's initial hand position is not given), away from every subgoal. */
export const HAND_START: Vec3 = [0.25, 0, 0.45];
export const REACHER_STEPS = 200;
export const REACHER_SUBGOAL_RADIUS = 0.05;
const SPEED = 0.05;
const START_NOISE = 0.01;
const LOW: Vec3 = [0, -0.5, 0];
const HIGH: Vec3 = [0.6, 0.5, 0.7];
/** Task 4: consecutive steps at the start position per stage. */
const STAY_STEPS = 30;
const SHIFT = -2;
/**
 * The lowest one-step reward of the set (UDS relabels shared data with it, §5.6.2): task 1's
 * −d + shift − 0.01‖a‖², with d at most √1.05 (from its subgoal (0.2, 0.3, 0.5) or (0.4, 0.3, 0.2)
 * to the farthest corner of the hand's box) and ‖a‖² at most 3. The other tasks' floors are higher
 * (tasks 0 and 2: −√1.05 − 1.2 − 0.03). The paper's Jaco env states −5 (`min_reward` in its code).
 */
export const REACHER_MIN_REWARD = SHIFT - 0.03 - Math.sqrt(1.05);

/** Table D.1 verbatim; task 4's three "initial" subgoals are the start position. */
export const TABLE_D1: readonly (readonly Vec3[])[] = [
  [
    [0.2, 0.3, 0.5],
    [0.3, 0, 0.3],
    [0.4, -0.3, 0.4],
  ],
  [
    [0.2, 0.3, 0.5],
    [0.3, 0, 0.3],
    [0.4, 0.3, 0.2],
  ],
  [
    [0.3, 0, 0.3],
    [0.4, 0.3, 0.2],
    [0.4, -0.3, 0.4],
  ],
  [
    [0.3, 0, 0.3],
    [0.4, -0.3, 0.4],
    [0.2, 0.3, 0.5],
  ],
  [HAND_START, HAND_START, HAND_START],
];

export class MultistageReacherEnv extends Env<Float32Array, BoxAction> {
  readonly observationSpace = new Box(
    Float32Array.from([...LOW, -SPEED, -SPEED, -SPEED, 0, 0, 0, 0]),
    Float32Array.from([...HIGH, SPEED, SPEED, SPEED, 1, 1, 1, 1]),
    [10],
  );
  readonly actionSpace = new Box(-1, 1, [3]);
  private readonly hand = new Float64Array(3);
  private readonly velocity = new Float64Array(3);
  private stage = 0;
  private stayed = 0;
  private started = false;

  constructor(readonly task: number) {
    super();
    if (!Number.isInteger(task) || task < 0 || task >= TABLE_D1.length) {
      throw new RangeError(`MultistageReacher: task ${task} is not in [0, ${TABLE_D1.length})`);
    }
  }

  private observe(): Float32Array {
    const obs = new Float32Array(10);
    obs.set(this.hand, 0);
    obs.set(this.velocity, 3);
    obs[6 + this.stage] = 1;
    return obs;
  }

  private distance(): number {
    const goal = (TABLE_D1[this.task] as Vec3[])[Math.min(this.stage, 2)] as Vec3;
    return Math.hypot(
      (this.hand[0] as number) - goal[0],
      (this.hand[1] as number) - goal[1],
      (this.hand[2] as number) - goal[2],
    );
  }

  reset({ seed }: ResetArgs = {}): [Float32Array, Info] {
    this.seedRng(seed);
    for (let k = 0; k < 3; k++) this.hand[k] = (HAND_START[k] as number) + this.rng.uniform(-START_NOISE, START_NOISE);
    this.velocity.fill(0);
    this.stage = 0;
    this.stayed = 0;
    this.started = true;
    return [this.observe(), { success: false, stage: 0 }];
  }

  step(action: BoxAction): StepResult<Float32Array> {
    if (!this.started) throw new ResetNeededError(`${envLabel(this)}: call reset() before step()`);
    let control = 0;
    for (let k = 0; k < 3; k++) {
      const a = Math.min(Math.max(action[k] as number, -1), 1);
      control += a * a;
      const before = this.hand[k] as number;
      this.hand[k] = Math.min(Math.max(before + SPEED * a, LOW[k] as number), HIGH[k] as number);
      this.velocity[k] = (this.hand[k] as number) - before;
    }
    const d = this.distance();
    let completed = false;
    if (this.task === 4) {
      this.stayed = d < REACHER_SUBGOAL_RADIUS ? this.stayed + 1 : 0;
      if (this.stayed >= STAY_STEPS) {
        this.stage += 1;
        this.stayed = 0;
        completed = true;
      }
    } else if (d < REACHER_SUBGOAL_RADIUS) {
      this.stage += 1;
      completed = true;
    }
    let reward = (this.task === 3 ? 0 : -d) - 0.01 * control;
    if (this.task === 1) reward += SHIFT + (completed ? ((Math.abs(SHIFT) + 1) * 200) / 3 : 0);
    else if (this.task !== 4) reward += -0.4 * Math.max(3 - this.stage, 0);
    const success = this.stage >= 3;
    if (success) this.stage = 3;
    return [this.observe(), reward, success, false, { success, stage: this.stage, distance: d }];
  }
}

/** The five tasks of Table D.1 as a task set (label "approximate": a kinematic point, not a Jaco arm). */
export function multistageReacherTaskSet(id: string): TaskSet {
  const tasks = TABLE_D1.map(
    (_, i): TaskDefinition => ({
      name: i === 4 ? "T4-stay" : `T${i}`,
      make: () => new MultistageReacherEnv(i),
      maxEpisodeSteps: REACHER_STEPS,
    }),
  );
  return new TaskSet(id, tasks, false, {
    minReward: REACHER_MIN_REWARD,
    label: "approximate: a kinematic 3-D point hand, not the paper's Jaco arm",
  });
}
