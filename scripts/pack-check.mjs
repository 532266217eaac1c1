#!/usr/bin/env node
/**
 * The packaging check CI runs after `pnpm test` (`pnpm pack:check`). For every published package
 * (packages/* without `"private": true`):
 *
 *   1. build it (turbo, cached) and `pnpm pack` it;
 *   2. lint the tarball with publint (warnings fail) and @arethetypeswrong/cli (`--profile esm-only`);
 *   3. install the tarball ALONE into an empty temporary project: exactly the packages its README's
 *      `## Install` line names, with every `@qscape/*` package (direct or transitive) taken from its
 *      own tarball and every `@tensorflow/*` package at the "user's" tfjs version — the floor of the peer
 *      range, or another 4.x release than the workspace's (see userTfjsVersion). Peers are not auto-installed, so a README that
 *      forgets a required peer fails the install check;
 *   4. run the README's `## Example` block (the first ```js block) under plain Node ESM and fail on a
 *      non-zero exit or on any tfjs "already registered" warning (a second tfjs copy).
 *
 * Then it proves the example check can fail: core's example with a broken import must be reported
 * as failing, and one that prints tfjs's "already registered" warning too. Last, `changeset status`
 * (see changesetCheck below for what it compares against in a fresh clone).
 *
 *   node scripts/pack-check.mjs [--only core,envs] [--tfjs 4.21.0] [--keep] [--skip-changesets | --changesets-only]
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
const failures = [];
const fail = (pkg, what) => {
  failures.push(`${pkg}: ${what}`);
  console.log(`  ✗ ${what}`);
};

function run(cmd, argv, opts = {}) {
  const res = spawnSync(cmd, argv, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...opts });
  return { ok: res.status === 0, status: res.status, out: `${res.stdout ?? ""}${res.stderr ?? ""}`, error: res.error };
}

/** The last lines of a command's output, indented, for a failure report. */
const excerpt = (text, lines = 25) =>
  text
    .trim()
    .split("\n")
    .slice(-lines)
    .map((l) => `      ${l}`)
    .join("\n");

// ── what to check ─────────────────────────────────────────────────────────────────────────────
const only = option("--only")?.split(",");
const packages = readdirSync(path.join(root, "packages"))
  .map((dir) => ({ dir: path.join(root, "packages", dir), short: dir }))
  .filter(({ dir }) => existsSync(path.join(dir, "package.json")))
  .map((p) => ({ ...p, json: JSON.parse(readFileSync(path.join(p.dir, "package.json"), "utf8")) }))
  .filter((p) => !p.json.private);
const selected = packages.filter((p) => !only || only.includes(p.short) || only.includes(p.json.name));
if (selected.length === 0) {
  console.error(`pack-check: no published package matches --only ${only}`);
  process.exit(2);
}

/** README sections: the install line's package names and the example's source. */
function readmeParts(readme) {
  const section = (title) => {
    const m = new RegExp(`^## ${title}\\s*$([\\s\\S]*?)(?=^## |(?![\\s\\S]))`, "m").exec(readme);
    return m?.[1] ?? null;
  };
  const install = section("Install");
  const example = section("Example");
  const installLine = install && /^(?:npm i|npm install|pnpm add) (.+)$/m.exec(install)?.[1];
  const code = example && /```js\n([\s\S]*?)```/.exec(example)?.[1];
  return {
    installs: installLine ? installLine.trim().split(/\s+/) : null,
    example: code ?? null,
  };
}

// ── the user's tfjs ───────────────────────────────────────────────────────────────────────────
/** The tfjs version the workspace develops and tests against: core's devDependency. */
const workspaceTfjs = JSON.parse(readFileSync(path.join(root, "packages/core/package.json"), "utf8")).devDependencies[
  "@tensorflow/tfjs"
];
/**
 * The "user's" tfjs: the floor of core's peer range (`^4.21.0` → 4.21.0) when the registry has it and it
 * differs from the workspace's, else the newest other release of the same major, else the workspace's.
 */
