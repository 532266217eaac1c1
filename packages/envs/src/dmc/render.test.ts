import { beforeAll, describe, expect, it } from "vitest";
import { RenderModeError } from "../errors.js";
import { loadMujoco } from "../mujoco/adapter.js";
import { make } from "../registry.js";
import type { RgbFrame } from "../render/frame.js";
import type { DmcEnv } from "./base.js";
import "./index.js";

beforeAll(async () => {
  await loadMujoco();
});

const SKY = [100, 150, 200];
const FLOORS = [
  [26, 51, 77],
  [51, 77, 102],
];

function colorAt(frame: RgbFrame, p: number): number[] {
  return Array.from(frame.data.subarray(3 * p, 3 * p + 3));
}

const same = (a: number[], b: number[]) => a.every((v, i) => v === b[i]);
const isGeom = (c: number[]) => !same(c, SKY) && !FLOORS.some((f) => same(c, f));

describe("DMC rgb_array", () => {
  it.each([
    "dmc/acrobot-swingup",
    "dmc/ball_in_cup-catch",
    "dmc/cartpole-swingup",
    "dmc/cheetah-run",
    "dmc/finger-spin",
    "dmc/hopper-hop",
    "dmc/pendulum-swingup",
    "dmc/reacher-easy",
    "dmc/walker-walk",
  ])("%s draws its bodies in a 480 × 480 frame", (id) => {
    const env = make(id, { renderMode: "rgb_array" });
    env.reset({ seed: 0 });
    const frame = env.render() as RgbFrame;
    expect(frame).toMatchObject({ width: 480, height: 480 });
    let geomPixels = 0;
    for (let p = 0; p < 480 * 480; p++) {
      if (isGeom(colorAt(frame, p))) geomPixels++;
    }
    expect(geomPixels).toBeGreaterThan(100);
    env.close();
  });

  it("keeps dmc/walker-walk's torso in the middle column as it moves, and needs a render mode", () => {
    const env = make("dmc/walker-walk", { renderMode: "rgb_array" });
    env.reset({ seed: 0 });
    const { sim } = env.unwrapped as DmcEnv;
    const torso = sim.geomId("torso");
    for (const x of [0, 2.5]) {
      const qpos = Float64Array.from(sim.initQpos);
      qpos[1] = x; // rootx (qpos[0] is rootz in the DMC walker)
      sim.setState(qpos, sim.initQvel);
      expect(sim.at("geom_xpos", 3 * torso)).toBeCloseTo(x, 6);
      // The torso is an upright capsule at the image centre: the pixel there is a geom's, not sky or floor.
      const frame = env.render() as RgbFrame;
      const row = 240 - Math.round(150 * (sim.at("geom_xpos", 3 * torso + 2) - 1));
      expect(isGeom(colorAt(frame, row * 480 + 240))).toBe(true);
      expect(isGeom(colorAt(frame, row * 480 + 240 + 30))).toBe(false);
    }
    env.close();
    const plain = make("dmc/walker-walk");
    plain.reset({ seed: 0 });
    expect(() => plain.render()).toThrow(RenderModeError);
  });
});
