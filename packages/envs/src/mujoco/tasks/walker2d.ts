/**
 * Walker2d-v5 / Walker2d-v4 (Gymnasium `walker2d_v5.py`): walk forward on two legs.
 * reward = healthy_reward + w_fwd · ẋ − w_ctrl · Σa² with dt = 4 × 0.002 s.
 * Unhealthy (terminates): torso z ∉ (0.8, 2.0) or torso angle ∉ (−1, 1).
 * v5 pays healthy_reward only while healthy and uses the v5 asset (both feet friction 1.9); v4 pays it on every
 * step and uses the v4 asset (right foot friction 0.9).
 */
import { z } from "zod";
import type { Info, StepResult } from "../../env.js";
import { Box } from "../../spaces.js";
import { MujocoEnv, type MujocoVersion, parseOptions, put, squaredNorm } from "../base.js";
import { walker2dXml } from "../models/walker2d.js";

const range = z.tuple([z.number(), z.number()]);

export const Walker2dOptionsSchema = z.strictObject({
  version: z.enum(["v4", "v5"]).default("v5"),
  frameSkip: z.number().int().positive().default(4),
  forwardRewardWeight: z.number().default(1),
  ctrlCostWeight: z.number().default(1e-3),
  healthyReward: z.number().default(1),
  terminateWhenUnhealthy: z.boolean().default(true),
  healthyZRange: range.default([0.8, 2.0]),
  healthyAngleRange: range.default([-1, 1]),
  resetNoiseScale: z.number().nonnegative().default(5e-3),
  excludeCurrentPositionsFromObservation: z.boolean().default(true),
});
export type Walker2dOptions = z.input<typeof Walker2dOptionsSchema>;

export class Walker2dEnv extends MujocoEnv {
  readonly version: MujocoVersion;
  readonly observationSpace: Box;
  private readonly o: z.output<typeof Walker2dOptionsSchema>;
  private readonly qpos: Float64Array;
  private readonly qvel: Float64Array;

  constructor(options: Walker2dOptions = {}) {
    const o = parseOptions(Walker2dOptionsSchema, options, "Walker2d");
    super(walker2dXml(o.version), o.frameSkip, "Walker2d");
    this.o = o;
    this.version = o.version;
    this.qpos = new Float64Array(this.sim.nq);
    this.qvel = new Float64Array(this.sim.nv);
    const size = this.sim.nq + this.sim.nv - (o.excludeCurrentPositionsFromObservation ? 1 : 0);
    this.observationSpace = new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, [size]);
  }

  get isHealthy(): boolean {
    const [zLo, zHi] = this.o.healthyZRange;
    const [aLo, aHi] = this.o.healthyAngleRange;
    const z = this.sim.at("qpos", 1);
    const angle = this.sim.at("qpos", 2);
    return zLo < z && z < zHi && aLo < angle && angle < aHi;
  }

  step(action: ArrayLike<number>): StepResult<Float32Array> {
    const xBefore = this.sim.at("qpos", 0);
    this.doSimulation(action);
    const xVelocity = (this.sim.at("qpos", 0) - xBefore) / this.dt;

    const healthy = this.isHealthy;
    const forwardReward = this.o.forwardRewardWeight * xVelocity;
    const paysHealthy = this.version === "v5" ? healthy : healthy || this.o.terminateWhenUnhealthy;
    const healthyReward = paysHealthy ? this.o.healthyReward : 0;
    const ctrlCost = this.o.ctrlCostWeight * squaredNorm(action);
    const reward = forwardReward + healthyReward - ctrlCost;
    const terminated = !healthy && this.o.terminateWhenUnhealthy;
    const info: Info = {
      reward_forward: forwardReward,
      reward_ctrl: -ctrlCost,
      reward_survive: healthyReward,
      ...this.resetInfo(),
      x_velocity: xVelocity,
    };
    return [this.observation(), reward, terminated, false, info];
  }

  protected resetModel(): void {
    const s = this.o.resetNoiseScale;
    this.sim.setState(this.uniformAround(this.sim.initQpos, s), this.uniformAround(this.sim.initQvel, s));
  }

  protected observation(): Float32Array {
    const out = new Float32Array(this.observationSpace.size);
    const o = put(out, 0, this.sim.read("qpos", this.qpos), this.o.excludeCurrentPositionsFromObservation ? 1 : 0);
    put(out, o, this.sim.read("qvel", this.qvel), 0, 10);
    return out;
  }

  protected override resetInfo(): Info {
    return {
      x_position: this.sim.at("qpos", 0),
      z_distance_from_origin: this.sim.at("qpos", 1) - (this.sim.initQpos[1] as number),
    };
  }
}
