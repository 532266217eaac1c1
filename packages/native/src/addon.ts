/**
 * Loading the compiled Node-API addon (build/Release/qscape_native.node, built by
 * scripts/build.cjs with node-gyp against the system OpenBLAS).
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** Activation codes shared with native/qscape_native.cc. */
export const ACTIVATION_CODES = { linear: 0, relu: 1, relu6: 2, elu: 3, leakyrelu: 4, sigmoid: 5 } as const;
export type NativeActivation = keyof typeof ACTIVATION_CODES;

/**
 * The addon's functions. `heap` is the WASM memory's current ArrayBuffer and every offset is a
 * byte offset into it; sizes are element counts.
 */
export interface NativeAddon {
  /**
   * `out[i] = act(op(A[i % aBatch]) @ op(B[i % bBatch]) + bias)` for `i < batch` (an operand
   * with fewer matrices repeats); `biasOffset < 0` means no bias, otherwise the bias has `n` floats.
   */
  matmul(
    heap: ArrayBuffer,
    aOffset: number,
    bOffset: number,
    outOffset: number,
    batch: number,
    aBatch: number,
    bBatch: number,
    m: number,
    n: number,
    k: number,
    transposeA: number,
    transposeB: number,
    biasOffset: number,
    activation: number,
    alpha: number,
  ): void;
  /** Sum of an [outer, inner] matrix over its outer axis (`leading` = 1) or its inner axis (0). */
  reduceSum(
    heap: ArrayBuffer,
    inOffset: number,
    outOffset: number,
    outer: number,
    inner: number,
    leading: number,
  ): void;
  /** `dx = dy·[y > 0]` ([rows, cols]) and the bias gradient `Σ_rows dx` ([cols]) in one sweep. */
  reluBackward(
    heap: ArrayBuffer,
    dyOffset: number,
    yOffset: number,
    dxOffset: number,
    biasGradOffset: number,
    rows: number,
    cols: number,
  ): void;
  /** Σ x² over the tensors listed as `[offset, size]` pairs, accumulated in double. */
  sumSquares(heap: ArrayBuffer, list: Float64Array): number;
  /**
   * Adam for the parameters listed as `[param, grad, m, v, paramOut, mOut, vOut, size]` groups:
   * `g = gradScale·grad; m' = β1 m + (1−β1) g; v' = β2 v + (1−β2) g²; p' = p − stepSize·m'/(√v' + epsHat)`.
   */
  adam(
    heap: ArrayBuffer,
    list: Float64Array,
    stepSize: number,
    beta1: number,
    beta2: number,
    epsHat: number,
    gradScale: number,
  ): void;
  /**
   * A ReLU MLP forward: `list = [layers, rows, d0…dL, xOff, (wOff, bOff, outOff) per layer]`;
   * hidden layers use ReLU, the last layer `outputActivation` (an ACTIVATION_CODES value).
   */
  mlpForward(heap: ArrayBuffer, list: Float64Array, outputActivation: number): void;
  /**
   * Its backward pass for a linear output: `list = [layers, rows, d0…dL, dyOff, xOff, hOff per
   * hidden layer, wOff per layer, dxOff, (dwOff, dbOff) per layer]`; −1 skips dx or all of dw/db.
   */
  mlpBackward(heap: ArrayBuffer, list: Float64Array): void;
  /** `out = τ·source + (1−τ)·target` for tensors listed as `[target, source, out, size]` groups. */
  polyak(heap: ArrayBuffer, list: Float64Array, tau: number): void;
  setThreads(threads: number): void;
  getThreads(): number;
  /** OpenBLAS build configuration and the CPU kernel it picked. */
  blasInfo(): string;
}

export const DEFAULT_ADDON_PATH = fileURLToPath(new URL("../build/Release/qscape_native.node", import.meta.url));

const requireHere = createRequire(import.meta.url);

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return (message.split("\n")[0] ?? "").slice(0, 300);
}

/**
 * OpenBLAS picks its GEMM kernel for the CPU when it loads, and its AVX-512 kernels (SkylakeX, Zen 4)
 * sum in another order than its AVX2 one (Haswell): the same seed then gives numbers that differ from
 * the ninth digit on and drift apart over training. So on an x86-64 Linux CPU with AVX2 and FMA the
 * addon pins the AVX2 kernel, which every such CPU runs, unless OPENBLAS_CORETYPE is set already.
 * Returns the core type in force ("" when OpenBLAS chooses).
 */
export function pinBlasKernel(env: NodeJS.ProcessEnv = process.env, cpuinfo: () => string = readCpuinfo): string {
  if (env.OPENBLAS_CORETYPE !== undefined) return env.OPENBLAS_CORETYPE;
  if (process.platform !== "linux" || process.arch !== "x64") return "";
  const flags = new Set((/^flags\s*:(.*)$/m.exec(cpuinfo())?.[1] ?? "").trim().split(/\s+/));
  if (!flags.has("avx2") || !flags.has("fma")) return "";
  env.OPENBLAS_CORETYPE = "Haswell";
  return "Haswell";
}

function readCpuinfo(): string {
  try {
    return readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    return "";
  }
}

/** Load the addon; throws a one-line reason (not built, missing library, wrong platform). */
export function loadAddon(addonPath: string = DEFAULT_ADDON_PATH): NativeAddon {
  if (!existsSync(addonPath)) {
    throw new Error(
      `@qscape/native: addon not built (${addonPath} missing); run \`pnpm --filter @qscape/native run build:native\` (needs a C++ compiler and libopenblas-dev)`,
    );
  }
  // Before the library loads: OpenBLAS reads the core type once, at load.
  pinBlasKernel();
  try {
    return requireHere(addonPath) as NativeAddon;
  } catch (err) {
    throw new Error(`@qscape/native: cannot load ${addonPath}: ${firstLine(err)}`);
  }
}
