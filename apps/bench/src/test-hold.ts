/**
 * Crash-test hook. With QSCAPE_TEST_HOLD=<phase>:<file> in its environment, a bench process that
 * reaches <phase> ("checkpoint": a checkpoint written but not yet committed; "report": between the
 * report's files) writes its pid to <file> and stops there for two minutes, so a test can kill it
 * at exactly that moment. Without the variable it does nothing.
 */
import { existsSync, writeFileSync } from "node:fs";

export function holdForTest(phase: string): void {
  const spec = process.env.QSCAPE_TEST_HOLD;
  if (!spec) return;
  const at = spec.indexOf(":");
  const file = spec.slice(at + 1);
  if (spec.slice(0, at) !== phase || existsSync(file)) return;
  writeFileSync(file, String(process.pid));
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000);
}
