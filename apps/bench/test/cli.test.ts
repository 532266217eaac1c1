/**
 * The CLI end to end on bad input and failing runs (kills and resumes: crash.test.ts): every
 * problem that can be found before a run starts is found then, in one named line, and a run that
 * fails is recorded with its diagnosis while the others go on.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { openResults } from "../src/db/index.js";

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(appDir, "src/cli.ts");
const tsx = path.resolve(appDir, "../../node_modules/.bin/tsx");

describe("pnpm bench", () => {
  it("rejects unknown algorithms, environments and bad budgets before running anything", () => {
    const out = mkdtempSync(path.join(os.tmpdir(), "qscape-bench-"));
    const run = (...args: string[]) =>
      spawnSync(tsx, ["--conditions=@qscape/source", cli, ...args, "--out", out, "--quiet"], {
        cwd: appDir,
        encoding: "utf8",
        timeout: 120_000,
      });
    const a = run("default", "--algos", "td4");
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/unknown algorithm "td4"/);
    const e = run("default", "--envs", "Hoppr-v5");
    expect(e.status).toBe(2);
    expect(e.stderr).toMatch(/unknown environment "Hoppr-v5"/);
    const s = run("default", "--steps=-5");
    expect(s.status).toBe(2);
    expect(s.stderr).toMatch(/--steps must be a positive integer/);
    const s2 = run("default", "--steps", "-5");
    expect(s2.status).toBe(2);
    expect(s2.stderr).toMatch(/error: .*--steps/);
    const d = run("default", "--envs", "CartPole-v1");
    expect(d.status).toBe(2);
    expect(d.stderr).toMatch(/td3 cannot run on CartPole-v1: needs a Box \(continuous\) action space/);
    const v = run("default", "--algos", "dqn", "--envs", "DigLava-v0");
    expect(v.status).toBe(2);
    expect(v.stderr).toMatch(/dqn cannot run on DigLava-v0: needs a Box observation space/);
    // Support can depend on the config: a learned representation needs play data RecoGym lacks.
    const r = run("new-actions-recsys", "--algos", "ours", "--set", "representation.model=hvae");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /ours cannot run on RecoGym-v0: representation\.model "hvae" needs play data: SkillGridWorld-v0 or a CREATE level/,
    );
    const u = run("nosuchsuite");
    expect(u.stderr).toMatch(/unknown suite "nosuchsuite"/);
    // --set goes through the algorithm's own schema, per algorithm (label:) or for all.
    const f = run("default", "--algos", "td3,savo", "--envs", "Pendulum-v1", "--set", "td3:actorLR=1e-3");
    expect(f.status).toBe(2);
    expect(f.stderr).toMatch(/algorithm "td3" \(td3\) config: td3 config: .*actorLR/);
    const g = run("default", "--algos", "td3", "--envs", "Pendulum-v1", "--set", "sac:actorLr=1e-3");
    expect(g.status).toBe(2);
    expect(g.stderr).toMatch(/--set sac:actorLr=1e-3: no algorithm "sac" in the suite/);
    expect(existsSync(path.join(out, "results.db"))).toBe(false);
  }, 300_000);
});

describe("pnpm bench after its suite changed", () => {
  it("refuses to mix results of two versions of a suite, names --out and --fresh, and --fresh starts over", () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), "qscape-bench-")), "results");
    const run = (...args: string[]) =>
      spawnSync(
        tsx,
        [
          "--conditions=@qscape/source",
          cli,
          "default",
          "--algos",
          "td3",
          "--envs",
          "Bandit1D-v0",
          "--seeds",
          "1",
          "--workers",
          "1",
          ...args,
          "--out",
          out,
          "--quiet",
        ],
        { cwd: appDir, encoding: "utf8", timeout: 120_000 },
      );
    expect(run("--steps", "200").status).toBe(0);
    const changed = run("--steps", "300");
    expect(changed.status).toBe(2);
    expect(changed.stderr).toMatch(/the suite changed since .*results\.db was written.*--out DIR.*--fresh/);
    const db = openResults(path.join(out, "results.db"), { readonly: true });
    expect(db.listRuns("default-custom").map((r) => r.counters.envSteps)).toEqual([200]);
    db.close();
    expect(run("--steps", "300", "--fresh").status).toBe(0);
    expect(existsSync(path.join(out, "clips"))).toBe(false);
  }, 300_000);

  it("--clips renders each algorithm's final policy on each env (first seed) and the report shows it", () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), "qscape-bench-")), "results");
    const res = spawnSync(
      tsx,
      [
        "--conditions=@qscape/source",
        cli,
        "default",
        "--algos",
        "td3",
        "--envs",
        "Pendulum-v1",
        "--seeds",
        "2",
        "--steps",
        "300",
        "--workers",
        "1",
        "--clips",
        "--out",
        out,
        "--quiet",
      ],
      { cwd: appDir, encoding: "utf8", timeout: 120_000 },
    );
    expect(res.status).toBe(0);
    expect(readdirSync(path.join(out, "clips"))).toEqual(["td3__Pendulum-v1.gif"]);
    const gif = readFileSync(path.join(out, "clips", "td3__Pendulum-v1.gif"));
    expect(gif.subarray(0, 6).toString("latin1")).toBe("GIF89a");
    // Pendulum-v1 episodes last 200 steps: the clip is capped at 150 frames, each an image descriptor.
    expect(gif.filter((b, i) => b === 0x2c && gif[i - 1] === 0x00).length).toBeGreaterThan(100);
    expect(readFileSync(path.join(out, "report.html"), "utf8")).toContain('<img src="clips/td3__Pendulum-v1.gif"');
  }, 300_000);
});

describe("pnpm bench with failing runs", () => {
  it("names a run that fails before its worker reports, fails a NaN run with its diagnosis, and reports failures when nothing finished", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "qscape-bench-"));
    const out = path.join(dir, "out");
    const suiteFile = path.join(dir, "crash-suite.mjs");
    writeFileSync(
      suiteFile,
      `export default ${JSON.stringify({
        name: "crash-check",
        description: "a run with a damaged checkpoint, and one whose learning rate overflows its losses",
        estimatedMinutes: 1,
        algorithms: [{ algo: "td3" }, { algo: "td3", label: "exploding", config: { criticLr: 1e30, actorLr: 1e30 } }],
        envs: [{ id: "Pendulum-v1" }],
        seeds: [0],
        budget: { envSteps: 600, warmupSteps: 200 },
        evaluation: { every: 300, episodes: 1 },
        hidden: [16],
      })};\n`,
    );
    // Run 1 (td3, seed 0) finds a damaged checkpoint and fails before its worker says anything.
    mkdirSync(path.join(out, "checkpoints", "1"), { recursive: true });
    writeFileSync(path.join(out, "checkpoints", "1", "checkpoint.json"), "{ not json");
    const res = spawnSync(
      tsx,
      ["--conditions=@qscape/source", cli, suiteFile, "--workers", "1", "--quiet", "--out", out],
      { cwd: appDir, encoding: "utf8", timeout: 300_000 },
    );
    expect(res.status, res.stderr).toBe(1);
    expect(res.stderr).toMatch(/✗ td3 on Pendulum-v1 seed 0 failed after/);
    expect(res.stderr).not.toMatch(/run 1 failed/);
    expect(res.stderr).toMatch(/failed: td3 on Pendulum-v1 seed 0: .*checkpoint/i);
    expect(res.stderr).toMatch(/failed: exploding on Pendulum-v1 seed 0: NonFiniteError: .*loss is (NaN|-?Infinity)/);
    expect(res.stderr).toMatch(/no finished runs yet: no report written/);
    const summary = JSON.parse(readFileSync(path.join(out, "summary.json"), "utf8")) as { failed: unknown[] };
    expect(summary.failed).toHaveLength(2);
    const db = openResults(path.join(out, "results.db"));
    try {
      const byAlgo = Object.fromEntries(db.listRuns("crash-check").map((r) => [r.algo, r]));
      expect(byAlgo.td3?.status).toBe("failed");
      expect(byAlgo.exploding?.status).toBe("failed");
      expect(byAlgo.exploding?.error).toMatch(/NonFiniteError/);
    } finally {
      db.close();
    }
  }, 300_000);
});

describe("plug-in algorithms", () => {
  it("runs an algorithm package the bench does not depend on, named in the suite file", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "qscape-bench-"));
    const plugin = path.join(appDir, "test/fixtures/random-plugin/index.ts");
    const suiteFile = path.join(dir, "plugin-suite.mjs");
    writeFileSync(
      suiteFile,
      `export default ${JSON.stringify({
        name: "plugin-check",
        description: "a plug-in algorithm beside a built-in one",
        estimatedMinutes: 1,
        plugins: [path.relative(dir, plugin)],
        algorithms: [{ algo: "td3" }, { algo: "random-uniform", config: { scale: 0.5 } }],
        envs: [{ id: "Pendulum-v1" }],
        seeds: [0],
        budget: { envSteps: 400, warmupSteps: 100 },
        evaluation: { every: 200, episodes: 1 },
        hidden: [16],
      })};\n`,
    );
    const out = path.join(dir, "out");
    const res = spawnSync(
      tsx,
      ["--conditions=@qscape/source", cli, suiteFile, "--workers", "1", "--quiet", "--out", out],
      {
        cwd: appDir,
        encoding: "utf8",
        timeout: 300_000,
      },
    );
    expect(res.status, res.stderr).toBe(0);
    const db = openResults(path.join(out, "results.db"), { readonly: true });
    try {
      const runs = db.listRuns("plugin-check");
      expect(runs.map((r) => [r.algo, r.status])).toEqual([
        ["random-uniform", "finished"],
        ["td3", "finished"],
      ]);
      const random = runs.find((r) => r.algo === "random-uniform");
      expect(db.evaluations(random?.id as number).map((e) => e.step)).toEqual([0, 200, 400]);
    } finally {
      db.close();
    }
    // A typo in the plug-in's config is found by its own schema, before anything runs.
    writeFileSync(suiteFile, readFileSync(suiteFile, "utf8").replace('"scale":0.5', '"scale":5'));
    const bad = spawnSync(
      tsx,
      ["--conditions=@qscape/source", cli, suiteFile, "--quiet", "--out", path.join(dir, "bad")],
      {
        cwd: appDir,
        encoding: "utf8",
        timeout: 120_000,
      },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/algorithm "random-uniform" \(random-uniform\) config: .*scale/);
    // A plug-in that reuses a built-in id is refused, naming both.
    const clash = path.join(dir, "clash.mjs");
    writeFileSync(
      clash,
      `import { algorithms as a } from ${JSON.stringify(plugin)};\nexport const algorithms = [{ ...a[0], id: "td3" }];\n`,
    );
    writeFileSync(suiteFile, readFileSync(suiteFile, "utf8").replace(path.relative(dir, plugin), "./clash.mjs"));
    const twice = spawnSync(
      tsx,
      ["--conditions=@qscape/source", cli, suiteFile, "--quiet", "--out", path.join(dir, "clash")],
      {
        cwd: appDir,
        encoding: "utf8",
        timeout: 120_000,
      },
    );
    expect(twice.status).toBe(2);
    expect(twice.stderr).toMatch(/two algorithms are registered as "td3": "TD3 .*" and "uniform random actions/);
  }, 300_000);
});

describe("pnpm bench refuses bad input before anything runs", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "qscape-bench-"));
  const run = (...args: string[]) =>
    spawnSync(tsx, ["--conditions=@qscape/source", cli, ...args, "--quiet"], {
      cwd: appDir,
      encoding: "utf8",
      timeout: 120_000,
    });
  const suite = (name: string, body: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, body);
    return file;
  };
  const noStack = (stderr: string) => expect(stderr).not.toMatch(/^\s+at /m);

  it("a config typo, naming the suite, the algorithm and the field", () => {
    const file = suite(
      "typo.mjs",
      `export default ${JSON.stringify({
        name: "typo",
        description: "a misspelt hyperparameter",
        estimatedMinutes: 1,
        algorithms: [{ algo: "td3" }, { algo: "td3", label: "tuned", config: { actorLR: 1e-3 } }],
        envs: [{ id: "Pendulum-v1" }],
        seeds: [0],
        budget: { envSteps: 300, warmupSteps: 100 },
        evaluation: { every: 300, episodes: 1 },
        hidden: [16],
      })};\n`,
    );
    const out = path.join(dir, "typo-out");
    const res = run(file, "--out", out);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/suite "typo" cannot run:\n {2}algorithm "tuned" \(td3\) config: .*actorLR/);
    noStack(res.stderr);
    expect(existsSync(path.join(out, "results.db"))).toBe(false);
  });

  it("a suite file that throws, and a results folder that cannot be created, in one line each", () => {
    const res = run(suite("throws.mjs", 'throw new Error("boom");\n'));
    expect(res.status).toBe(2);
    expect(res.stderr.trim()).toMatch(/^error: suite file .*throws\.mjs failed to load: Error: boom$/);
    const blocker = path.join(dir, "a-file");
    writeFileSync(blocker, "");
    const out = run("default", "--algos", "td3", "--envs", "Pendulum-v1", "--out", path.join(blocker, "sub"));
    expect(out.status).toBe(2);
    expect(out.stderr.trim()).toMatch(
      /^error: cannot create the results folder .*a-file\/sub: .*(ENOTDIR|not a directory)/,
    );
  });

  it("a budget that would take over a day, unless --yes", () => {
    const res = run("default", "--steps", "1000000000000", "--out", path.join(dir, "huge"));
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/estimated at ~\d+ days on 2 cores.*pass --yes to run it anyway/);
    expect(existsSync(path.join(dir, "huge"))).toBe(false);
  });
});
