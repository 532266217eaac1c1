/**
 * A small software rasteriser for CREATE (no display, no canvas): every fixture of the planck
 * world is filled pixel by pixel with its tag's colour, testing pixel centres inside the fixture's
 * bounding box with Box2D's own point test, so the picture is exactly the collision geometry.
 * Sensors (goal, subgoal, air regions) are drawn first, then static bodies, then dynamic ones, so
 * moving objects stay visible on top. Grayscale frames (§A6.3: the state is the last 3 grayscale
 * 84 × 84 frames) are the luminance of the colour frame, in [0, 1].
 */
import * as planck from "planck";
import type { RgbFrame } from "../discrete/grid-render.js";
import { CREATE_SCALE, tagOf } from "./world.js";

/** An RGB frame of `world` (`size` × `size` pixels covering the screen [−1, 1]², y up). */
export function renderCreate(world: planck.World, size: number): RgbFrame {
  const data = new Uint8Array(size * size * 3);
  const frame: RgbFrame = { width: size, height: size, data };
  const layers: planck.Fixture[][] = [[], [], []];
  for (let b = world.getBodyList(); b; b = b.getNext()) {
    for (let f = b.getFixtureList(); f; f = f.getNext()) {
      const layer = f.isSensor() ? 0 : b.isDynamic() ? 2 : 1;
      layers[layer]?.push(f);
    }
  }
  const metresPerPixel = (2 * CREATE_SCALE) / size;
  const p = planck.Vec2(0, 0);
  for (const layer of layers) {
    for (const f of layer) {
      const colour = tagOf(f).colour;
      const box = f.getAABB(0);
      const x0 = Math.max(0, Math.floor((box.lowerBound.x + CREATE_SCALE) / metresPerPixel));
      const x1 = Math.min(size - 1, Math.floor((box.upperBound.x + CREATE_SCALE) / metresPerPixel));
      const y0 = Math.max(0, Math.floor((CREATE_SCALE - box.upperBound.y) / metresPerPixel));
      const y1 = Math.min(size - 1, Math.floor((CREATE_SCALE - box.lowerBound.y) / metresPerPixel));
      for (let py = y0; py <= y1; py++) {
        p.y = CREATE_SCALE - (py + 0.5) * metresPerPixel;
        for (let px = x0; px <= x1; px++) {
          p.x = (px + 0.5) * metresPerPixel - CREATE_SCALE;
          if (f.testPoint(p)) data.set(colour, (py * size + px) * 3);
        }
      }
    }
  }
  return frame;
}

/** The luminance (ITU-R BT.601) of an RGB frame, in [0, 1], written to `out` at channel `c` of `channels`. */
export function grayscaleInto(frame: RgbFrame, out: Float32Array, c: number, channels: number): void {
  const n = frame.width * frame.height;
  for (let i = 0; i < n; i++) {
    const r = frame.data[3 * i] as number;
    const g = frame.data[3 * i + 1] as number;
    const b = frame.data[3 * i + 2] as number;
    out[i * channels + c] = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
  }
}
