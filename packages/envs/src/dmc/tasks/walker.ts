/**
 * DMC walker: stand up (`stand`), walk (`walk`, 1 m/s) or run (`run`, 8 m/s). Ten 0.0025 s physics steps per
 * agent step (DMC's control step 0.025 s); 1000 steps (DMC's 25 s).
 *
 * Observation (24): orientations = (xx, xz) of each body's rotation matrix for torso, right thigh/leg/foot, left
 * thigh/leg/foot (14), height = torso z (1), velocity = all nine qvel.
 * Reward: stand = (3·standing + upright)/4 with standing = tolerance(torso z, (1.2, ∞), margin 0.6) and
 * upright = (1 + torso zz)/2; walk/run multiply it by (5·move + 1)/6 with
 * move = tolerance(COM x-velocity, (speed, ∞), margin speed/2, linear, 0.5 at margin).
 * Reset: leg joints ~ U(range), torso pitch ~ U(−π, π) (so the walker may start fallen), zero velocity.
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
import { DMC_WALKER_XML, WALKER_BODIES, WALKER_LEG_JOINTS } from "../models/walker.js";
import { tolerance } from "../rewards.js";

export const DmcWalkerOptionsSchema = z.strictObject({
  renderMode: renderModeOption,
  task: z.enum(["stand", "walk", "run"]).default("walk"),
});
export type DmcWalkerOptions = z.input<typeof DmcWalkerOptionsSchema>;
export type DmcWalkerTask = z.output<typeof DmcWalkerOptionsSchema>["task"];

/** Torso height (m) from which the standing term is 1. */
export const DMC_WALKER_STAND_HEIGHT = 1.2;
/** Target horizontal speed (m/s) per task. */
export const DMC_WALKER_SPEED: Record<DmcWalkerTask, number> = { stand: 0, walk: 1, run: 8 };

export const DMC_WALKER_OBSERVATION: readonly ObservationEntry[] = [
  { name: "orientations", size: 14 },
  { name: "height", size: 1 },
  { name: "velocity", size: 9 },
];

const JOINTS: readonly RandomizedJoint[] = [
  { qpos: 2 }, // rooty: an unlimited hinge
  ...[3, 6].flatMap((first) =>
    WALKER_LEG_JOINTS.map((j, i) => ({ qpos: first + i, range: [radians(j.range[0]), radians(j.range[1])] as const })),
  ),
];

// Sensor offsets: COM velocity (3), then per body its x-axis (3) and z-axis (3).
const COM_VELOCITY_X = 0;
const xAxis = (body: number) => 3 + 6 * body;
const zAxis = (body: number) => 6 + 6 * body;

export class DmcWalkerEnv extends DmcEnv {
  readonly task: DmcWalkerTask;
  readonly moveSpeed: number;
  private readonly torso: number;

  constructor(options: DmcWalkerOptions = {}) {
    const o = parseOptions(DmcWalkerOptionsSchema, options, "dmc/walker");
    super(DMC_WALKER_XML, 10, `dmc/walker-${o.task}`, DMC_WALKER_OBSERVATION, o.renderMode, DMC_CAMERAS.walker);
    this.task = o.task;
    this.moveSpeed = DMC_WALKER_SPEED[o.task];
    this.torso = this.sim.bodyId("torso");
  }

  /** Torso height z (m). */
  get torsoHeight(): number {
    return this.sim.at("xpos", 3 * this.torso + 2);
  }

  /** zz of the torso rotation: 1 upright, −1 upside down. */
  get torsoUpright(): number {
    return this.sim.at("sensordata", zAxis(0) + 2);
  }

  /** x-velocity of the centre of mass. */
  get horizontalVelocity(): number {
    return this.sim.at("sensordata", COM_VELOCITY_X);
  }

  /** (xx, xz) of every body's rotation matrix, torso first. */
  orientations(): Float64Array {
    const out = new Float64Array(2 * WALKER_BODIES.length);
    for (let b = 0; b < WALKER_BODIES.length; b++) {
      out[2 * b] = this.sim.at("sensordata", xAxis(b));
      out[2 * b + 1] = this.sim.at("sensordata", zAxis(b));
    }
    return out;
  }

  reward(): number {
    const standing = tolerance(
      this.torsoHeight,
      [DMC_WALKER_STAND_HEIGHT, Number.POSITIVE_INFINITY],
      DMC_WALKER_STAND_HEIGHT / 2,
    );
    const upright = (1 + this.torsoUpright) / 2;
    const stand = (3 * standing + upright) / 4;
    if (this.moveSpeed === 0) return stand;
    const move = tolerance(
      this.horizontalVelocity,
      [this.moveSpeed, Number.POSITIVE_INFINITY],
      this.moveSpeed / 2,
      "linear",
      0.5,
    );
    return (stand * (5 * move + 1)) / 6;
  }

  protected resetModel(): void {
    const qpos = Float64Array.from(this.sim.initQpos);
    this.randomizeJoints(qpos, JOINTS);
    this.sim.setState(qpos, new Float64Array(this.sim.nv));
  }

  protected observationParts(): ObservationPart[] {
    return [this.orientations(), this.torsoHeight, this.qvel()];
  }
}
