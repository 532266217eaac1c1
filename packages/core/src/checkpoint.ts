/**
 * Checkpoints: a directory with a JSON manifest (the snapshot's structure) and one binary file
 * holding every typed array, each replaced in the JSON by {__typed: dtype, offset, length}.
 * Replay contents (~100 MB for 1M transitions) therefore cost one sequential write, not JSON.
 *
 * Atomic by construction: the binary file is written under a temporary name and renamed to a
 * name derived from its SHA-256, then the manifest that points at it is written to a temporary
 * file and renamed over `checkpoint.json`. That last rename is the commit: a kill at any moment
 * leaves either the old checkpoint or the new one, never a mix. Stale data files are removed
 * after the commit. Loading checks format version, byte length and checksum, so a truncated or
 * corrupted checkpoint fails with a clear error instead of loading garbage.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Snapshot } from "./agent.js";
import { QscapeError } from "./errors.js";

export const CHECKPOINT_FORMAT = "qscape-checkpoint";
export const CHECKPOINT_FORMAT_VERSION = 1;
const MANIFEST = "checkpoint.json";
const DATA_FILE = /^data-[0-9a-f]{16}\.bin$/;
const TEMP_FILE = /\.tmp-\d+-\d+$/;
/** Every array starts on an 8-byte boundary, so float64 data could be viewed in place. */
const ALIGN = 8;

type TypedLeaf = Float32Array | Float64Array | Int32Array | Uint8Array | Uint32Array;
type Dtype = "float32" | "float64" | "int32" | "uint8" | "uint32";

const CONSTRUCTORS = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint8: Uint8Array,
  uint32: Uint32Array,
} as const;

interface Manifest {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  littleEndian: boolean;
  data: { file: string; bytes: number; sha256: string };
  snapshot: unknown;
}

function dtypeOf(v: unknown): Dtype | undefined {
  // A Node Buffer is a Uint8Array, so it is stored (and comes back) as uint8.
  if (v instanceof Float32Array) return "float32";
  if (v instanceof Float64Array) return "float64";
  if (v instanceof Int32Array) return "int32";
  if (v instanceof Uint8Array) return "uint8";
  if (v instanceof Uint32Array) return "uint32";
  return undefined;
}

let tempCounter = 0;
function tempName(file: string): string {
  tempCounter += 1;
  return `${file}.tmp-${process.pid}-${tempCounter}`;
}

interface EncodeState {
  arrays: TypedLeaf[];
  /** Byte offset of each array in the data file. */
  offsets: number[];
  /** Data file length so far (padded to ALIGN). */
  bytes: number;
  /** Objects on the current path, to reject cycles. */
  ancestors: Set<object>;
}

/** Replaces typed arrays by references into the data file, and numbers JSON cannot write by markers. */
function encode(value: Snapshot, out: EncodeState, at: string): unknown {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") {
    // JSON has no NaN, ±Infinity or −0; markers keep them exact.
    if (Object.is(value, -0)) return { __number: "-0" };
    return Number.isFinite(value) ? value : { __number: String(value) };
  }
  const dtype = dtypeOf(value);
  if (dtype) {
    const leaf = value as TypedLeaf;
    const offset = out.bytes;
    out.arrays.push(leaf);
    out.offsets.push(offset);
    out.bytes = Math.ceil((offset + leaf.byteLength) / ALIGN) * ALIGN;
    return { __typed: dtype, offset, length: leaf.length };
  }
  const proto = typeof value === "object" ? Object.getPrototypeOf(value) : undefined;
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
    const kind = (value as object)?.constructor?.name ?? typeof value;
    throw new QscapeError(
      `saveCheckpoint: ${at} is a ${kind}; snapshots hold JSON values and Float32/Float64/Int32/Uint8/Uint32 arrays`,
    );
  }
  if (out.ancestors.has(value)) throw new QscapeError(`saveCheckpoint: ${at} refers back to itself (a cycle)`);
  out.ancestors.add(value);
  let encoded: unknown;
  if (Array.isArray(value)) {
    encoded = value.map((v, i) => {
      if (v === undefined) throw new QscapeError(`saveCheckpoint: ${at}[${i}] is undefined`);
      return encode(v, out, `${at}[${i}]`);
    });
  } else {
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === "__typed" || k === "__number") {
        throw new QscapeError(`saveCheckpoint: ${at} uses the reserved key "${k}"`);
      }
      if (v === undefined) continue; // as JSON.stringify does
      fields[k] = encode(v, out, `${at}.${k}`);
    }
    encoded = fields;
  }
  out.ancestors.delete(value);
  return encoded;
}

function decode(value: unknown, bin: Buffer, at: string, fail: (why: string) => never): Snapshot {
  if (value === null || typeof value !== "object") return value as Snapshot;
  if (Array.isArray(value)) return value.map((v, i) => decode(v, bin, `${at}[${i}]`, fail));
  const obj = value as Record<string, unknown>;
  if ("__number" in obj) {
    const marker = obj.__number;
    if (marker === "NaN" || marker === "Infinity" || marker === "-Infinity" || marker === "-0") return Number(marker);
    fail(`${at} has an invalid number marker ${JSON.stringify(marker)}`);
  }
  if ("__typed" in obj) {
    const { __typed: dtype, offset, length } = obj;
    const Ctor = CONSTRUCTORS[dtype as Dtype];
    if (!Ctor || !Object.hasOwn(CONSTRUCTORS, dtype as string)) fail(`${at} has unknown dtype ${String(dtype)}`);
    const bytes = (length as number) * Ctor.BYTES_PER_ELEMENT;
    if (
      !Number.isInteger(offset) ||
      !Number.isInteger(length) ||
      (offset as number) < 0 ||
      (length as number) < 0 ||
      (offset as number) + bytes > bin.length
    ) {
      fail(`${at} points outside the data file (offset ${offset}, length ${length}, file ${bin.length} bytes)`);
    }
    const out = new Ctor(length as number);
    new Uint8Array(out.buffer).set(bin.subarray(offset as number, (offset as number) + bytes));
    return out;
  }
  const out: Record<string, Snapshot> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = decode(v, bin, `${at}.${k}`, fail);
  return out;
}

