/**
 * Swimmer-v5 (same task as v4; Gymnasium `swimmer_v5.py`): swim forward in a viscous fluid.
 * reward = w_fwd · ẋ − 1e-4 · Σa², ẋ from the front tip's x (qpos[0]) over dt = 4 × 0.01 s; never terminates.
 * Reset: qpos and qvel + U(±0.1).
 */
import { z } from "zod";
import type { Info, StepResult } from "../../env.js";
import { Box } from "../../spaces.js";
import { MujocoEnv, type MujocoVersion, parseOptions, put, renderModeOption, squaredNorm } from "../base.js";
import { SWIMMER_XML } from "../models/swimmer.js";

export const SwimmerOptionsSchema = z.strictObject({
  renderMode: renderModeOption,
  version: z.enum(["v4", "v5"]).default("v5"),
  frameSkip: z.number().int().positive().default(4),
  forwardRewardWeight: z.number().default(1),
  ctrlCostWeight: z.number().default(1e-4),
  resetNoiseScale: z.number().nonnegative().default(0.1),
  excludeCurrentPositionsFromObservation: z.boolean().default(true),
});
export type SwimmerOptions = z.input<typeof SwimmerOptionsSchema>;

export class SwimmerEnv extends MujocoEnv {
  readonly version: MujocoVersion;
  readonly observationSpace: Box;
  private readonly o: z.output<typeof SwimmerOptionsSchema>;
  private readonly qpos: Float64Array;
  private readonly qvel: Float64Array;

  constructor(options: SwimmerOptions = {}) {
    const o = parseOptions(SwimmerOptionsSchema, options, "Swimmer");
    super(SWIMMER_XML, o.frameSkip, "Swimmer", o.renderMode);
    this.o = o;
    this.version = o.version;
    this.qpos = new Float64Array(this.sim.nq);
    this.qvel = new Float64Array(this.sim.nv);
    const size = this.sim.nq + this.sim.nv - (o.excludeCurrentPositionsFromObservation ? 2 : 0);
    this.observationSpace = new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, [size]);
  }

  step(action: ArrayLike<number>): StepResult<Float32Array> {
    const xBefore = this.sim.at("qpos", 0);
    const yBefore = this.sim.at("qpos", 1);
    this.doSimulation(action);
    const xVelocity = (this.sim.at("qpos", 0) - xBefore) / this.dt;
    const yVelocity = (this.sim.at("qpos", 1) - yBefore) / this.dt;
    const forwardReward = this.o.forwardRewardWeight * xVelocity;
    const ctrlCost = this.o.ctrlCostWeight * squaredNorm(action);
    const info: Info = {
      reward_forward: forwardReward,
      reward_ctrl: -ctrlCost,
      ...this.resetInfo(),
      x_velocity: xVelocity,
      y_velocity: yVelocity,
    };
    return [this.observation(), forwardReward - ctrlCost, false, false, info];
  }

  protected resetModel(): void {
    const s = this.o.resetNoiseScale;
    this.sim.setState(this.uniformAround(this.sim.initQpos, s), this.uniformAround(this.sim.initQvel, s));
  }

  protected observation(): Float32Array {
    const out = new Float32Array(this.observationSpace.size);
    const o = put(out, 0, this.sim.read("qpos", this.qpos), this.o.excludeCurrentPositionsFromObservation ? 2 : 0);
    put(out, o, this.sim.read("qvel", this.qvel));
    return out;
  }

  protected override resetInfo(): Info {
    const x = this.sim.at("qpos", 0);
    const y = this.sim.at("qpos", 1);
    return { x_position: x, y_position: y, distance_from_origin: Math.hypot(x, y) };
  }
}
