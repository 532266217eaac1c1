/**
 * Action observations ("play" data, new-actions paper App. A.1 / A.3: what each action does in a
 * task-independent setting, the input of the HVAE) cached on disk.
 *
 * `playObservations({ envId, split, seed, perAction })` returns the observations of every action of
 * `envId`'s `split` (or of its whole inventory with `split: "all"`), `perAction` trajectories each,
 * collected with `seed`. The cache key is (env id, split, seed, perAction) plus the collector's
 * format version; a file is used only when its header names exactly that key, its sizes match the
 * action count and trajectory length, and an FNV-1a checksum over the payload matches. Anything
 * else (a missing, truncated, corrupt or mismatched file) is collected again and rewritten (to a
 * temporary file renamed into place, so a crash never leaves half a file under the key's name).
 *
 * File layout: the 8 bytes "QSPLAY1\n", a uint32 (little endian) header length, the JSON header,
 * padding to a multiple of 4, then the action ids (int32) and the positions (float32).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CreateEnv } from "./create/create.js";
import { collectCreatePlayObservations } from "./create/play.js";
import "./create/index.js";
import { type ActionSplit, checkSplit } from "./discrete/action-set.js";
import "./discrete/index.js";
import { collectSkillPlayObservations, SkillGridWorldEnv } from "./discrete/skill-grid-world.js";
import { EnvError } from "./errors.js";
import { make } from "./registry.js";

const MAGIC = "QSPLAY1\n";
/** Bumped whenever a collector's output changes, so old caches are rebuilt. */
export const PLAY_CACHE_VERSION = 1;

export interface PlayCacheKey {
  envId: string;
  /** An action split, or "all" for the whole inventory. */
  split: ActionSplit | "all";
  seed: number;
  /** Trajectories per action (App. A.1 / A.3: 1,024). */
  perAction: number;
}

export interface PlayObservationSet {
  /** Inventory indices of the recorded actions, ascending. */
  actions: Int32Array;
  /** [actions × perAction × length × 2] (x, y) positions. */
  positions: Float32Array;
  perAction: number;
  /** Positions per trajectory. */
  length: number;
}

export interface PlayCacheResult {
  data: PlayObservationSet;
  /** "cache" when read from disk, "collected" when built (and written). */
  source: "cache" | "collected";
  /** Why the cache was not used (absent when it was). */
  rebuiltBecause?: string;
  path: string;
}

/** An env id without a play-data collector (only SkillGridWorld and the CREATE levels have one). */
export class NoPlayCollectorError extends EnvError {
  override name = "NoPlayCollectorError";
}

/** The default cache folder: `$QSCAPE_PLAY_CACHE`, else `$XDG_CACHE_HOME/qscape/play`, else `~/.cache/qscape/play`. */
export function defaultPlayCacheDir(): string {
  return (
    process.env.QSCAPE_PLAY_CACHE ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "qscape", "play")
  );
}

/** The file a key is cached in (inside `dir`). */
export function playCachePath(key: PlayCacheKey, dir = defaultPlayCacheDir()): string {
  const safe = key.envId.replace(/[^A-Za-z0-9._-]/g, "_");
  return path.join(dir, `${safe}.${key.split}.seed${key.seed}.n${key.perAction}.qsplay`);
}

function checkKey(key: PlayCacheKey): PlayCacheKey {
  if (key.split !== "all") checkSplit(key.split, `playObservations(${key.envId})`);
  if (!Number.isInteger(key.seed) || key.seed < 0) {
    throw new EnvError(`playObservations: seed must be a non-negative integer, got ${key.seed}`);
  }
  if (!Number.isInteger(key.perAction) || key.perAction < 1) {
    throw new EnvError(`playObservations: perAction must be a positive integer, got ${key.perAction}`);
  }
  return key;
}

