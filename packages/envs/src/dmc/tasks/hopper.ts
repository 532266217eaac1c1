/**
 * DMC hopper: stand upright (`stand`) or hop forward (`hop`, 2 m/s). Four 0.005 s physics steps per agent step
 * (DMC's control step 0.02 s); 1000 steps (DMC's 20 s).
 *
 * Observation (15): position = qpos without the root x (6), velocity = all seven qvel, touch = log(1 + force)
 * at the toe and the heel (2).
 * Reward: standing = 1 while the torso's centre of mass is 0.6…2 m above the foot's, else 0. `stand`:
 * standing · (4 + mean small_control)/5 with small_control = tolerance(u, margin 1, quadratic, 0 at margin)
 * per actuator; `hop`: standing · tolerance(COM x-velocity, (2, ∞), margin 1, linear, 0.5 at margin).
 * Reset: hinges ~ U(range), torso pitch ~ U(−π, π), zero velocity.
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
import { DMC_HOPPER_XML, HOPPER_JOINTS } from "../models/hopper.js";
import { tolerance } from "../rewards.js";

export const DmcHopperOptionsSchema = z.strictObject({
  renderMode: renderModeOption,
  task: z.enum(["stand", "hop"]).default("hop"),
});
export type DmcHopperOptions = z.input<typeof DmcHopperOptionsSchema>;

/** Minimal torso-over-foot height (m) that counts as standing (the upper end is 2 m). */
export const DMC_HOPPER_STAND_HEIGHT = 0.6;
/** Hop speed (m/s) from which the hop term is 1. */
export const DMC_HOPPER_HOP_SPEED = 2;

export const DMC_HOPPER_OBSERVATION: readonly ObservationEntry[] = [
  { name: "position", size: 6 },
  { name: "velocity", size: 7 },
  { name: "touch", size: 2 },
];

const JOINTS: readonly RandomizedJoint[] = [
  { qpos: 2 }, // rooty: an unlimited hinge
  ...HOPPER_JOINTS.map((j, i) => ({ qpos: 3 + i, range: [radians(j.range[0]), radians(j.range[1])] as const })),
];

// Sensor offsets: COM velocity (3), toe touch, heel touch.
const COM_VELOCITY_X = 0;
const TOUCH_TOE = 3;
const TOUCH_HEEL = 4;

export class DmcHopperEnv extends DmcEnv {
  readonly task: "stand" | "hop";
  private readonly torso: number;
  private readonly foot: number;

  constructor(options: DmcHopperOptions = {}) {
    const o = parseOptions(DmcHopperOptionsSchema, options, "dmc/hopper");
    super(DMC_HOPPER_XML, 4, `dmc/hopper-${o.task}`, DMC_HOPPER_OBSERVATION, o.renderMode, DMC_CAMERAS.hopper);
    this.task = o.task;
    this.torso = this.sim.bodyId("torso");
    this.foot = this.sim.bodyId("foot");
  }

  /** Height of the torso's centre of mass above the foot's. */
  get height(): number {
    return this.sim.at("xipos", 3 * this.torso + 2) - this.sim.at("xipos", 3 * this.foot + 2);
  }

  /** x-velocity of the centre of mass. */
  get speed(): number {
    return this.sim.at("sensordata", COM_VELOCITY_X);
  }

  /** log(1 + contact force) at the toe and the heel. */
  touch(): [number, number] {
    return [Math.log1p(this.sim.at("sensordata", TOUCH_TOE)), Math.log1p(this.sim.at("sensordata", TOUCH_HEEL))];
  }

  reward(): number {
    const standing = tolerance(this.height, [DMC_HOPPER_STAND_HEIGHT, 2]);
    if (this.task === "hop") {
      const hopping = tolerance(
        this.speed,
        [DMC_HOPPER_HOP_SPEED, Number.POSITIVE_INFINITY],
        DMC_HOPPER_HOP_SPEED / 2,
        "linear",
        0.5,
      );
      return standing * hopping;
    }
    let smallControl = 0;
    for (let i = 0; i < this.sim.nu; i++) smallControl += tolerance(this.sim.at("ctrl", i), [0, 0], 1, "quadratic", 0);
    return (standing * (smallControl / this.sim.nu + 4)) / 5;
  }

  protected resetModel(): void {
    const qpos = Float64Array.from(this.sim.initQpos);
    this.randomizeJoints(qpos, JOINTS);
    this.sim.setState(qpos, new Float64Array(this.sim.nv));
  }

  protected observationParts(): ObservationPart[] {
    return [this.qpos().subarray(1), this.qvel(), this.touch()];
  }
}
