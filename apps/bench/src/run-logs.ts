/**
 * Per-run live logs next to results.db, for following one run while a suite goes on (`tail -f`,
 * pandas, a spreadsheet): `runs/<label>/<env>/seed-<seed>/metrics.csv` and `metrics.jsonl`
 * (step,name,value rows: episode returns, losses, evaluation means) and `evaluations.jsonl` (one line per
 * evaluation with its episode returns), appended as the worker reports them.
 *
 * results.db stays the record; these files are a view of it. A run that resumes from a checkpoint
 * at step s re-makes what came after s, so its files are first cut back to the rows at or before s
 * (those were reported before the checkpoint), and a run that starts over starts them empty.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { RunTask } from "./suite.js";

const CSV_HEADER = "step,name,value\n";
const safe = (s: string) => s.replace(/[^\w.-]+/g, "_");

/** What names a run's folder. */
export type RunKey = Pick<RunTask, "label" | "env" | "seed">;

export class RunLogs {
  private failed = false;

  constructor(
    private readonly root: string,
    private readonly warn: (message: string) => void = (m) => console.error(m),
  ) {}

  dirOf(task: RunKey): string {
    return path.join(this.root, safe(task.label), safe(task.env), `seed-${task.seed}`);
  }

  /** A run (re)started: from scratch (resumedFrom null) or from a checkpoint at that step. */
  start(task: RunKey, resumedFrom: number | null): void {
    this.guard(() => {
      const dir = this.dirOf(task);
      mkdirSync(dir, { recursive: true });
      const keep = (line: string, step: (l: string) => number) => resumedFrom !== null && step(line) <= resumedFrom;
      const csvStep = (l: string) => Number(l.slice(0, l.indexOf(",")));
      const jsonStep = (l: string) => Number((JSON.parse(l) as { step?: unknown }).step);
      const cut = (file: string, step: (l: string) => number, header = "") => {
        const lines = existsSync(file)
          ? readFileSync(file, "utf8")
              .split("\n")
              .slice(header ? 1 : 0)
          : [];
        // A torn last line (killed mid-write) has no newline after it and is dropped with the rest.
        const kept = lines.slice(0, -1).filter((l) => l !== "" && keep(l, step));
        writeFileSync(file, header + kept.map((l) => `${l}\n`).join(""));
      };
      cut(path.join(dir, "metrics.csv"), csvStep, CSV_HEADER);
      cut(path.join(dir, "metrics.jsonl"), jsonStep);
      cut(path.join(dir, "evaluations.jsonl"), jsonStep);
    });
  }

  metrics(task: RunKey, rows: readonly { step: number; name: string; value: number }[]): void {
    this.guard(() => {
      const dir = this.dirOf(task);
      appendFileSync(path.join(dir, "metrics.csv"), rows.map((r) => `${r.step},${r.name},${r.value}\n`).join(""));
      appendFileSync(path.join(dir, "metrics.jsonl"), rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
    });
  }

  evaluation(task: RunKey, step: number, returns: readonly number[], success: number | null): void {
    this.guard(() => {
      const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
      const line = JSON.stringify({ step, mean, returns, success });
      appendFileSync(path.join(this.dirOf(task), "evaluations.jsonl"), `${line}\n`);
    });
  }

  /** The logs are a convenience: a failed write warns once and stops them; the results store decides the run. */
  private guard(write: () => void): void {
    if (this.failed) return;
    try {
      write();
    } catch (err) {
      this.failed = true;
      this.warn(`per-run logs in ${this.root} stopped: ${(err as Error).message}`);
    }
  }
}
