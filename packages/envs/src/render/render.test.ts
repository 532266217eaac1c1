import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, inflateSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import "../classic/index.js";
import { FrameError } from "../errors.js";
import { make } from "../registry.js";
import type { RgbFrame } from "./frame.js";
import { encodeGif, writeGif } from "./gif.js";
import { encodePng, writePng } from "./png.js";
import { Raster } from "./raster.js";

const dir = mkdtempSync(join(tmpdir(), "qscape-render-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A GIF reader written from the GIF89a spec, independent of the encoder: frames as RGB plus their delays. */
function readGif(bytes: Uint8Array) {
  const u16 = (o: number) => (bytes[o] as number) | ((bytes[o + 1] as number) << 8);
  expect(Buffer.from(bytes.subarray(0, 6)).toString("latin1")).toBe("GIF89a");
  const width = u16(6);
  const height = u16(8);
  let pos = 13 + ((bytes[10] as number) & 0x80 ? 3 << (((bytes[10] as number) & 7) + 1) : 0);
  const frames: { delay: number; rgb: Uint8Array }[] = [];
  let delay = 0;
  let loops = false;
  const blocks = () => {
    const parts: number[] = [];
    for (let n = bytes[pos++] as number; n > 0; n = bytes[pos++] as number) {
      parts.push(...bytes.subarray(pos, pos + n));
      pos += n;
    }
    return Uint8Array.from(parts);
  };
  for (;;) {
    const introducer = bytes[pos++];
    if (introducer === 0x3b) break;
    if (introducer === 0x21) {
      const label = bytes[pos++];
      const body = blocks();
      if (label === 0xf9) delay = (body[1] as number) | ((body[2] as number) << 8);
      if (label === 0xff && Buffer.from(body.subarray(0, 11)).toString("latin1") === "NETSCAPE2.0") loops = true;
      continue;
    }
    expect(introducer).toBe(0x2c);
    expect([u16(pos), u16(pos + 2), u16(pos + 4), u16(pos + 6)]).toEqual([0, 0, width, height]);
    const packed = bytes[pos + 8] as number;
    pos += 9;
    expect(packed & 0x80).toBe(0x80);
    const table = bytes.subarray(pos, pos + (3 << ((packed & 7) + 1)));
    pos += table.length;
    const minCodeSize = bytes[pos++] as number;
    const indices = lzwDecode(blocks(), minCodeSize);
    expect(indices.length).toBe(width * height);
    const rgb = new Uint8Array(width * height * 3);
    indices.forEach((k, p) => {
      rgb.set(table.subarray(3 * k, 3 * k + 3), 3 * p);
    });
    frames.push({ delay, rgb });
  }
  return { width, height, frames, loops };
}

function lzwDecode(data: Uint8Array, minCodeSize: number): number[] {
  const clear = 1 << minCodeSize;
  const dict: number[][] = [];
  let size = 0;
  let prev: number[] | null = null;
  const reset = () => {
    dict.length = 0;
    for (let i = 0; i < clear + 2; i++) dict.push([i]);
    size = minCodeSize + 1;
    prev = null;
  };
  reset();
  const out: number[] = [];
  let bit = 0;
  for (;;) {
    let code = 0;
    for (let i = 0; i < size; i++, bit++) code |= (((data[bit >> 3] as number) >> (bit & 7)) & 1) << i;
    if (code === clear) {
      reset();
      continue;
    }
    if (code === clear + 1) break;
    const last: number[] | null = prev;
    const entry: number[] | null =
      code < dict.length ? (dict[code] as number[]) : last ? [...last, last[0] as number] : null;
    if (entry === null) throw new Error(`bad LZW code ${code}`);
    out.push(...entry);
    if (last !== null && dict.length < 4096) {
      dict.push([...last, entry[0] as number]);
      if (dict.length === 1 << size && size < 12) size++;
    }
    prev = entry;
  }
  return out;
}

/** A frame of random pixels from `colors` distinct colours: incompressible enough to fill the LZW table. */
function noise(width: number, height: number, colors: number, seed: number): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  let s = seed;
  for (let p = 0; p < width * height; p++) {
    s = (s * 1103515245 + 12345) >>> 0;
    const c = (s >>> 8) % colors;
    data.set([c, (c * 7) & 0xff, (c * 13) & 0xff], 3 * p);
  }
  return { width, height, data };
}

describe("writeGif", () => {
  it("writes one looping image per frame that reads back pixel for pixel, at the fps's delay", () => {
    const env = make("CartPole-v1", { renderMode: "rgb_array" });
    env.actionSpace.seed(0);
    env.reset({ seed: 0 });
    const frames: RgbFrame[] = [];
    for (let t = 0; t < 12; t++) {
      env.step(env.actionSpace.sample());
      frames.push(env.render() as RgbFrame);
    }
    const path = join(dir, "cartpole.gif");
    writeGif(frames, path, { fps: 50 });
    const gif = readGif(readFileSync(path));
    expect(gif).toMatchObject({ width: 600, height: 400, loops: true });
    expect(gif.frames).toHaveLength(12);
    gif.frames.forEach((f, i) => {
      expect(f.delay).toBe(2);
      expect(Buffer.from(f.rgb).equals(Buffer.from((frames[i] as RgbFrame).data))).toBe(true);
    });
  });

  it("survives LZW table resets: 255 colours of noise stay exact", () => {
    const frame = noise(300, 200, 255, 1);
    const gif = readGif(encodeGif([frame], { fps: 10 }));
    expect(gif.frames[0]?.delay).toBe(10);
    expect(Buffer.from(gif.frames[0]?.rgb ?? []).equals(Buffer.from(frame.data))).toBe(true);
  });

  it("maps a frame of more than 256 colours onto the 6 × 7 × 6 cube, each channel within half a level", () => {
    const frame = noise(64, 64, 4096, 2);
    const rgb = readGif(encodeGif([frame], { fps: 10 })).frames[0]?.rgb ?? new Uint8Array();
    for (let i = 0; i < rgb.length; i++) {
      const step = i % 3 === 1 ? 255 / 6 : 255 / 5;
      expect(Math.abs((rgb[i] as number) - (frame.data[i] as number))).toBeLessThanOrEqual(step / 2 + 1);
    }
  });

  it("round-trips tiny one-colour frames (the smallest colour table and code size)", () => {
    for (const [w, h] of [
      [1, 1],
      [3, 2],
    ] as const) {
      const frame = new Raster(w, h);
      frame.clear([10, 20, 30]);
      const gif = readGif(encodeGif([frame, frame], { fps: 25 }));
      expect(gif.frames.map((f) => Array.from(f.rgb))).toEqual([Array.from(frame.data), Array.from(frame.data)]);
      expect(gif.frames[0]?.delay).toBe(4);
    }
  });

  it("throws FrameError for no frames, mixed sizes, short data or a bad fps", () => {
    const a = new Raster(4, 4);
    expect(() => encodeGif([], { fps: 10 })).toThrow(FrameError);
    expect(() => encodeGif([a, new Raster(5, 4)], { fps: 10 })).toThrow(FrameError);
    expect(() => encodeGif([{ width: 4, height: 4, data: new Uint8Array(10) }], { fps: 10 })).toThrow(FrameError);
    expect(() => encodeGif([a], { fps: 0 })).toThrow(FrameError);
  });
});

describe("writePng", () => {
  it("writes a valid RGB PNG whose pixels inflate back to the frame", () => {
    const env = make("Acrobot-v1", { renderMode: "rgb_array" });
    env.reset({ seed: 0 });
    const frame = env.render() as RgbFrame;
    const path = join(dir, "acrobot.png");
    writePng(frame, path);
    const png = readFileSync(path);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const chunks: { type: string; body: Buffer }[] = [];
    for (let pos = 8; pos < png.length; ) {
      const length = png.readUInt32BE(pos);
      const type = png.subarray(pos + 4, pos + 8).toString("latin1");
      expect(png.readUInt32BE(pos + 8 + length)).toBe(crc32(png.subarray(pos + 4, pos + 8 + length)));
      chunks.push({ type, body: png.subarray(pos + 8, pos + 8 + length) });
      pos += 12 + length;
    }
    expect(chunks.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
    const ihdr = chunks[0]?.body as Buffer;
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9]]).toEqual([500, 500, 8, 2]);
    const raw = inflateSync(chunks[1]?.body as Buffer);
    const row = 500 * 3;
    for (let y = 0; y < 500; y++) {
      expect(raw[y * (row + 1)]).toBe(0);
      expect(
        raw.subarray(y * (row + 1) + 1, (y + 1) * (row + 1)).equals(frame.data.subarray(y * row, (y + 1) * row)),
      ).toBe(true);
    }
    expect(Buffer.from(encodePng(frame)).equals(png)).toBe(true);
  });
});
