import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { pinBlasKernel } from "./addon.js";

const avx2 = "processor\t: 0\nflags\t\t: fpu sse sse2 avx fma avx2 avx512f\n";
const noAvx2 = "processor\t: 0\nflags\t\t: fpu sse sse2 avx\n";

describe("the OpenBLAS kernel the addon pins (same seed → same numbers across CPUs)", () => {
  it.runIf(process.platform === "linux" && process.arch === "x64")(
    "pins Haswell on an AVX2 + FMA CPU, leaves a CPU without AVX2 and a user's choice alone",
    () => {
      const env: NodeJS.ProcessEnv = {};
      expect(pinBlasKernel(env, () => avx2)).toBe("Haswell");
      expect(env.OPENBLAS_CORETYPE).toBe("Haswell");
      const old: NodeJS.ProcessEnv = {};
      expect(pinBlasKernel(old, () => noAvx2)).toBe("");
      expect(old.OPENBLAS_CORETYPE).toBeUndefined();
      const chosen: NodeJS.ProcessEnv = { OPENBLAS_CORETYPE: "SkylakeX" };
      expect(pinBlasKernel(chosen, () => avx2)).toBe("SkylakeX");
    },
  );

  it.runIf(process.platform === "linux" && process.arch === "x64")(
    "the loaded OpenBLAS runs that kernel (checked in a fresh process, where the library loads)",
    () => {
      const hasAvx2 = /^flags\s*:.*\bavx2\b.*$/m.test(readFileSync("/proc/cpuinfo", "utf8"));
      const addon = fileURLToPath(new URL("./addon.ts", import.meta.url));
      const script = `import { loadAddon } from ${JSON.stringify(addon)}; console.log(loadAddon().blasInfo());`;
      const env = { ...process.env };
      delete env.OPENBLAS_CORETYPE;
      const res = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
        encoding: "utf8",
        env,
      });
      expect(res.status, res.stderr).toBe(0);
      if (hasAvx2) expect(res.stdout).toMatch(/Haswell/i);
    },
  );
});
