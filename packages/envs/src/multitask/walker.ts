/**
 * Walker2D, 4 tasks (QMP paper App. D D.4): walk forward at a target velocity, walk backward at a
 * target velocity, balance under random external forces, crawl under a ceiling; reported as return.
 * APPROXIMATE: the paper's walker is the 9-DoF planar biped of Lee et al. (2019); here it is
 * Gymnasium's Walker2d (v5 asset, 6 actuators, the same 9 qpos) on the MuJoCo WASM build.
 *
 * The paper gives only the four one-line descriptions. The reward terms, weights, forces and
 * termination heights below follow the Walker environments of Lee et al. (2019) that QMP's released
 * `Walker2dMT4-v0` is built from (a fact source, not copied code):
 *
 *   v_dir  = ẋ (forward, crawl) or −ẋ (backward), from the root's x over dt
 *   r_vel  = w_vel · (v* − |v_dir − v*|)      peaks at the target velocity v* = 3; balance: −w_vel · |ẋ|
 *   reward = r_vel + 1 (alive) + 0.1·cos(torso angle) − w_h·|Δh₀ − Δh| − w_foot·(|θ̇_foot| + |θ̇_foot_left|)
 *            − 1e-3·Σa² − 10·[crawl: the walker touches the ceiling]
 *
 * with Δh = torso z − the higher foot's z. Lee et al.'s target Δh is 1.1, their walker's standing
 * value; ours is this model's standing value Δh₀ = 1.25 (decision: keep "stand at full height").
 *
 * | task     | w_vel | w_h | w_foot | push F (N) | push prob | reset random steps | min torso z |
 * |----------|-------|-----|--------|------------|-----------|--------------------|-------------|
 * | forward  | 1     | 1   | 0.01   | 100        | 0.2       | 5                  | 0.8         |
 * | backward | 1     | 1   | 0.01   | 100        | 0.2       | 5                  | 0.8         |
 * | balance  | 1     | 0.5 | 0      | 400        | 0.1       | 10                 | 0.8         |
 * | crawl    | 2     | 0   | 0.01   | 300        | 0.2       | 5                  | 0.3         |
 *
 * Forward's settings were not available to us; they mirror backward's (same walker, opposite sign).
 *
 * - Pushes: after each step, with the task's probability, a wrench uniform in [−F, F]⁶ (force and
 *   torque, world frame, through `xfrc_applied`) is set on one uniformly chosen walker body for the
 *   next step; otherwise none. Balance also runs one frame of uniformly random actions right after a
 *   push (Lee et al.'s harder perturbation). All draws come from the env's seeded stream.
 * - Crawl: a box ceiling whose underside is at z = 1.0 from x = 2 onward (the walker starts at
 *   x = 0 and stands 1.5 tall, so it must crawl to pass); touching it costs 10 and ends the episode.
 * - Terminated when the torso's z drops below the task's minimum (no angle limit, unlike
 *   Gymnasium's Walker2d) or, for crawl, on touching the ceiling. 1000 steps per episode.
 * - Observation (17-d, every task): Gymnasium's qpos[1:] and qvel clipped to ±10. Lee et al. also
 *   append qacc (26-d); left out here. The task is not in the observation.
 * - Reset: qpos and qvel uniform within ±0.01 of the standing pose, then the reset random steps
 *   of uniformly random actions.
 * - `info.success`: the episode reached its 1000th step without being terminated (Lee et al.'s
 *   success flag). The score the paper reports is the return (Table D.2: Walker 3110 → 3205 → 3310).
 */
import { z } from "zod";
import type { Info, StepResult } from "../env.js";
import { MujocoEnv, parseOptions, put, squaredNorm } from "../mujoco/base.js";
import { walker2dXml } from "../mujoco/models/walker2d.js";
import { Box } from "../spaces.js";
import type { TaskDefinition } from "./task-set.js";
import { TaskSet } from "./task-set.js";

export const WALKER_TASKS = ["forward", "backward", "balance", "crawl"] as const;
export type WalkerTask = (typeof WALKER_TASKS)[number];

/** Episode length of QMP's `Walker2dMT4-v0` (official code). */
export const WALKER_MT4_STEPS = 1000;
/** Where the crawl task's ceiling begins (x) and the height of its underside (z). */
export const CEILING_START_X = 2;
const CEILING_HALF_LENGTH = 50;
const CEILING_HALF_THICKNESS = 0.05;

interface TaskWeights {
  velocity: number;
  height: number;
  foot: number;
  pushForce: number;
  pushProbability: number;
  randomSteps: number;
  minHeight: number;
}

