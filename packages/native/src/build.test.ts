import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** A copy of the package's build inputs, so a failing build cannot touch the real build/. */
function scratchPackage(withNodeModules: boolean): string {
  const dir = mkdtempSync(path.join(tmpdir(), "qscape-native-build-"));
  for (const entry of ["binding.gyp", "native", "scripts", "package.json"]) {
    cpSync(path.join(packageDir, entry), path.join(dir, entry), { recursive: true });
  }
  if (withNodeModules) symlinkSync(path.join(packageDir, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function build(dir: string, env: Record<string, string>, args: string[] = []) {
  // As at a plain install: no node-gyp from npm's config or from the test runner's NODE_PATH.
  const { npm_config_node_gyp: _gyp, NODE_PATH: _path, ...rest } = process.env;
  return spawnSync(process.execPath, [path.join(dir, "scripts", "build.cjs"), ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { ...rest, ...env },
  });
}

describe("scripts/build.cjs (runs at install)", () => {
  it("never fails the install when the addon cannot build: one warning line, exit 0; --strict exits 1", () => {
    const dir = scratchPackage(true);
    scratch.push(dir);
    // A compiler that always fails stands in for a machine without one.
    const res = build(dir, { CXX: "false", CC: "false" });
    expect(res.status).toBe(0);
    const lines = res.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^@qscape\/native: native kernels not built \(.+\); qscape will use plain WASM$/);
    expect(build(dir, { CXX: "false", CC: "false" }, ["--strict"]).status).toBe(1);
  });

  it("explains a missing node-gyp", () => {
    const dir = scratchPackage(false);
    scratch.push(dir);
    const res = build(dir, {});
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(res.stdout, res.stderr).toBe("");
    expect(res.stderr.trim()).toBe(
      "@qscape/native: native kernels not built (node-gyp is not installed (a devDependency of @qscape/native)); qscape will use plain WASM",
    );
  });
});
