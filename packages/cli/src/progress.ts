/**
 * Live training progress: env steps, steps per second, recent episode return, the latest
 * evaluation and training losses. On a terminal one status line is redrawn in place; elsewhere
 * (a pipe, a log file, CI) a plain line is printed every `interval` seconds, so a log shows the
 * run's pace without drowning it. Evaluations always get a line of their own.
 */
import { meanStd } from "./numbers.js";
export interface ProgressState {
  step: number;
  total: number;
  episodes: number;
  /** Mean return of the last few training episodes (null before the first one ends). */
  recentReturn: number | null;
  /** Latest value of each training metric (losses, α, …). */
  losses: ReadonlyMap<string, number>;
  lastEval: { mean: number; std: number } | null;
  bestEval: number | null;
}

export interface ProgressOptions {
  /** Seconds between plain lines when not on a terminal. */
  interval: number;
  tty: boolean;
  /** Terminal width: the redrawn line is cut to it, since a wrapped line cannot be redrawn in place. */
  columns?: number;
  /** Print nothing but evaluations and the summary. */
  quiet?: boolean;
}

const fmt = (v: number): string => {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return v.toFixed(a >= 100 ? 1 : 3);
};

export function formatTime(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "--:--";
  const m = Math.floor(s / 60);
  const sec = Math.floor(s % 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m` : `${m}:${String(sec).padStart(2, "0")}`;
}

export class TrainProgress {
  private t0 = performance.now();
  private lastPrint = performance.now();
  private lastStep: number;
  private startStep: number;
  private drawn = false;
  private printed = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly options: ProgressOptions,
    startStep: number,
  ) {
    this.lastStep = startStep;
    this.startStep = startStep;
  }

  /** Steps/s and ETA count from here (a resumed run starts at its checkpoint's step). */
  restart(step: number): void {
    this.t0 = performance.now();
    this.lastPrint = this.t0;
    this.lastStep = step;
    this.startStep = step;
  }

  /** Called often; prints when a line is due. */
  tick(s: ProgressState, force = false): void {
    if (this.options.quiet) return;
    const now = performance.now();
    const due = this.options.tty ? 0.25 : this.options.interval;
    if (!force && (now - this.lastPrint) / 1000 < due) return;
    // A forced line at the end says nothing new when the last one was at this very step.
    if (force && this.printed && s.step === this.lastStep) return;
    this.printed = true;
    const fps = (s.step - this.lastStep) / Math.max(1e-6, (now - this.lastPrint) / 1000);
    const overall = (s.step - this.startStep) / Math.max(1e-6, (now - this.t0) / 1000);
    const eta = overall > 0 ? (s.total - s.step) / overall : Number.NaN;
    this.lastPrint = now;
    this.lastStep = s.step;
    const parts = [
      `step ${s.step}/${s.total} (${((100 * s.step) / s.total).toFixed(0)}%)`,
      `${fps.toFixed(0)} steps/s`,
      `episodes ${s.episodes}`,
      `return ${s.recentReturn === null ? "–" : fmt(s.recentReturn)}`,
      `eval ${s.lastEval === null ? "–" : meanStd(s.lastEval.mean, s.lastEval.std)}`,
    ];
    if (s.bestEval !== null) parts.push(`best ${fmt(s.bestEval)}`);
    const losses = [...s.losses].map(([k, v]) => `${k.replace(/^train\//, "")} ${fmt(v)}`).join(" ");
    if (losses) parts.push(losses);
    parts.push(`eta ${formatTime(eta)}`);
    const line = parts.join(" | ");
    if (this.options.tty) {
      const width = this.options.columns ?? 0;
      this.write(`\r\x1b[2K${width > 1 && line.length >= width ? `${line.slice(0, width - 2)}…` : line}`);
      this.drawn = true;
    } else this.write(`${line}\n`);
  }

  /** A line that stays (evaluations, notices), printed above the status line on a terminal. */
  line(text: string): void {
    this.clear();
    this.write(`${text}\n`);
  }

  end(): void {
    this.clear();
  }

  private clear(): void {
    if (this.drawn) this.write("\r\x1b[2K");
    this.drawn = false;
  }
}
