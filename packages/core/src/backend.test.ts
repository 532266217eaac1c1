import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it } from "vitest";
import { currentBackend, describeBackend, initBackend } from "./backend.js";

const missing = (name: string) =>
  Object.assign(new Error(`Cannot find package '${name}'`), { code: "ERR_MODULE_NOT_FOUND" });

describe("initBackend", () => {
  afterEach(() => {
    delete process.env.QSCAPE_BACKEND;
  });

  it("falls back through the chain and says why each option was skipped", async () => {
    const tried: string[] = [];
    const report = await initBackend({
      importModule: async (s) => {
        tried.push(s);
        if (s === "@qscape/native")
          return { plugin: { register: async () => Promise.reject(new Error("no BLAS\nmore")) } };
        throw missing(s);
      },
    });
    expect(tried).toEqual(["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node", "@qscape/native"]);
    expect(report.name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(report.skipped.map((s) => s.name)).toEqual(["tensorflow-gpu", "tensorflow", "wasm+native"]);
    expect(report.skipped[0]?.reason).toMatch(/tfjs-node-gpu/);
    expect(report.skipped[2]?.reason).toBe("no BLAS");
    expect(describeBackend(report)).toMatch(/^backend wasm \(skipped tensorflow-gpu: /);
    expect(currentBackend()).toBe(report);
  });

  it("uses a native tfjs package when it loads (a user adding tfjs-node gets it without code changes)", async () => {
    // Simulate tfjs-node: importing it registers a backend named "tensorflow".
    const report = await initBackend({
      importModule: async (s) => {
        if (s === "@tensorflow/tfjs-node") {
          tf.registerBackend("tensorflow", () => tf.findBackend("cpu") ?? tf.engine().registry.cpu!);
          return {};
        }
        throw missing(s);
      },
    });
    try {
      expect(report.name).toBe("tensorflow");
      expect(report.skipped.map((s) => s.name)).toEqual(["tensorflow-gpu"]);
    } finally {
      tf.removeBackend("tensorflow");
    }
  });

  it("honours prefer and QSCAPE_BACKEND, and rejects unknown names", async () => {
    expect((await initBackend({ prefer: "cpu" })).name).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    process.env.QSCAPE_BACKEND = "wasm";
    const r = await initBackend({ prefer: "cpu" });
    expect(r.name).toBe("wasm");
    process.env.QSCAPE_BACKEND = "tpu";
    await expect(initBackend()).rejects.toThrow(/QSCAPE_BACKEND: unknown backend "tpu"/);
  });

  it("fails with every reason when a forced backend cannot load", async () => {
    process.env.QSCAPE_BACKEND = "tensorflow";
    await expect(initBackend({ importModule: async (s) => Promise.reject(missing(s)) })).rejects.toThrow(
      /no backend could be initialised \(tensorflow: Cannot find package/,
    );
  });
});
