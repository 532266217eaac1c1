import { describe, expect, it } from "vitest";
import { LiveReport } from "./live-report.js";
import type { Progress } from "./progress.js";

const quiet: Progress = { start() {}, update() {}, finish() {}, stop() {} };

describe("LiveReport", () => {
  it("rewrites the report after a finished run, at most once per interval, never for failed or stopped runs", () => {
    let writes = 0;
    const every = new LiveReport(quiet, 1e-9, () => {
      writes += 1;
    });
    every.finish(1, null);
    every.finish(2, "boom");
    every.finish(3, null, "SIGINT");
    expect(writes).toBe(1);
    every.finish(4, null);
    expect(writes).toBe(2);

    let hourly = 0;
    const slow = new LiveReport(quiet, 60, () => {
      hourly += 1;
    });
    slow.finish(1, null);
    expect(hourly).toBe(0);
    slow.flush();
    slow.flush();
    expect(hourly).toBe(1);

    let never = 0;
    new LiveReport(quiet, 0, () => {
      never += 1;
    }).finish(1, null);
    expect(never).toBe(0);
  });

  it("a report that cannot be written is reported, not thrown: the runs go on", () => {
    const errors: string[] = [];
    const live = new LiveReport(
      quiet,
      1e-9,
      () => {
        throw new Error("ENOSPC: no space left on device");
      },
      (e) => errors.push(e.message),
    );
    expect(() => live.finish(1, null)).not.toThrow();
    expect(errors).toEqual(["ENOSPC: no space left on device"]);
  });
});