function userTfjsVersion() {
  const forced = option("--tfjs");
  if (forced) return { version: forced, why: "--tfjs" };
  const res = run("npm", ["view", "@tensorflow/tfjs", "versions", "--json"], { timeout: 60_000 });
  if (!res.ok) return { version: workspaceTfjs, why: "the registry did not answer; the workspace's version" };
  const versions = JSON.parse(res.out.slice(res.out.indexOf("[")));
  const range = JSON.parse(readFileSync(path.join(root, "packages/core/package.json"), "utf8")).peerDependencies[
    "@tensorflow/tfjs"
  ];
  const floor = /^\^(\d+\.\d+\.\d+)$/.exec(range)?.[1];
  if (floor && floor !== workspaceTfjs && versions.includes(floor)) {
    return { version: floor, why: `the floor of the peer range ${range}; the workspace has ${workspaceTfjs}` };
  }
  const [major] = workspaceTfjs.split(".");
  const others = versions.filter((v) => v.startsWith(`${major}.`) && !v.includes("-") && v !== workspaceTfjs);
  const pick = others.at(-1);
  return pick
    ? { version: pick, why: `the newest ${major}.x release other than the workspace's ${workspaceTfjs}` }
    : { version: workspaceTfjs, why: `no other ${major}.x release on the registry` };
}

// ── the example runner ────────────────────────────────────────────────────────────────────────
/** Runs `source` as an ES module in `projectDir`: `why` is null when it passed, else the reason; `out` its output. */
function runExample(projectDir, source, name = "example.mjs", timeoutMs = 180_000) {
  const file = path.join(projectDir, name);
  writeFileSync(file, source);
  const res = run(process.execPath, [file], { cwd: projectDir, timeout: timeoutMs, env: exampleEnv() });
  if (res.error?.code === "ETIMEDOUT") return { why: `timed out after ${timeoutMs / 1000} s`, out: res.out };
  if (!res.ok) return { why: `exited with ${res.status}`, out: res.out };
  if (/already registered/i.test(res.out)) return { why: 'printed tfjs\'s "already registered" warning', out: res.out };
  return { why: null, out: res.out };
}

function exampleEnv() {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // plain Node: no tsx loader, no source conditions
  delete env.QSCAPE_BACKEND;
  return env;
}

// Only the changeset check (`--changesets-only`; tests/pack-check-changesets.test.ts runs it in clones).
let work = null;
if (flag("--changesets-only")) {
  changesetCheck();
  finish();
}

// ── 1. build and pack ─────────────────────────────────────────────────────────────────────────
work = mkdtempSync(path.join(os.tmpdir(), "qscape-pack-"));
const tarballDir = path.join(work, "tarballs");
mkdirSync(tarballDir);
console.log(`pack-check: ${selected.map((p) => p.short).join(", ")} (scratch ${work})`);

const filters = packages.flatMap((p) => ["--filter", p.json.name]);
const build = run("pnpm", ["exec", "turbo", "run", "build", "--output-logs=errors-only", ...filters], { cwd: root });
if (!build.ok) {
  console.log(excerpt(build.out));
  console.error("pack-check: the build failed");
  process.exit(1);
}
console.log(`built (${seconds()})`);

/** Every published package is packed: an installed tarball's @qscape dependencies come from these. */
const tarballs = new Map();
for (const p of packages) {
  const res = run("pnpm", ["pack", "--pack-destination", tarballDir], { cwd: p.dir });
  const file = readdirSync(tarballDir).find((f) => f.startsWith(`qscape-${p.short}-`));
  if (!res.ok || !file) {
    fail(p.short, `pnpm pack failed\n${excerpt(res.out)}`);
    continue;
  }
  tarballs.set(p.json.name, path.join(tarballDir, file));
}
console.log(`packed ${tarballs.size} tarballs (${seconds()})`);

const userTfjs = userTfjsVersion();
console.log(`user's tfjs: ${userTfjs.version} (${userTfjs.why})`);

