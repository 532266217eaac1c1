#!/usr/bin/env node
/**
 * Process entry of `qscape`: wires the command to stdout/stderr and to Ctrl-C / SIGTERM. A first
 * signal asks the run to checkpoint and stop at the next episode end; a second exits at once.
 *
 * Run it in one process (`node bin/qscape.js`, or `node --import tsx src/main.ts` from source), not
 * under the `tsx` command: that launcher relays Ctrl-C to its child and SIGKILLs it unless the child
 * answers within 60 ms, which a process busy in a training step cannot.
 */
import { main } from "./cli.js";

let stop: "INT" | "TERM" | null = null;
let stopAt = 0;
for (const [signal, name] of [
  ["SIGINT", "INT"],
  ["SIGTERM", "TERM"],
] as const) {
  process.on(signal, () => {
    // Ctrl-C signals the whole process group, and a launcher in it (pnpm, tsx) may pass the same
    // signal on: copies within half a second are one press.
    if (stop !== null && performance.now() - stopAt < 500) return;
    if (stop !== null) process.exit(name === "INT" ? 130 : 143);
    stop = name;
    stopAt = performance.now();
  });
}

// `pnpm qscape …` (the repository's script of that name) runs in the repository root; INIT_CWD is
// where the user typed it. Anywhere else paths are relative to the process's own directory.
const cwd = (process.env.npm_lifecycle_event === "qscape" ? process.env.INIT_CWD : undefined) ?? process.cwd();
const out = process.stdout;
const code = await main(
  process.argv.slice(2),
  { write: (t) => void out.write(t), tty: out.isTTY === true, columns: out.columns },
  cwd,
  {
    stop: () => stop,
  },
).catch((err: unknown) => {
  process.stderr.write(`qscape: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 1;
});
// Let stdout drain before exiting (a pipe may still hold the last lines).
out.write("", () => process.exit(code));
