/**
 * A small rasteriser for grid worlds: square tiles of flat colour plus an agent triangle, written
 * to an RGB `Uint8Array` (Gymnasium's `rgb_array` render mode: height × width × 3, row major).
 */
import type { Rgb, RgbFrame } from "../render/frame.js";

export type { Rgb, RgbFrame } from "../render/frame.js";

/** A `cols × rows` grid of `tile`-pixel squares, cell (x, y) filled with `colorAt(x, y)`. */
export function rasterizeGrid(
  cols: number,
  rows: number,
  tile: number,
  colorAt: (x: number, y: number) => Rgb,
): RgbFrame {
  const width = cols * tile;
  const height = rows * tile;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) fillRect({ width, height, data }, x * tile, y * tile, tile, tile, colorAt(x, y));
  }
  // One-pixel grid lines so neighbouring cells of one colour stay countable.
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      if (px % tile === 0 || py % tile === 0) {
        const o = (py * width + px) * 3;
        data[o] = ((data[o] as number) * 3) >> 2;
        data[o + 1] = ((data[o + 1] as number) * 3) >> 2;
        data[o + 2] = ((data[o + 2] as number) * 3) >> 2;
      }
    }
  }
  return { width, height, data };
}

/** Fills a w × h pixel rectangle with top-left corner (px, py). */
export function fillRect(frame: RgbFrame, px: number, py: number, w: number, h: number, color: Rgb): void {
  for (let y = py; y < py + h; y++) {
    for (let x = px; x < px + w; x++) frame.data.set(color, (y * frame.width + x) * 3);
  }
}

/**
 * Draws the agent in cell (x, y) as a triangle pointing along `dir` (0 right, 1 down, 2 left,
 * 3 up, as MiniGrid), or as a square when the agent has no heading (`dir` null).
 */
export function drawAgent(frame: RgbFrame, x: number, y: number, tile: number, dir: number | null, color: Rgb): void {
  for (let py = 0; py < tile; py++) {
    for (let px = 0; px < tile; px++) {
      // Local coordinates in [0, 1], rotated so the triangle always points along +u.
      const lx = (px + 0.5) / tile;
      const ly = (py + 0.5) / tile;
      const [u, v] = dir === null ? [lx, ly] : rotateToHeading(lx, ly, dir);
      const inside =
        dir === null
          ? u > 0.2 && u < 0.8 && v > 0.2 && v < 0.8
          : u >= 0.15 && u <= 0.85 && Math.abs(v - 0.5) <= (0.35 * (0.85 - u)) / 0.7;
      if (inside) frame.data.set(color, ((y * tile + py) * frame.width + x * tile + px) * 3);
    }
  }
}

function rotateToHeading(lx: number, ly: number, dir: number): [number, number] {
  switch (dir) {
    case 1:
      return [ly, 1 - lx];
    case 2:
      return [1 - lx, 1 - ly];
    case 3:
      return [1 - ly, lx];
    default:
      return [lx, ly];
  }
}