/** The table in the header: Lee et al. (2019)'s per-task settings. */
export const WALKER_TASK_SETTINGS: Readonly<Record<WalkerTask, Readonly<TaskWeights>>> = {
  forward: { velocity: 1, height: 1, foot: 0.01, pushForce: 100, pushProbability: 0.2, randomSteps: 5, minHeight: 0.8 },
  backward: {
    velocity: 1,
    height: 1,
    foot: 0.01,
    pushForce: 100,
    pushProbability: 0.2,
    randomSteps: 5,
    minHeight: 0.8,
  },
  balance: { velocity: 1, height: 0.5, foot: 0, pushForce: 400, pushProbability: 0.1, randomSteps: 10, minHeight: 0.8 },
  crawl: { velocity: 2, height: 0, foot: 0.01, pushForce: 300, pushProbability: 0.2, randomSteps: 5, minHeight: 0.3 },
};

const ALIVE_REWARD = 1;
const ANGLE_WEIGHT = 0.1;
const CTRL_WEIGHT = 1e-3;
const COLLISION_PENALTY = 10;
const RESET_NOISE = 0.01;

export const WalkerMTOptionsSchema = z.strictObject({
  /** v* of the forward, backward and crawl tasks (m/s); Lee et al.'s `x_vel_limit`. */
  targetVelocity: z.number().positive().default(3),
  /** Multiplies every task's push force; 0 turns the pushes off. */
  pushScale: z.number().nonnegative().default(1),
  /** Underside of the crawl task's ceiling (m). */
  ceilingHeight: z.number().positive().default(1),
  /** End the episode on falling below the minimum height (and, crawling, on touching the ceiling). */
  terminateWhenUnhealthy: z.boolean().default(true),
});
export type WalkerMTOptions = z.input<typeof WalkerMTOptionsSchema>;

function walkerXml(task: WalkerTask, ceilingHeight: number): string {
  const xml = walker2dXml("v5");
  if (task !== "crawl") return xml;
  const x = CEILING_START_X + CEILING_HALF_LENGTH;
  const z = ceilingHeight + CEILING_HALF_THICKNESS;
  const ceiling = `    <geom name="ceiling" type="box" pos="${x} 0 ${z}" size="${CEILING_HALF_LENGTH} 1 ${CEILING_HALF_THICKNESS}" contype="1" conaffinity="1" rgba="0.6 0.6 0.7 0.6"/>\n  </worldbody>`;
  return xml.replace("  </worldbody>", ceiling);
}

export class WalkerTaskEnv extends MujocoEnv {
  readonly observationSpace: Box;
  readonly settings: Readonly<TaskWeights>;
  private readonly o: z.output<typeof WalkerMTOptionsSchema>;
  private readonly torso: number;
  private readonly feet: readonly [number, number];
  /** Geom id of the crawl task's ceiling; −1 for the other tasks. */
  readonly ceilingGeom: number;
  /** Δh₀: torso height above the higher foot in the standing pose. */
  readonly standingHeight: number;
  private readonly qpos: Float64Array;
  private readonly qvel: Float64Array;
  private readonly randomAction: Float64Array;
  private readonly wrench = new Float64Array(6);
  private steps = 0;

