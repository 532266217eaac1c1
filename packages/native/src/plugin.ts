/**
 * Registration of the native kernels over the tfjs `wasm` backend. The core backend loader
 * (`initBackend`, option `wasm+native`) activates the WASM backend and then calls
 * `plugin.register()`; any failure there is one line and the loader falls back to plain WASM.
 */
import {
  engine,
  getBackend,
  getKernel,
  type KernelConfig,
  registerKernel,
  unregisterKernel,
} from "@tensorflow/tfjs-core";
import { DEFAULT_ADDON_PATH, loadAddon, type NativeAddon } from "./addon.js";
import {
  adamKernel,
  mlpGradKernel,
  mlpKernel,
  polyakKernel,
  reluBackwardKernel,
  sumSquaresKernel,
} from "./kernels/fused.js";
import { batchMatMulKernel, fusedMatMulKernel } from "./kernels/matmul.js";
import { castKernel, identityKernel } from "./kernels/share.js";
import { sumKernel } from "./kernels/sum.js";
import { checkBackendLayout, checkTfjsVersions, currentVersions } from "./wasm.js";

const BACKEND = "wasm";

export interface NativePluginOptions {
  /** Path of the compiled addon (default: this package's build/Release/qscape_native.node). */
  addonPath?: string;
  /** OpenBLAS threads for this process; default `QSCAPE_BLAS_THREADS` or 1. */
  threads?: number;
}

export interface NativePlugin {
  /** Override the WASM kernels; throws a one-line reason when it cannot. Idempotent. */
  register(): Promise<Record<string, string | number | boolean>>;
  /** Restore the original WASM kernels (benchmarks and tests compare against them). */
  unregister(): void;
  isRegistered(): boolean;
}

/** Kernel name → builder of the native config from the original WASM config. */
const OVERRIDES: Record<string, (addon: NativeAddon, original: KernelConfig) => KernelConfig> = {
  BatchMatMul: batchMatMulKernel,
  _FusedMatMul: fusedMatMulKernel,
  Sum: sumKernel,
  Identity: (_, original) => identityKernel(original),
  Cast: (_, original) => castKernel(original),
};

/** Kernels under qscape's own names that the WASM backend does not have at all. */
const ADDITIONS: ((addon: NativeAddon) => KernelConfig)[] = [
  adamKernel,
  sumSquaresKernel,
  polyakKernel,
  reluBackwardKernel,
  mlpKernel,
  mlpGradKernel,
];

/** The originals while native kernels are installed. The kernel registry is process-global, so is this. */
let installed: {
  originals: KernelConfig[];
  added: string[];
  details: Record<string, string | number | boolean>;
} | null = null;

/** Threads from the option, else `QSCAPE_BLAS_THREADS`, else 1 (processes run side by side). */
export function blasThreads(
  option: number | undefined,
  env: string | undefined = process.env.QSCAPE_BLAS_THREADS,
): number {
  const raw = option ?? (env === undefined || env.trim() === "" ? 1 : Number(env));
  if (!Number.isInteger(raw) || raw < 1) {
    const where = option === undefined ? `QSCAPE_BLAS_THREADS="${env}"` : `threads=${option}`;
    throw new Error(`@qscape/native: ${where} is not a positive integer`);
  }
  return raw;
}

export function createPlugin(options: NativePluginOptions = {}): NativePlugin {
  return {
    async register() {
      const threads = blasThreads(options.threads);
      checkTfjsVersions();
      const addon = loadAddon(options.addonPath ?? DEFAULT_ADDON_PATH);
      if (getBackend() !== BACKEND) {
        throw new Error(`@qscape/native: the wasm backend must be active first (active: ${getBackend()})`);
      }
      checkBackendLayout(engine().backend);
      addon.setThreads(threads);
      if (installed) {
        installed.details.blasThreads = addon.getThreads();
        return installed.details;
      }
      const originals = Object.keys(OVERRIDES).map((name) => {
        const original = getKernel(name, BACKEND);
        if (!original) throw new Error(`@qscape/native: the wasm backend has no ${name} kernel`);
        return original;
      });
      for (const original of originals) {
        const build = OVERRIDES[original.kernelName] as (typeof OVERRIDES)[string];
        unregisterKernel(original.kernelName, BACKEND);
        registerKernel(build(addon, original));
      }
      const added = ADDITIONS.map((build) => build(addon));
      for (const config of added) registerKernel(config);
      installed = {
        originals,
        added: added.map((k) => k.kernelName),
        details: {
          blas: addon.blasInfo(),
          blasThreads: addon.getThreads(),
          kernels: [...originals, ...added].map((k) => k.kernelName).join(","),
          tfjs: currentVersions().core,
        },
      };
      return installed.details;
    },
    unregister() {
      if (!installed) return;
      for (const original of installed.originals) {
        unregisterKernel(original.kernelName, BACKEND);
        registerKernel(original);
      }
      for (const name of installed.added) unregisterKernel(name, BACKEND);
      installed = null;
    },
    isRegistered() {
      return installed !== null;
    },
  };
}

/** The plugin the core backend loader imports. */
export const plugin: NativePlugin = createPlugin();
