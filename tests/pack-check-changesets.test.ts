/**
 * The changeset half of `pnpm pack:check` (`--changesets-only`), in throwaway clones of this repository:
 * a published change without a changeset fails and names the package; with a changeset it passes; a
 * test-only change needs none; on the base itself, or in a clone that has no base ref (a single-branch
 * CI clone), it says why there is nothing to compare and passes.
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const scratch = mkdtempSync(path.join(os.tmpdir(), "qscape-changesets-"));
const clone = path.join(scratch, "clone");
let base = "";

function git(...args: string[]): string {
  const res = spawnSync("git", ["-c", "user.name=test", "-c", "user.email=test@localhost", ...args], {
    cwd: clone,
    encoding: "utf8",
  });
  if (res.status !== 0) throw new Error(`git ${args.join(" ")}: ${res.stderr}`);
  return res.stdout.trim();
}

function check(baseRef?: string): { ok: boolean; out: string } {
  const env = { ...process.env };
  delete env.QSCAPE_CHANGESET_BASE;
  if (baseRef) env.QSCAPE_CHANGESET_BASE = baseRef;
  const res = spawnSync("node", ["scripts/pack-check.mjs", "--changesets-only"], { cwd: clone, encoding: "utf8", env });
  return { ok: res.status === 0, out: `${res.stdout}${res.stderr}` };
}

beforeAll(() => {
  const branch = spawnSync("git", ["rev-parse", "--abbrev-ref", "HEAD"], { cwd: repo, encoding: "utf8" }).stdout.trim();
  const cloned = spawnSync("git", ["clone", "-q", "--single-branch", "--branch", branch, repo, clone]);
  if (cloned.status !== 0) throw new Error(`git clone: ${cloned.stderr}`);
  // The working tree's check and config (they may be newer than the last commit), the root's tools.
  for (const file of ["scripts/pack-check.mjs", ".changeset/config.json"]) {
    copyFileSync(path.join(repo, file), path.join(clone, file));
  }
  symlinkSync(path.join(repo, "node_modules"), path.join(clone, "node_modules"), "dir");
  git("checkout", "-q", "-b", "work");
  if (branch === "main") git("branch", "-q", "-D", "main");
  spawnSync("git", ["update-ref", "-d", "refs/remotes/origin/main"], { cwd: clone });
  git("add", "-A");
  git("commit", "-q", "--allow-empty", "-m", "the working tree's check");
  base = git("rev-parse", "HEAD");
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

it("says there is nothing to compare without a base ref, or on the base itself", () => {
  const none = check();
  expect(none.ok, none.out).toBe(true);
  expect(none.out).toMatch(/changesets: skipped — no base ref/);
  const same = check(base);
  expect(same.ok, same.out).toBe(true);
  expect(same.out).toMatch(/nothing to compare/);
});

it("fails a published change without a changeset, naming the package, and passes once one is added", () => {
  appendFileSync(path.join(clone, "packages/envs/src/index.ts"), "// a published change\n");
  git("commit", "-qam", "change envs");
  const missing = check(base);
  expect(missing.ok).toBe(false);
  expect(missing.out).toMatch(/without a changeset \(changed: @qscape\/envs\): run `pnpm changeset`/);

  writeFileSync(path.join(clone, ".changeset/envs-comment.md"), '---\n"@qscape/envs": patch\n---\n\nA comment.\n');
  git("add", "-A");
  git("commit", "-qm", "changeset");
  const covered = check(base);
  expect(covered.ok, covered.out).toBe(true);
});

it("needs no changeset for a change to tests only", () => {
  git("reset", "-q", "--hard", base);
  appendFileSync(path.join(clone, "packages/qmle/src/agent.test.ts"), "// a test-only change\n");
  git("commit", "-qam", "test only");
  const res = check(base);
  expect(res.ok, res.out).toBe(true);
  expect(res.out).toMatch(/has a changeset/);
});
