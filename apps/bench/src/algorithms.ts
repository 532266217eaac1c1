/**
 * The algorithms `pnpm bench` can run: the bench entries exported by the algorithm packages it
 * depends on (made with `defineAlgorithm` from @qscape/core), plus those of plug-in modules a suite
 * names in `plugins` — a researcher's own package runs in the bench without changing it.
 */
import { agileAlgorithms } from "@qscape/agile";
import { baselineAlgorithms } from "@qscape/baselines";
import { type AlgorithmEntry, collectAlgorithms, QscapeError } from "@qscape/core";
import { qmleAlgorithms } from "@qscape/qmle";
import { qmpAlgorithms } from "@qscape/qmp";
import { savoAlgorithms } from "@qscape/savo";
import { smoothieAlgorithms } from "@qscape/smoothie";
import type { UpdateSchedule } from "./speeds.js";
import { budgetOf, configOn, type Suite } from "./suite.js";

const builtIn: readonly AlgorithmEntry[] = [
  ...baselineAlgorithms,
  ...savoAlgorithms,
  ...smoothieAlgorithms,
  ...qmleAlgorithms,
  ...qmpAlgorithms,
  ...agileAlgorithms,
];
const plugins = new Map<string, readonly AlgorithmEntry[]>();
let registry = collectAlgorithms(builtIn);

/** Every algorithm known now: built in, then those of the plug-ins loaded so far. */
export function algorithms(): ReadonlyMap<string, AlgorithmEntry> {
  return registry;
}

export function algorithm(id: string): AlgorithmEntry {
  const a = registry.get(id);
  if (!a) throw new QscapeError(`unknown algorithm "${id}"; known: ${[...registry.keys()].join(", ")}`);
  return a;
}

/**
 * How a suite algorithm's runs on an env update, from its entry with the suite's matched settings
 * and config there (what the duration estimate and calibration count updates with): a multi-task
 * algorithm's epoch on a task set, an on-policy learner's rollout. null for an algorithm not loaded
 * (a plug-in) or an entry that does not say. A MuJoCo task set needs `loadMujoco()` first.
 */
export function updateSchedule(
  suite: Suite,
  a: Suite["algorithms"][number],
  env: Suite["envs"][number],
): UpdateSchedule | null {
  const entry = registry.get(a.algo);
  const matched = { seed: suite.seeds[0] ?? 0, hidden: suite.hidden, config: configOn(a, env) };
  if (entry?.multiTask) {
    const epoch = entry.multiTask.epoch?.(env.id, matched);
    return epoch ? { epoch } : null;
  }
  const loop = entry?.loop?.({ ...matched, warmupSteps: budgetOf(suite, env).warmupSteps });
  if (!loop) return null;
  return {
    ...(loop.rolloutSteps ? { rolloutSteps: loop.rolloutSteps } : {}),
    ...(loop.learningStarts ? { learningStarts: loop.learningStarts } : {}),
  };
}

function isEntry(e: unknown): e is AlgorithmEntry {
  const x = e as Partial<AlgorithmEntry> | null;
  return (
    !!x &&
    typeof x.id === "string" &&
    typeof x.description === "string" &&
    typeof x.supports === "function" &&
    typeof x.checkConfig === "function" &&
    typeof x.create === "function"
  );
}

/**
 * Imports plug-in modules (file URLs or package names), each exporting `algorithms`: an array of
 * entries made with `defineAlgorithm`. Loading one twice is a no-op; an id that clashes with another
 * algorithm is an error naming both.
 */
export async function loadPlugins(specifiers: readonly string[]): Promise<void> {
  for (const spec of specifiers) {
    if (plugins.has(spec)) continue;
    let mod: { algorithms?: unknown };
    try {
      mod = (await import(spec)) as { algorithms?: unknown };
    } catch (err) {
      throw new QscapeError(`plug-in ${spec} failed to load: ${(err as Error).message.split("\n")[0]}`);
    }
    const entries = mod.algorithms;
    if (!Array.isArray(entries) || entries.length === 0 || !entries.every(isEntry)) {
      throw new QscapeError(
        `plug-in ${spec} must export \`algorithms\`: an array of entries made with defineAlgorithm from @qscape/core`,
      );
    }
    plugins.set(spec, entries);
    registry = collectAlgorithms(builtIn, ...plugins.values());
  }
}
