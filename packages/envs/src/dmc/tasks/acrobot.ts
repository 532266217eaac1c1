/**
 * DMC acrobot: swing the tip of the two-link arm up into the target above it, driving only the elbow
 * (`swingup` with a shaped reward, `swingup_sparse`). One 0.01 s RK4 step per agent step; 1000 steps (DMC's
 * 10 s).
 *
 * Observation (6): orientations = [upper xz, lower xz, upper zz, lower zz] (sin and cos of each link's absolute
 * angle from vertical), velocity = [shoulder, elbow] angular velocities.
 * Reward: tolerance(|target − tip|, (0, 0.2), margin 1 for swingup (gaussian) or 0 for swingup_sparse).
 * Reset: shoulder and elbow ~ U(−π, π), at rest.
 */
import { z } from "zod";
import { parseOptions, renderModeOption } from "../../mujoco/base.js";
import { DMC_CAMERAS, DmcEnv, type ObservationEntry, type ObservationPart } from "../base.js";
import { ACROBOT_TARGET_RADIUS, DMC_ACROBOT_XML } from "../models/acrobot.js";
import { tolerance } from "../rewards.js";

export const DmcAcrobotOptionsSchema = z.strictObject({
  renderMode: renderModeOption,
  task: z.enum(["swingup", "swingup_sparse"]).default("swingup"),
});
export type DmcAcrobotOptions = z.input<typeof DmcAcrobotOptionsSchema>;

export const DMC_ACROBOT_OBSERVATION: readonly ObservationEntry[] = [
  { name: "orientations", size: 4 },
  { name: "velocity", size: 2 },
];

// Sensor offsets: the z-axes [xz, yz, zz] of the upper and the lower link.
const UPPER = 0;
const LOWER = 3;

export class DmcAcrobotEnv extends DmcEnv {
  readonly task: "swingup" | "swingup_sparse";
  private readonly tip: number;
  private readonly target: number;

  constructor(options: DmcAcrobotOptions = {}) {
    const o = parseOptions(DmcAcrobotOptionsSchema, options, "dmc/acrobot");
    super(DMC_ACROBOT_XML, 1, `dmc/acrobot-${o.task}`, DMC_ACROBOT_OBSERVATION, o.renderMode, DMC_CAMERAS.acrobot);
    this.task = o.task;
    this.tip = this.sim.siteId("tip");
    this.target = this.sim.siteId("target");
  }

  /** Distance from the tip to the target's centre. */
  toTarget(): number {
    let sum = 0;
    for (let i = 0; i < 3; i++) {
      const d = this.sim.at("site_xpos", 3 * this.target + i) - this.sim.at("site_xpos", 3 * this.tip + i);
      sum += d * d;
    }
    return Math.sqrt(sum);
  }

  reward(): number {
    return tolerance(this.toTarget(), [0, ACROBOT_TARGET_RADIUS], this.task === "swingup_sparse" ? 0 : 1);
  }

  protected resetModel(): void {
    this.sim.setState([this.rng.uniform(-Math.PI, Math.PI), this.rng.uniform(-Math.PI, Math.PI)], [0, 0]);
  }

  protected observationParts(): ObservationPart[] {
    const s = (i: number) => this.sim.at("sensordata", i);
    return [[s(UPPER), s(LOWER), s(UPPER + 2), s(LOWER + 2)], this.qvel()];
  }
}
