import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { initBackend, tf } from "@qscape/core";
import { describe, expect, it } from "vitest";
import {
  blasThreads,
  checkTfjsVersions,
  createPlugin,
  currentVersions,
  DEFAULT_ADDON_PATH,
  inTestedRange,
  plugin,
  TESTED_TFJS_RANGE,
} from "./index.js";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const missingAddon = path.join(packageDir, "build", "does-not-exist", "qscape_native.node");

/** Version of `name` as resolved from the package at `fromDir` (what Node would load there). */
function resolvedVersion(fromDir: string, name: string): string {
  const require = createRequire(path.join(fromDir, "package.json"));
  return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")).version;
}

describe("tfjs version check", () => {
  it("declares tfjs as a peer range, tests against 4.22.x here, and resolves the same tfjs as @qscape/core", () => {
    const pkg = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8"));
    expect(TESTED_TFJS_RANGE).toBe("4.22.x");
    expect(pkg.dependencies?.["@tensorflow/tfjs-core"]).toBeUndefined();
    expect(pkg.peerDependencies["@tensorflow/tfjs-core"]).toBe("^4.21.0");
    expect(pkg.peerDependencies["@tensorflow/tfjs-backend-wasm"]).toBe("^4.21.0");
    const coreDir = path.resolve(packageDir, "..", "core");
    for (const [from, name] of [
      [packageDir, "@tensorflow/tfjs-core"],
      [packageDir, "@tensorflow/tfjs-backend-wasm"],
      [coreDir, "@tensorflow/tfjs"],
      [coreDir, "@tensorflow/tfjs-backend-wasm"],
    ] as const) {
      expect(inTestedRange(resolvedVersion(from, name)), `${name} from ${from}`).toBe(true);
    }
    const versions = currentVersions();
    expect(inTestedRange(versions.core) && inTestedRange(versions.wasm)).toBe(true);
    expect(tf.version_core).toBe(versions.core);
  });

  it("accepts any 4.22 patch release and refuses other versions with a one-line reason", () => {
    expect(() => checkTfjsVersions({ core: "4.22.0", wasm: "4.22.3" })).not.toThrow();
    expect(() => checkTfjsVersions({ core: "4.22.0", wasm: "4.23.0" })).toThrow(
      /^@qscape\/native: tfjs-backend-wasm is 4.23.0, outside the tested range 4.22.x whose WASM backend internals the native kernels read$/,
    );
    expect(() => checkTfjsVersions({ core: "4.21.0", wasm: "4.22.0" })).toThrow(/tfjs-core is 4.21.0, outside/);
    expect(() => checkTfjsVersions({ core: "4.23.0-rc.0", wasm: "4.22.0" })).toThrow(/tfjs-core is 4.23.0-rc.0/);
    expect(inTestedRange("4.220.0")).toBe(false);
  });
});

describe("BLAS thread count", () => {
  it("defaults to one thread and reads QSCAPE_BLAS_THREADS", () => {
    expect(blasThreads(undefined, undefined)).toBe(1);
    expect(blasThreads(undefined, "")).toBe(1);
    expect(blasThreads(undefined, "3")).toBe(3);
    expect(blasThreads(2, "3")).toBe(2);
  });

  it("rejects a bad value naming the variable", () => {
    expect(() => blasThreads(undefined, "two")).toThrow(/QSCAPE_BLAS_THREADS="two" is not a positive integer/);
    expect(() => blasThreads(undefined, "0")).toThrow(/QSCAPE_BLAS_THREADS/);
    expect(() => blasThreads(1.5)).toThrow(/threads=1.5/);
  });
});

describe("registration through the core backend loader", () => {
  it("a missing addon makes register() throw one line and the loader fall back to plain WASM", async () => {
    const broken = createPlugin({ addonPath: missingAddon });
    const report = await initBackend({
      prefer: "wasm+native",
      importModule: async (specifier) => (specifier === "@qscape/native" ? { plugin: broken } : import(specifier)),
    });
    expect(report.name).toBe("wasm");
    expect(report.tfBackend).toBe("wasm");
    const reason = report.skipped.find((s) => s.name === "wasm+native")?.reason ?? "";
    expect(reason).toMatch(
      /^@qscape\/native: addon not built \(.*does-not-exist.*\); run `pnpm --filter @qscape\/native run build:native`/,
    );
    expect(reason).not.toContain("\n");
    await expect(broken.register()).rejects.toThrow(/addon not built/);
    expect(tf.getKernel("BatchMatMul", "wasm")).toBeDefined();
    expect(broken.isRegistered()).toBe(false);
  });

  it("register() refuses when the WASM backend is not active", async () => {
    await tf.setBackend("cpu");
    await expect(plugin.register()).rejects.toThrow(/wasm backend must be active first \(active: cpu\)/);
  });

  it("loads as wasm+native with one BLAS thread and overrides the matmul kernels; unregister restores them", async () => {
    const originalBatchMatMul = tf.getKernel("BatchMatMul", "wasm");
    const originalFused = tf.getKernel("_FusedMatMul", "wasm");
    const report = await initBackend({
      prefer: "wasm+native",
      importModule: (specifier) => (specifier === "@qscape/native" ? import("./index.js") : import(specifier)),
    });
    expect(report.name, `built addon expected at ${DEFAULT_ADDON_PATH}: ${JSON.stringify(report.skipped)}`).toBe(
      "wasm+native",
    );
    expect(report.details).toMatchObject({
      blasThreads: 1,
      kernels:
        "BatchMatMul,_FusedMatMul,Sum,Identity,Cast,QscapeAdam,QscapeSumSquares,QscapePolyak,QscapeReluBackward,QscapeMlp,QscapeMlpGrad",
      tfjs: "4.22.0",
    });
    expect(String(report.details.blas)).toMatch(/OpenBLAS/);
    expect(tf.getKernel("BatchMatMul", "wasm")).not.toBe(originalBatchMatMul);
    expect(tf.getKernel("_FusedMatMul", "wasm")).not.toBe(originalFused);
    // Registering again (initBackend re-run) does not stack overrides; threads can change.
    expect((await createPlugin({ threads: 2 }).register()).blasThreads).toBe(2);
    expect((await plugin.register()).blasThreads).toBe(1);
    plugin.unregister();
    expect(tf.getKernel("BatchMatMul", "wasm")).toBe(originalBatchMatMul);
    expect(tf.getKernel("_FusedMatMul", "wasm")).toBe(originalFused);
    expect(tf.getKernel("QscapeAdam", "wasm")).toBeUndefined();
    expect(plugin.isRegistered()).toBe(false);
  });
});
