/**
 * Mistakes on the command line: each is reported in one line that names the problem (the field,
 * with a suggestion where one is close), the exit code is 2, and nothing is written — no run
 * directory, no logs.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.js";

const root = mkdtempSync(path.join(os.tmpdir(), "qscape-bad-"));
const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

async function run(argv: string[]): Promise<{ code: number; output: string }> {
  let output = "";
  const code = await main(argv, { write: (t) => void (output += t), tty: false }, root, { stop: () => null });
  return { code, output };
}

const train = (out: string, ...extra: string[]) => [
  "train",
  "--algo",
  "td3",
  "--env",
  "Pendulum-v1",
  "--steps",
  "1000",
  "--out",
  out,
  ...extra,
];

describe("qscape: bad input is refused with exit code 2, naming the problem, before anything is written", () => {
  it("as a process: an unknown algorithm", () => {
    const out = path.join(root, "proc");
    const r = spawnSync(
      process.execPath,
      [
        "--import",
        pathToFileURL(path.resolve(pkgDir, "../../node_modules/tsx/dist/loader.mjs")).href,
        "--conditions=@qscape/source",
        path.join(pkgDir, "src/main.ts"),
        "train",
        "--algo",
        "td4",
        "--env",
        "Pendulum-v1",
        "--out",
        out,
      ],
      { cwd: root, encoding: "utf8" },
    );
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('unknown algorithm "td4"');
    expect(r.stdout).toContain("td3");
    expect(existsSync(out)).toBe(false);
  });

  const cases: [string, string[], RegExp][] = [
    ["unknown algorithm", ["train", "--algo", "td4", "--env", "Pendulum-v1"], /unknown algorithm "td4"; known: .*td3/],
    [
      "unknown environment, with the closest ids",
      ["train", "--algo", "td3", "--env", "Pendulum-v9"],
      /No environment registered with id "Pendulum-v9"\. Did you mean: Pendulum-v1/,
    ],
    [
      "unknown --set field, with a suggestion",
      ["--set", "actorLR=1e-3"],
      /Unrecognized key: "actorLR".*did you mean actorLr\?/,
    ],
    ["--set value out of range", ["--set", "batchSize=-5"], /td3 config: batchSize: .*>0/],
    ["--set nested field", ["--set", "explorationNoise.sigma=-1"], /explorationNoise\.sigma/],
    ["--set enum", ["--set", "activation=gelu"], /activation: .*"relu"/],
    ["--set without =", ["--set", "actorLr"], /--set actorLr: expected key=value/],
    ["--set seed", ["--set", "seed=4"], /use --seed/],
    ["bad flag value", ["--steps", "many"], /--steps: /],
    ["unknown flag", ["--stpes", "10"], /--stpes/],
    ["--warmup-steps beyond the budget", ["--warmup-steps", "5000"], /--warmup-steps 5000 must be smaller/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const out = path.join(root, name.replace(/\W+/g, "-"));
      const argv = args[0] === "train" ? [...args, "--out", out] : train(out, ...args);
      const r = await run(argv);
      expect(r.output).toMatch(message);
      expect(r.output.trim().split("\n")).toHaveLength(1);
      expect(r.code).toBe(2);
      expect(existsSync(out)).toBe(false);
    });
  }

  it("an algorithm that cannot act in the env's action space", async () => {
    const out = path.join(root, "dqn");
    const r = await run(["train", "--algo", "dqn", "--env", "Pendulum-v1", "--out", out]);
    expect(r).toMatchObject({ code: 2 });
    expect(r.output).toMatch(/dqn cannot run on Pendulum-v1: needs a Discrete action space/);
    expect(existsSync(out)).toBe(false);
  });

  it("missing --algo / --env, and evaluate without a run", async () => {
    expect(await run(["train", "--env", "Pendulum-v1"])).toMatchObject({
      code: 2,
      output: expect.stringMatching(/--algo is required/),
    });
    expect(await run(["train", "--algo", "td3"])).toMatchObject({
      code: 2,
      output: expect.stringMatching(/--env is required/),
    });
    expect(await run(["evaluate", path.join(root, "nothing")])).toMatchObject({
      code: 2,
      output: expect.stringMatching(/no such directory/),
    });
    expect(await run(["frobnicate"])).toMatchObject({
      code: 2,
      output: expect.stringMatching(/unknown command "frobnicate"/),
    });
  });

  it("a directory holding another run, or other files, is not trained into", async () => {
    const { writeFileSync, mkdirSync } = await import("node:fs");
    const other = path.join(root, "not-a-run");
    mkdirSync(other);
    writeFileSync(path.join(other, "notes.txt"), "mine");
    const r = await run(train(other));
    expect(r).toMatchObject({ code: 2, output: expect.stringMatching(/exists and is not a qscape run directory/) });
    expect(readdirSync(other)).toEqual(["notes.txt"]);

    const runDir = path.join(root, "a-run");
    mkdirSync(runDir);
    const { planRun, TrainOptions } = await import("../src/settings.js");
    const { RunSpec } = await import("../src/run.js");
    const plan = await planRun(TrainOptions.parse({ algo: "td3", env: "Pendulum-v1", steps: 1000, out: runDir }), root);
    writeFileSync(path.join(runDir, "run.json"), JSON.stringify(RunSpec.parse(plan.spec)));
    const again = await run(train(runDir, "--set", "actorLr=1e-3"));
    expect(again.code).toBe(2);
    expect(again.output).toMatch(/holds a run with other settings \(config\.actorLr differ/);
    const longer = await run(["train", "--algo", "td3", "--env", "Pendulum-v1", "--steps", "2000", "--out", runDir]);
    expect(longer.code).toBe(2);
    expect(longer.output).toMatch(/\(steps, .*differ\)/);
    expect(readdirSync(runDir)).toEqual(["run.json"]);

    // A run directory another live qscape is training (here: the lock names this test's parent, alive).
    writeFileSync(path.join(runDir, "train.lock"), `${process.ppid}\n`);
    const busy = await run(train(runDir));
    expect(busy.code).toBe(2);
    expect(busy.output).toMatch(new RegExp(`being trained by another qscape \\(pid ${process.ppid}\\)`));
  });
});