const { publint } = await import("publint");
const { formatMessage } = await import("publint/utils");
const attw = path.join(root, "node_modules/.bin/attw");

/** The @qscape packages `names` pull in, themselves included (runtime dependencies only). */
function qscapeClosure(names) {
  const byName = new Map(packages.map((p) => [p.json.name, p.json]));
  const seen = new Set();
  const visit = (name) => {
    if (!name.startsWith("@qscape/") || seen.has(name)) return;
    seen.add(name);
    const json = byName.get(name);
    for (const dep of Object.keys({ ...json?.dependencies, ...json?.optionalDependencies })) visit(dep);
  };
  for (const name of names) visit(name);
  return [...seen].filter((name) => tarballs.has(name));
}

// ── 2–4. per package ──────────────────────────────────────────────────────────────────────────
const projects = new Map();
for (const p of selected) {
  console.log(`\n${p.json.name}`);
  const tarball = tarballs.get(p.json.name);
  if (!tarball) continue;

  // publint reads the unpacked tarball: exactly the files a user gets.
  const unpacked = path.join(work, "unpacked", p.short);
  mkdirSync(unpacked, { recursive: true });
  execFileSync("tar", ["xzf", tarball, "-C", unpacked]);
  const lint = await publint({
    pkgDir: path.join(unpacked, "package"),
    pack: false,
    level: "warning",
    strict: true,
  });
  if (lint.messages.length === 0) console.log("  ✓ publint");
  for (const m of lint.messages) fail(p.short, `publint: ${formatMessage(m, lint.pkg) ?? m.code}`);

  const types = run(attw, [tarball, "--profile", "esm-only", "--format", "ascii", "--no-emoji", "--no-color"]);
  if (types.ok) console.log("  ✓ attw --profile esm-only");
  else fail(p.short, `@arethetypeswrong/cli --profile esm-only\n${excerpt(types.out)}`);

  const readme = readFileSync(path.join(p.dir, "README.md"), "utf8");
  const { installs, example } = readmeParts(readme);
  if (!installs?.includes(p.json.name)) {
    fail(p.short, `README.md needs an "## Install" section with "npm i ${p.json.name} …"`);
    continue;
  }
  if (!example) {
    fail(p.short, 'README.md needs an "## Example" section with a ```js block');
    continue;
  }
  // Every required peer of every @qscape package the line pulls in must be on the line: nothing
  // installs peers for the user (pnpm's autoInstallPeers is off in the scratch project).
  const byName = new Map(packages.map((q) => [q.json.name, q.json]));
  const missingPeers = new Set();
  for (const name of qscapeClosure(installs)) {
    const json = byName.get(name);
    for (const peer of Object.keys(json?.peerDependencies ?? {})) {
      if (!json.peerDependenciesMeta?.[peer]?.optional && !installs.includes(peer))
        missingPeers.add(`${peer} (of ${name})`);
    }
  }
  if (missingPeers.size > 0)
    fail(p.short, `the README's install line lacks the peer(s) ${[...missingPeers].join(", ")}`);

  const project = installAlone(p, installs, userTfjs.version, p.short);
  if (!project) continue;
  projects.set(p.short, project);
  const result = runExample(project, example);
  if (result.why) fail(p.short, `README example ${result.why}\n${excerpt(result.out)}`);
  else console.log(`  ✓ README example: ${result.out.trim().split("\n").at(-1)} (${seconds()})`);

  // Kernels that read one tfjs version's internals (@qscape/native): the user's other version above
  // shows the one-line refusal; the tested version must register them, where this machine builds the
  // addon (the workspace's own build succeeded).
  const readsInternals = Object.keys(p.json.peerDependencies ?? {}).includes("@tensorflow/tfjs-core");
  if (readsInternals && userTfjs.version !== workspaceTfjs) {
    const tested = installAlone(p, installs, workspaceTfjs, `${p.short}-tfjs-${workspaceTfjs}`);
    if (!tested) continue;
    const again = runExample(tested, example);
    const built = existsSync(path.join(p.dir, "build", "Release"));
    if (again.why) fail(p.short, `README example with tfjs ${workspaceTfjs} ${again.why}\n${excerpt(again.out)}`);
    else if (built && /plain WASM/.test(again.out)) {
      fail(p.short, `with the tested tfjs ${workspaceTfjs} the kernels did not register\n${excerpt(again.out)}`);
    } else
      console.log(`  ✓ README example with tfjs ${workspaceTfjs}: ${again.out.trim().split("\n")[0]?.slice(0, 90)}…`);
  }
}

