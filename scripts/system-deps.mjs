#!/usr/bin/env node
// Installs the Debian packages the tests and benchmarks use, when they are missing (`--bench`: only
// those `pnpm bench` uses):
//   chromium          — the report-rendering test screenshots the HTML report headless
//   libopenblas-dev   — @qscape/native links the WASM backend's hot kernels against OpenBLAS
// Runs apt-get only as root on a Debian-like system; elsewhere it prints what to install.
// Also lets node-gyp build offline (better-sqlite3 when its prebuilt binary cannot be downloaded,
// @qscape/native): see seedNodeGypHeaders.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

// node-gyp downloads Node's headers into its cache unless they are there already; npm passes its
// `nodedir` setting to install scripts but pnpm does not. Where this Node ships its headers
// (Debian/Ubuntu's nodejs: /usr/include/node), put them in node-gyp's cache so no download is needed.
function seedNodeGypHeaders() {
  const prefix = path.resolve(path.dirname(process.execPath), "..");
  const headers = path.join(prefix, "include", "node");
  if (!existsSync(path.join(headers, "node.h")) || !existsSync(path.join(headers, "common.gypi"))) return;
  const cacheRoot = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache");
  const dir = path.join(cacheRoot, "node-gyp", process.versions.node);
  const versionFile = path.join(dir, "installVersion");
  if (existsSync(path.join(dir, "include", "node", "node.h")) && existsSync(versionFile)) return;
  mkdirSync(path.join(dir, "include"), { recursive: true });
  if (!existsSync(path.join(dir, "include", "node"))) symlinkSync(headers, path.join(dir, "include", "node"));
  // node-gyp re-downloads when this number is below its own (11 in node-gyp 10–12).
  writeFileSync(versionFile, "11\n");
}
seedNodeGypHeaders();

// `--bench`: only what `pnpm bench` needs (the native kernels' BLAS), not the test-only browser.
const benchOnly = process.argv.includes("--bench");
const wanted = [
  { pkg: "chromium", testOnly: true, present: () => existsSync("/usr/bin/chromium") },
  { pkg: "fonts-dejavu-core", testOnly: true, present: () => existsSync("/usr/share/fonts/truetype/dejavu") },
  {
    pkg: "libopenblas-dev",
    present: () =>
      spawnSync(
        "sh",
        ["-c", "ls /usr/include/*/cblas.h /usr/include/cblas.h /usr/include/*/openblas*/cblas.h 2>/dev/null | head -1"],
        { encoding: "utf8" },
      ).stdout.trim() !== "",
  },
];
// @qscape/native builds at install time; if BLAS arrived later (or the build was skipped), build it now.
function buildNative() {
  const addon = new URL("../packages/native/build/Release/qscape_native.node", import.meta.url);
  const script = new URL("../packages/native/scripts/build.cjs", import.meta.url);
  const installed = new URL("../packages/native/node_modules/", import.meta.url);
  // Before `pnpm install` there is nothing to build with; the install itself builds it then.
  if (existsSync(addon) || !existsSync(script) || !existsSync(installed)) return;
  spawnSync(process.execPath, [script.pathname], {
    stdio: "inherit",
    cwd: new URL("../packages/native/", import.meta.url).pathname,
  });
}

const missing = wanted.filter((w) => !(benchOnly && w.testOnly) && !w.present()).map((w) => w.pkg);
if (missing.length === 0) {
  buildNative();
  process.exit(0);
}
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
if (!isRoot || !existsSync("/usr/bin/apt-get")) {
  console.error(
    `system packages missing: ${missing.join(", ")} — install them (e.g. sudo apt-get install -y ${missing.join(" ")})`,
  );
  process.exit(0);
}
console.error(`installing ${missing.join(", ")} with apt-get…`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], { stdio: "inherit", env });
buildNative();
