/**
 * Benchmarks for the MuJoCo part of @qscape/envs:
 * - env steps/s with uniformly random actions for every registered v5 task (resetting on episode end);
 * - raw physics steps/s (`mj_step` only) of the Hopper model in the WASM build, side by side with native
 *   MuJoCo's `mujoco-testspeed` (Debian `libmujoco-samples`, MuJoCo 2.2.2) on the same MJCF file;
 * - the per-step overhead of `make("Hopper-v5")`'s wrappers over the bare `HopperEnv`;
 * - the Monte Carlo valid fraction of every restricted task's action box.
 * Rounds alternate between the compared runs so that load from other processes hits both alike.
 *
 *   tsx --conditions=@qscape/source packages/envs/bench/mujoco.ts [--quick]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "@qscape/core";
import { findWrapper, MUJOCO_TASKS, make, RestrictedActionWrapper } from "../src/index.js";
import {
  ANT_XML,
  HALF_CHEETAH_XML,
  HOPPER_XML,
  HopperEnv,
  HUMANOID_XML,
  INVERTED_DOUBLE_PENDULUM_XML,
  INVERTED_PENDULUM_XML,
  loadMujoco,
  MujocoSim,
  REACHER_XML,
  SWIMMER_XML,
  walker2dXml,
  wasmHeapBytes,
} from "../src/mujoco/index.js";

export interface MujocoBenchOptions {
  /** Env steps per task and round. */
  envSteps?: number;
  /** Physics steps per round of the raw Hopper comparison. */
  physicsSteps?: number;
  rounds?: number;
  /** Uniform samples for the valid-fraction estimates. */
  validSamples?: number;
  /** Hopper-v5 env steps of the memory check (1M by default: the long-run claim). */
  memorySteps?: number;
  log?: (line: string) => void;
}

/** WASM heap and process RSS before and after `steps` Hopper-v5 env steps (episodes reset as they end). */
function benchMemory(steps: number): {
  heapBefore: number;
  heapAfter: number;
  rssBefore: number;
  rssAfter: number;
  seconds: number;
} {
  const env = make("Hopper-v5");
  const rng = new Rng(0);
  const action = new Float32Array(3);
  env.reset({ seed: 0 });
  const heapBefore = wasmHeapBytes();
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    for (let j = 0; j < 3; j++) action[j] = rng.uniform(-1, 1);
    const [, , terminated, truncated] = env.step(action);
    if (terminated || truncated) env.reset();
  }
  const seconds = (performance.now() - t0) / 1000;
  const out = { heapBefore, heapAfter: wasmHeapBytes(), rssBefore, rssAfter: process.memoryUsage().rss, seconds };
  env.close();
  return out;
}

export interface MujocoBenchResult {
  envStepsPerSec: Record<string, number>;
  hopperPhysics: { wasmStepsPerSec: number; nativeStepsPerSec: number | null; ratio: number | null; note: string };
  wrapperOverhead: { rawUsPerStep: number; madeUsPerStep: number; overheadFraction: number };
  validFraction: Record<string, number>;
  /** Per model: whether native MuJoCo 2.2.2 compiles and steps it (null when the binary is missing). */
  nativeLoads: Record<string, boolean> | null;
  memory: { heapBefore: number; heapAfter: number; rssBefore: number; rssAfter: number; seconds: number };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Seconds to run `steps` env steps with pre-drawn random actions, resetting at episode ends. */
function timeEnvSteps(env: ReturnType<typeof make>, actions: Float32Array[], steps: number): number {
  env.reset({ seed: 0 });
  const t0 = performance.now();
  for (let t = 0; t < steps; t++) {
    const [, , terminated, truncated] = env.step(actions[t % actions.length] as Float32Array);
    if (terminated || truncated) env.reset();
  }
  return (performance.now() - t0) / 1000;
}

function randomActions(env: ReturnType<typeof make>, n: number, rng: Rng): Float32Array[] {
  const space = env.actionSpace as unknown as { low: Float32Array; high: Float32Array };
  return Array.from({ length: n }, () =>
    Float32Array.from(space.low, (lo, i) => rng.uniform(lo, space.high[i] as number)),
  );
}

export function benchEnvSteps(steps: number, rounds: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const task of MUJOCO_TASKS) {
    const id = `${task.name}-v5`;
    const env = make(id);
    const actions = randomActions(env, 1024, new Rng(1));
    timeEnvSteps(env, actions, Math.min(steps, 500));
    const rates: number[] = [];
    for (let r = 0; r < rounds; r++) rates.push(steps / timeEnvSteps(env, actions, steps));
    out[id] = median(rates);
    env.close();
  }
  return out;
}

