/**
 * An agent's whole learning state, declared once: its networks, the things with a state of their
 * own (optimizers, RNGs, noise processes, replay), and its counters. `save`, `load` and `dispose`
 * are derived from the declaration, so a part added to it is checkpointed, restored and freed
 * without another line, and none can be forgotten in one of the three.
 */
import type { Snapshot } from "../agent.js";
import { QscapeError } from "../errors.js";
import { type Parameterized, readParameters, type SerializedTensor, writeParameters } from "../params.js";

/** Optimizers, RNGs, noise processes, replay buffers: anything that can hand out and take back its state. */
export interface HasState {
  // biome-ignore lint/suspicious/noExplicitAny: each part has its own state type; the snapshot holds it as it is
  getState(): any;
  // biome-ignore lint/suspicious/noExplicitAny: see getState
  setState(state: any): void;
  dispose?(): void;
}

export interface StateParts {
  /** Networks: weights saved and restored, variables disposed. */
  networks?: Record<string, Parameterized | readonly Parameterized[]>;
  /** Parts with a state of their own (null: absent in this configuration); disposed when they can be. */
  stateful?: Record<string, HasState | null>;
  /** Objects of plain numbers (counters), restored into these same objects; names must not repeat. */
  counters?: readonly Record<string, number>[];
  /** Things with tensors but no learning state (e.g. a nearest-neighbour index): only disposed. */
  disposables?: readonly ({ dispose(): void } | null)[];
  /** The parsed config, saved so a checkpoint says what made it (not restored: the agent is built from it). */
  config?: unknown;
}

const asSnapshot = (v: unknown): Snapshot => v as Snapshot;

/** The snapshot of an agent named `name`. */
export function saveState(name: string, parts: StateParts): Snapshot {
  const networks: Record<string, Snapshot> = {};
  for (const [key, net] of Object.entries(parts.networks ?? {})) {
    networks[key] = Array.isArray(net)
      ? net.map((n: Parameterized) => asSnapshot(readParameters(n)))
      : asSnapshot(readParameters(net as Parameterized));
  }
  const stateful: Record<string, Snapshot> = {};
  for (const [key, part] of Object.entries(parts.stateful ?? {})) stateful[key] = asSnapshot(part?.getState() ?? null);
  return {
    name,
    ...(parts.config !== undefined ? { config: JSON.parse(JSON.stringify(parts.config)) as Snapshot } : {}),
    networks,
    stateful,
    counters: flatCounters(name, parts),
  };
}

function flatCounters(name: string, parts: StateParts): Record<string, number> {
  const flat: Record<string, number> = {};
  for (const group of parts.counters ?? []) {
    for (const [key, v] of Object.entries(group)) {
      if (key in flat) throw new QscapeError(`${name}: two counters are named '${key}'`);
      flat[key] = v;
    }
  }
  return flat;
}

/** `base` with `more`'s parts added (a variant's own networks, optimizers, counters). */
export function addParts(base: StateParts, more: StateParts): StateParts {
  return {
    ...base,
    networks: { ...base.networks, ...more.networks },
    stateful: { ...base.stateful, ...more.stateful },
    counters: [...(base.counters ?? []), ...(more.counters ?? [])],
    disposables: [...(base.disposables ?? []), ...(more.disposables ?? [])],
  };
}

/** Restores `snapshot` (made by saveState for an agent of the same name and shape) into `parts`. */
export function loadState(name: string, parts: StateParts, snapshot: Snapshot): void {
  const s = snapshot as {
    name?: unknown;
    networks?: Record<string, unknown>;
    stateful?: Record<string, unknown>;
    counters?: Record<string, number>;
  } | null;
  if (s === null || typeof s !== "object" || s.name !== name) {
    throw new QscapeError(`${name}.load: not a ${name} snapshot (name ${String(s?.name)})`);
  }
  const missing = (what: string, key: string) =>
    new QscapeError(`${name}.load: the snapshot has no ${what} '${key}' (saved by another version or configuration?)`);
  for (const [key, net] of Object.entries(parts.networks ?? {})) {
    const saved = s.networks?.[key];
    if (saved === undefined) throw missing("network", key);
    if (Array.isArray(net)) {
      const list = saved as SerializedTensor[][];
      if (!Array.isArray(list) || list.length !== net.length) {
        throw new QscapeError(`${name}.load: '${key}' holds ${list?.length} networks, this agent ${net.length}`);
      }
      net.forEach((n: Parameterized, i) => {
        writeParameters(n, list[i] as SerializedTensor[]);
      });
    } else writeParameters(net as Parameterized, saved as SerializedTensor[]);
  }
  for (const [key, part] of Object.entries(parts.stateful ?? {})) {
    if (!part) continue;
    const saved = s.stateful?.[key];
    if (saved === undefined || saved === null) throw missing("state", key);
    part.setState(saved);
  }
  for (const group of parts.counters ?? []) {
    for (const key of Object.keys(group)) {
      const v = s.counters?.[key];
      if (typeof v !== "number") throw missing("counter", key);
      group[key] = v;
    }
  }
}

/** Frees every network's variables and every part that holds tensors. */
export function disposeState(parts: StateParts): void {
  for (const net of Object.values(parts.networks ?? {})) {
    for (const n of Array.isArray(net) ? net : [net as Parameterized]) {
      // A network that owns more than its parameters (constants, caches) frees them itself.
      const own = (n as { dispose?: () => void }).dispose;
      if (typeof own === "function") own.call(n);
      else for (const v of n.parameters()) v.dispose();
    }
  }
  for (const part of Object.values(parts.stateful ?? {})) part?.dispose?.();
  for (const d of parts.disposables ?? []) d?.dispose();
}

/**
 * `save`, `load` and `dispose` derived from `stateParts()`: an agent extends this and declares its
 * parts, nothing else. (The one base class of the learner kit: it holds no learning logic.)
 */
export abstract class Checkpointed {
  abstract readonly name: string;
  abstract stateParts(): StateParts;

  save(): Snapshot {
    return saveState(this.name, this.stateParts());
  }

  load(state: Snapshot): void {
    loadState(this.name, this.stateParts(), state);
  }

  dispose(): void {
    disposeState(this.stateParts());
  }
}
