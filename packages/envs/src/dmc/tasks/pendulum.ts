/**
 * DMC pendulum swingup: swing the bob up and hold it within 8° of vertical. One 0.02 s physics step per agent
 * step; 1000 steps (DMC's 20 s).
 *
 * Observation (3): orientation = [cos θ, sin θ] (zz, xz of the pole's rotation matrix), velocity = θ̇.
 * Reward: 1 while cos θ ≥ cos 8°, else 0.
 * Reset: θ ~ U(−π, π), at rest.
 */
import { z } from "zod";
import { parseOptions, renderModeOption } from "../../mujoco/base.js";
import { DMC_CAMERAS, DmcEnv, type ObservationEntry, type ObservationPart, radians } from "../base.js";
import { DMC_PENDULUM_XML } from "../models/pendulum.js";
import { tolerance } from "../rewards.js";

export const DmcPendulumOptionsSchema = z.strictObject({
  renderMode: renderModeOption,
  task: z.enum(["swingup"]).default("swingup"),
});
export type DmcPendulumOptions = z.input<typeof DmcPendulumOptionsSchema>;

export const DMC_PENDULUM_OBSERVATION: readonly ObservationEntry[] = [
  { name: "orientation", size: 2 },
  { name: "velocity", size: 1 },
];

/** cos of the largest angle from vertical that still pays. */
const COSINE_BOUND = Math.cos(radians(8));
// Sensor offsets: the pole frame's z-axis is [xz, yz, zz].
const POLE_XZ = 0;
const POLE_ZZ = 2;

export class DmcPendulumEnv extends DmcEnv {
  readonly task = "swingup";

  constructor(options: DmcPendulumOptions = {}) {
    const o = parseOptions(DmcPendulumOptionsSchema, options, "dmc/pendulum");
    super(DMC_PENDULUM_XML, 1, `dmc/pendulum-${o.task}`, DMC_PENDULUM_OBSERVATION, o.renderMode, DMC_CAMERAS.pendulum);
  }

  /** cos θ of the pole (1 when upright). */
  get poleVertical(): number {
    return this.sim.at("sensordata", POLE_ZZ);
  }

  reward(): number {
    return tolerance(this.poleVertical, [COSINE_BOUND, 1]);
  }

  protected resetModel(): void {
    this.sim.setState([this.rng.uniform(-Math.PI, Math.PI)], [0]);
  }

  protected observationParts(): ObservationPart[] {
    return [[this.poleVertical, this.sim.at("sensordata", POLE_XZ)], this.qvel()];
  }
}