/** mj_step/s of the WASM build on Hopper with N(0, noise²) controls, like testspeed's ctrlnoise. */
function wasmHopperPhysics(steps: number, noise: number): number {
  const sim = MujocoSim.fromXml(HOPPER_XML, "hopper");
  const rng = new Rng(0);
  const ctrl = new Float64Array(sim.nu);
  const t0 = performance.now();
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < ctrl.length; i++) ctrl[i] = noise * rng.normal();
    sim.step(ctrl, 1);
  }
  const seconds = (performance.now() - t0) / 1000;
  sim.dispose();
  return steps / seconds;
}

/** Native `mujoco-testspeed MODEL NSTEP 1 NOISE` steps/s, or null when the binary is missing or fails. */
function runTestspeed(xmlPath: string, steps: number, noise: number): number | null {
  try {
    const out = execFileSync("mujoco-testspeed", [xmlPath, String(steps), "1", String(noise)], { encoding: "utf8" });
    const match = /Steps per second\s*:\s*([\d.]+)/.exec(out);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

export function benchHopperPhysics(steps: number, rounds: number) {
  const noise = 0.01;
  const dir = mkdtempSync(join(tmpdir(), "qscape-mujoco-"));
  const xmlPath = join(dir, "hopper.xml");
  writeFileSync(xmlPath, HOPPER_XML);
  try {
    wasmHopperPhysics(Math.min(steps, 2000), noise);
    const wasm: number[] = [];
    const native: number[] = [];
    for (let r = 0; r < rounds; r++) {
      wasm.push(wasmHopperPhysics(steps, noise));
      const n = runTestspeed(xmlPath, steps, noise);
      if (n !== null) native.push(n);
    }
    const wasmStepsPerSec = median(wasm);
    const nativeStepsPerSec = native.length > 0 ? median(native) : null;
    return {
      wasmStepsPerSec,
      nativeStepsPerSec,
      ratio: nativeStepsPerSec === null ? null : wasmStepsPerSec / nativeStepsPerSec,
      note:
        nativeStepsPerSec === null
          ? "native peer unavailable: apt-get install -y libmujoco-samples (mujoco-testspeed)"
          : "WASM: @mujoco/mujoco 3.14.0; native: Debian libmujoco-samples 2.2.2, same MJCF, 1 thread",
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Paired, alternating rounds; the overhead is the median over rounds of (make() time / bare time) − 1. */
/** Compiles and steps every MJCF model in native MuJoCo 2.2.2, to keep the models 2.2-compatible. */
export function nativeLoadsModels(): Record<string, boolean> | null {
  const models: Record<string, string> = {
    hopper: HOPPER_XML,
    walker2d_v5: walker2dXml("v5"),
    walker2d_v4: walker2dXml("v4"),
    half_cheetah: HALF_CHEETAH_XML,
    ant: ANT_XML,
    swimmer: SWIMMER_XML,
    humanoid: HUMANOID_XML,
    inverted_pendulum: INVERTED_PENDULUM_XML,
    inverted_double_pendulum: INVERTED_DOUBLE_PENDULUM_XML,
    reacher: REACHER_XML,
  };
  const dir = mkdtempSync(join(tmpdir(), "qscape-mujoco-"));
  try {
    const out: Record<string, boolean> = {};
    for (const [name, xml] of Object.entries(models)) {
      const path = join(dir, `${name}.xml`);
      writeFileSync(path, xml);
      const rate = runTestspeed(path, 10, 0);
      if (rate === null && name === "hopper") return null;
      out[name] = rate !== null;
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function benchWrapperOverhead(steps: number, rounds: number) {
  const raw = new HopperEnv();
  const made = make("Hopper-v5");
  const actions = randomActions(made, 1024, new Rng(2));
  timeEnvSteps(raw, actions, Math.min(steps, 500));
  timeEnvSteps(made, actions, Math.min(steps, 500));
  const rawUs: number[] = [];
  const madeUs: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const a = (1e6 * timeEnvSteps(raw, actions, steps)) / steps;
    const b = (1e6 * timeEnvSteps(made, actions, steps)) / steps;
    rawUs.push(a);
    madeUs.push(b);
    ratios.push(b / a);
  }
  raw.close();
  made.close();
  return { rawUsPerStep: median(rawUs), madeUsPerStep: median(madeUs), overheadFraction: median(ratios) - 1 };
}

export function benchValidFractions(samples: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const task of MUJOCO_TASKS) {
    if (task.restricted === undefined) continue;
    const id = `${task.name}Restricted-v5`;
    const env = make(id);
    const wrapper = findWrapper(env, RestrictedActionWrapper);
    if (wrapper !== null) out[id] = wrapper.validFraction(samples, new Rng(0));
    env.close();
  }
  return out;
}

export async function runMujocoBench(options: MujocoBenchOptions = {}): Promise<MujocoBenchResult> {
  const {
    envSteps = 5000,
    physicsSteps = 20000,
    rounds = 5,
    validSamples = 20000,
    memorySteps = 1_000_000,
    log = console.log,
  } = options;
  await loadMujoco();
  log("# MuJoCo (WASM) benchmarks — absolute figures were measured on a shared, contended machine");

  const envStepsPerSec = benchEnvSteps(envSteps, rounds);
  log("\nenv steps/s, uniform random actions (make(), v5):");
  for (const [id, rate] of Object.entries(envStepsPerSec)) log(`  ${id.padEnd(28)} ${rate.toFixed(0).padStart(8)}`);

  const hopperPhysics = benchHopperPhysics(physicsSteps, rounds);
  log("\nHopper raw physics (mj_step only):");
  log(`  WASM   ${hopperPhysics.wasmStepsPerSec.toFixed(0).padStart(8)} steps/s`);
  if (hopperPhysics.nativeStepsPerSec !== null) {
    log(`  native ${hopperPhysics.nativeStepsPerSec.toFixed(0).padStart(8)} steps/s`);
    log(`  WASM/native = ${(hopperPhysics.ratio as number).toFixed(2)} (target ≥ 0.5)`);
  }
  log(`  ${hopperPhysics.note}`);

  const wrapperOverhead = benchWrapperOverhead(Math.ceil(envSteps / 5), 5 * rounds);
  log("\nHopper-v5 wrapper overhead (make() vs bare HopperEnv):");
  log(
    `  bare ${wrapperOverhead.rawUsPerStep.toFixed(1)} µs/step, make() ${wrapperOverhead.madeUsPerStep.toFixed(1)} µs/step`,
  );
  log(`  overhead = ${(100 * wrapperOverhead.overheadFraction).toFixed(1)}% of a step (target < 10%)`);

  const validFraction = benchValidFractions(validSamples);
  log(`\nvalid fraction of the action box (${validSamples} uniform samples, official spheres):`);
  for (const [id, f] of Object.entries(validFraction)) log(`  ${id.padEnd(36)} ${f.toFixed(3)}`);

  const nativeLoads = nativeLoadsModels();
  log("\nnative MuJoCo 2.2.2 compiles and steps the MJCF models:");
  if (nativeLoads === null) log("  mujoco-testspeed not installed");
  else for (const [name, ok] of Object.entries(nativeLoads)) log(`  ${name.padEnd(26)} ${ok ? "yes" : "NO"}`);

  const memory = benchMemory(memorySteps);
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  log(`\nmemory over ${memorySteps} Hopper-v5 env steps (${memory.seconds.toFixed(0)} s):`);
  log(
    `  WASM heap ${mib(memory.heapBefore)} → ${mib(memory.heapAfter)} MiB, process RSS ${mib(memory.rssBefore)} → ${mib(memory.rssAfter)} MiB`,
  );

  return { envStepsPerSec, hopperPhysics, wrapperOverhead, validFraction, nativeLoads, memory };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes("--quick");
  await runMujocoBench(
    quick ? { envSteps: 1000, physicsSteps: 5000, rounds: 1, validSamples: 5000, memorySteps: 50_000 } : {},
  );
}
