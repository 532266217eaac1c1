/**
 * HalfCheetah-v5 (same task as v4; Gymnasium `half_cheetah_v5.py`): run forward.
 * reward = w_fwd · ẋ − 0.1 · Σa² with dt = 5 × 0.01 s; never terminates (1000-step time limit).
 * Reset: qpos + U(±0.1), qvel + 0.1 · N(0, 1).
 */
import { z } from "zod";
import type { Info, StepResult } from "../../env.js";
import { Box } from "../../spaces.js";
import { MujocoEnv, type MujocoVersion, parseOptions, put, renderModeOption, squaredNorm } from "../base.js";
import { HALF_CHEETAH_XML } from "../models/half-cheetah.js";

export const HalfCheetahOptionsSchema = z.strictObject({
  renderMode: renderModeOption,
  version: z.enum(["v4", "v5"]).default("v5"),
  frameSkip: z.number().int().positive().default(5),
  forwardRewardWeight: z.number().default(1),
  ctrlCostWeight: z.number().default(0.1),
  resetNoiseScale: z.number().nonnegative().default(0.1),
  excludeCurrentPositionsFromObservation: z.boolean().default(true),
});
export type HalfCheetahOptions = z.input<typeof HalfCheetahOptionsSchema>;

export class HalfCheetahEnv extends MujocoEnv {
  readonly version: MujocoVersion;
  readonly observationSpace: Box;
  private readonly o: z.output<typeof HalfCheetahOptionsSchema>;
  private readonly qpos: Float64Array;
  private readonly qvel: Float64Array;

  constructor(options: HalfCheetahOptions = {}) {
    const o = parseOptions(HalfCheetahOptionsSchema, options, "HalfCheetah");
    super(HALF_CHEETAH_XML, o.frameSkip, "HalfCheetah", o.renderMode);
    this.o = o;
    this.version = o.version;
    this.qpos = new Float64Array(this.sim.nq);
    this.qvel = new Float64Array(this.sim.nv);
    const size = this.sim.nq + this.sim.nv - (o.excludeCurrentPositionsFromObservation ? 1 : 0);
    this.observationSpace = new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, [size]);
  }

  step(action: ArrayLike<number>): StepResult<Float32Array> {
    const xBefore = this.sim.at("qpos", 0);
    this.doSimulation(action);
    const xAfter = this.sim.at("qpos", 0);
    const xVelocity = (xAfter - xBefore) / this.dt;
    const forwardReward = this.o.forwardRewardWeight * xVelocity;
    const ctrlCost = this.o.ctrlCostWeight * squaredNorm(action);
    const info: Info = {
      x_position: xAfter,
      x_velocity: xVelocity,
      reward_forward: forwardReward,
      reward_ctrl: -ctrlCost,
    };
    return [this.observation(), forwardReward - ctrlCost, false, false, info];
  }

  protected resetModel(): void {
    const s = this.o.resetNoiseScale;
    this.sim.setState(this.uniformAround(this.sim.initQpos, s), this.normalAround(this.sim.initQvel, s));
  }

  protected observation(): Float32Array {
    const out = new Float32Array(this.observationSpace.size);
    const o = put(out, 0, this.sim.read("qpos", this.qpos), this.o.excludeCurrentPositionsFromObservation ? 1 : 0);
    put(out, o, this.sim.read("qvel", this.qvel));
    return out;
  }

  protected override resetInfo(): Info {
    return { x_position: this.sim.at("qpos", 0) };
  }
}
