/**
 * DMC cheetah run: run forward as fast as possible. One 0.01 s physics step per agent step; 1000 steps (DMC's
 * 10 s).
 *
 * Observation (17): position = qpos without the root x (rootz, rooty, six leg angles), velocity = all nine qvel.
 * Reward: tolerance(speed, (10, ∞), margin 10, linear, 0 at margin) = clip(speed / 10, 0, 1), where speed is the
 * x-velocity of the body's centre of mass.
 * Reset: every limited (leg) joint ~ U(range), then 200 physics steps with zero control to let the body settle.
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
import { CHEETAH_LEG_JOINTS, DMC_CHEETAH_XML } from "../models/cheetah.js";
import { tolerance } from "../rewards.js";

export const DmcCheetahOptionsSchema = z.strictObject({
  renderMode: renderModeOption,
  task: z.enum(["run"]).default("run"),
});
export type DmcCheetahOptions = z.input<typeof DmcCheetahOptionsSchema>;

/** Speed (m/s) from which the run reward is 1. */
export const DMC_CHEETAH_RUN_SPEED = 10;

export const DMC_CHEETAH_OBSERVATION: readonly ObservationEntry[] = [
  { name: "position", size: 8 },
  { name: "velocity", size: 9 },
];

const JOINTS: readonly RandomizedJoint[] = CHEETAH_LEG_JOINTS.map((j, i) => ({
  qpos: 3 + i,
  range: [radians(j.range[0]), radians(j.range[1])] as const,
}));

/** Physics steps DMC runs after drawing the pose, before the episode starts. */
const SETTLE_STEPS = 200;

export class DmcCheetahEnv extends DmcEnv {
  readonly task = "run";
  private readonly zeroControl: Float64Array;

  constructor(options: DmcCheetahOptions = {}) {
    const o = parseOptions(DmcCheetahOptionsSchema, options, "dmc/cheetah");
    super(DMC_CHEETAH_XML, 1, `dmc/cheetah-${o.task}`, DMC_CHEETAH_OBSERVATION, o.renderMode, DMC_CAMERAS.cheetah);
    this.zeroControl = new Float64Array(this.sim.nu);
  }

  /** x-velocity of the centre of mass (sensor `torso_subtreelinvel`). */
  get speed(): number {
    return this.sim.at("sensordata", 0);
  }

  reward(): number {
    return tolerance(this.speed, [DMC_CHEETAH_RUN_SPEED, Number.POSITIVE_INFINITY], DMC_CHEETAH_RUN_SPEED, "linear", 0);
  }

  protected resetModel(): void {
    const qpos = Float64Array.from(this.sim.initQpos);
    this.randomizeJoints(qpos, JOINTS);
    this.sim.setState(qpos, new Float64Array(this.sim.nv));
    this.sim.step(this.zeroControl, SETTLE_STEPS);
    this.syncDerivedQuantities();
  }

  protected observationParts(): ObservationPart[] {
    return [this.qpos().subarray(1), this.qvel()];
  }
}
