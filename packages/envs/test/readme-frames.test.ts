import { describe, expect, it } from "vitest";
import { createFrame, digLavaFrame, upscale } from "../scripts/readme-frames.js";
import { encodePng } from "../src/render/png.js";

describe("README frames (scripts/readme-frames.ts)", () => {
  it("renders CREATE and Dig Lava deterministically from the envs' own render(), upscaled", () => {
    const create = createFrame();
    expect([create.width, create.height]).toEqual([84, 84]);
    expect(createFrame().data).toEqual(create.data);
    const big = upscale(create, 4);
    expect([big.width, big.height]).toEqual([336, 336]);
    expect(Array.from(big.data.subarray(0, 3))).toEqual(Array.from(create.data.subarray(0, 3)));
    const lava = digLavaFrame();
    expect(lava.width).toBe(176);
    expect(encodePng(upscale(lava, 2)).length).toBeGreaterThan(100);
  });
});
