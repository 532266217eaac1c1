/**
 * The PyTorch TD3 peer (a TD3 update script in PyTorch, Fujimoto et al. 2018, whose path the caller passes) that
 * `bench:core`, `bench:native` and `bench:baselines` measure against, run as a child process. Installs it with apt when missing
 * (python3-torch and the pthread OpenBLAS; Debian's reference BLAS would make it ~20× slower).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export type TorchPeerResult = { updatesPerSec: number; version: string } | { error: string };

/** Null when the peer can run, else why not (after trying apt-get unless QSCAPE_BENCH_NO_APT is set). */
function ensureTorchPeer(script: string): string | null {
  if (!existsSync(script)) return `peer script not found at ${script}`;
  const hasTorch = spawnSync("/usr/bin/python3", ["-c", "import torch"]).status === 0;
  const hasBlas =
    existsSync("/usr/lib/x86_64-linux-gnu/openblas-pthread") ||
    existsSync("/usr/lib/aarch64-linux-gnu/openblas-pthread");
  if (hasTorch && hasBlas) return null;
  if (process.env.QSCAPE_BENCH_NO_APT) return "python3-torch/libopenblas0-pthread missing (QSCAPE_BENCH_NO_APT set)";
  try {
    process.stderr.write("installing python3-torch and libopenblas0-pthread for the PyTorch peer (apt-get)…\n");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    execFileSync("apt-get", ["update", "-qq"], { stdio: "ignore", env });
    execFileSync("apt-get", ["install", "-y", "-qq", "python3-torch", "libopenblas0-pthread"], {
      stdio: "ignore",
      env,
    });
    return null;
  } catch (err) {
    return `could not install the peer: ${(err as Error).message.split("\n")[0]}`;
  }
}

/**
 * TD3 updates/s of the peer (obs 11, one torch thread). `blasThreads: "1"` (default) is the matched
 * comparison: ours runs one BLAS thread per process, and `torch.set_num_threads(1)` does not reach
 * Debian's OpenBLAS (torch is built with BLAS_INFO=generic), whose pthread pool otherwise takes
 * every core (1.8 cores busy on the 2-core machine). "default" leaves the pool alone, for reference.
 */
export function runTorchPeer(script: string, blasThreads: "1" | "default" = "1"): TorchPeerResult {
  const missing = ensureTorchPeer(script);
  if (missing) return { error: missing };
  const env = { ...process.env };
  if (blasThreads === "1") Object.assign(env, { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1" });
  const res = spawnSync("/usr/bin/python3", [script, "11", "1"], { encoding: "utf8", timeout: 900_000, env });
  const m = /torch (\S+) threads=\d+ td3 updates\/s ([\d.]+)/.exec(res.stdout ?? "");
  if (!m)
    return { error: `peer printed no figure: ${`${res.stderr ?? ""}${res.stdout ?? ""}`.trim().split("\n").at(-1)}` };
  return { version: m[1] as string, updatesPerSec: Number(m[2]) };
}
