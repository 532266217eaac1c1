/**
 * The "done when", tested as a user runs it: `qscape train` on TD3 / Pendulum as a real
 * child process in its own process group, SIGKILLed as a whole mid-run, then the same command again.
 * The rerun must resume from the checkpoint (not start over); stopped by Ctrl-C it checkpoints and
 * exits 130, and the third run finishes with exactly the logs and evaluations of a run that was
 * never interrupted. `qscape evaluate` on the kept model must repeat
 * the run's last evaluation number for number, and `qscape enjoy` must write a 50-frame GIF of
 * frames that are not all the same.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { checkpointExists, loadCheckpoint } from "@qscape/core";
import { describe, expect, it } from "vitest";
import { meanStd } from "../src/numbers.js";
import { EvaluationOutput } from "../src/policy.js";
import { readEvaluations, TrainingCheckpoint } from "../src/run.js";
import { readGif } from "./gif-reader.js";

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const main = path.join(pkgDir, "src/main.ts");
// One process, as the published bin runs: tsx's loader in it, not the tsx command, whose launcher
// SIGKILLs a child that does not answer Ctrl-C within 60 ms.
const tsxLoader = pathToFileURL(path.resolve(pkgDir, "../../node_modules/tsx/dist/loader.mjs")).href;
const root = mkdtempSync(path.join(os.tmpdir(), "qscape-cli-"));

const STEPS = 2400;
const trainArgs = (out: string) => [
  "train",
  "--algo",
  "td3",
  "--env",
  "Pendulum-v1",
  "--steps",
  String(STEPS),
  "--seed",
  "3",
  // Small networks and batches keep the test short; the path through the code is the same.
  "--hidden",
  "64,64",
  "--set",
  "batchSize=64",
  "--warmup-steps",
  "400",
  "--eval-every",
  "600",
  "--eval-episodes",
  "3",
  "--checkpoint-every",
  "400",
  "--log-interval",
  "1",
  "--out",
  out,
];

interface Proc {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

/** Starts `qscape ARGS` as the leader of a new process group, as a shell starts a command. */
function qscape(args: string[]): Proc {
  const child = spawn(process.execPath, ["--import", tsxLoader, "--conditions=@qscape/source", main, ...args], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function finish(p: Proc): Promise<string> {
  const code = await p.exited;
  if (code !== 0) throw new Error(`qscape exited with ${code}:\n${p.output()}`);
  return p.output();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("qscape train → kill → resume → evaluate → enjoy (TD3 on Pendulum-v1)", () => {
  const killed = path.join(root, "killed");
  const whole = path.join(root, "uninterrupted");

  it("resumes a run SIGKILLed as a process group, then stopped by Ctrl-C, and ends as an uninterrupted run does", async () => {
    const first = qscape(trainArgs(killed));
    // Kill once a checkpoint exists and the run has gone on past it (an evaluation after it is logged).
    for (;;) {
      await sleep(100);
      if (first.child.exitCode !== null) throw new Error(`the run ended before it was killed:\n${first.output()}`);
      const evals = existsSync(path.join(killed, "evaluations.jsonl")) ? readEvaluations(killed) : [];
      if (checkpointExists(path.join(killed, "checkpoint")) && evals.length >= 3) {
        process.kill(-(first.child.pid as number), "SIGKILL");
        break;
      }
    }
    await first.exited;
    const killedAt = TrainingCheckpoint.parse(loadCheckpoint(path.join(killed, "checkpoint"))).model.step;
    expect(killedAt).toBeGreaterThan(0);
    expect(killedAt).toBeLessThan(STEPS);
    expect(existsSync(path.join(killed, "last"))).toBe(false);

    // The same command resumes; Ctrl-C (SIGINT to the group) then stops it at an episode end with a checkpoint.
    const second = qscape(trainArgs(killed));
    while (!/eval at step 1800:/.test(second.output())) {
      if (second.child.exitCode !== null) throw new Error(`the run ended before Ctrl-C:\n${second.output()}`);
      await sleep(100);
    }
    process.kill(-(second.child.pid as number), "SIGINT");
    expect(await second.exited, second.output()).toBe(130);
    expect(second.output()).toContain(`resumed from step ${killedAt}`);
    // Resumed, not restarted: the untrained policy's evaluation (step 0) is not made again.
    expect(second.output()).not.toContain("eval at step 0:");
    const stoppedAt = Number(/stopped at step (\d+), checkpoint saved/.exec(second.output())?.[1]);
    expect(stoppedAt, second.output()).toBeGreaterThanOrEqual(1800);

    const third = await finish(qscape(trainArgs(killed)));
    expect(third).toContain(`resumed from step ${stoppedAt}`);
    expect(third).toMatch(/done: 2400 steps/);

    const reference = await finish(qscape(trainArgs(whole)));
    expect(reference).toContain("eval at step 0:");
    const evals = readEvaluations(killed);
    expect(evals.map((e) => e.step)).toEqual([0, 600, 1200, 1800, 2400]);
    expect(evals).toEqual(readEvaluations(whole));
    // Every metric row once, in order, the same as the uninterrupted run's (losses, returns, evaluations).
    for (const file of ["metrics.csv", "metrics.jsonl"]) {
      expect(readFileSync(path.join(killed, file), "utf8")).toBe(readFileSync(path.join(whole, file), "utf8"));
    }
    expect(existsSync(path.join(killed, "checkpoint"))).toBe(false);
    for (const m of ["best", "last"]) expect(checkpointExists(path.join(killed, m))).toBe(true);

    // The same command once more: the run is finished, nothing is retrained.
    expect(await finish(qscape(trainArgs(killed)))).toContain("already finished");
  }, 600_000);

  it("qscape evaluate repeats the run's last evaluation number for number", async () => {
    const out = await finish(qscape(["evaluate", killed, "--json"]));
    const result = EvaluationOutput.parse(JSON.parse(out.trim().split("\n").at(-1) ?? ""));
    const last = readEvaluations(killed).at(-1);
    expect(result).toMatchObject({ kind: "last", algo: "td3", env: "Pendulum-v1", step: STEPS });
    expect(result.seeds).toEqual(last?.seeds);
    expect(result.returns).toEqual(last?.returns);
    expect(result.mean).toBe(last?.mean);
    expect(result.std).toBe(last?.std);
    // The human-readable form prints the same mean ± std.
    const text = await finish(qscape(["evaluate", killed]));
    expect(text).toContain(meanStd(last?.mean ?? 0, last?.std ?? 0));
  }, 300_000);

  it("qscape enjoy writes a 50-frame GIF whose frames are not all identical", async () => {
    const gifPath = path.join(root, "pendulum.gif");
    const out = await finish(qscape(["enjoy", killed, "--episodes", "1", "--frames", "50", "--out", gifPath]));
    expect(out).toContain("50 frames");
    const gif = readGif(readFileSync(gifPath));
    expect(gif.frames).toHaveLength(50);
    expect(gif.width * gif.height).toBeGreaterThan(0);
    const first = Buffer.from(gif.frames[0] as Uint8Array);
    const differing = gif.frames.filter((f) => !first.equals(Buffer.from(f))).length;
    // The pendulum moves: most frames differ from the first.
    expect(differing).toBeGreaterThan(25);
  }, 300_000);
});
