/**
 * An owner file: "this process writes that store". Created atomically with its content (written
 * under a temporary name, then hard-linked to the final name, which fails if it exists), removed
 * on release and at process exit. A file left by a process that was killed is recognised as stale
 * — on the same host, its pid is gone or now belongs to a process that started later — and
 * replaced; otherwise the second writer is refused with the owner's pid, host, start time and
 * command.
 */
import { randomBytes } from "node:crypto";
import { existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import { QscapeError } from "@qscape/core";

export interface OwnerInfo {
  pid: number;
  host: string;
  /** ISO time the owner took the store. */
  since: string;
  command: string;
  /** Linux: the process's start time in clock ticks since boot, and the boot id — to tell pid reuse apart. */
  procStart?: string;
  bootId?: string;
  token: string;
}

/** The store is being written by another live process. */
export class ResultsLockedError extends QscapeError {
  constructor(
    message: string,
    readonly owner: OwnerInfo,
  ) {
    super(message);
  }
}

/** Linux /proc/<pid>/stat fields after the command name (which may hold spaces): state is [0], starttime [19]. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

const procStartOf = (pid: number): string | undefined => procStat(pid)?.[19];

function bootId(): string | undefined {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return undefined;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether the process that wrote `owner` is certainly gone (same host only; another host cannot be checked). */
export function ownerIsGone(owner: OwnerInfo): boolean {
  if (owner.host !== os.hostname()) return false;
  const boot = bootId();
  if (owner.bootId && boot && owner.bootId !== boot) return true;
  if (!pidAlive(owner.pid)) return true;
  const stat = procStat(owner.pid);
  if (stat?.[0] === "Z" || stat?.[0] === "X") return true; // killed, not yet reaped
  const start = stat?.[19];
  return owner.procStart !== undefined && start !== undefined && start !== owner.procStart;
}

const held = new Set<OwnerLock>();
process.on("exit", () => {
  for (const lock of held) lock.release();
});

export class OwnerLock {
  private constructor(
    readonly file: string,
    readonly info: OwnerInfo,
  ) {}

  /** Takes the owner file for this process, replacing a stale one; `what` names the resource in errors. */
  static acquire(file: string, what: string): OwnerLock {
    const info: OwnerInfo = {
      pid: process.pid,
      host: os.hostname(),
      since: new Date().toISOString(),
      command: process.argv.slice(1).join(" ").slice(0, 300),
      token: randomBytes(8).toString("hex"),
    };
    const procStart = procStartOf(process.pid);
    const boot = bootId();
    if (procStart) info.procStart = procStart;
    if (boot) info.bootId = boot;
    const temp = `${file}.${process.pid}.${info.token}`;
    writeFileSync(temp, `${JSON.stringify(info, null, 2)}\n`);
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          linkSync(temp, file);
          const lock = new OwnerLock(file, info);
          held.add(lock);
          return lock;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        }
        const owner = readOwner(file);
        if (owner === null) {
          // Released in the meantime (try again), or not an owner file: replace it.
          if (existsSync(file)) unlinkQuiet(file);
          continue;
        }
        if (ownerIsGone(owner)) {
          unlinkQuiet(file); // left by a process that was killed
          continue;
        }
        throw new ResultsLockedError(
          `${what} is in use by pid ${owner.pid} on ${owner.host} since ${owner.since} (${owner.command}); ` +
            `wait for it to finish or stop it, then run again${owner.host !== os.hostname() ? ` (if that process is gone, delete ${file})` : ""}`,
          owner,
        );
      }
      throw new QscapeError(`${what}: could not take its owner file ${file}`);
    } finally {
      unlinkQuiet(temp);
    }
  }

  /** Removes the owner file if it is still this process's. */
  release(): void {
    held.delete(this);
    if (readOwner(this.file)?.token === this.info.token) unlinkQuiet(this.file);
  }
}

function readOwner(file: string): OwnerInfo | null {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<OwnerInfo>;
    return typeof parsed.pid === "number" && typeof parsed.host === "string" ? (parsed as OwnerInfo) : null;
  } catch {
    return null;
  }
}

function unlinkQuiet(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
