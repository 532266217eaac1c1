/**
 * PNG output for single `rgb_array` frames: 8-bit truecolour, no interlace, every row with filter "None",
 * compressed by node:zlib. That is the whole of what the format requires (the PNG standard, §11.2), and flat-colour
 * frames deflate well without the smarter row filters.
 */
import { writeFileSync } from "node:fs";
import { crc32, deflateSync } from "node:zlib";
import { concat } from "./bytes.js";
import type { RgbFrame } from "./frame.js";
import { checkFrame } from "./gif.js";

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

export function encodePng(frame: RgbFrame): Uint8Array {
  checkFrame(frame, frame.width, frame.height);
  const { width, height, data } = frame;
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = 8; // bits per channel
  ihdr[9] = 2; // colour type: RGB
  // Bytes 10–12 (compression, filter method, interlace) are all 0.
  const rowBytes = width * 3;
  const raw = new Uint8Array((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
  const chunks = [chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", new Uint8Array(0))];
  return concat([SIGNATURE, ...chunks]);
}

export function writePng(frame: RgbFrame, path: string): void {
  writeFileSync(path, encodePng(frame));
}

/** length, type, payload, CRC-32 over type + payload. */
function chunk(type: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(payload, 8);
  view.setUint32(8 + payload.length, crc32(out.subarray(4, 8 + payload.length)));
  return out;
}
