/**
 * `--set key=value` overrides. The value is read as JSON when it parses (numbers, booleans, null,
 * arrays, objects), else as a comma-separated list of numbers (`256,256`), else as a string; a
 * dotted key sets a nested field (`explorationNoise.sigma=0.2`). What comes out is then checked
 * by the algorithm's own schema, which names the field when a value is wrong.
 */
import { UsageError } from "./errors.js";

export type Overrides = Record<string, unknown>;

const NUMBER_LIST = /^\s*-?[\d.eE+-]+(\s*,\s*-?[\d.eE+-]+)+\s*$/;

export function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    // not JSON: a list of numbers or a bare string
  }
  if (NUMBER_LIST.test(raw)) {
    const values = raw.split(",").map((v) => Number(v.trim()));
    if (values.every((v) => Number.isFinite(v))) return values;
  }
  return raw;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export interface SetItem {
  /** The field, split at dots. */
  path: string[];
  value: unknown;
}

/** Reads `key=value` strings; throws a usage error naming the malformed one. */
export function parseSets(sets: readonly string[], flag = "--set"): SetItem[] {
  return sets.map((item) => {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`${flag} ${item}: expected key=value, e.g. ${flag} actorLr=1e-3`);
    const key = item.slice(0, eq).trim();
    const path = key.split(".");
    if (path.some((p) => !/^[A-Za-z_][\w-]*$/.test(p))) {
      throw new UsageError(`${flag} ${item}: "${key}" is not a field name`);
    }
    return { path, value: parseValue(item.slice(eq + 1)) };
  });
}

/**
 * `base` with the items applied in order (later ones win). A dotted path changes one field of a
 * nested object and keeps the others; a whole value (`explorationNoise={"type":"ou"}`) replaces it.
 */
export function applySets(base: Overrides, items: readonly SetItem[]): Overrides {
  const out = structuredClone(base);
  for (const { path, value } of items) {
    let target = out;
    for (const part of path.slice(0, -1)) {
      const next = target[part];
      if (!isRecord(next)) target[part] = {};
      target = target[part] as Record<string, unknown>;
    }
    target[path.at(-1) as string] = value;
  }
  return out;
}
