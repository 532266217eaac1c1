/**
 * `rgb_array` frames of the one-step toy Q-landscapes: the known reward function over the action box with
 * the last action drawn on it, so a GIF of successive episodes shows where a learner's actions go.
 * - 1-D: the curve q(a) with the global optimum (green) and the last action (red line and dot).
 * - 2-D: q as a heat map (16 flat levels, dark blue to yellow, x = a[0] right, a[1] up) with the global
 *   optimum (white ring) and the last action (red dot).
 */
import type { Rgb, RgbFrame } from "./frame.js";
import { Raster } from "./raster.js";

const WHITE: Rgb = [255, 255, 255];
const RED: Rgb = [220, 40, 40];
const GREEN: Rgb = [30, 160, 60];
const GREY: Rgb = [160, 160, 160];
const CURVE: Rgb = [40, 60, 140];

/** Stops of the heat-map ramp (viridis-like); 16 flat levels keep the frames GIF-exact. */
const RAMP: readonly Rgb[] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];
const LEVELS = 16;

function rampColor(t: number): Rgb {
  const level = Math.min(LEVELS - 1, Math.max(0, Math.floor(t * LEVELS)));
  const x = (level / (LEVELS - 1)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [RAMP[i] as Rgb, RAMP[i + 1] as Rgb];
  return [
    Math.round(a[0] + f * (b[0] - a[0])),
    Math.round(a[1] + f * (b[1] - a[1])),
    Math.round(a[2] + f * (b[2] - a[2])),
  ];
}

export interface Landscape1d {
  q: (a: number) => number;
  low: number;
  high: number;
  optimum: number;
}

/** 600 × 400 plot of a 1-D landscape; `last` is the last action taken, or null before any step. */
export function renderLandscape1d({ q, low, high, optimum }: Landscape1d, last: number | null): RgbFrame {
  const W = 600;
  const H = 400;
  const margin = 30;
  const samples = Array.from({ length: 301 }, (_, i) => q(low + ((high - low) * i) / 300));
  const top = Math.max(...samples) * 1.1;
  const bottom = Math.min(0, ...samples);
  const px = (a: number) => margin + ((a - low) / (high - low)) * (W - 2 * margin);
  const py = (v: number) => H - margin - ((v - bottom) / (top - bottom)) * (H - 2 * margin);
  const img = new Raster(W, H);
  img.clear(WHITE);
  img.line(margin, py(0), W - margin, py(0), 1, GREY);
  for (let i = 0; i < 300; i++) {
    const [a, b] = [low + ((high - low) * i) / 300, low + ((high - low) * (i + 1)) / 300];
    img.line(px(a), py(samples[i] as number), px(b), py(samples[i + 1] as number), 2, CURVE);
  }
  img.fillCircle(px(optimum), py(q(optimum)), 6, GREEN);
  if (last !== null) {
    const a = Math.min(high, Math.max(low, last));
    img.line(px(a), margin, px(a), H - margin, 2, RED);
    img.fillCircle(px(a), py(q(a)), 5, RED);
  }
  return img;
}

export interface Landscape2d {
  q: (a0: number, a1: number) => number;
  low: number;
  high: number;
  optimum: readonly [number, number];
}

/** Draws 2-D landscapes; the heat map is computed once, as the landscape never changes. */
export class Landscape2dRenderer {
  static readonly SIZE = 400;
  private readonly base: Uint8Array;

  constructor(private readonly landscape: Landscape2d) {
    const S = Landscape2dRenderer.SIZE;
    const { q } = landscape;
    const values = new Float64Array(S * S);
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) values[y * S + x] = q(this.action(x + 0.5), this.action(S - y - 0.5));
    }
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const v of values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const img = new Raster(S, S);
    for (let p = 0; p < S * S; p++)
      img.data.set(rampColor(max > min ? ((values[p] as number) - min) / (max - min) : 0), 3 * p);
    const [ox, oy] = this.pixel(landscape.optimum[0], landscape.optimum[1]);
    img.fillCircle(ox, oy, 8, WHITE);
    img.fillCircle(ox, oy, 5, rampColor(1));
    this.base = img.data;
  }

  render(last: ArrayLike<number> | null): RgbFrame {
    const S = Landscape2dRenderer.SIZE;
    const img = new Raster(S, S);
    img.data.set(this.base);
    if (last !== null) {
      const [x, y] = this.pixel(last[0] as number, last[1] as number);
      img.fillCircle(x, y, 6, WHITE);
      img.fillCircle(x, y, 4, RED);
    }
    return img;
  }

  /** The action coordinate at pixel coordinate `p` (x, or S − y for the vertical axis). */
  private action(p: number): number {
    const { low, high } = this.landscape;
    return low + ((high - low) * p) / Landscape2dRenderer.SIZE;
  }

  private pixel(a0: number, a1: number): [number, number] {
    const { low, high } = this.landscape;
    const S = Landscape2dRenderer.SIZE;
    const clamp = (v: number) => Math.min(high, Math.max(low, v));
    return [((clamp(a0) - low) / (high - low)) * S, S - ((clamp(a1) - low) / (high - low)) * S];
  }
}