  constructor(
    readonly task: WalkerTask,
    options: WalkerMTOptions = {},
  ) {
    const o = parseOptions(WalkerMTOptionsSchema, options, `Walker2dMT4 ${task}`);
    super(walkerXml(task, o.ceilingHeight), 4, "Walker2d", undefined);
    this.o = o;
    this.settings = WALKER_TASK_SETTINGS[task];
    this.torso = this.sim.bodyId("torso");
    this.feet = [this.sim.bodyId("foot"), this.sim.bodyId("foot_left")];
    this.ceilingGeom = task === "crawl" ? this.sim.geomId("ceiling") : -1;
    this.qpos = new Float64Array(this.sim.nq);
    this.qvel = new Float64Array(this.sim.nv);
    this.randomAction = new Float64Array(this.sim.nu);
    this.observationSpace = new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, [
      this.sim.nq - 1 + this.sim.nv,
    ]);
    this.standingHeight = this.heightAboveFeet();
  }

  /** Torso z minus the higher foot's z (Lee et al.'s Δh). */
  private heightAboveFeet(): number {
    const z = (body: number) => this.sim.at("xpos", 3 * body + 2);
    return z(this.torso) - Math.max(z(this.feet[0]), z(this.feet[1]));
  }

  /** Whether the walker touches the crawl ceiling (always false for the other tasks). */
  get touchesCeiling(): boolean {
    return this.ceilingGeom >= 0 && this.sim.touches(this.ceilingGeom);
  }

  private simulateRandomAction(): void {
    for (let k = 0; k < this.randomAction.length; k++) this.randomAction[k] = this.rng.uniform(-1, 1);
    this.doSimulation(this.randomAction);
  }

  protected resetModel(): void {
    this.sim.setState(
      this.uniformAround(this.sim.initQpos, RESET_NOISE),
      this.uniformAround(this.sim.initQvel, RESET_NOISE),
    );
    for (let k = 0; k < this.settings.randomSteps; k++) this.simulateRandomAction();
    this.steps = 0;
  }

  step(action: ArrayLike<number>): StepResult<Float32Array> {
    const s = this.settings;
    const xBefore = this.sim.at("qpos", 0);
    const footBefore = [this.sim.at("qpos", 5), this.sim.at("qpos", 8)] as const;
    this.doSimulation(action);
    this.steps += 1;
    const xVelocity = (this.sim.at("qpos", 0) - xBefore) / this.dt;
    const footSpeed =
      (Math.abs(this.sim.at("qpos", 5) - footBefore[0]) + Math.abs(this.sim.at("qpos", 8) - footBefore[1])) / this.dt;
    const touched = this.touchesCeiling;

    const vStar = this.o.targetVelocity;
    const direction = this.task === "backward" ? -xVelocity : xVelocity;
    const velocityReward =
      this.task === "balance" ? -s.velocity * Math.abs(xVelocity) : s.velocity * (vStar - Math.abs(direction - vStar));
    const angleReward = ANGLE_WEIGHT * Math.cos(this.sim.at("qpos", 2));
    const heightReward = -s.height * Math.abs(this.standingHeight - this.heightAboveFeet());
    const footReward = -s.foot * footSpeed;
    const ctrlReward = -CTRL_WEIGHT * squaredNorm(action);
    const collisionReward = touched ? -COLLISION_PENALTY : 0;
    const reward =
      velocityReward + ALIVE_REWARD + angleReward + heightReward + footReward + ctrlReward + collisionReward;

    const fallen = this.sim.at("qpos", 1) < s.minHeight;
    const terminated = this.o.terminateWhenUnhealthy && (fallen || touched);
    const pushBody = this.push();
    const info: Info = {
      reward_velocity: velocityReward,
      reward_alive: ALIVE_REWARD,
      reward_angle: angleReward,
      reward_height: heightReward,
      reward_foot: footReward,
      reward_ctrl: ctrlReward,
      reward_collision: collisionReward,
      x_velocity: xVelocity,
      x_position: this.sim.at("qpos", 0),
      touches_ceiling: touched,
      push_body: pushBody,
      success: !terminated && this.steps >= WALKER_MT4_STEPS,
    };
    return [this.observation(), reward, terminated, false, info];
  }

  /**
   * Draws the push acting during the next step (cleared otherwise); returns the pushed body or −1.
   * Balance follows a push with one frame of random actions, as in Lee et al.
   */
  private push(): number {
    this.sim.clearBodyWrenches();
    const s = this.settings;
    const force = s.pushForce * this.o.pushScale;
    if (force === 0 || !(this.rng.random() < s.pushProbability)) return -1;
    const body = this.rng.int(1, this.sim.nbody);
    for (let k = 0; k < 6; k++) this.wrench[k] = this.rng.uniform(-force, force);
    this.sim.setBodyWrench(body, this.wrench);
    if (this.task === "balance") this.simulateRandomAction();
    return body;
  }

  protected observation(): Float32Array {
    const out = new Float32Array(this.observationSpace.size);
    const o = put(out, 0, this.sim.read("qpos", this.qpos), 1);
    put(out, o, this.sim.read("qvel", this.qvel), 0, 10);
    return out;
  }
}

/** The four tasks as a task set (label "approximate": Gymnasium's Walker2d, not Lee et al.'s walker). */
export function walkerTaskSet(id: string, options: WalkerMTOptions = {}): TaskSet {
  parseOptions(WalkerMTOptionsSchema, options, id);
  const tasks = WALKER_TASKS.map(
    (task): TaskDefinition => ({
      name: task,
      make: () => new WalkerTaskEnv(task, options),
      maxEpisodeSteps: WALKER_MT4_STEPS,
    }),
  );
  return new TaskSet(id, tasks, false, {
    label:
      "approximate: Gymnasium's 6-actuator Walker2d, not Lee et al.'s walker; success = 1000 steps upright, the paper scores return (return/task<i>)",
  });
}
