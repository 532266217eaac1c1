/**
 * The algorithms `qscape` can train: the bench entries (`defineAlgorithm`) exported by the
 * algorithm packages, collected the way `pnpm bench` collects them. The CLI knows an algorithm only
 * through its entry: schema, defaults, space check and constructor.
 */
import { baselineAlgorithms } from "@qscape/baselines";
import { type AlgorithmEntry, collectAlgorithms } from "@qscape/core";
import { qmleAlgorithms } from "@qscape/qmle";
import { savoAlgorithms } from "@qscape/savo";
import { smoothieAlgorithms } from "@qscape/smoothie";
import { UsageError } from "./errors.js";

const registry = collectAlgorithms(baselineAlgorithms, savoAlgorithms, smoothieAlgorithms, qmleAlgorithms);

export function algorithms(): ReadonlyMap<string, AlgorithmEntry> {
  return registry;
}

/** The entry for `id`; an unknown id is a usage error listing the known ones. */
export function algorithm(id: string): AlgorithmEntry {
  const entry = registry.get(id);
  if (!entry) throw new UsageError(`unknown algorithm "${id}"; known: ${[...registry.keys()].join(", ")}`);
  return entry;
}