/** The actions of `key.split` and the collector for `key.envId`. */
function collectorFor(key: PlayCacheKey): { actions: Int32Array; collect: () => PlayObservationSet } {
  const env = (() => {
    try {
      return make(key.envId).unwrapped;
    } catch (err) {
      throw new NoPlayCollectorError(`playObservations: ${(err as Error).message}`);
    }
  })();
  if (env instanceof SkillGridWorldEnv) {
    const actions =
      key.split === "all" ? Int32Array.from({ length: env.inventory.size }, (_, i) => i) : env.inventory.ids(key.split);
    return {
      actions,
      collect: () => {
        const d = collectSkillPlayObservations({
          seed: key.seed,
          skills: actions,
          trajectoriesPerSkill: key.perAction,
        });
        return { actions, positions: d.positions, perAction: d.trajectoriesPerSkill, length: d.length };
      },
    };
  }
  if (env instanceof CreateEnv) {
    const actions =
      key.split === "all" ? Int32Array.from({ length: env.noOp }, (_, i) => i) : env.inventory.ids(key.split);
    return {
      actions,
      collect: () => {
        const d = collectCreatePlayObservations({ seed: key.seed, tools: actions, trajectoriesPerTool: key.perAction });
        return { actions, positions: d.positions, perAction: d.trajectoriesPerTool, length: d.length };
      },
    };
  }
  throw new NoPlayCollectorError(
    `playObservations: ${key.envId} has no play-data collector (SkillGridWorld-v0 and the CREATE levels have one)`,
  );
}

/** FNV-1a (32-bit) over bytes. */
function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i] as number;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

interface Header extends PlayCacheKey {
  version: number;
  numActions: number;
  length: number;
  checksum: number;
}

function encode(key: PlayCacheKey, data: PlayObservationSet): Uint8Array {
  const payload = new Uint8Array(data.actions.byteLength + data.positions.byteLength);
  payload.set(new Uint8Array(data.actions.buffer, data.actions.byteOffset, data.actions.byteLength), 0);
  payload.set(
    new Uint8Array(data.positions.buffer, data.positions.byteOffset, data.positions.byteLength),
    data.actions.byteLength,
  );
  const header: Header = {
    envId: key.envId,
    split: key.split,
    seed: key.seed,
    perAction: key.perAction,
    version: PLAY_CACHE_VERSION,
    numActions: data.actions.length,
    length: data.length,
    checksum: fnv1a(payload),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((12 + json.length) / 4) * 4;
  const out = new Uint8Array(start + payload.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(payload, start);
  return out;
}

/** The cached set, or the reason it cannot be used. */
function decode(bytes: Uint8Array, key: PlayCacheKey, actions: Int32Array): PlayObservationSet | string {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) return "not a play cache file";
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  if (12 + jsonLength > bytes.length) return "truncated header";
  let header: Partial<Header>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + jsonLength))) as Partial<Header>;
  } catch {
    return "unreadable header";
  }
  for (const field of ["envId", "split", "seed", "perAction"] as const) {
    if (header[field] !== key[field])
      return `header ${field} ${JSON.stringify(header[field])} ≠ ${JSON.stringify(key[field])}`;
  }
  if (header.version !== PLAY_CACHE_VERSION) return `format version ${header.version} ≠ ${PLAY_CACHE_VERSION}`;
  const length = header.length;
  if (header.numActions !== actions.length || typeof length !== "number" || !Number.isInteger(length) || length < 1) {
    return `${header.numActions} actions in the file, ${actions.length} in the ${key.split} split`;
  }
  const start = Math.ceil((12 + jsonLength) / 4) * 4;
  const expected = start + 4 * actions.length + 4 * actions.length * key.perAction * length * 2;
  if (bytes.length !== expected) return `${bytes.length} bytes, expected ${expected}`;
  const payload = bytes.subarray(start);
  if (fnv1a(payload) !== header.checksum) return "checksum mismatch";
  const body = payload.slice().buffer;
  const cachedActions = new Int32Array(body, 0, actions.length);
  if (cachedActions.some((a, i) => a !== actions[i])) return "the split's actions differ from the cached ones";
  return {
    actions: cachedActions,
    positions: new Float32Array(body, 4 * actions.length),
    perAction: key.perAction,
    length,
  };
}

/**
 * The play observations of `key`, from `dir` when a valid cache file is there, else collected
 * (seeded, deterministic) and written there. Throws `UnknownSplitError` for an unknown split and
 * `NoPlayCollectorError` for an env without a collector.
 */
export function playObservations(key: PlayCacheKey, { dir = defaultPlayCacheDir() } = {}): PlayCacheResult {
  checkKey(key);
  const { actions, collect } = collectorFor(key);
  const file = playCachePath(key, dir);
  let reason: string;
  try {
    const cached = decode(new Uint8Array(readFileSync(file)), key, actions);
    if (typeof cached !== "string") return { data: cached, source: "cache", path: file };
    reason = cached;
  } catch (err) {
    reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "no cache file" : (err as Error).message;
  }
  const data = collect();
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, encode(key, data));
  renameSync(tmp, file);
  return { data, source: "collected", rebuiltBecause: reason, path: file };
}
