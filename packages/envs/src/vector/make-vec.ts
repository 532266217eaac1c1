import { EnvError } from "../errors.js";
import { type MakeOptions, make } from "../registry.js";
import { AsyncVectorEnv, type AsyncVectorEnvOptions } from "./async-vector-env.js";
import { SyncVectorEnv } from "./sync-vector-env.js";
import type { VectorEnv, VectorEnvOptions } from "./vector-env.js";

export interface MakeVecOptions extends VectorEnvOptions {
  /** "sync" (default): one thread; "async": one worker thread per env. */
  vectorizationMode?: "sync" | "async";
  /** Passed to `make(id, …)` for every sub-env. */
  makeOptions?: MakeOptions;
  /** Async only: modules each worker imports before `make` (custom registrations). */
  workerImports?: AsyncVectorEnvOptions["workerImports"];
}

/** `numEnvs` copies of a registered env as one vector env (Gymnasium `make_vec`). */
export function makeVec<BObs = Float32Array, BAct = Float32Array>(
  id: string,
  numEnvs: number,
  { vectorizationMode = "sync", makeOptions = {}, workerImports, autoresetMode }: MakeVecOptions = {},
): VectorEnv<BObs, BAct> {
  if (!Number.isInteger(numEnvs) || numEnvs < 1)
    throw new EnvError(`makeVec(${id}): numEnvs must be an integer ≥ 1, got ${numEnvs}`);
  if (vectorizationMode === "async")
    return new AsyncVectorEnv<BObs, BAct>(id, numEnvs, { autoresetMode, makeOptions, workerImports });
  if (vectorizationMode !== "sync")
    throw new EnvError(`makeVec(${id}): vectorizationMode must be "sync" or "async", got ${String(vectorizationMode)}`);
  return new SyncVectorEnv<BObs, BAct>(
    Array.from({ length: numEnvs }, () => () => make(id, makeOptions)),
    { autoresetMode },
  );
}
