/**
 * What Gymnasium's planar walkers (Hopper, Walker2d) share: reward = healthy_reward + w_fwd · ẋ − w_ctrl · Σa²
 * (ẋ from the torso's x over dt), termination when unhealthy, observation qpos[1:] (or all of qpos) + clipped qvel,
 * uniform reset noise. v5 pays healthy_reward only while healthy; v4 pays it on every step, the terminating one
 * included. Each task supplies its model and its own health rule.
 */
import type { Info, StepResult } from "../../env.js";
import { Box } from "../../spaces.js";
import { MujocoEnv, type MujocoVersion, put, squaredNorm } from "../base.js";

export interface PlanarWalkerOptions {
  version: MujocoVersion;
  frameSkip: number;
  forwardRewardWeight: number;
  ctrlCostWeight: number;
  healthyReward: number;
  terminateWhenUnhealthy: boolean;
  resetNoiseScale: number;
  excludeCurrentPositionsFromObservation: boolean;
  renderMode?: "rgb_array" | undefined;
}

export abstract class PlanarWalkerEnv extends MujocoEnv {
  readonly version: MujocoVersion;
  readonly observationSpace: Box;
  protected readonly qpos: Float64Array;
  protected readonly qvel: Float64Array;

  constructor(
    xml: string,
    private readonly walker: PlanarWalkerOptions,
    name: string,
  ) {
    super(xml, walker.frameSkip, name, walker.renderMode);
    this.version = walker.version;
    this.qpos = new Float64Array(this.sim.nq);
    this.qvel = new Float64Array(this.sim.nv);
    const size = this.sim.nq + this.sim.nv - (walker.excludeCurrentPositionsFromObservation ? 1 : 0);
    this.observationSpace = new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, [size]);
  }

  abstract get isHealthy(): boolean;

  step(action: ArrayLike<number>): StepResult<Float32Array> {
    const xBefore = this.sim.at("qpos", 0);
    this.doSimulation(action);
    const xAfter = this.sim.at("qpos", 0);
    const xVelocity = (xAfter - xBefore) / this.dt;

    const healthy = this.isHealthy;
    const forwardReward = this.walker.forwardRewardWeight * xVelocity;
    const paysHealthy = this.version === "v5" ? healthy : healthy || this.walker.terminateWhenUnhealthy;
    const healthyReward = paysHealthy ? this.walker.healthyReward : 0;
    const ctrlCost = this.walker.ctrlCostWeight * squaredNorm(action);
    const reward = forwardReward + healthyReward - ctrlCost;
    const terminated = !healthy && this.walker.terminateWhenUnhealthy;
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
    const s = this.walker.resetNoiseScale;
    this.sim.setState(this.uniformAround(this.sim.initQpos, s), this.uniformAround(this.sim.initQvel, s));
  }

  protected observation(): Float32Array {
    const out = new Float32Array(this.observationSpace.size);
    const o = put(out, 0, this.sim.read("qpos", this.qpos), this.walker.excludeCurrentPositionsFromObservation ? 1 : 0);
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