/**
 * An empty project in the scratch directory holding exactly `installs` (the README's line): @qscape
 * packages from their tarballs, @tensorflow packages at `tfjs`. Returns its directory, or null (and a
 * failure) when the install fails.
 */
function installAlone(p, installs, tfjs, label) {
  const project = path.join(work, "projects", label);
  mkdirSync(project, { recursive: true });
  const fileSpec = (name) => `file:${path.relative(project, tarballs.get(name))}`;
  const spec = (name) =>
    name.startsWith("@qscape/") ? fileSpec(name) : name.startsWith("@tensorflow/") ? tfjs : "latest";
  writeFileSync(
    path.join(project, "package.json"),
    `${JSON.stringify(
      {
        name: `pack-check-${label}`,
        private: true,
        type: "module",
        dependencies: Object.fromEntries(installs.map((name) => [name, spec(name)])),
      },
      null,
      2,
    )}\n`,
  );
  // A workspace file of its own keeps pnpm from walking up into another workspace; the overrides send
  // every transitive @qscape dependency to its tarball (the registry does not have these versions yet).
  const closure = qscapeClosure(installs);
  const overrides = closure.map((name) => `  "${name}": "${fileSpec(name)}"`).join("\n");
  // Builds as in the workspace: the native addon yes (a tarball dependency is named with its spec),
  // core-js's postinstall banner (via tfjs) no.
  const native = closure.includes("@qscape/native") ? `  "@qscape/native@${fileSpec("@qscape/native")}": true\n` : "";
  const builds = `allowBuilds:\n  core-js: false\n${native}`;
  writeFileSync(
    path.join(project, "pnpm-workspace.yaml"),
    `autoInstallPeers: false\n${builds}overrides:\n${overrides}\n`,
  );
  const install = run("pnpm", ["install", "--prefer-offline", "--config.confirmModulesPurge=false"], {
    cwd: project,
    timeout: 300_000,
    env: { ...process.env, CI: "true" },
  });
  if (!install.ok) {
    fail(
      p.short,
      `installing ${installs.join(" ")} (tfjs ${tfjs}) into an empty project failed\n${excerpt(install.out)}`,
    );
    return null;
  }
  console.log(`  ✓ installed alone: ${installs.join(" ")} (tfjs ${tfjs}) (${seconds()})`);
  return project;
}

