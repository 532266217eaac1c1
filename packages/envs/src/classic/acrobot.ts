/**
 * Acrobot-v1, Gymnasium `classic_control/acrobot.py` (Sutton 1996; "book" dynamics): swing the
 * tip of a two-link chain above the bar by torquing the middle joint with −1, 0 or +1.
 * Observation [cos θ1, sin θ1, cos θ2, sin θ2, θ̇1, θ̇2]; reward −1 per step, 0 on the terminal step;
 * terminates when −cos θ1 − cos(θ1 + θ2) > 1. One step integrates dt = 0.2 s with a single RK4
 * step. Reset draws all four state variables from U(−0.1, 0.1) (options `low`/`high`), rounded to
 * float32 as Gymnasium does.
 */
import type { Info, ResetArgs, StepResult } from "../env.js";
import { Env, envLabel } from "../env.js";
import { ResetNeededError } from "../errors.js";
import type { RgbFrame } from "../render/frame.js";
import { Box, Discrete } from "../spaces.js";
import { renderAcrobot } from "./render.js";
import { resetBounds } from "./reset-bounds.js";

export interface AcrobotOptions {
  /** "book" (Gymnasium default) or "nips" equations of motion. */
  bookOrNips?: "book" | "nips";
  /** Uniform noise half-width added to the torque (Gymnasium attribute `torque_noise_max`). */
  torqueNoiseMax?: number;
  /** "rgb_array" makes `render()` return frames (Gymnasium `render_mode`). */
  renderMode?: "rgb_array";
}

/** x wrapped into [m, M] by whole periods (Gymnasium `wrap`). */
function wrap(x: number, m: number, M: number): number {
  const diff = M - m;
  while (x > M) x -= diff;
  while (x < m) x += diff;
  return x;
}

export class AcrobotEnv extends Env<Float32Array, number> {
  readonly dt = 0.2;
  readonly linkLength1 = 1.0;
  readonly linkLength2 = 1.0;
  readonly linkMass1 = 1.0;
  readonly linkMass2 = 1.0;
  readonly linkComPos1 = 0.5;
  readonly linkComPos2 = 0.5;
  readonly linkMoi = 1.0;
  readonly maxVel1 = 4 * Math.PI;
  readonly maxVel2 = 9 * Math.PI;
  readonly availTorque = [-1.0, 0.0, 1.0] as const;
  readonly torqueNoiseMax: number;
  readonly bookOrNips: "book" | "nips";

  readonly observationSpace = new Box(
    [-1, -1, -1, -1, -4 * Math.PI, -9 * Math.PI],
    [1, 1, 1, 1, 4 * Math.PI, 9 * Math.PI],
  );
  readonly actionSpace = new Discrete(3);
  /** [θ1, θ2, θ̇1, θ̇2]. */
  readonly state = new Float64Array(4);
  private hasState = false;

  constructor({ bookOrNips = "book", torqueNoiseMax = 0, renderMode }: AcrobotOptions = {}) {
    super();
    this.bookOrNips = bookOrNips;
    this.torqueNoiseMax = torqueNoiseMax;
    this.metadata = { renderModes: ["rgb_array"], renderFps: 15 };
    this.initRenderMode(renderMode);
  }

  reset({ seed, options }: ResetArgs = {}): [Float32Array, Info] {
    this.seedRng(seed);
    const [low, high] = resetBounds(options, -0.1, 0.1, envLabel(this));
    for (let i = 0; i < 4; i++) this.state[i] = Math.fround(this.rng.uniform(low, high));
    this.hasState = true;
    return [this.observation(), {}];
  }

