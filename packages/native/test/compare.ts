/** Helpers shared by the native kernel tests: run an op natively and on the original WASM kernels. */
import { initBackend, type Rng, tf } from "@qscape/core";
import { beforeAll, beforeEach } from "vitest";
import { plugin } from "../src/index.js";

/**
 * Activate wasm+native through the core loader, as an application would. Fails (does not skip)
 * when the addon is not built: CI builds it, so a missing addon there is a real failure.
 */
export async function initNative(): Promise<void> {
  const report = await initBackend({
    prefer: "wasm+native",
    strict: true,
    importModule: (specifier) => (specifier === "@qscape/native" ? import("../src/index.js") : import(specifier)),
  });
  if (report.name !== "wasm+native") throw new Error(`expected wasm+native, got ${report.name}`);
}

/**
 * Hooks for a suite that needs the native kernels: every test fails with initNative's reason when
 * they cannot load (a failing beforeAll alone would report the tests as skipped).
 */
export function useNative(): void {
  let failure: unknown = null;
  beforeAll(async () => {
    failure = await initNative().then(
      () => null,
      (err: unknown) => err,
    );
  });
  beforeEach(() => {
    if (failure) throw failure;
  });
}

export interface Pair {
  shape: number[];
  native: Float32Array;
  wasm: Float32Array;
}

/** `op()` with the native kernels and `wasmOp()` (default: the same op) with the original WASM kernels. */
export async function nativeVsWasm(op: () => tf.Tensor, wasmOp: () => tf.Tensor = op): Promise<Pair> {
  const run = (f: () => tf.Tensor) => {
    const t = tf.tidy(f);
    const out = { shape: [...t.shape], data: t.dataSync() as Float32Array };
    t.dispose();
    return out;
  };
  const native = run(op);
  plugin.unregister();
  try {
    const wasm = run(wasmOp);
    if (wasm.shape.join() !== native.shape.join()) {
      throw new Error(`shape differs: native [${native.shape}] vs wasm [${wasm.shape}]`);
    }
    return { shape: native.shape, native: native.data, wasm: wasm.data };
  } finally {
    await plugin.register();
  }
}

/** Largest violation of |x − y| ≤ atol + rtol·|y|, as a multiple of the allowance (≤ 1 passes). */
export function worstError(x: Float32Array, y: Float32Array, atol: number, rtol = 1e-4): number {
  if (x.length !== y.length) throw new Error(`length differs: ${x.length} vs ${y.length}`);
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i] as number;
    const b = y[i] as number;
    const ratio = Math.abs(a - b) / (atol + rtol * Math.abs(b));
    if (!(ratio <= worst)) worst = Number.isNaN(ratio) ? Number.POSITIVE_INFINITY : ratio;
  }
  return worst;
}

export function randomTensor(rng: Rng, shape: number[]): tf.Tensor {
  const size = shape.reduce((p, d) => p * d, 1);
  return tf.tensor(rng.fillUniform(new Float32Array(size), -1, 1) as Float32Array, shape);
}
