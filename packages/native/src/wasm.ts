/**
 * The tfjs WASM backend internals the native kernels rely on. They are not public API, so tfjs is a
 * peer dependency with a wide range (the user's own tfjs is used) and the exact version is checked at
 * registration: outside the tested range the plugin refuses with one line and `initBackend` falls
 * back to plain WASM.
 */
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { version_wasm } from "@tensorflow/tfjs-backend-wasm";
import { type TensorInfo, version_core } from "@tensorflow/tfjs-core";

/** The tfjs minor release whose WASM backend layout these kernels were written and tested against. */
export const TESTED_TFJS_MINOR = "4.22";
/** The same, as a range for messages and docs: any patch release of that minor. */
export const TESTED_TFJS_RANGE = `${TESTED_TFJS_MINOR}.x`;

/** True when `version` (e.g. "4.22.1") is a release of the tested minor (pre-releases are not). */
export function inTestedRange(version: string): boolean {
  return new RegExp(`^${TESTED_TFJS_MINOR.replace(".", "\\.")}\\.\\d+$`).test(version);
}

/** Throws one line unless both tfjs packages are in the tested range. */
export function checkTfjsVersions(versions: { core: string; wasm: string } = currentVersions()): void {
  for (const [name, version] of Object.entries(versions)) {
    if (!inTestedRange(version)) {
      throw new Error(
        `@qscape/native: tfjs-${name === "core" ? "core" : "backend-wasm"} is ${version}, outside the tested range ${TESTED_TFJS_RANGE} whose WASM backend internals the native kernels read`,
      );
    }
  }
}

export function currentVersions(): { core: string; wasm: string } {
  return { core: version_core, wasm: version_wasm };
}

/** Throws unless `backend` has the fields the kernels read (heap, per-tensor memory offsets). */
export function checkBackendLayout(backend: unknown): asserts backend is BackendWasm {
  const b = backend as Partial<BackendWasm> | null;
  const heap = (b?.wasm as { HEAPU8?: unknown } | undefined)?.HEAPU8;
  if (!(heap instanceof Uint8Array) || !(heap.buffer instanceof ArrayBuffer)) {
    throw new Error("@qscape/native: the active backend has no WASM heap (wasm.HEAPU8 over an ArrayBuffer)");
  }
  if (typeof b?.dataIdMap?.get !== "function" || typeof b.makeOutput !== "function") {
    throw new Error("@qscape/native: the WASM backend lacks dataIdMap/makeOutput");
  }
}

/**
 * The heap's current ArrayBuffer. Read on every kernel call, after any allocation: growing the
 * WASM memory detaches the old buffer and the views are rebuilt over a new one.
 */
export function heapBuffer(backend: BackendWasm): ArrayBuffer {
  return (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer as ArrayBuffer;
}

/** Byte offset of a tensor's data in the WASM heap. */
export function offsetOf(backend: BackendWasm, tensor: TensorInfo): number {
  return backend.dataIdMap.get(tensor.dataId).memoryOffset;
}

/** Allocate an output tensor on the WASM heap (may grow the heap). */
export function allocate(backend: BackendWasm, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, "float32");
}
