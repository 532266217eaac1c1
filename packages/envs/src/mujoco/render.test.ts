import { beforeAll, describe, expect, it } from "vitest";
import { RenderModeError } from "../errors.js";
import { make } from "../registry.js";
import type { RgbFrame } from "../render/frame.js";
import { loadMujoco } from "./adapter.js";
import type { MujocoEnv } from "./base.js";
import "./index.js";

beforeAll(async () => {
  await loadMujoco();
});

// The renderer's sky and floor colours; everything else in a frame is a geom.
const BACKGROUND = [
  [100, 150, 200],
  [26, 51, 77],
  [51, 77, 102],
];
const BODY = [204, 153, 102];

function pixel(frame: RgbFrame, x: number, y: number): number[] {
  const o = (Math.floor(y) * frame.width + Math.floor(x)) * 3;
  return Array.from(frame.data.subarray(o, o + 3));
}

const same = (a: number[], b: number[]) => a.every((v, i) => v === b[i]);
const isGeom = (frame: RgbFrame, x: number, y: number) => !BACKGROUND.some((c) => same(pixel(frame, x, y), c));

/** The first image row (from the top) with a geom pixel, and the mean column of that row's geom pixels. */
function topOfGeoms(frame: RgbFrame): { row: number; column: number } {
  for (let y = 0; y < frame.height; y++) {
    let sum = 0;
    let n = 0;
    for (let x = 0; x < frame.width; x++) {
      if (isGeom(frame, x, y)) {
        sum += x + 0.5;
        n++;
      }
    }
    if (n > 0) return { row: y, column: sum / n };
  }
  throw new Error("no geom in the frame");
}

/** Mean column of the pixels of `color` in row `y`. */
function meanColumn(frame: RgbFrame, y: number, color: number[]): number {
  let sum = 0;
  let n = 0;
  for (let x = 0; x < frame.width; x++) {
    if (same(pixel(frame, x, y), color)) {
      sum += x + 0.5;
      n++;
    }
  }
  expect(n).toBeGreaterThan(0);
  return sum / n;
}

function distinctFrames(env: ReturnType<typeof make>, steps: number): number {
  env.actionSpace.seed(0);
  env.reset({ seed: 0 });
  const seen = new Set<string>();
  for (let t = 0; t < steps; t++) {
    const [, , terminated, truncated] = env.step(env.actionSpace.sample());
    const frame = env.render() as RgbFrame;
    expect(frame).toMatchObject({ width: 480, height: 480 });
    seen.add(Buffer.from(frame.data).toString("base64"));
    if (terminated || truncated) env.reset();
  }
  return seen.size;
}

describe.each(["Hopper-v5", "Walker2d-v5"])("%s side view", (id) => {
  // Side view: 150 px per metre, image centre at (torso x, z = 1).
  const toPixel = (dx: number, z: number) => [240 + 150 * dx, 240 - 150 * (z - 1)] as const;

  it("draws the top of the torso where the sim puts it, as qpos moves it up and tilts it", () => {
    const env = make(id, { renderMode: "rgb_array" });
    env.reset({ seed: 0 });
    const mj = env.unwrapped as MujocoEnv;
    const { sim } = mj;
    const torso = sim.geomId("torso_geom");
    const [radius, half] = [sim.geoms.size[3 * torso] as number, sim.geoms.size[3 * torso + 1] as number];
    const tops: number[] = [];
    for (const [dz, pitch] of [
      [0, 0],
      [0.3, 0],
      [0.3, 0.4],
      [-0.2, -0.3],
    ] as const) {
      const qpos = Float64Array.from(sim.initQpos);
      qpos[1] = (qpos[1] as number) + dz;
      qpos[2] = pitch;
      sim.setState(qpos, sim.initQvel);
      // Upper end of the torso capsule from geom_xpos and the geom's z axis (third column of geom_xmat).
      const c = [0, 1, 2].map((k) => sim.at("geom_xpos", 3 * torso + k));
      const axisX = sim.at("geom_xmat", 9 * torso + 2);
      const axisZ = sim.at("geom_xmat", 9 * torso + 8);
      const endX = (c[0] as number) + half * axisX - sim.at("xpos", 3 * sim.bodyId("torso"));
      const endZ = (c[2] as number) + half * axisZ;
      const [px, py] = toPixel(endX, endZ + radius);
      const top = topOfGeoms(env.render() as RgbFrame);
      expect(Math.abs(top.row + 0.5 - py)).toBeLessThan(1.5);
      expect(Math.abs(top.column - px)).toBeLessThan(3);
      tops.push(top.row);
    }
    // 0.3 m higher is 45 px higher in the frame.
    expect((tops[0] as number) - (tops[1] as number)).toBeGreaterThanOrEqual(44);
    env.close();
  });

  it("follows the torso in x: the walker stays put in the frame while the floor tiles slide", () => {
    const env = make(id, { renderMode: "rgb_array" });
    env.reset({ seed: 0 });
    const { sim } = env.unwrapped as MujocoEnv;
    const frameAt = (x: number) => {
      const qpos = Float64Array.from(sim.initQpos);
      qpos[0] = x;
      sim.setState(qpos, sim.initQvel);
      return env.render() as RgbFrame;
    };
    const a = frameAt(0);
    const b = frameAt(0.5);
    expect(topOfGeoms(b)).toEqual(topOfGeoms(a));
    // Row 470 is floor; moving 0.5 m right shifts the tiles 75 px left.
    const row = 470;
    for (const x of [0, 100, 200, 300, 400]) expect(pixel(b, x, row)).toEqual(pixel(a, x + 75, row));
    expect(pixel(b, 200, row)).not.toEqual(pixel(a, 200, row));
    env.close();
  });

  it("renders frames that are not all the same over 50 random steps", () => {
    const env = make(id, { renderMode: "rgb_array" });
    expect(distinctFrames(env, 50)).toBeGreaterThan(10);
    env.close();
  });
});

