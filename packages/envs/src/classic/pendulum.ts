/**
 * Pendulum-v1, Gymnasium `classic_control/pendulum.py`: swing a frictionless pendulum up and hold
 * it. Observation [cos θ, sin θ, θ̇]; action torque in [−2, 2]; reward −(θ² + 0.1 θ̇² + 0.001 u²)
 * with θ normalised to [−π, π). Never terminates (Gymnasium's registration truncates at 200).
 * Reset draws θ ~ U(−π, π), θ̇ ~ U(−1, 1); options `x_init` / `y_init` change those half-widths.
 */
import type { BoxAction, Info, ResetArgs, StepResult } from "../env.js";
import { Env, envLabel } from "../env.js";
import { EnvError, ResetNeededError } from "../errors.js";
import type { RgbFrame } from "../render/frame.js";
import { Box } from "../spaces.js";
import { renderPendulum } from "./render.js";

export interface PendulumOptions {
  /** Gravitational acceleration (Gymnasium kwarg `g`). */
  g?: number;
  /** "rgb_array" makes `render()` return frames (Gymnasium `render_mode`). */
  renderMode?: "rgb_array";
}

/** θ wrapped into [−π, π) (Python's floored modulo). */
export function angleNormalize(x: number): number {
  const period = 2 * Math.PI;
  return x + Math.PI - period * Math.floor((x + Math.PI) / period) - Math.PI;
}

export class PendulumEnv extends Env<Float32Array, BoxAction> {
  readonly maxSpeed = 8;
  readonly maxTorque = 2.0;
  readonly dt = 0.05;
  readonly g: number;
  readonly m = 1.0;
  readonly l = 1.0;

  readonly observationSpace = new Box([-1, -1, -8], [1, 1, 8]);
  readonly actionSpace = new Box(-2, 2, [1]);
  /** [θ, θ̇]. */
  readonly state = new Float64Array(2);
  private hasState = false;

  constructor({ g = 10.0, renderMode }: PendulumOptions = {}) {
    super();
    this.g = g;
    this.metadata = { renderModes: ["rgb_array"], renderFps: 30 };
    this.initRenderMode(renderMode);
  }

  reset({ seed, options }: ResetArgs = {}): [Float32Array, Info] {
    this.seedRng(seed);
    const x = this.initOption(options, "x_init", Math.PI);
    const y = this.initOption(options, "y_init", 1.0);
    this.state[0] = this.rng.uniform(-x, x);
    this.state[1] = this.rng.uniform(-y, y);
    this.hasState = true;
    return [this.observation(), {}];
  }

  private initOption(options: Record<string, unknown> | undefined, key: string, fallback: number): number {
    if (!options || options[key] === undefined) return fallback;
    const v = options[key];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new EnvError(`${envLabel(this)}: reset option "${key}" must be a finite number, got ${String(v)}`);
    }
    return v;
  }

  step(action: BoxAction): StepResult<Float32Array> {
    if (!this.hasState) throw new ResetNeededError(`${envLabel(this)}: call reset() before step()`);
    const th = this.state[0] as number;
    const thDot = this.state[1] as number;
    const u = Math.min(Math.max(action[0] as number, -this.maxTorque), this.maxTorque);
    const costs = angleNormalize(th) ** 2 + 0.1 * thDot ** 2 + 0.001 * u ** 2;
    let newThDot =
      thDot + (((3 * this.g) / (2 * this.l)) * Math.sin(th) + (3.0 / (this.m * this.l ** 2)) * u) * this.dt;
    newThDot = Math.min(Math.max(newThDot, -this.maxSpeed), this.maxSpeed);
    this.state[0] = th + newThDot * this.dt;
    this.state[1] = newThDot;
    return [this.observation(), -costs, false, false, {}];
  }

  override render(): RgbFrame {
    this.requireRenderMode();
    return renderPendulum(this.state[0] as number);
  }

  private observation(): Float32Array {
    const th = this.state[0] as number;
    return Float32Array.of(Math.cos(th), Math.sin(th), this.state[1] as number);
  }
}
