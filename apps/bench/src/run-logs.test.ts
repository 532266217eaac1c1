import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type RunKey, RunLogs } from "./run-logs.js";

const task: RunKey = { label: "td3 big", env: "dmc/cheetah-run", seed: 2 };

describe("per-run live logs", () => {
  it("append as reported, and a resumed run cuts them back to its checkpoint's step", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "qscape-runlogs-"));
    const logs = new RunLogs(root);
    const dir = logs.dirOf(task);
    expect(dir).toBe(path.join(root, "td3_big", "dmc_cheetah-run", "seed-2"));
    logs.start(task, null);
    logs.evaluation(task, 0, [1, 3], null);
    logs.metrics(task, [
      { step: 100, name: "episode/return", value: -5 },
      { step: 200, name: "train/criticLoss", value: 0.5 },
    ]);
    logs.evaluation(task, 200, [2, 4], 0.5);
    logs.metrics(task, [{ step: 300, name: "episode/return", value: -4 }]);
    expect(readFileSync(path.join(dir, "metrics.csv"), "utf8")).toBe(
      "step,name,value\n100,episode/return,-5\n200,train/criticLoss,0.5\n300,episode/return,-4\n",
    );
    const evals = readFileSync(path.join(dir, "evaluations.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(evals).toEqual([
      { step: 0, mean: 2, returns: [1, 3], success: null },
      { step: 200, mean: 3, returns: [2, 4], success: 0.5 },
    ]);

    // Killed with a torn last line, then resumed from a checkpoint at step 200.
    writeFileSync(
      path.join(dir, "metrics.jsonl"),
      `${readFileSync(path.join(dir, "metrics.jsonl"), "utf8")}{"step":40`,
    );
    logs.start(task, 200);
    expect(readFileSync(path.join(dir, "metrics.csv"), "utf8")).toBe(
      "step,name,value\n100,episode/return,-5\n200,train/criticLoss,0.5\n",
    );
    expect(readFileSync(path.join(dir, "metrics.jsonl"), "utf8").trim().split("\n")).toHaveLength(2);
    expect(readFileSync(path.join(dir, "evaluations.jsonl"), "utf8").trim().split("\n")).toHaveLength(2);

    // Started over (killed before its first checkpoint): empty again.
    logs.start(task, null);
    expect(readFileSync(path.join(dir, "metrics.csv"), "utf8")).toBe("step,name,value\n");
    expect(readFileSync(path.join(dir, "evaluations.jsonl"), "utf8")).toBe("");
  });

  it("a failed write warns once and stops the logs, without throwing", () => {
    const warnings: string[] = [];
    const root = mkdtempSync(path.join(os.tmpdir(), "qscape-runlogs-"));
    writeFileSync(path.join(root, "runs"), "a file where the folder should be");
    const logs = new RunLogs(path.join(root, "runs"), (m) => warnings.push(m));
    logs.start(task, null);
    logs.metrics(task, [{ step: 1, name: "x", value: 1 }]);
    expect(warnings).toHaveLength(1);
  });
});
