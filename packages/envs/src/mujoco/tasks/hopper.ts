/**
 * Hopper-v5 / Hopper-v4 (Gymnasium `hopper_v5.py`): hop forward on one leg.
 * reward = healthy_reward + w_fwd · ẋ − w_ctrl · Σa², ẋ from the torso's x over dt = 4 × 0.002 s.
 * Unhealthy (terminates): any of qpos[2:], qvel outside (−100, 100), z ≤ 0.7, or |torso angle| ≥ 0.2.
 * v5 pays healthy_reward only while healthy; v4 pays it on every step, the terminating one included.
 */
import { z } from "zod";
import type { Info, StepResult } from "../../env.js";
import { Box } from "../../spaces.js";
import { MujocoEnv, type MujocoVersion, parseOptions, put, squaredNorm } from "../base.js";
import { HOPPER_XML } from "../models/hopper.js";

const range = z.tuple([z.number(), z.number()]);

export const HopperOptionsSchema = z.strictObject({
  version: z.enum(["v4", "v5"]).default("v5"),
  frameSkip: z.number().int().positive().default(4),
  forwardRewardWeight: z.number().default(1),
  ctrlCostWeight: z.number().default(1e-3),
  healthyReward: z.number().default(1),
  terminateWhenUnhealthy: z.boolean().default(true),
  healthyStateRange: range.default([-100, 100]),
  healthyZRange: range.default([0.7, Number.POSITIVE_INFINITY]),
  healthyAngleRange: range.default([-0.2, 0.2]),
  resetNoiseScale: z.number().nonnegative().default(5e-3),
  excludeCurrentPositionsFromObservation: z.boolean().default(true),
});
export type HopperOptions = z.input<typeof HopperOptionsSchema>;

export class HopperEnv extends MujocoEnv {
  readonly version: MujocoVersion;
  readonly observationSpace: Box;
  private readonly o: z.output<typeof HopperOptionsSchema>;
  private readonly qpos: Float64Array;
  private readonly qvel: Float64Array;

  constructor(options: HopperOptions = {}) {
    const o = parseOptions(HopperOptionsSchema, options, "Hopper");
    super(HOPPER_XML, o.frameSkip, "Hopper");
    this.o = o;
    this.version = o.version;
    this.qpos = new Float64Array(this.sim.nq);
    this.qvel = new Float64Array(this.sim.nv);
    const size = this.sim.nq + this.sim.nv - (o.excludeCurrentPositionsFromObservation ? 1 : 0);
    this.observationSpace = new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, [size]);
  }

  get isHealthy(): boolean {
    const { healthyStateRange: s, healthyZRange: zr, healthyAngleRange: ar } = this.o;
    const qpos = this.sim.read("qpos", this.qpos);
    const qvel = this.sim.read("qvel", this.qvel);
    const inside = (v: number, [lo, hi]: [number, number]) => lo < v && v < hi;
    for (let i = 2; i < qpos.length; i++) if (!inside(qpos[i] as number, s)) return false;
    for (let i = 0; i < qvel.length; i++) if (!inside(qvel[i] as number, s)) return false;
    return inside(qpos[1] as number, zr) && inside(qpos[2] as number, ar);
  }

  step(action: ArrayLike<number>): StepResult<Float32Array> {
    const xBefore = this.sim.at("qpos", 0);
    this.doSimulation(action);
    const xAfter = this.sim.at("qpos", 0);
    const xVelocity = (xAfter - xBefore) / this.dt;

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