function writeFileDurably(file: string, write: (fd: number) => void): void {
  const fd = fs.openSync(file, "w");
  try {
    write(fd);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

function syncDirectory(dir: string): void {
  // Makes the renames durable; some platforms cannot open directories, which is harmless.
  try {
    const fd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {}
}

/**
 * Writes `snapshot` to directory `dir` (created if needed), replacing any checkpoint there atomically.
 * `beforeCommit` runs when everything is written but the manifest rename that commits it (lets a
 * crash test stop a process at the worst moment).
 */
export function saveCheckpoint(dir: string, snapshot: Snapshot, options: { beforeCommit?: () => void } = {}): void {
  const layout: EncodeState = { arrays: [], offsets: [], bytes: 0, ancestors: new Set() };
  const encoded = encode(snapshot, layout, "snapshot");
  const { arrays, offsets } = layout;
  fs.mkdirSync(dir, { recursive: true });

  const hash = createHash("sha256");
  const binTemp = path.join(dir, tempName("data.bin"));
  let manifestTemp: string | undefined;
  try {
    writeFileDurably(binTemp, (fd) => {
      let written = 0;
      const pad = new Uint8Array(ALIGN);
      for (let i = 0; i < arrays.length; i++) {
        const a = arrays[i] as TypedLeaf;
        const gap = (offsets[i] as number) - written;
        if (gap > 0) {
          writeAll(fd, pad.subarray(0, gap));
          hash.update(pad.subarray(0, gap));
        }
        const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
        writeAll(fd, bytes);
        hash.update(bytes);
        written = (offsets[i] as number) + a.byteLength;
      }
      const tail = layout.bytes - written;
      if (tail > 0) {
        writeAll(fd, pad.subarray(0, tail));
        hash.update(pad.subarray(0, tail));
      }
    });
    const sha256 = hash.digest("hex");
    const dataFile = `data-${sha256.slice(0, 16)}.bin`;
    fs.renameSync(binTemp, path.join(dir, dataFile));

    const manifest: Manifest = {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_FORMAT_VERSION,
      littleEndian: os.endianness() === "LE",
      data: { file: dataFile, bytes: layout.bytes, sha256 },
      snapshot: encoded,
    };
    manifestTemp = path.join(dir, tempName(MANIFEST));
    const json = Buffer.from(JSON.stringify(manifest));
    writeFileDurably(manifestTemp, (fd) => writeAll(fd, json));
    options.beforeCommit?.();
    fs.renameSync(manifestTemp, path.join(dir, MANIFEST));
    syncDirectory(dir);

    for (const name of fs.readdirSync(dir)) {
      if ((DATA_FILE.test(name) && name !== dataFile) || TEMP_FILE.test(name)) {
        fs.rmSync(path.join(dir, name), { force: true });
      }
    }
  } catch (e) {
    for (const f of [binTemp, manifestTemp]) if (f) fs.rmSync(f, { force: true });
    throw e;
  }
}

/** True when `dir` holds a checkpoint manifest (it may still fail to load if corrupt). */
export function checkpointExists(dir: string): boolean {
  return fs.existsSync(path.join(dir, MANIFEST));
}

/** Reads the snapshot saved in `dir`; typed arrays come back as fresh typed arrays of their dtype. */
export function loadCheckpoint(dir: string): Snapshot {
  const manifestPath = path.join(dir, MANIFEST);
  const fail = (why: string): never => {
    throw new QscapeError(`loadCheckpoint: checkpoint in ${dir} is unusable: ${why}`);
  };
  let text: string;
  try {
    text = fs.readFileSync(manifestPath, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      throw new QscapeError(`loadCheckpoint: no checkpoint in ${dir} (${MANIFEST} is missing)`);
    }
    throw e;
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch (e) {
    return fail(`${MANIFEST} is truncated or corrupt (${(e as Error).message})`);
  }
  if (manifest?.format !== CHECKPOINT_FORMAT) fail(`${MANIFEST} is not a qscape checkpoint manifest`);
  if (manifest.version !== CHECKPOINT_FORMAT_VERSION) {
    fail(`format version ${manifest.version}, this qscape reads version ${CHECKPOINT_FORMAT_VERSION}`);
  }
  if (manifest.littleEndian !== (os.endianness() === "LE")) fail("it was written on a machine of other endianness");
  const { file, bytes, sha256 } = manifest.data ?? {};
  if (typeof file !== "string" || !DATA_FILE.test(file) || !Number.isInteger(bytes) || typeof sha256 !== "string") {
    fail(`${MANIFEST} has an invalid data entry`);
  }
  let bin: Buffer;
  try {
    bin = fs.readFileSync(path.join(dir, file));
  } catch (e) {
    return fail(`data file ${file} cannot be read (${(e as Error).message})`);
  }
  if (bin.length !== bytes) fail(`data file ${file} has ${bin.length} bytes, expected ${bytes} (truncated?)`);
  if (createHash("sha256").update(bin).digest("hex") !== sha256) fail(`data file ${file} fails its SHA-256 check`);
  return decode(manifest.snapshot, bin, "snapshot", fail);
}
