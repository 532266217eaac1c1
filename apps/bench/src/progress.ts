/**
 * Live progress: on a terminal, one bar per running worker (env steps, episodes, latest evaluation,
 * ETA) and a suite total, redrawn in place; in quiet mode (CI logs, pipes) one line per finished run.
 */
export interface RunProgress {
  label: string;
  env: string;
  seed: number;
  total: number;
  step: number;
  episodes: number;
  lastEval: number | null;
  startedAt: number;
}

export interface Progress {
  start(runs: number, skipped: number): void;
  update(runId: number, p: Partial<RunProgress>): void;
  /** A run ended: finished (error null), failed, or stopped on request (`stopped` says how). */
  finish(runId: number, error: string | null, stopped?: string): void;
  stop(): void;
}

const fmtTime = (s: number): string => {
  if (!Number.isFinite(s) || s < 0) return "--:--";
  const m = Math.floor(s / 60);
  const sec = Math.floor(s % 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m` : `${m}:${String(sec).padStart(2, "0")}`;
};

const bar = (frac: number, width: number): string => {
  const n = Math.round(Math.max(0, Math.min(1, frac)) * width);
  return `${"█".repeat(n)}${"░".repeat(width - n)}`;
};

export class ConsoleProgress implements Progress {
  private readonly runs = new Map<number, RunProgress>();
  private total = 0;
  private done = 0;
  private failed = 0;
  private stopped = 0;
  private skipped = 0;
  private t0 = 0;
  private timer: NodeJS.Timeout | null = null;
  private drawnLines = 0;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly quiet = !out.isTTY,
  ) {}

  start(runs: number, skipped: number): void {
    // One start per suite: calibration runs several through one progress, each counted from 1.
    this.total = runs;
    this.done = 0;
    this.failed = 0;
    this.stopped = 0;
    this.skipped = skipped;
    this.t0 = performance.now();
    this.out.write(`${runs} run(s) to do${skipped ? `, ${skipped} already finished (skipped)` : ""}\n`);
    if (!this.quiet) this.timer = setInterval(() => this.draw(), 250);
  }

  update(runId: number, p: Partial<RunProgress>): void {
    const cur = this.runs.get(runId) ?? {
      label: "?",
      env: "?",
      seed: 0,
      total: 1,
      step: 0,
      episodes: 0,
      lastEval: null,
      startedAt: performance.now(),
    };
    this.runs.set(runId, { ...cur, ...p });
  }

  finish(runId: number, error: string | null, stopped?: string): void {
    const r = this.runs.get(runId);
    this.runs.delete(runId);
    const name = r ? `${r.label} on ${r.env} seed ${r.seed}` : `run ${runId}`;
    const elapsed = r ? (performance.now() - r.startedAt) / 1000 : 0;
    this.clear();
    if (stopped) {
      this.stopped += 1;
      this.out.write(`[stopped] ${name} ${stopped}\n`);
      return;
    }
    if (error) this.failed += 1;
    else this.done += 1;
    const line = error
      ? `✗ ${name} failed after ${fmtTime(elapsed)}: ${error}`
      : `✓ ${name} in ${fmtTime(elapsed)}${r?.lastEval != null ? `, final eval ${r.lastEval.toFixed(1)}` : ""}`;
    this.out.write(`[${this.done + this.failed}/${this.total}] ${line}\n`);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.clear();
    const secs = (performance.now() - this.t0) / 1000;
    this.out.write(
      `done: ${this.done} finished, ${this.failed} failed, ${this.skipped} skipped${this.stopped ? `, ${this.stopped} stopped` : ""} in ${fmtTime(secs)}\n`,
    );
  }

  private clear(): void {
    if (this.quiet || this.drawnLines === 0) return;
    this.out.write(`\x1b[${this.drawnLines}A\x1b[0J`);
    this.drawnLines = 0;
  }

  private draw(): void {
    this.clear();
    const lines: string[] = [];
    for (const r of this.runs.values()) {
      const frac = r.step / r.total;
      const elapsed = (performance.now() - r.startedAt) / 1000;
      const eta = frac > 0.01 ? (elapsed / frac) * (1 - frac) : Number.NaN;
      const ev = r.lastEval != null ? r.lastEval.toFixed(1) : "–";
      lines.push(
        `${`${r.label}/${r.env}/s${r.seed}`.slice(0, 44).padEnd(44)} ${bar(frac, 24)} ${String(r.step).padStart(7)}/${r.total} ep ${String(r.episodes).padStart(4)} eval ${ev.padStart(8)} eta ${fmtTime(eta)}`,
      );
    }
    const finished = this.done + this.failed;
    const inFlight = [...this.runs.values()].reduce((a, r) => a + r.step / r.total, 0);
    const frac = this.total > 0 ? (finished + inFlight) / this.total : 1;
    const elapsed = (performance.now() - this.t0) / 1000;
    const eta = frac > 0.01 ? (elapsed / frac) * (1 - frac) : Number.NaN;
    lines.push(
      `suite ${bar(frac, 40)} ${finished}/${this.total} runs, ${fmtTime(elapsed)} elapsed, eta ${fmtTime(eta)}`,
    );
    this.out.write(`${lines.join("\n")}\n`);
    this.drawnLines = lines.length;
  }
}