  step(action: number): StepResult<Float32Array> {
    if (!this.hasState) throw new ResetNeededError(`${envLabel(this)}: call reset() before step()`);
    let torque = this.availTorque[action] as number;
    if (this.torqueNoiseMax > 0) torque += this.rng.uniform(-this.torqueNoiseMax, this.torqueNoiseMax);
    const ns = this.rk4(this.state, torque);
    this.state[0] = wrap(ns[0] as number, -Math.PI, Math.PI);
    this.state[1] = wrap(ns[1] as number, -Math.PI, Math.PI);
    this.state[2] = Math.min(Math.max(ns[2] as number, -this.maxVel1), this.maxVel1);
    this.state[3] = Math.min(Math.max(ns[3] as number, -this.maxVel2), this.maxVel2);
    const terminated = this.terminal();
    return [this.observation(), terminated ? 0.0 : -1.0, terminated, false, {}];
  }

  private terminal(): boolean {
    const s = this.state;
    return -Math.cos(s[0] as number) - Math.cos((s[1] as number) + (s[0] as number)) > 1.0;
  }

  override render(): RgbFrame {
    this.requireRenderMode();
    const [theta1, theta2] = this.state as unknown as [number, number];
    return renderAcrobot(theta1, theta2, this.linkLength1, this.linkLength2);
  }

  private observation(): Float32Array {
    const s = this.state;
    const [t1, t2, d1, d2] = [s[0] as number, s[1] as number, s[2] as number, s[3] as number];
    return Float32Array.of(Math.cos(t1), Math.sin(t1), Math.cos(t2), Math.sin(t2), d1, d2);
  }

  /** Time derivative of [θ1, θ2, θ̇1, θ̇2] under torque `a` (Gymnasium `_dsdt`). */
  dsdt(s: ArrayLike<number>, a: number): Float64Array {
    const m1 = this.linkMass1;
    const m2 = this.linkMass2;
    const l1 = this.linkLength1;
    const lc1 = this.linkComPos1;
    const lc2 = this.linkComPos2;
    const I1 = this.linkMoi;
    const I2 = this.linkMoi;
    const g = 9.8;
    const theta1 = s[0] as number;
    const theta2 = s[1] as number;
    const dtheta1 = s[2] as number;
    const dtheta2 = s[3] as number;
    const d1 = m1 * lc1 ** 2 + m2 * (l1 ** 2 + lc2 ** 2 + 2 * l1 * lc2 * Math.cos(theta2)) + I1 + I2;
    const d2 = m2 * (lc2 ** 2 + l1 * lc2 * Math.cos(theta2)) + I2;
    const phi2 = m2 * lc2 * g * Math.cos(theta1 + theta2 - Math.PI / 2.0);
    const phi1 =
      -m2 * l1 * lc2 * dtheta2 ** 2 * Math.sin(theta2) -
      2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * Math.sin(theta2) +
      (m1 * lc1 + m2 * l1) * g * Math.cos(theta1 - Math.PI / 2) +
      phi2;
    const ddtheta2 =
      this.bookOrNips === "nips"
        ? (a + (d2 / d1) * phi1 - phi2) / (m2 * lc2 ** 2 + I2 - d2 ** 2 / d1)
        : (a + (d2 / d1) * phi1 - m2 * l1 * lc2 * dtheta1 ** 2 * Math.sin(theta2) - phi2) /
          (m2 * lc2 ** 2 + I2 - d2 ** 2 / d1);
    const ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    return Float64Array.of(dtheta1, dtheta2, ddtheta1, ddtheta2);
  }

  /** One classical Runge–Kutta step of length dt (Gymnasium `rk4` over t = [0, dt]). */
  private rk4(y0: Float64Array, a: number): Float64Array {
    const dt = this.dt;
    const dt2 = dt / 2.0;
    const add = (y: Float64Array, k: Float64Array, h: number) => y.map((v, i) => v + h * (k[i] as number));
    const k1 = this.dsdt(y0, a);
    const k2 = this.dsdt(add(y0, k1, dt2), a);
    const k3 = this.dsdt(add(y0, k2, dt2), a);
    const k4 = this.dsdt(add(y0, k3, dt), a);
    return y0.map(
      (v, i) =>
        v + (dt / 6.0) * ((k1[i] as number) + 2 * (k2[i] as number) + 2 * (k3[i] as number) + (k4[i] as number)),
    );
  }
}
