/**
 * Animated GIF output for episodes of `rgb_array` frames (GIF89a). Written here rather than taken from npm:
 * the pure-JS encoders (`gifenc`, `omggif`) have not been released since 2021 and 2019, and the format needs
 * only a palette, LZW and some framing.
 *
 * Each frame gets its own colour table. The package's rasterisers draw in flat colours, so a frame rarely
 * has more than 256 of them and is then stored exactly; a frame with more is mapped onto a fixed 6 × 7 × 6
 * colour cube (no dithering: banding is acceptable for watching an agent, and it keeps frames compressible).
 */
import { writeFileSync } from "node:fs";
import { FrameError } from "../errors.js";
import { concat } from "./bytes.js";
import type { RgbFrame } from "./frame.js";

export interface GifOptions {
  /** Playback rate. GIF delays are whole hundredths of a second, so 50 fps plays as 2 cs per frame. */
  fps: number;
}

/** Throws `FrameError` unless `frame` is `width × height` with 3 bytes per pixel. */
export function checkFrame(frame: RgbFrame, width: number, height: number): void {
  if (frame.width !== width || frame.height !== height) {
    throw new FrameError(`frame is ${frame.width}×${frame.height}, expected ${width}×${height}`);
  }
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < 1 ||
    height < 1 ||
    width > 0xffff ||
    height > 0xffff
  ) {
    throw new FrameError(`frame size ${width}×${height} is not a positive size of at most 65535 per side`);
  }
  if (frame.data.length !== width * height * 3) {
    throw new FrameError(`frame data has ${frame.data.length} bytes, expected ${width * height * 3} (RGB)`);
  }
}

/** Encodes the frames as one looping animation. */
export function encodeGif(frames: readonly RgbFrame[], { fps }: GifOptions): Uint8Array {
  const first = frames[0];
  if (first === undefined) throw new FrameError("encodeGif: no frames");
  if (!(fps > 0)) throw new FrameError(`encodeGif: fps must be positive, got ${fps}`);
  const { width, height } = first;
  // Browsers replace delays under 2 cs with 10 cs, which would slow fast envs fivefold.
  const delay = Math.max(2, Math.round(100 / fps));
  const parts: Uint8Array[] = [ascii("GIF89a"), u16(width), u16(height), Uint8Array.of(0, 0, 0)];
  // NETSCAPE2.0 application extension: loop forever.
  parts.push(Uint8Array.of(0x21, 0xff, 11), ascii("NETSCAPE2.0"), Uint8Array.of(3, 1, 0, 0, 0));
  for (const frame of frames) {
    checkFrame(frame, width, height);
    const { palette, indices } = palettize(frame.data);
    const bits = Math.max(1, Math.ceil(Math.log2(palette.length / 3)));
    const table = new Uint8Array(3 << bits);
    table.set(palette);
    // Graphic control extension: no disposal needed (every frame is opaque and full size), the delay, no transparency.
    parts.push(Uint8Array.of(0x21, 0xf9, 4, 0), u16(delay), Uint8Array.of(0, 0));
    // Image descriptor at (0, 0), full size, followed by its local colour table.
    parts.push(Uint8Array.of(0x2c), u16(0), u16(0), u16(width), u16(height), Uint8Array.of(0x80 | (bits - 1)));
    parts.push(table);
    const minCodeSize = Math.max(2, bits);
    parts.push(Uint8Array.of(minCodeSize), subBlocks(lzw(indices, minCodeSize)), Uint8Array.of(0));
  }
  parts.push(Uint8Array.of(0x3b));
  return concat(parts);
}

export function writeGif(frames: readonly RgbFrame[], path: string, options: GifOptions): void {
  writeFileSync(path, encodeGif(frames, options));
}

