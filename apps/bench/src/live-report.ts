/**
 * The report, rewritten while a long suite runs: after a run finishes, at most once every
 * `everyMinutes`, `report.html` is written again from what the store holds (atomically, like the
 * final one), so a user can watch a suite of many hours by reloading one page.
 */
import type { Progress, RunProgress } from "./progress.js";

export class LiveReport implements Progress {
  private lastWrite = performance.now();
  private pending = false;

  constructor(
    private readonly inner: Progress,
    private readonly everyMinutes: number,
    private readonly write: () => void,
    private readonly onError: (err: Error) => void = () => {},
  ) {}

  start(runs: number, skipped: number): void {
    this.inner.start(runs, skipped);
  }

  update(runId: number, p: Partial<RunProgress>): void {
    this.inner.update(runId, p);
  }

  finish(runId: number, error: string | null, stopped?: string): void {
    this.inner.finish(runId, error, stopped);
    if (error !== null || stopped !== undefined || this.everyMinutes <= 0) return;
    this.pending = true;
    if (performance.now() - this.lastWrite < this.everyMinutes * 60_000) return;
    this.flush();
  }

  /** Write now if a run finished since the last write. */
  flush(): void {
    if (!this.pending) return;
    this.pending = false;
    this.lastWrite = performance.now();
    try {
      this.write();
    } catch (err) {
      // A report that cannot be written now (no run finished on every env yet, a full disk) is
      // written at the end or at the next finish; the runs go on.
      this.onError(err as Error);
    }
  }

  stop(): void {
    this.inner.stop();
  }
}
