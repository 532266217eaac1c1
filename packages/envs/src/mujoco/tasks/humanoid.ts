/**
 * Humanoid-v5 / Humanoid-v4 (Gymnasium `humanoid_v5.py`): walk forward without falling.
 * reward = healthy_reward (5) + 1.25 · ẋ_com − 0.1 · Σctrl² − min(5e-7 · Σcfrc_ext², 10), ẋ_com from the
 * whole-body centre of mass over dt = 5 × 0.003 s. Unhealthy (terminates): torso z ∉ (1.0, 2.0).
 * v5 observes qpos[2:], qvel, and cinert, cvel, cfrc_ext of bodies 1… plus qfrc_actuator of the 17 hinge
 * dofs (22 + 23 + 130 + 78 + 17 + 78 = 348) and pays healthy_reward only while healthy.
 * v4 observes the world body's rows and all 23 qfrc_actuator too (376), has no contact cost, and pays
 * healthy_reward on every step.
 */
import { z } from "zod";
import type { Info, StepResult } from "../../env.js";
import { Box } from "../../spaces.js";
import { MujocoEnv, type MujocoVersion, parseOptions, put, renderModeOption, squaredNorm } from "../base.js";
import { HUMANOID_XML } from "../models/humanoid.js";

export const HumanoidOptionsSchema = z.strictObject({
  renderMode: renderModeOption,
  version: z.enum(["v4", "v5"]).default("v5"),
  frameSkip: z.number().int().positive().default(5),
  forwardRewardWeight: z.number().default(1.25),
  ctrlCostWeight: z.number().default(0.1),
  contactCostWeight: z.number().default(5e-7),
  contactCostRange: z.tuple([z.number(), z.number()]).default([Number.NEGATIVE_INFINITY, 10]),
  healthyReward: z.number().default(5),
  terminateWhenUnhealthy: z.boolean().default(true),
  healthyZRange: z.tuple([z.number(), z.number()]).default([1.0, 2.0]),
  resetNoiseScale: z.number().nonnegative().default(1e-2),
  excludeCurrentPositionsFromObservation: z.boolean().default(true),
  includeCinertInObservation: z.boolean().default(true),
  includeCvelInObservation: z.boolean().default(true),
  includeQfrcActuatorInObservation: z.boolean().default(true),
  includeCfrcExtInObservation: z.boolean().default(true),
});
export type HumanoidOptions = z.input<typeof HumanoidOptionsSchema>;

/** Observed arrays after qpos/qvel, with the entries skipped in v5 (world-body rows, free-joint dofs). */
const EXTRA_FIELDS = [
  { field: "cinert", option: "includeCinertInObservation", skipV5: 10 },
  { field: "cvel", option: "includeCvelInObservation", skipV5: 6 },
  { field: "qfrc_actuator", option: "includeQfrcActuatorInObservation", skipV5: 6 },
  { field: "cfrc_ext", option: "includeCfrcExtInObservation", skipV5: 6 },
] as const;

export class HumanoidEnv extends MujocoEnv {
  readonly version: MujocoVersion;
  readonly observationSpace: Box;
  private readonly o: z.output<typeof HumanoidOptionsSchema>;
  private readonly extras: { field: (typeof EXTRA_FIELDS)[number]["field"]; skip: number; buffer: Float64Array }[];
  private readonly qpos: Float64Array;
  private readonly qvel: Float64Array;
  private readonly cfrc: Float64Array;

  constructor(options: HumanoidOptions = {}) {
    const o = parseOptions(HumanoidOptionsSchema, options, "Humanoid");
    super(HUMANOID_XML, o.frameSkip, "Humanoid", o.renderMode);
    this.o = o;
    this.version = o.version;
    this.qpos = new Float64Array(this.sim.nq);
    this.qvel = new Float64Array(this.sim.nv);
    this.cfrc = new Float64Array(6 * this.sim.nbody);
    this.extras = EXTRA_FIELDS.filter((e) => o[e.option]).map((e) => ({
      field: e.field,
      skip: o.version === "v5" ? e.skipV5 : 0,
      buffer: new Float64Array(this.sim.size(e.field)),
    }));
    let size = this.sim.nq + this.sim.nv - (o.excludeCurrentPositionsFromObservation ? 2 : 0);
    for (const e of this.extras) size += e.buffer.length - e.skip;
    this.observationSpace = new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, [size]);
  }

  get isHealthy(): boolean {
    const [lo, hi] = this.o.healthyZRange;
    const z = this.sim.at("qpos", 2);
    return lo < z && z < hi;
  }

  step(action: ArrayLike<number>): StepResult<Float32Array> {
    // The whole-body centre of mass is the world body's subtree_com (the world has no mass).
    const xBefore = this.sim.at("subtree_com", 0);
    const yBefore = this.sim.at("subtree_com", 1);
    this.doSimulation(action);
    this.sim.rnePostConstraint();
    const xVelocity = (this.sim.at("subtree_com", 0) - xBefore) / this.dt;
    const yVelocity = (this.sim.at("subtree_com", 1) - yBefore) / this.dt;

    const healthy = this.isHealthy;
    const forwardReward = this.o.forwardRewardWeight * xVelocity;
    const paysHealthy = this.version === "v5" ? healthy : healthy || this.o.terminateWhenUnhealthy;
    const healthyReward = paysHealthy ? this.o.healthyReward : 0;
    const ctrlCost = this.o.ctrlCostWeight * squaredNorm(this.sim.read("ctrl"));
    const [costLo, costHi] = this.o.contactCostRange;
    const rawContactCost = this.o.contactCostWeight * squaredNorm(this.sim.read("cfrc_ext", this.cfrc));
    const contactCost = this.version === "v5" ? Math.min(Math.max(rawContactCost, costLo), costHi) : 0;
    const reward = forwardReward + healthyReward - ctrlCost - contactCost;
    const terminated = !healthy && this.o.terminateWhenUnhealthy;
    const info: Info = {
      reward_survive: healthyReward,
      reward_forward: forwardReward,
      reward_ctrl: -ctrlCost,
      reward_contact: -contactCost,
      ...this.resetInfo(),
      x_velocity: xVelocity,
      y_velocity: yVelocity,
    };
    return [this.observation(), reward, terminated, false, info];
  }

  protected resetModel(): void {
    const s = this.o.resetNoiseScale;
    this.sim.setState(this.uniformAround(this.sim.initQpos, s), this.uniformAround(this.sim.initQvel, s));
  }

  protected observation(): Float32Array {
    const out = new Float32Array(this.observationSpace.size);
    let o = put(out, 0, this.sim.read("qpos", this.qpos), this.o.excludeCurrentPositionsFromObservation ? 2 : 0);
    o = put(out, o, this.sim.read("qvel", this.qvel));
    for (const e of this.extras) o = put(out, o, this.sim.read(e.field, e.buffer), e.skip);
    return out;
  }

  protected override resetInfo(): Info {
    const x = this.sim.at("qpos", 0);
    const y = this.sim.at("qpos", 1);
    return {
      x_position: x,
      y_position: y,
      tendon_length: this.sim.read("ten_length"),
      tendon_velocity: this.sim.read("ten_velocity"),
      distance_from_origin: Math.hypot(x, y),
    };
  }
}