/** A colour table (flat RGB) and one index per pixel: exact when ≤ 256 colours, else the 6 × 7 × 6 cube. */
function palettize(data: Uint8Array): { palette: Uint8Array; indices: Uint8Array } {
  const pixels = data.length / 3;
  const indices = new Uint8Array(pixels);
  const seen = new Map<number, number>();
  const colors: number[] = [];
  for (let p = 0; p < pixels; p++) {
    const key = ((data[3 * p] as number) << 16) | ((data[3 * p + 1] as number) << 8) | (data[3 * p + 2] as number);
    let index = seen.get(key);
    if (index === undefined) {
      if (colors.length === 256) return cubePalettize(data);
      index = colors.length;
      seen.set(key, index);
      colors.push(key);
    }
    indices[p] = index;
  }
  const palette = new Uint8Array(colors.length * 3);
  for (let i = 0; i < colors.length; i++) {
    const c = colors[i] as number;
    palette.set([c >> 16, (c >> 8) & 0xff, c & 0xff], 3 * i);
  }
  return { palette, indices };
}

function cubePalettize(data: Uint8Array): { palette: Uint8Array; indices: Uint8Array } {
  const levels = [6, 7, 6] as const; // green gets the extra level: the eye resolves it best
  const palette = new Uint8Array(6 * 7 * 6 * 3);
  for (let r = 0, i = 0; r < 6; r++) {
    for (let g = 0; g < 7; g++) {
      for (let b = 0; b < 6; b++, i++) palette.set([(r * 255) / 5, (g * 255) / 6, (b * 255) / 5], 3 * i);
    }
  }
  const level = (v: number, n: number) => Math.round((v * (n - 1)) / 255);
  const indices = new Uint8Array(data.length / 3);
  for (let p = 0; p < indices.length; p++) {
    const r = level(data[3 * p] as number, levels[0]);
    const g = level(data[3 * p + 1] as number, levels[1]);
    const b = level(data[3 * p + 2] as number, levels[2]);
    indices[p] = (r * 7 + g) * 6 + b;
  }
  return { palette, indices };
}

/**
 * GIF's variable-width LZW (codes of 3–12 bits, least significant bit first). The code width grows once the
 * decoder's table, which runs one entry behind ours, would need the wider code; a full table is reset with a
 * clear code.
 */
function lzw(indices: Uint8Array, minCodeSize: number): Uint8Array {
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  const out: number[] = [];
  let acc = 0;
  let accBits = 0;
  let size = minCodeSize + 1;
  const emit = (code: number) => {
    acc |= code << accBits;
    accBits += size;
    while (accBits >= 8) {
      out.push(acc & 0xff);
      acc >>>= 8;
      accBits -= 8;
    }
  };
  // Dictionary of (prefix code, next index) → code; the key packs both into one number.
  const dict = new Map<number, number>();
  let next = end + 1;
  emit(clear);
  let prefix = indices[0] as number;
  for (let i = 1; i < indices.length; i++) {
    const k = indices[i] as number;
    const key = (prefix << 8) | k;
    const code = dict.get(key);
    if (code !== undefined) {
      prefix = code;
      continue;
    }
    emit(prefix);
    if (next < 4096) {
      dict.set(key, next++);
      if (next > 1 << size && size < 12) size++;
    } else {
      emit(clear);
      dict.clear();
      next = end + 1;
      size = minCodeSize + 1;
    }
    prefix = k;
  }
  emit(prefix);
  emit(end);
  if (accBits > 0) out.push(acc & 0xff);
  return Uint8Array.from(out);
}

/** Splits LZW output into the ≤ 255-byte sub-blocks GIF requires, each led by its length. */
function subBlocks(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + Math.ceil(bytes.length / 255));
  let o = 0;
  for (let i = 0; i < bytes.length; i += 255) {
    const n = Math.min(255, bytes.length - i);
    out[o++] = n;
    out.set(bytes.subarray(i, i + n), o);
    o += n;
  }
  return out;
}

function u16(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff, v >> 8);
}

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}
