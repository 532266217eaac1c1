import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Absolute, so a package's own `pnpm test` (run from its folder) finds its project.
const at = (dir: string) => fileURLToPath(new URL(`./${dir}/`, import.meta.url));

// One project per package; packages consume each other's TypeScript source via the
// `@qscape/source` export condition, so tests need no build step.
const project = (name: string, root: string, extra: Record<string, unknown> = {}) => ({
  extends: true as const,
  test: { name, root: at(root), include: ["src/**/*.test.ts", "test/**/*.test.ts"], ...extra },
});

export default defineConfig({
  resolve: { conditions: ["@qscape/source"] },
  ssr: { resolve: { conditions: ["@qscape/source"] } },
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    projects: [
      project("core", "packages/core"),
      project("envs", "packages/envs"),
      project("baselines", "packages/baselines"),
      project("savo", "packages/savo"),
      project("smoothie", "packages/smoothie"),
      project("qmle", "packages/qmle"),
      project("qmp", "packages/qmp"),
      project("agile", "packages/agile"),
      project("native", "packages/native"),
      project("testing", "packages/testing"),
      project("bench", "apps/bench"),
      { extends: true as const, test: { name: "tests", root: at("tests"), include: ["*.test.ts"] } },
    ],
  },
});
