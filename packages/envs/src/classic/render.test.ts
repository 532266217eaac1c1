import { describe, expect, it } from "vitest";
import { RenderModeError, ResetNeededError } from "../errors.js";
import { make } from "../registry.js";
import type { RgbFrame } from "../render/frame.js";
import "./index.js";
import type { AcrobotEnv } from "./acrobot.js";
import type { CartPoleEnv } from "./cartpole.js";
import type { PendulumEnv } from "./pendulum.js";

const ids = [
  { id: "CartPole-v1", width: 600, height: 400 },
  { id: "Pendulum-v1", width: 500, height: 500 },
  { id: "MountainCar-v0", width: 600, height: 400 },
  { id: "MountainCarContinuous-v0", width: 600, height: 400 },
  { id: "Acrobot-v1", width: 500, height: 500 },
];

function pixel(frame: RgbFrame, x: number, y: number): number[] {
  const o = (Math.round(y) * frame.width + Math.round(x)) * 3;
  return Array.from(frame.data.subarray(o, o + 3));
}

/** Mean x of the centres of the pixels of `color` in row `y`. */
function meanColumn(frame: RgbFrame, y: number, color: number[]): number {
  let sum = 0;
  let n = 0;
  for (let x = 0; x < frame.width; x++) {
    if (pixel(frame, x, y).every((v, i) => v === color[i])) {
      sum += x + 0.5;
      n++;
    }
  }
  expect(n).toBeGreaterThan(0);
  return sum / n;
}

describe.each(ids)("$id rgb_array", ({ id, width, height }) => {
  it("declares the mode and renders Gymnasium-sized frames that change over 50 random steps", () => {
    const env = make(id, { renderMode: "rgb_array" });
    expect(env.metadata.renderModes).toEqual(["rgb_array"]);
    expect(env.renderMode).toBe("rgb_array");
    env.actionSpace.seed(3);
    env.reset({ seed: 3 });
    const frames: RgbFrame[] = [];
    for (let t = 0; t < 50; t++) {
      const [, , terminated, truncated] = env.step(env.actionSpace.sample());
      frames.push(env.render() as RgbFrame);
      if (terminated || truncated) env.reset();
    }
    expect(frames[0]).toMatchObject({ width, height });
    expect(frames[0]?.data.length).toBe(width * height * 3);
    const distinct = new Set(frames.map((f) => Buffer.from(f.data).toString("base64")));
    expect(distinct.size).toBeGreaterThan(10);
  });

  it("throws RenderModeError from render() when made without a render mode", () => {
    const env = make(id);
    env.reset({ seed: 0 });
    expect(env.renderMode).toBeNull();
    expect(() => env.render()).toThrow(RenderModeError);
    expect(() => env.render()).toThrow(/renderMode: "rgb_array"/);
  });
});

describe("render modes", () => {
  it("rejects a mode outside metadata.renderModes at construction", () => {
    expect(() => make("CartPole-v1", { renderMode: "human" })).toThrow(RenderModeError);
  });

  it("refuses render() before reset() under make()'s OrderEnforcing, as Gymnasium", () => {
    const env = make("CartPole-v1", { renderMode: "rgb_array" });
    expect(() => env.render()).toThrow(ResetNeededError);
  });
});

describe("CartPole frame follows the state", () => {
  const env = make("CartPole-v1", { renderMode: "rgb_array" });
  env.reset({ seed: 0 });
  const cartPole = env.unwrapped as CartPoleEnv;

  it("draws the cart 125 px per metre from the centre", () => {
    for (const x of [-2, -0.5, 0, 1.3, 2.2]) {
      cartPole.state[0] = x;
      // Row 310 crosses the cart below the ground line (image rows 285–315).
      expect(Math.abs(meanColumn(env.render() as RgbFrame, 310, [0, 0, 0]) - (300 + 125 * x))).toBeLessThan(1);
    }
  });

  it("leans the pole to the right for positive θ", () => {
    cartPole.state[0] = 0;
    for (const theta of [-0.2, 0, 0.15]) {
      cartPole.state[2] = theta;
      const frame = env.render() as RgbFrame;
      // 80 px up the pole from the axle (y up 107.5 → image row 292.5).
      const x = 300 + 80 * Math.sin(theta);
      const y = 292.5 - 80 * Math.cos(theta);
      expect(pixel(frame, x, y)).toEqual([202, 152, 101]);
      expect(Math.abs(meanColumn(frame, Math.floor(y), [202, 152, 101]) - x)).toBeLessThan(1);
    }
  });
});

describe("Pendulum and Acrobot frames follow the state", () => {
  it("points the pendulum's rod up at θ = 0 and right at θ = −π/2", () => {
    const env = make("Pendulum-v1", { renderMode: "rgb_array" });
    env.reset({ seed: 0 });
    const pendulum = env.unwrapped as PendulumEnv;
    const red = [204, 77, 77];
    pendulum.state[0] = 0;
    expect(pixel(env.render() as RgbFrame, 250, 150)).toEqual(red);
    pendulum.state[0] = -Math.PI / 2;
    const frame = env.render() as RgbFrame;
    expect(pixel(frame, 350, 250)).toEqual(red);
    expect(pixel(frame, 250, 150)).toEqual([255, 255, 255]);
  });

  it("hangs the acrobot's links straight down at θ = 0", () => {
    const env = make("Acrobot-v1", { renderMode: "rgb_array" });
    env.reset({ seed: 0 });
    (env.unwrapped as AcrobotEnv).state.fill(0);
    const frame = env.render() as RgbFrame;
    // 1 m = 500 / 4.4 px; the links reach 2 m below the centre.
    expect(pixel(frame, 250, 250 + 1.5 * (500 / 4.4))).toEqual([0, 204, 204]);
    expect(pixel(frame, 250, 250 - 0.5 * (500 / 4.4))).toEqual([255, 255, 255]);
  });
});
