/**
 * DMC finger: spin the free body fast (`spin`) or turn its tip onto a target (`turn_easy`, `turn_hard`). Two
 * 0.01 s physics steps per agent step (DMC's control step 0.02 s); 1000 steps (DMC's 20 s).
 *
 * Observation, spin (9): position = [proximal, distal angles, tip x − hinge x, tip z − hinge z] (4),
 * velocity = [proximal, distal, spinner hinge] velocities (3), touch = log(1 + force) top and bottom of the
 * fingertip (2). turn (12) adds target_position = target − hinge (x, z) (2) and dist_to_target = |target − tip|
 * minus the target radius (1, negative inside).
 * Reward: spin: 1 while the spinner turns at ≤ −15 rad/s (about −y), else 0; turn: 1 while the tip is inside the
 * target (radius 0.07 easy, 0.03 hard), else 0.
 * Reset: turn first draws the target on the tip's circle at angle U(−π, π); then finger angles ~ U(±110°) and
 * spinner angle ~ U(−π, π), redrawn until nothing touches. `spin` lowers the spinner's damping to 0.03.
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
import { FINGER_HINGE_XZ, FINGER_RANGE_DEGREES, FINGER_SPINNER_RADIUS, fingerXml } from "../models/finger.js";

export const DmcFingerOptionsSchema = z.strictObject({
  renderMode: renderModeOption,
  task: z.enum(["spin", "turn_easy", "turn_hard"]).default("spin"),
});
export type DmcFingerOptions = z.input<typeof DmcFingerOptionsSchema>;
export type DmcFingerTask = z.output<typeof DmcFingerOptionsSchema>["task"];

/** Spinner speed (rad/s, about −y) from which `spin` pays. */
export const DMC_FINGER_SPIN_VELOCITY = 15;
/** Target radius of the turn tasks. */
export const DMC_FINGER_TARGET_SIZE = { turn_easy: 0.07, turn_hard: 0.03 } as const;

const SPIN_HINGE_DAMPING = 0.03;
const TURN_HINGE_DAMPING = 0.5;

const SPIN_OBSERVATION: readonly ObservationEntry[] = [
  { name: "position", size: 4 },
  { name: "velocity", size: 3 },
  { name: "touch", size: 2 },
];
const TURN_OBSERVATION: readonly ObservationEntry[] = [
  ...SPIN_OBSERVATION,
  { name: "target_position", size: 2 },
  { name: "dist_to_target", size: 1 },
];

const JOINTS: readonly RandomizedJoint[] = [
  { qpos: 0, range: [-radians(FINGER_RANGE_DEGREES), radians(FINGER_RANGE_DEGREES)] },
  { qpos: 1, range: [-radians(FINGER_RANGE_DEGREES), radians(FINGER_RANGE_DEGREES)] },
  { qpos: 2 }, // the spinner: an unlimited hinge
];

// Sensor offsets, in the model's sensor order.
const PROXIMAL = 0;
const DISTAL = 1;
const VELOCITIES = 2; // proximal, distal, hinge
const HINGE_VELOCITY = 4;
const TIP = 5; // x, y, z
const SPINNER = 8; // x, y, z
const TOUCH_TOP = 11;
const TOUCH_BOTTOM = 12;

export class DmcFingerEnv extends DmcEnv {
  readonly task: DmcFingerTask;
  /** Target radius (0 for spin, which has no target). */
  readonly targetSize: number;
  private readonly targetXz: [number, number] = [0, 0];

  constructor(options: DmcFingerOptions = {}) {
    const o = parseOptions(DmcFingerOptionsSchema, options, "dmc/finger");
    const spin = o.task === "spin";
    super(
      fingerXml(spin ? SPIN_HINGE_DAMPING : TURN_HINGE_DAMPING),
      2,
      `dmc/finger-${o.task}`,
      spin ? SPIN_OBSERVATION : TURN_OBSERVATION,
      o.renderMode,
      DMC_CAMERAS.finger,
    );
    this.task = o.task;
    this.targetSize = o.task === "spin" ? 0 : DMC_FINGER_TARGET_SIZE[o.task];
  }

  /** Angular velocity of the spinner (rad/s, about −y). */
  get hingeVelocity(): number {
    return this.sim.at("sensordata", HINGE_VELOCITY);
  }

  /** Target centre (x, z) of the current turn episode. */
  get target(): readonly [number, number] {
    return this.targetXz;
  }

  /** Spinner tip relative to the spinner's hinge (x, z). */
  tipPosition(): [number, number] {
    return [this.sensor(TIP) - this.sensor(SPINNER), this.sensor(TIP + 2) - this.sensor(SPINNER + 2)];
  }

  /** Target relative to the spinner's hinge (x, z). */
  targetPosition(): [number, number] {
    return [this.targetXz[0] - this.sensor(SPINNER), this.targetXz[1] - this.sensor(SPINNER + 2)];
  }

  /** Signed distance from the tip to the target's surface (negative inside). */
  distToTarget(): number {
    const [tx, tz] = this.targetPosition();
    const [px, pz] = this.tipPosition();
    return Math.hypot(tx - px, tz - pz) - this.targetSize;
  }

  reward(): number {
    if (this.task === "spin") return this.hingeVelocity <= -DMC_FINGER_SPIN_VELOCITY ? 1 : 0;
    return this.distToTarget() <= 0 ? 1 : 0;
  }

  protected resetModel(): void {
    if (this.task !== "spin") {
      const angle = this.rng.uniform(-Math.PI, Math.PI);
      this.targetXz[0] = FINGER_HINGE_XZ[0] + FINGER_SPINNER_RADIUS * Math.sin(angle);
      this.targetXz[1] = FINGER_HINGE_XZ[1] + FINGER_SPINNER_RADIUS * Math.cos(angle);
    }
    const qpos = new Float64Array(3);
    const qvel = new Float64Array(3);
    this.drawCollisionFree(() => {
      this.randomizeJoints(qpos, JOINTS);
      this.sim.setState(qpos, qvel);
    });
  }

  protected observationParts(): ObservationPart[] {
    const position = [this.sensor(PROXIMAL), this.sensor(DISTAL), ...this.tipPosition()];
    const velocity = [this.sensor(VELOCITIES), this.sensor(VELOCITIES + 1), this.sensor(VELOCITIES + 2)];
    const touch = [Math.log1p(this.sensor(TOUCH_TOP)), Math.log1p(this.sensor(TOUCH_BOTTOM))];
    if (this.task === "spin") return [position, velocity, touch];
    return [position, velocity, touch, this.targetPosition(), this.distToTarget()];
  }

  private sensor(index: number): number {
    return this.sim.at("sensordata", index);
  }
}
