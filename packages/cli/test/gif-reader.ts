/**
 * A GIF reader written from the GIF89a spec, independent of the encoder in @qscape/envs: frame
 * count, size and each frame's RGB pixels, so a test can check what `qscape enjoy` wrote.
 */
export interface DecodedGif {
  width: number;
  height: number;
  frames: Uint8Array[];
}

export function readGif(bytes: Uint8Array): DecodedGif {
  const u16 = (o: number) => (bytes[o] as number) | ((bytes[o + 1] as number) << 8);
  if (Buffer.from(bytes.subarray(0, 6)).toString("latin1") !== "GIF89a") throw new Error("not a GIF89a file");
  const width = u16(6);
  const height = u16(8);
  const globalTable =
    (bytes[10] as number) & 0x80 ? bytes.subarray(13, 13 + (3 << (((bytes[10] as number) & 7) + 1))) : null;
  let pos = 13 + (globalTable?.length ?? 0);
  const frames: Uint8Array[] = [];
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
      pos++;
      blocks();
      continue;
    }
    if (introducer !== 0x2c) throw new Error(`unexpected block 0x${introducer?.toString(16)} at ${pos - 1}`);
    const packed = bytes[pos + 8] as number;
    pos += 9;
    let table = globalTable;
    if (packed & 0x80) {
      table = bytes.subarray(pos, pos + (3 << ((packed & 7) + 1)));
      pos += table.length;
    }
    if (table === null) throw new Error("frame without a colour table");
    const minCodeSize = bytes[pos++] as number;
    const indices = lzwDecode(blocks(), minCodeSize);
    const rgb = new Uint8Array(width * height * 3);
    for (let p = 0; p < width * height; p++)
      rgb.set(table.subarray(3 * (indices[p] ?? 0), 3 * (indices[p] ?? 0) + 3), 3 * p);
    frames.push(rgb);
  }
  return { width, height, frames };
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
  while (bit + size <= data.length * 8) {
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
    for (const v of entry) out.push(v);
    if (last !== null && dict.length < 4096) {
      dict.push([...last, entry[0] as number]);
      if (dict.length === 1 << size && size < 12) size++;
    }
    prev = entry;
  }
  return out;
}
