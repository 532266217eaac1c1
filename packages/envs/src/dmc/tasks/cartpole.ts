/**
 * DMC cartpole: swing the pole up (`swingup`, `swingup_sparse`) or keep it up (`balance`, `balance_sparse`) by
 * pushing the cart. One physics step (0.01 s) per agent step; 1000 steps (DMC's 10 s).
 *
 * Observation (5): position = [cart x, cos θ, sin θ] (pole angle as the zz, xz entries of its rotation matrix),
 * velocity = [cart ẋ, θ̇].
 * Smooth reward: upright · centered · small_control · small_velocity with upright = (cos θ + 1)/2,
 * centered = (1 + tol(x, margin 2))/2, small_control = (4 + tol(u, margin 1, quadratic, 0 at margin))/5,
 * small_velocity = (1 + tol(θ̇, margin 5))/2. Sparse: 1 when |x| ≤ 0.25 and cos θ ≥ 0.995, else 0.
 * Reset: swing-up starts centred and hanging down (θ = π + 0.01·N); balance starts with x ~ U(±0.1),
 * θ ~ U(±0.034); both add 0.01·N(0, 1) to every velocity.
 */
import { z } from "zod";
import { parseOptions, renderModeOption } from "../../mujoco/base.js";
import { DMC_CAMERAS, DmcEnv, type ObservationEntry, type ObservationPart } from "../base.js";
import { DMC_CARTPOLE_XML } from "../models/cartpole.js";
import { tolerance } from "../rewards.js";

export const DmcCartpoleOptionsSchema = z.strictObject({
  renderMode: renderModeOption,
  task: z.enum(["swingup", "swingup_sparse", "balance", "balance_sparse"]).default("swingup"),
});
export type DmcCartpoleOptions = z.input<typeof DmcCartpoleOptionsSchema>;
export type DmcCartpoleTask = z.output<typeof DmcCartpoleOptionsSchema>["task"];

export const DMC_CARTPOLE_OBSERVATION: readonly ObservationEntry[] = [
  { name: "position", size: 3 },
  { name: "velocity", size: 2 },
];

// Sensor offsets: the pole frame's z-axis is [xz, yz, zz].
const POLE_XZ = 0;
const POLE_ZZ = 2;

export class DmcCartpoleEnv extends DmcEnv {
  readonly task: DmcCartpoleTask;
  private readonly swingUp: boolean;
  private readonly sparse: boolean;

  constructor(options: DmcCartpoleOptions = {}) {
    const o = parseOptions(DmcCartpoleOptionsSchema, options, "dmc/cartpole");
    super(DMC_CARTPOLE_XML, 1, `dmc/cartpole-${o.task}`, DMC_CARTPOLE_OBSERVATION, o.renderMode, DMC_CAMERAS.cartpole);
    this.task = o.task;
    this.swingUp = o.task.startsWith("swingup");
    this.sparse = o.task.endsWith("sparse");
  }

  /** Cart position on the slider (m). */
  get cartPosition(): number {
    return this.sim.at("qpos", 0);
  }

  /** cos θ of the pole (1 when upright). */
  get poleAngleCosine(): number {
    return this.sim.at("sensordata", POLE_ZZ);
  }

  reward(): number {
    const x = this.cartPosition;
    const cos = this.poleAngleCosine;
    if (this.sparse) {
      return tolerance(x, [-0.25, 0.25]) * tolerance(cos, [0.995, 1]);
    }
    const upright = (cos + 1) / 2;
    const centered = (1 + tolerance(x, [0, 0], 2)) / 2;
    const smallControl = (4 + tolerance(this.sim.at("ctrl", 0), [0, 0], 1, "quadratic", 0)) / 5;
    const smallVelocity = (1 + tolerance(this.sim.at("qvel", 1), [0, 0], 5)) / 2;
    return upright * smallControl * smallVelocity * centered;
  }

  protected resetModel(): void {
    const qpos = new Float64Array(2);
    if (this.swingUp) {
      qpos[0] = 0.01 * this.rng.normal();
      qpos[1] = Math.PI + 0.01 * this.rng.normal();
    } else {
      qpos[0] = this.rng.uniform(-0.1, 0.1);
      qpos[1] = this.rng.uniform(-0.034, 0.034);
    }
    const qvel = Float64Array.from({ length: 2 }, () => 0.01 * this.rng.normal());
    this.sim.setState(qpos, qvel);
  }

  protected observationParts(): ObservationPart[] {
    const position = [this.cartPosition, this.poleAngleCosine, this.sim.at("sensordata", POLE_XZ)];
    return [position, this.qvel()];
  }
}
