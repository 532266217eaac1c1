/**
 * MountainCar-v0 and MountainCarContinuous-v0, Gymnasium `classic_control/mountain_car.py` and
 * `continuous_mountain_car.py` (Moore 1990): drive an under-powered car up the right hill.
 * Observation [position, velocity]. Reset: position ~ U(−0.6, −0.4) (options `low`/`high`),
 * velocity 0.
 */
import type { BoxAction, Info, ResetArgs, StepResult } from "../env.js";
import { Env, envLabel } from "../env.js";
import { ResetNeededError } from "../errors.js";
import type { RgbFrame } from "../render/frame.js";
import { Box, Discrete } from "../spaces.js";
import { renderMountainCar } from "./render.js";
import { resetBounds } from "./reset-bounds.js";

export interface MountainCarOptions {
  /** Minimum velocity at the goal for termination (Gymnasium kwarg `goal_velocity`). */
  goalVelocity?: number;
  /** "rgb_array" makes `render()` return frames (Gymnasium `render_mode`). */
  renderMode?: "rgb_array";
}

/** Discrete actions 0 (push left), 1 (no push), 2 (push right); reward −1 per step. */
export class MountainCarEnv extends Env<Float32Array, number> {
  readonly minPosition = -1.2;
  readonly maxPosition = 0.6;
  readonly maxSpeed = 0.07;
  readonly goalPosition = 0.5;
  readonly goalVelocity: number;
  readonly force = 0.001;
  readonly gravity = 0.0025;

  readonly observationSpace = new Box([-1.2, -0.07], [0.6, 0.07]);
  readonly actionSpace = new Discrete(3);
  /** [position, velocity]. */
  readonly state = new Float64Array(2);
  private hasState = false;

  constructor({ goalVelocity = 0, renderMode }: MountainCarOptions = {}) {
    super();
    this.goalVelocity = goalVelocity;
    this.metadata = { renderModes: ["rgb_array"], renderFps: 30 };
    this.initRenderMode(renderMode);
  }

  reset({ seed, options }: ResetArgs = {}): [Float32Array, Info] {
    this.seedRng(seed);
    const [low, high] = resetBounds(options, -0.6, -0.4, envLabel(this));
    this.state[0] = this.rng.uniform(low, high);
    this.state[1] = 0;
    this.hasState = true;
    return [Float32Array.from(this.state), {}];
  }

  step(action: number): StepResult<Float32Array> {
    if (!this.hasState) throw new ResetNeededError(`${envLabel(this)}: call reset() before step()`);
    let position = this.state[0] as number;
    let velocity = this.state[1] as number;
    velocity += (action - 1) * this.force + Math.cos(3 * position) * -this.gravity;
    velocity = Math.min(Math.max(velocity, -this.maxSpeed), this.maxSpeed);
    position += velocity;
    position = Math.min(Math.max(position, this.minPosition), this.maxPosition);
    if (position === this.minPosition && velocity < 0) velocity = 0;
    const terminated = position >= this.goalPosition && velocity >= this.goalVelocity;
    this.state[0] = position;
    this.state[1] = velocity;
    return [Float32Array.from(this.state), -1.0, terminated, false, {}];
  }

  override render(): RgbFrame {
    this.requireRenderMode();
    return renderMountainCar(this.state[0] as number, this.minPosition, this.maxPosition, this.goalPosition);
  }
}

/**
 * Continuous force in [−1, 1]; reward −0.1·a² per step (on the unclipped action, as Gymnasium)
 * plus 100 on reaching the goal (position ≥ 0.45). Gymnasium stores the state as float32 after
 * each step; so does this port.
 */
export class MountainCarContinuousEnv extends Env<Float32Array, BoxAction> {
  readonly minAction = -1.0;
  readonly maxAction = 1.0;
  readonly minPosition = -1.2;
  readonly maxPosition = 0.6;
  readonly maxSpeed = 0.07;
  readonly goalPosition = 0.45;
  readonly goalVelocity: number;
  readonly power = 0.0015;

  readonly observationSpace = new Box([-1.2, -0.07], [0.6, 0.07]);
  readonly actionSpace = new Box(-1, 1, [1]);
  /** [position, velocity]. */
  readonly state = new Float64Array(2);
  private hasState = false;

  constructor({ goalVelocity = 0, renderMode }: MountainCarOptions = {}) {
    super();
    this.goalVelocity = goalVelocity;
    this.metadata = { renderModes: ["rgb_array"], renderFps: 30 };
    this.initRenderMode(renderMode);
  }

  reset({ seed, options }: ResetArgs = {}): [Float32Array, Info] {
    this.seedRng(seed);
    const [low, high] = resetBounds(options, -0.6, -0.4, envLabel(this));
    this.state[0] = this.rng.uniform(low, high);
    this.state[1] = 0;
    this.hasState = true;
    return [Float32Array.from(this.state), {}];
  }

  step(action: BoxAction): StepResult<Float32Array> {
    if (!this.hasState) throw new ResetNeededError(`${envLabel(this)}: call reset() before step()`);
    const a = action[0] as number;
    let position = this.state[0] as number;
    let velocity = this.state[1] as number;
    const force = Math.min(Math.max(a, this.minAction), this.maxAction);
    velocity += force * this.power - 0.0025 * Math.cos(3 * position);
    if (velocity > this.maxSpeed) velocity = this.maxSpeed;
    if (velocity < -this.maxSpeed) velocity = -this.maxSpeed;
    position += velocity;
    if (position > this.maxPosition) position = this.maxPosition;
    if (position < this.minPosition) position = this.minPosition;
    if (position === this.minPosition && velocity < 0) velocity = 0;
    const terminated = position >= this.goalPosition && velocity >= this.goalVelocity;
    let reward = terminated ? 100.0 : 0;
    reward -= a * a * 0.1;
    this.state[0] = Math.fround(position);
    this.state[1] = Math.fround(velocity);
    return [Float32Array.from(this.state), reward, terminated, false, {}];
  }

  override render(): RgbFrame {
    this.requireRenderMode();
    return renderMountainCar(this.state[0] as number, this.minPosition, this.maxPosition, this.goalPosition);
  }
}
