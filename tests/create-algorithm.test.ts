/**
 * `pnpm create-algorithm` out of the box: on a scratch copy of the repository (tracked and untracked
 * files, no node_modules), scaffold a package, install offline from the pnpm store (no build scripts:
 * the native addon is not needed), and run what CI runs for it: biome, its typecheck and its tests.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const scratch = mkdtempSync(path.join(os.tmpdir(), "qscape-create-"));

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function run(cmd: string, args: string[]): { ok: boolean; out: string } {
  const res = spawnSync(cmd, args, { cwd: scratch, encoding: "utf8", env: { ...process.env, CI: "true" } });
  return { ok: res.status === 0, out: `${res.stdout}${res.stderr}` };
}

it("scaffolds a package that passes lint, typecheck and its learning test as generated", () => {
  const files = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: repo,
    encoding: "utf8",
  }).stdout.split("\0");
  for (const file of files) {
    if (!file || !existsSync(path.join(repo, file))) continue;
    mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
    cpSync(path.join(repo, file), path.join(scratch, file));
  }
  expect(run("git", ["init", "-q"]).ok).toBe(true); // biome reads .gitignore through git

  const created = run("node", ["scripts/create-algorithm.mjs", "toy-method", "--no-install"]);
  expect(created.ok, created.out).toBe(true);
  for (const file of ["config.ts", "networks.ts", "agent.ts", "bench.ts", "index.ts"]) {
    expect(existsSync(path.join(scratch, "packages/toy-method/src", file)), file).toBe(true);
  }
  expect(readFileSync(path.join(scratch, "vitest.config.ts"), "utf8")).toContain(
    'project("toy-method", "packages/toy-method")',
  );
  expect(run("node", ["scripts/create-algorithm.mjs", "toy-method", "--no-install"]).out).toMatch(/already exists/);
  expect(run("node", ["scripts/create-algorithm.mjs", "Toy_Method", "--no-install"]).out).toMatch(/not a package name/);

  // --prefer-offline: from the store where it can, but pnpm may fetch metadata the store lacks (a locked
  // optional dependency for another platform, which an offline install failed to resolve on a fresh machine).
  const install = run("pnpm", ["install", "--prefer-offline", "--ignore-scripts", "--no-frozen-lockfile"]);
  expect(install.ok, install.out).toBe(true);
  const lint = run("pnpm", ["exec", "biome", "check", "packages/toy-method", "vitest.config.ts", ".changeset"]);
  expect(lint.ok, lint.out).toBe(true);
  const typecheck = run("pnpm", ["--filter", "@qscape/toy-method", "typecheck"]);
  expect(typecheck.ok, typecheck.out).toBe(true);
  const test = run("pnpm", ["--filter", "@qscape/toy-method", "test"]);
  expect(test.ok, test.out).toBe(true);
  expect(test.out).toMatch(/2 passed/);
}, 300_000);
