#!/usr/bin/env node
// Builds the native addon with node-gyp. Runs at install (when pnpm is allowed to run this
// package's build) and by hand: `pnpm --filter @qscape/native run build:native [--strict]`.
// The package is optional: a failed build prints one warning line and exits 0 so installing the
// repository still succeeds; qscape then runs on plain WASM. `--strict` (CI) exits 1 instead.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const packageDir = path.resolve(__dirname, "..");
const strict = process.argv.includes("--strict");

function finish(ok, reason) {
  if (ok) {
    console.log("@qscape/native: native kernels built (build/Release/qscape_native.node)");
    process.exit(0);
  }
  console.warn(`@qscape/native: native kernels not built (${reason}); qscape will use plain WASM`);
  process.exit(strict ? 1 : 0);
}

// Turns node-gyp's log into the one cause a user can act on.
function explain(log) {
  if (/cannot find -lopenblas|openblas.*No such file/i.test(log)) {
    return "OpenBLAS not found: install libopenblas-dev";
  }
  if (/(g\+\+|c\+\+|make|cc): (not found|command not found)|No such file or directory.*(g\+\+|make)/i.test(log)) {
    return "no C++ compiler or make: install build-essential";
  }
  if (/find Python|python.*not found/i.test(log)) return "node-gyp found no Python";
  if (/node_api\.h.*No such file|common\.gypi not found/i.test(log)) return "Node.js headers not found";
  const last = log
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /error|ERR!/i.test(l))
    .find((l) => !/gyp ERR! (stack|System|command|cwd|node -v|node-gyp -v|not ok)/.test(l));
  return last ? last.slice(0, 200) : "node-gyp failed";
}

if (process.platform === "win32") finish(false, "Windows is not supported (no system OpenBLAS)");

// This package's node-gyp (a devDependency), else the one npm passes to install scripts.
let nodeGyp = process.env.npm_config_node_gyp;
try {
  nodeGyp = require.resolve("node-gyp/bin/node-gyp.js", { paths: [packageDir] });
} catch {
  if (!nodeGyp || !fs.existsSync(nodeGyp))
    finish(false, "node-gyp is not installed (a devDependency of @qscape/native)");
}

// pnpm does not pass npm's `nodedir` config to scripts, so point node-gyp at the headers that
// ship with this Node when they exist instead of letting it try to download them.
const args = [nodeGyp, "rebuild"];
const nodeDir = path.resolve(path.dirname(process.execPath), "..");
if (fs.existsSync(path.join(nodeDir, "include", "node", "node.h"))) args.push(`--nodedir=${nodeDir}`);

const result = spawnSync(process.execPath, args, { cwd: packageDir, encoding: "utf8" });
const log = `${result.stdout ?? ""}\n${result.stderr ?? ""}`;
if (result.error) finish(false, result.error.message);
if (result.status !== 0) {
  if (process.env.QSCAPE_NATIVE_VERBOSE) console.warn(log);
  finish(false, explain(log));
}
finish(true);
