/**
 * A minimal software rasteriser for the `rgb_array` render mode: filled polygons, circles, thick lines and
 * capsules in flat colour on an RGB byte buffer. No anti-aliasing, on purpose: flat colours keep a frame to a
 * handful of distinct colours, so the GIF encoder can store frames losslessly with a small palette.
 *
 * Coordinates are pixels with y pointing down; a pixel is covered when its centre (px + 0.5, py + 0.5) lies
 * inside the shape, so shapes that share an edge neither overlap nor leave a gap.
 */
import type { Rgb, RgbFrame } from "./frame.js";

export class Raster implements RgbFrame {
  readonly data: Uint8Array;
  /** Scanline crossings, reused across polygons to avoid an allocation per shape. */
  private readonly crossings: number[] = [];

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array(width * height * 3);
  }

  clear(color: Rgb): void {
    this.fillRect(0, 0, this.width, this.height, color);
  }

  /** Fills the pixels whose centres lie in [x0, x1) × [y0, y1). */
  fillRect(x0: number, y0: number, x1: number, y1: number, color: Rgb): void {
    const top = Math.max(0, Math.ceil(Math.min(y0, y1) - 0.5));
    const bottom = Math.min(this.height, Math.ceil(Math.max(y0, y1) - 0.5));
    for (let py = top; py < bottom; py++) this.span(py, Math.min(x0, x1), Math.max(x0, x1), color);
  }

  /** Fills a polygon given as flat [x0, y0, x1, y1, …] (any winding; self-intersections fill even-odd). */
  fillPolygon(points: ArrayLike<number>, color: Rgb): void {
    const n = points.length >> 1;
    if (n < 3) return;
    let minY = Number.POSITIVE_INFINITY;
    let maxY = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const y = points[2 * i + 1] as number;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    const top = Math.max(0, Math.ceil(minY - 0.5));
    const bottom = Math.min(this.height, Math.ceil(maxY - 0.5));
    const xs = this.crossings;
    for (let py = top; py < bottom; py++) {
      const yc = py + 0.5;
      xs.length = 0;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const xi = points[2 * i] as number;
        const yi = points[2 * i + 1] as number;
        const xj = points[2 * j] as number;
        const yj = points[2 * j + 1] as number;
        // Half-open in y so a vertex shared by two edges is counted once.
        if (yi <= yc !== yj <= yc) xs.push(xi + ((yc - yi) * (xj - xi)) / (yj - yi));
      }
      xs.sort((a, b) => a - b);
      for (let k = 0; k + 1 < xs.length; k += 2) this.span(py, xs[k] as number, xs[k + 1] as number, color);
    }
  }

  fillCircle(cx: number, cy: number, r: number, color: Rgb): void {
    const top = Math.max(0, Math.ceil(cy - r - 0.5));
    const bottom = Math.min(this.height, Math.ceil(cy + r - 0.5));
    for (let py = top; py < bottom; py++) {
      const dy = py + 0.5 - cy;
      const half = Math.sqrt(Math.max(0, r * r - dy * dy));
      this.span(py, cx - half, cx + half, color);
    }
  }

  /** A segment `width` pixels thick with square ends (at least one pixel, so thin lines never vanish). */
  line(x0: number, y0: number, x1: number, y1: number, width: number, color: Rgb): void {
    const len = Math.hypot(x1 - x0, y1 - y0);
    if (len === 0) return;
    const h = Math.max(width, 1) / 2;
    const nx = (-(y1 - y0) / len) * h;
    const ny = ((x1 - x0) / len) * h;
    this.fillPolygon([x0 + nx, y0 + ny, x1 + nx, y1 + ny, x1 - nx, y1 - ny, x0 - nx, y0 - ny], color);
  }

  /** A segment of radius `r` with round ends: the outline of a capsule seen from the side. */
  capsule(x0: number, y0: number, x1: number, y1: number, r: number, color: Rgb): void {
    this.line(x0, y0, x1, y1, 2 * r, color);
    this.fillCircle(x0, y0, r, color);
    this.fillCircle(x1, y1, r, color);
  }

  /** Fills row `py` over the pixels whose centres lie in [xa, xb). */
  private span(py: number, xa: number, xb: number, color: Rgb): void {
    const start = Math.max(0, Math.ceil(xa - 0.5));
    const end = Math.min(this.width, Math.ceil(xb - 0.5));
    const [r, g, b] = color;
    for (let o = (py * this.width + start) * 3, e = (py * this.width + end) * 3; o < e; o += 3) {
      this.data[o] = r;
      this.data[o + 1] = g;
      this.data[o + 2] = b;
    }
  }
}

/** `color` scaled by `f` (f < 1 darkens), used for depth cues and outlines. */
export function shade(color: Rgb, f: number): Rgb {
  const c = (v: number) => Math.max(0, Math.min(255, Math.round(v * f)));
  return [c(color[0]), c(color[1]), c(color[2])];
}
