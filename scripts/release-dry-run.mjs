#!/usr/bin/env node
/**
 * `pnpm release:dry-run`: what the next release would publish, without touching this checkout.
 * Copies the repository (tracked and untracked-but-not-ignored files, plus each published package's
 * built `dist/`) to a scratch directory, runs `changeset version` there (versions, CHANGELOG.md files
 * and internal dependency ranges from the pending changesets) and then `pnpm -r publish --dry-run`,
 * which packs every public package and prints what would be uploaded. Prints the new versions and the
 * head of each new changelog entry. `--keep` leaves the scratch copy for inspection.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const keep = process.argv.includes("--keep");

function run(cmd, args, cwd) {
  console.log(`$ ${cmd} ${args.join(" ")}`);
  const res = spawnSync(cmd, args, { cwd, stdio: "inherit" });
  if (res.status !== 0) {
    console.error(`release:dry-run: \`${cmd} ${args.join(" ")}\` failed (exit ${res.status})`);
    process.exit(1);
  }
}

const build = spawnSync("pnpm", ["exec", "turbo", "run", "build", "--output-logs=errors-only"], {
  cwd: root,
  stdio: "inherit",
});
if (build.status !== 0) process.exit(1);

const scratch = mkdtempSync(path.join(os.tmpdir(), "qscape-release-"));
const files = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
  cwd: root,
  encoding: "utf8",
}).stdout.split("\0");
for (const file of files.filter(Boolean)) {
  if (!existsSync(path.join(root, file))) continue; // deleted in the working tree
  mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
  cpSync(path.join(root, file), path.join(scratch, file));
}
const published = readdirSync(path.join(root, "packages")).filter((dir) => {
  const file = path.join(root, "packages", dir, "package.json");
  return existsSync(file) && !JSON.parse(readFileSync(file, "utf8")).private;
});
for (const dir of published) {
  const dist = path.join(root, "packages", dir, "dist");
  if (existsSync(dist)) cpSync(dist, path.join(scratch, "packages", dir, "dist"), { recursive: true });
}
// The root's tools (changesets, its changelog generator) without a second install.
symlinkSync(path.join(root, "node_modules"), path.join(scratch, "node_modules"), "dir");
// pnpm publish wants a git repository; the copy is one commit, so it reads as clean.
run("git", ["init", "-q"], scratch);
run("git", ["add", "-A"], scratch);
run("git", ["-c", "user.name=release-dry-run", "-c", "user.email=dry-run@localhost", "commit", "-qm", "copy"], scratch);

run("pnpm", ["exec", "changeset", "version"], scratch);
run("pnpm", ["-r", "publish", "--dry-run", "--no-git-checks", "--access", "public"], scratch);

console.log("\nrelease:dry-run: would publish");
for (const dir of published) {
  const json = JSON.parse(readFileSync(path.join(scratch, "packages", dir, "package.json"), "utf8"));
  const log = path.join(scratch, "packages", dir, "CHANGELOG.md");
  const entry = existsSync(log)
    ? readFileSync(log, "utf8")
        .split("\n")
        .filter((l) => l.startsWith("- "))
        .at(0)
        ?.slice(0, 110)
    : undefined;
  console.log(`  ${json.name}@${json.version}${entry ? `  ${entry}` : "  (no changelog entry)"}`);
}
if (keep) console.log(`scratch copy kept at ${scratch}`);
else rmSync(scratch, { recursive: true, force: true });