// ── the example check must be able to fail ────────────────────────────────────────────────────
const [probeName, probe] = projects.has("core") ? ["core", projects.get("core")] : ([...projects][0] ?? []);
if (probe) {
  const good = readmeParts(readFileSync(path.join(root, "packages", probeName, "README.md"), "utf8"));
  const broken = good.example?.replace(/import \{/, "import { noSuchExport,") ?? "";
  const twice = `${good.example}\nconsole.warn("The kernel 'Add' for backend 'wasm' is already registered");\n`;
  const brokenResult = runExample(probe, broken, "self-check-broken.mjs");
  const twiceResult = runExample(probe, twice, "self-check-warns.mjs");
  if (brokenResult.why && twiceResult.why) {
    console.log(
      `\nself-check: a broken README example fails (${brokenResult.why}); so does one that warns (${twiceResult.why}) (${seconds()})`,
    );
  } else {
    fail("pack-check", "self-check: a deliberately broken README example was not reported");
  }
}

// ── changesets ────────────────────────────────────────────────────────────────────────────────
/**
 * `changeset status` fails when a published package changed since the base branch and no changeset
 * names it. Which base: $QSCAPE_CHANGESET_BASE if set, else origin/main, else main. On the base branch
 * itself, or in a clone that has no base ref (a shallow CI clone of one branch), there is nothing to
 * compare against: say so and pass, since the change was (or will be) checked on its branch.
 * Only published files count as a change (`changedFilePatterns` in .changeset/config.json).
 */
function changesetCheck() {
  const git = (...a) => run("git", a, { cwd: root });
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: read by this script, which turbo does not run
  const candidates = [process.env.QSCAPE_CHANGESET_BASE, "origin/main", "main"].filter(Boolean);
  const base = candidates.find((ref) => git("rev-parse", "--verify", "--quiet", `${ref}^{commit}`).ok);
  if (!base) {
    console.log(
      `\nchangesets: skipped — no base ref (${candidates.join(", ")}) in this clone; set QSCAPE_CHANGESET_BASE`,
    );
    return;
  }
  const mergeBase = git("merge-base", "HEAD", base).out.trim();
  if (!mergeBase) {
    console.log(`\nchangesets: skipped — HEAD and ${base} share no history in this clone (shallow?)`);
    return;
  }
  if (mergeBase === git("rev-parse", "HEAD").out.trim()) {
    console.log(`\nchangesets: HEAD is on ${base}; nothing to compare (branches are checked before they merge)`);
    return;
  }
  const res = run(path.join(root, "node_modules", ".bin", "changeset"), ["status", `--since=${base}`], { cwd: root });
  if (res.ok) {
    console.log(`\nchangesets: every published package changed since ${base} has a changeset (${seconds()})`);
    return;
  }
  // changeset status does not name the packages: the published ones whose changed files match the
  // config's changedFilePatterns (globs with ** and *, "!" excludes), as changesets itself decides.
  const changed = git("diff", "--name-only", `${mergeBase}...HEAD`).out.split("\n");
  const config = JSON.parse(readFileSync(path.join(root, ".changeset", "config.json"), "utf8"));
  const globs = (config.changedFilePatterns ?? ["**"]).map((g) => ({ not: g.startsWith("!"), re: globToRegExp(g) }));
  const counts = (file) => globs.some((g) => !g.not && g.re.test(file)) && !globs.some((g) => g.not && g.re.test(file));
  const names = packages
    .filter((p) => changed.some((f) => f.startsWith(`packages/${p.short}/`) && counts(f.slice(p.short.length + 10))))
    .map((p) => p.json.name);
  fail(
    "changesets",
    `a published package changed since ${base} without a changeset (changed: ${names.join(", ") || "see below"}): run \`pnpm changeset\`, pick the package(s) and the bump, describe the change for its CHANGELOG, and commit the file in .changeset/\n${excerpt(res.out, 6)}`,
  );
}
/** A changesets glob (`**`, `*`; a leading `!` is stripped here) as a RegExp over paths inside a package. */
function globToRegExp(glob) {
  const wild = { "**/": "(?:.*/)?", "**": ".*", "*": "[^/]*" };
  const body = glob
    .replace(/^!/, "")
    .split(/(\*\*\/|\*\*|\*)/)
    .map((part) => wild[part] ?? part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join("");
  return new RegExp(`^${body}$`);
}

if (!flag("--skip-changesets")) changesetCheck();
finish();

function finish() {
  // The scratch projects hold ~10k files each (tfjs); removing them can take a minute on a loaded
  // machine, so a detached `rm` does it after this process has reported.
  if (work && !flag("--keep")) spawn("rm", ["-rf", work], { detached: true, stdio: "ignore" }).unref();
  else if (work) console.log(`scratch kept at ${work}`);
  console.log(`\npack-check: ${failures.length === 0 ? "passed" : `${failures.length} problem(s)`} in ${seconds()}`);
  if (failures.length > 0) {
    for (const f of failures) console.log(`  - ${f.split("\n")[0]}`);
    process.exit(1);
  }
  process.exit(0);
}
