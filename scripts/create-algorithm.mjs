#!/usr/bin/env node
/**
 * `pnpm create-algorithm <name>`: scaffolds `packages/<name>` (`@qscape/<name>`) from
 * scripts/algorithm-template/: config.ts (zod + defaults), networks.ts, agent.ts (a deterministic policy
 * gradient actor-critic to start from), bench.ts (`defineAlgorithm`), index.ts, a learning test on a toy
 * bandit from @qscape/envs, a README with install and example, LICENSE and a changeset. It registers the
 * package's vitest project in vitest.config.ts, runs `pnpm install` (offline first) so the workspace links
 * it, and formats it with biome. The result passes lint, typecheck and its test as generated
 * (tests/create-algorithm.test.ts checks that on a scratch copy of the repository).
 *
 *   pnpm create-algorithm my-method [--no-install]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const templateDir = path.join(root, "scripts", "algorithm-template");
const args = process.argv.slice(2);
const name = args.find((a) => !a.startsWith("--"));
const install = !args.includes("--no-install");

function die(message) {
  console.error(`create-algorithm: ${message}`);
  process.exit(1);
}

if (!name) die("usage: pnpm create-algorithm <name>   (lower-case words joined by '-', e.g. my-method)");
if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
  die(`"${name}" is not a package name here: lower-case letters and digits, words joined by '-' (e.g. my-method)`);
}
const target = path.join(root, "packages", name);
if (existsSync(target)) die(`packages/${name} already exists`);

const words = name.split("-");
const Name = words.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
const camel = Name[0].toLowerCase() + Name.slice(1);
const core = JSON.parse(readFileSync(path.join(root, "packages", "core", "package.json"), "utf8"));
const values = {
  __name__: name,
  __Name__: Name,
  __camel__: camel,
  __repo__: core.repository.url.replace(/^git\+/, "").replace(/\.git$/, ""),
  __zod__: core.dependencies.zod,
  __tfjsRange__: core.peerDependencies["@tensorflow/tfjs"],
  __tfjsDev__: core.devDependencies["@tensorflow/tfjs"],
};
const fill = (text) => text.replace(/__(name|Name|camel|repo|zod|tfjsRange|tfjsDev)__/g, (m) => values[m]);

function copyTemplate(from, to) {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    const source = path.join(from, entry);
    if (statSync(source).isDirectory()) copyTemplate(source, path.join(to, entry));
    else writeFileSync(path.join(to, entry.replace(/\.tmpl$/, "")), fill(readFileSync(source, "utf8")));
  }
}
copyTemplate(templateDir, target);
writeFileSync(path.join(target, "LICENSE"), readFileSync(path.join(root, "LICENSE")));

// Its vitest project, after the last package project in the shared config.
const vitestConfig = path.join(root, "vitest.config.ts");
const lines = readFileSync(vitestConfig, "utf8").split("\n");
const last = lines.findLastIndex((l) => /^\s*project\("[^"]+", "packages\/[^"]+"\),$/.test(l));
if (last < 0)
  die(`found no project("…", "packages/…") line in vitest.config.ts; add project("${name}", "packages/${name}")`);
lines.splice(last + 1, 0, lines[last].replace(/project\(.*\),$/, `project("${name}", "packages/${name}"),`));
writeFileSync(vitestConfig, lines.join("\n"));

writeFileSync(
  path.join(root, ".changeset", `${name}-initial.md`),
  `---\n"@qscape/${name}": minor\n---\n\n${Name}: first version (scaffolded by \`pnpm create-algorithm\`).\n`,
);

function run(cmd, argv) {
  return spawnSync(cmd, argv, { cwd: root, stdio: "inherit" }).status === 0;
}
if (
  install &&
  !run("pnpm", ["install", "--offline", "--no-frozen-lockfile"]) &&
  !run("pnpm", ["install", "--no-frozen-lockfile"])
) {
  die(`pnpm install failed; run it yourself, then \`pnpm --filter @qscape/${name} test\``);
}
run("pnpm", ["exec", "biome", "check", "--write", `packages/${name}`, "vitest.config.ts"]);

console.log(`
created packages/${name} (@qscape/${name}) and .changeset/${name}-initial.md
  pnpm --filter @qscape/${name} test        # the bandit learning test
  pnpm --filter @qscape/${name} typecheck   # also lint, build
To run it in \`pnpm bench\`: add "@qscape/${name}": "workspace:*" to apps/bench/package.json and
${camel}Algorithms to apps/bench/src/algorithms.ts (or name the package in a suite's plugins).`);
