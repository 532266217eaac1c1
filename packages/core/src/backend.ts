/**
 * Run-time backend selection. The native tfjs backends need libtensorflow downloaded at install
 * time, which many machines cannot do, so every option is optional and tried in order of speed:
 * tfjs-node-gpu → tfjs-node → WASM with qscape's native BLAS kernels → plain WASM → pure-JS CPU.
 * The choice and the reason each faster option was skipped are returned and can be logged.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { setDenseMode } from "./dense.js";

export type BackendName = "tensorflow-gpu" | "tensorflow" | "wasm+native" | "wasm" | "cpu";
export const BACKEND_ORDER: readonly BackendName[] = ["tensorflow-gpu", "tensorflow", "wasm+native", "wasm", "cpu"];

export interface BackendReport {
  /** The backend now active. */
  name: BackendName;
  /** The tfjs backend id (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string;
  /** Options tried before the chosen one, each with why it was not used. */
  skipped: { name: BackendName; reason: string }[];
  /** Extra facts (e.g. BLAS threads of the native kernels). */
  details: Record<string, string | number | boolean>;
}

export interface InitBackendOptions {
  /**
   * Start the chain at this backend (faster ones are skipped). Also read from `QSCAPE_BACKEND`,
   * which wins over this option so users can switch without code changes.
   */
  prefer?: BackendName;
  /** Only try `prefer`; fail instead of falling back. */
  strict?: boolean;
  /** Module loader, replaceable in tests to simulate absent or broken packages. */
  importModule?: (specifier: string) => Promise<unknown>;
}

/** A plug-in that can install qscape's native kernels over the WASM backend. */
export interface NativeKernelPlugin {
  /** Registers the kernels; throws with a one-line reason when it cannot. */
  register(): Promise<Record<string, string | number | boolean>>;
}

let current: BackendReport | null = null;

/**
 * Optional packages are looked up from core itself and then from the running app's directory, so
 * an app that lists `@qscape/native` (or `@tensorflow/tfjs-node`) gets it although core does not
 * depend on it.
 */
async function importOptional(specifier: string): Promise<unknown> {
  try {
    return await import(specifier);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") throw err;
    let resolved: string;
    try {
      resolved = createRequire(path.join(process.cwd(), "index.js")).resolve(specifier);
    } catch {
      throw err;
    }
    return import(pathToFileURL(resolved).href);
  }
}

const requireHere = createRequire(import.meta.url);

function parseName(value: string | undefined, where: string): BackendName | undefined {
  if (value === undefined || value === "") return undefined;
  const v = value.trim().toLowerCase() as BackendName;
  if (!BACKEND_ORDER.includes(v)) {
    throw new Error(`${where}: unknown backend "${value}"; expected one of ${BACKEND_ORDER.join(", ")}`);
  }
  return v;
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split("\n")[0]?.slice(0, 300) ?? "unknown error";
}

async function tryWasm(): Promise<void> {
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  const dir = path.dirname(requireHere.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
  wasm.setWasmPaths(`${dir}${path.sep}`);
  if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') returned false");
}

/**
 * Pick and initialise a backend. Calling it again re-runs the selection (switching backends is
 * allowed between runs, e.g. in benchmarks).
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendReport> {
  const load = options.importModule ?? importOptional;
  const fromEnv = parseName(process.env.QSCAPE_BACKEND, "QSCAPE_BACKEND");
  const prefer = fromEnv ?? parseName(options.prefer, "initBackend({prefer})");
  const strict = options.strict ?? fromEnv !== undefined;
  const start = prefer ? BACKEND_ORDER.indexOf(prefer) : 0;
  const skipped: BackendReport["skipped"] = [];
  for (const name of BACKEND_ORDER.slice(0, start)) {
    skipped.push({ name, reason: `skipped: prefer=${prefer}` });
  }
  const candidates = strict ? [prefer as BackendName] : BACKEND_ORDER.slice(start);
  for (const name of candidates) {
    const details: BackendReport["details"] = {};
    try {
      switch (name) {
        case "tensorflow-gpu":
          await load("@tensorflow/tfjs-node-gpu");
          if (!(await tf.setBackend("tensorflow"))) throw new Error("tf.setBackend('tensorflow') returned false");
          break;
        case "tensorflow":
          await load("@tensorflow/tfjs-node");
          if (!(await tf.setBackend("tensorflow"))) throw new Error("tf.setBackend('tensorflow') returned false");
          break;
        case "wasm+native": {
          const mod = (await load("@qscape/native")) as { plugin?: NativeKernelPlugin };
          if (!mod.plugin) throw new Error("@qscape/native has no plugin export");
          await tryWasm();
          Object.assign(details, await mod.plugin.register());
          break;
        }
        case "wasm":
          await tryWasm();
          break;
        case "cpu":
          if (!(await tf.setBackend("cpu"))) throw new Error("tf.setBackend('cpu') returned false");
          break;
      }
      await tf.ready();
      // Explicit-transpose dense gradients only pay where transposed matMul is slow (plain WASM, CPU).
      setDenseMode(name === "wasm+native" ? "native" : name === "wasm" || name === "cpu" ? "fast" : "plain");
      current = { name, tfBackend: tf.getBackend(), skipped, details };
      return current;
    } catch (err) {
      skipped.push({ name, reason: firstLine(err) });
    }
  }
  const tried = skipped
    .filter((s) => candidates.includes(s.name))
    .map((s) => `${s.name}: ${s.reason}`)
    .join("; ");
  throw new Error(`initBackend: no backend could be initialised (${tried})`);
}

/** The report of the last successful `initBackend`, or null before one. */
export function currentBackend(): BackendReport | null {
  return current;
}

/** One line for logs: `backend wasm (skipped tensorflow-gpu: …; tensorflow: …)`. */
export function describeBackend(report: BackendReport): string {
  const skipped = report.skipped.map((s) => `${s.name}: ${s.reason}`).join("; ");
  return `backend ${report.name}${skipped ? ` (skipped ${skipped})` : ""}`;
}
