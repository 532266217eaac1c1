#!/usr/bin/env node
// Installs the Debian packages the tests and benchmarks use, when they are missing:
//   chromium          — the report-rendering test screenshots the HTML report headless
//   libopenblas-dev   — @qscape/native links the WASM backend's hot kernels against OpenBLAS
// Runs apt-get only as root on a Debian-like system; elsewhere it prints what to install.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const wanted = [
  { pkg: "chromium", present: () => existsSync("/usr/bin/chromium") },
  { pkg: "fonts-dejavu-core", present: () => existsSync("/usr/share/fonts/truetype/dejavu") },
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

const missing = wanted.filter((w) => !w.present()).map((w) => w.pkg);
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