describe("InvertedPendulum side view", () => {
  // Fixed camera: 200 px per metre, image centre at (0, z = 0.25).
  const row = (z: number) => 240 - 200 * (z - 0.25);

  it("draws the cart at qpos[0] and the pole at the angle qpos[1]", () => {
    const env = make("InvertedPendulum-v5", { renderMode: "rgb_array" });
    env.reset({ seed: 0 });
    const { sim } = env.unwrapped as MujocoEnv;
    for (const [x, theta] of [
      [0, 0],
      [0.4, 0.15],
      [-0.3, -0.2],
      [0.2, 0.6],
    ] as const) {
      sim.setState([x, theta], [0, 0]);
      const frame = env.render() as RgbFrame;
      // The pole alone crosses rows at z = 0.25 and 0.5 (the cart's capsule ends at z = 0.1).
      const lowZ = 0.25;
      const highZ = 0.5;
      const low = meanColumn(frame, Math.floor(row(lowZ)), BODY);
      const high = meanColumn(frame, Math.floor(row(highZ)), BODY);
      // The hinge is about +y, so a positive angle leans the pole towards +x.
      const drawn = Math.atan2((high - low) / 200, highZ - lowZ);
      expect(Math.abs(drawn - theta)).toBeLessThan(0.03);
      expect(Math.abs(low - (240 + 200 * (x + lowZ * Math.tan(theta))))).toBeLessThan(2);
    }
    env.close();
  });

  it("renders frames that are not all the same over 50 random steps", () => {
    const env = make("InvertedPendulum-v5", { renderMode: "rgb_array" });
    expect(distinctFrames(env, 50)).toBeGreaterThan(10);
    env.close();
  });
});

describe("MuJoCo render modes", () => {
  it("declares rgb_array with Gymnasium's render fps, and render() without a mode throws RenderModeError", () => {
    const env = make("Hopper-v5");
    expect(env.metadata.renderModes).toEqual(["rgb_array"]);
    expect(env.metadata.renderFps).toBe(125);
    env.reset({ seed: 0 });
    expect(() => env.render()).toThrow(RenderModeError);
    env.close();
  });

  it.each([
    "HalfCheetah-v5",
    "InvertedDoublePendulum-v5",
    "Ant-v5",
    "Humanoid-v5",
    "Swimmer-v5",
    "Reacher-v5",
    "HopperRestricted-v5",
  ])("%s renders a 480 × 480 frame with geoms in it", (id) => {
    const env = make(id, { renderMode: "rgb_array" });
    env.reset({ seed: 0 });
    const frame = env.render() as RgbFrame;
    expect(frame).toMatchObject({ width: 480, height: 480 });
    expect(isGeom(frame, 240, 240) || topOfGeoms(frame).row < 480).toBe(true);
    env.close();
  });
});
