/**
 * CartPole-v1, Gymnasium `classic_control/cartpole.py` (Barto, Sutton & Anderson 1983): push the
 * cart left (0) or right (1) to keep the pole upright. +1 per step (including the terminating
 * one); with `suttonBartoReward` 0 per step and −1 on termination. Terminates when |x| > 2.4 or
 * |θ| > 12°. Reset draws every state variable from U(−0.05, 0.05) (options `low`/`high`).
 */
import type { Info, ResetArgs, StepResult } from "../env.js";
import { Env, envLabel } from "../env.js";
import { ResetNeededError } from "../errors.js";
import type { RgbFrame } from "../render/frame.js";
import { Box, Discrete } from "../spaces.js";
import { renderCartPole } from "./render.js";
import { resetBounds } from "./reset-bounds.js";

export interface CartPoleOptions {
  suttonBartoReward?: boolean;
  /** "euler" (Gymnasium default) or "semi-implicit-euler". */
  kinematicsIntegrator?: "euler" | "semi-implicit-euler";
  /** "rgb_array" makes `render()` return frames (Gymnasium `render_mode`). */
  renderMode?: "rgb_array";
}

export class CartPoleEnv extends Env<Float32Array, number> {
  readonly gravity = 9.8;
  readonly massCart = 1.0;
  readonly massPole = 0.1;
  readonly totalMass = 1.1;
  /** Half the pole's length. */
  readonly length = 0.5;
  readonly poleMassLength = 0.05;
  readonly forceMag = 10.0;
  /** Seconds between state updates. */
  readonly tau = 0.02;
  readonly thetaThresholdRadians = (12 * 2 * Math.PI) / 360;
  readonly xThreshold = 2.4;
  readonly suttonBartoReward: boolean;
  readonly kinematicsIntegrator: "euler" | "semi-implicit-euler";

  readonly observationSpace: Box;
  readonly actionSpace = new Discrete(2);
  /** [x, ẋ, θ, θ̇] in float64, as Gymnasium keeps it. */
  readonly state = new Float64Array(4);
  private stepsBeyondTerminated: number | null = null;
  private hasState = false;

  constructor({ suttonBartoReward = false, kinematicsIntegrator = "euler", renderMode }: CartPoleOptions = {}) {
    super();
    this.suttonBartoReward = suttonBartoReward;
    this.kinematicsIntegrator = kinematicsIntegrator;
    const high = [
      this.xThreshold * 2,
      Number.POSITIVE_INFINITY,
      this.thetaThresholdRadians * 2,
      Number.POSITIVE_INFINITY,
    ];
    this.observationSpace = new Box(
      high.map((h) => -h),
      high,
    );
    this.metadata = { renderModes: ["rgb_array"], renderFps: 50 };
    this.initRenderMode(renderMode);
  }

  reset({ seed, options }: ResetArgs = {}): [Float32Array, Info] {
    this.seedRng(seed);
    const [low, high] = resetBounds(options, -0.05, 0.05, envLabel(this));
    for (let i = 0; i < 4; i++) this.state[i] = this.rng.uniform(low, high);
    this.stepsBeyondTerminated = null;
    this.hasState = true;
    return [Float32Array.from(this.state), {}];
  }

  step(action: number): StepResult<Float32Array> {
    if (!this.hasState) throw new ResetNeededError(`${envLabel(this)}: call reset() before step()`);
    const s = this.state;
    let x = s[0] as number;
    let xDot = s[1] as number;
    let theta = s[2] as number;
    let thetaDot = s[3] as number;
    const force = action === 1 ? this.forceMag : -this.forceMag;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    const temp = (force + this.poleMassLength * thetaDot * thetaDot * sin) / this.totalMass;
    const thetaAcc =
      (this.gravity * sin - cos * temp) / (this.length * (4.0 / 3.0 - (this.massPole * cos * cos) / this.totalMass));
    const xAcc = temp - (this.poleMassLength * thetaAcc * cos) / this.totalMass;
    if (this.kinematicsIntegrator === "euler") {
      x += this.tau * xDot;
      xDot += this.tau * xAcc;
      theta += this.tau * thetaDot;
      thetaDot += this.tau * thetaAcc;
    } else {
      xDot += this.tau * xAcc;
      x += this.tau * xDot;
      thetaDot += this.tau * thetaAcc;
      theta += this.tau * thetaDot;
    }
    s[0] = x;
    s[1] = xDot;
    s[2] = theta;
    s[3] = thetaDot;

    const terminated =
      x < -this.xThreshold ||
      x > this.xThreshold ||
      theta < -this.thetaThresholdRadians ||
      theta > this.thetaThresholdRadians;
    let reward: number;
    if (!terminated) reward = this.suttonBartoReward ? 0.0 : 1.0;
    else if (this.stepsBeyondTerminated === null) {
      this.stepsBeyondTerminated = 0;
      reward = this.suttonBartoReward ? -1.0 : 1.0;
    } else {
      // Gymnasium only warns here; stepping a finished episode is undefined behaviour it rewards 0.
      this.stepsBeyondTerminated += 1;
      reward = this.suttonBartoReward ? -1.0 : 0.0;
    }
    return [Float32Array.from(s), reward, terminated, false, {}];
  }

  override render(): RgbFrame {
    this.requireRenderMode();
    return renderCartPole(this.state[0] as number, this.state[2] as number, this.xThreshold, this.length);
  }
}
