/**
 * DMC reacher: bring the fingertip onto a target drawn anew each episode. One 0.02 s physics step per agent step;
 * 1000 steps (DMC's 20 s). `easy` uses a 0.05 m target, `hard` a 0.015 m one.
 *
 * Observation (6): position = [shoulder, wrist] angles, to_target = target − fingertip (x, y), velocity = the
 * two joint velocities.
 * Reward: 1 while the fingertip centre is within target radius + fingertip radius of the target centre, else 0
 * (DMC's `tolerance(distance, (0, radii))`).
 * Reset: shoulder ~ U(−π, π), wrist ~ U(±160°), zero velocity; target at angle U(0, 2π), radius U(0.05, 0.2).
 */
import { z } from "zod";
import { parseOptions, renderModeOption } from "../../mujoco/base.js";
import {
  DMC_CAMERAS,
  DmcEnv,
  type ObservationEntry,
  type ObservationPart,
  type RandomizedJoint,
  radians,
} from "../base.js";
import { DMC_REACHER_XML, REACHER_FINGER_RADIUS, REACHER_WRIST_RANGE_DEGREES } from "../models/reacher.js";
import { tolerance } from "../rewards.js";

export const DmcReacherOptionsSchema = z.strictObject({
  renderMode: renderModeOption,
  task: z.enum(["easy", "hard"]).default("easy"),
});
export type DmcReacherOptions = z.input<typeof DmcReacherOptionsSchema>;

/** Target radius per task (DMC `_BIG_TARGET`, `_SMALL_TARGET`). */
export const DMC_REACHER_TARGET_SIZE = { easy: 0.05, hard: 0.015 } as const;

export const DMC_REACHER_OBSERVATION: readonly ObservationEntry[] = [
  { name: "position", size: 2 },
  { name: "to_target", size: 2 },
  { name: "velocity", size: 2 },
];

const JOINTS: readonly RandomizedJoint[] = [
  { qpos: 0 },
  { qpos: 1, range: [-radians(REACHER_WRIST_RANGE_DEGREES), radians(REACHER_WRIST_RANGE_DEGREES)] },
];

export class DmcReacherEnv extends DmcEnv {
  readonly task: "easy" | "hard";
  readonly targetSize: number;
  private readonly fingerBody: number;
  private readonly targetXy: [number, number] = [0, 0];

  constructor(options: DmcReacherOptions = {}) {
    const o = parseOptions(DmcReacherOptionsSchema, options, "dmc/reacher");
    super(DMC_REACHER_XML, 1, `dmc/reacher-${o.task}`, DMC_REACHER_OBSERVATION, o.renderMode, DMC_CAMERAS.reacher);
    this.task = o.task;
    this.targetSize = DMC_REACHER_TARGET_SIZE[o.task];
    this.fingerBody = this.sim.bodyId("finger");
  }

  /** Target centre (x, y) of the current episode. */
  get target(): readonly [number, number] {
    return this.targetXy;
  }

  /** Fingertip centre (x, y). */
  get fingertip(): [number, number] {
    return [this.sim.at("xpos", 3 * this.fingerBody), this.sim.at("xpos", 3 * this.fingerBody + 1)];
  }

  /** Vector from the fingertip to the target (x, y). */
  fingerToTarget(): [number, number] {
    const [fx, fy] = this.fingertip;
    return [this.targetXy[0] - fx, this.targetXy[1] - fy];
  }

  reward(): number {
    const [dx, dy] = this.fingerToTarget();
    return tolerance(Math.hypot(dx, dy), [0, this.targetSize + REACHER_FINGER_RADIUS]);
  }

  protected resetModel(): void {
    const qpos = new Float64Array(2);
    this.randomizeJoints(qpos, JOINTS);
    const angle = this.rng.uniform(0, 2 * Math.PI);
    const radius = this.rng.uniform(0.05, 0.2);
    this.targetXy[0] = radius * Math.sin(angle);
    this.targetXy[1] = radius * Math.cos(angle);
    this.sim.setState(qpos, new Float64Array(2));
  }

  protected observationParts(): ObservationPart[] {
    return [this.qpos(), this.fingerToTarget(), this.qvel()];
  }
}
