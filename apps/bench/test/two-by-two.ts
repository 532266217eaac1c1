/**
 * The small suite the crash and Slurm tests run (two learners × two seeds, 1,600 steps, an
 * evaluation every 400: 5 per run), and every stored number of a results folder, keyed so two
 * stores can be compared row for row.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { checkpointExists } from "@qscape/core";
import { openResults } from "../src/db/index.js";

export const RUNS = 4;
export const EVALS_PER_RUN = 5;

/** Writes the suite as a suite file; `extra` adds fields (e.g. a `slurm` section). */
export function writeTwoByTwoSuite(file: string, name: string, description: string, extra: object = {}): void {
  writeFileSync(
    file,
    `export default ${JSON.stringify({
      name,
      description,
      estimatedMinutes: 1,
      algorithms: [{ algo: "td3" }, { algo: "ddpg" }],
      envs: [{ id: "Pendulum-v1" }],
      seeds: [0, 1],
      budget: { envSteps: 1600, warmupSteps: 200 },
      evaluation: { every: 400, episodes: 2 },
      hidden: [32, 32],
      ...extra,
    })};\n`,
  );
}

/** Every stored evaluation (each action split's too) and metric of `suite` in `out` (empty before the store exists); read-only, beside a running writer. */
export function storedRows(out: string, suite: string): Map<string, string> {
  const file = path.join(out, "results.db");
  const map = new Map<string, string>();
  if (!existsSync(file)) return map;
  const db = openResults(file, { readonly: true });
  try {
    const splits = db.evaluationSplits(suite);
    for (const run of db.listRuns(suite)) {
      const key = `${run.algo}/${run.seed}`;
      for (const e of db.evaluations(run.id)) map.set(`eval ${key} ${e.step}`, JSON.stringify(e));
      for (const split of splits)
        for (const e of db.evaluations(run.id, split)) map.set(`eval[${split}] ${key} ${e.step}`, JSON.stringify(e));
      for (const m of db.metrics(run.id)) map.set(`metric ${key} ${m.name} ${m.step}`, String(m.value));
    }
  } finally {
    db.close();
  }
  return map;
}

/**
 * Runs `command args` in its own process group and SIGKILLs the whole group as soon as a run under
 * `out` has a committed checkpoint; resolves once it has exited.
 */
export async function killOnceCheckpointed(command: string, args: string[], cwd: string, out: string): Promise<void> {
  const child = spawn(command, args, { cwd, detached: true, stdio: "ignore" });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const checkpoints = path.join(out, "checkpoints");
  const t0 = Date.now();
  while (
    !(existsSync(checkpoints) && readdirSync(checkpoints).some((r) => checkpointExists(path.join(checkpoints, r))))
  ) {
    if (Date.now() - t0 > 120_000) throw new Error("no checkpoint within 120 s");
    await new Promise((r) => setTimeout(r, 50));
  }
  process.kill(-(child.pid as number), "SIGKILL");
  await exited;
}
