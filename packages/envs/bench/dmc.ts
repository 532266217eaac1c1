/**
 * Benchmark of the DeepMind Control Suite tasks (@qscape/envs `dmc/*`): agent steps per second with uniformly
 * random actions through `make()` (all wrappers, resetting at the 1000-step limit), side by side with the bare
 * physics of the same model (`MujocoSim.step` with the task's physics steps per agent step and the same
 * actions). The ratio is the cost of the task layer: the post-step `mj_forward` that refreshes positions and
 * sensors, observation and reward, and the wrappers. Rounds alternate between the two so that load from other
 * processes hits both alike.
 *
 *   tsx --conditions=@qscape/source packages/envs/bench/dmc.ts [--quick]
 */
import { Rng } from "@qscape/core";
import { DMC_TASKS, type DmcEnv, loadMujoco, make } from "../src/index.js";

export interface DmcBenchOptions {
  /** Agent steps per task and round. */
  steps?: number;
  rounds?: number;
  log?: (line: string) => void;
}

export interface DmcTaskFigures {
  /** Agent steps/s through `make()`. */
  envStepsPerSec: number;
  /** Agent-step equivalents/s of the bare physics (physics steps/s ÷ physics steps per agent step). */
  physicsStepsPerSec: number;
  /** envStepsPerSec / physicsStepsPerSec. */
  ratio: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

export async function runDmcBench(options: DmcBenchOptions = {}): Promise<Record<string, DmcTaskFigures>> {
  const steps = options.steps ?? 5000;
  const rounds = options.rounds ?? 3;
  const log = options.log ?? console.log;
  await loadMujoco();
  log(
    `DMC agent steps/s, random actions, median of ${rounds} rounds × ${steps} steps (shared machine: compare ratios)`,
  );
  log(`  ${"task".padEnd(26)} ${"make()".padStart(9)} ${"physics".padStart(9)} ${"ratio".padStart(6)}  substeps`);
  const out: Record<string, DmcTaskFigures> = {};
  for (const task of DMC_TASKS) {
    const env = make(task.id);
    const dmc = env.unwrapped as DmcEnv;
    const rng = new Rng(0);
    const n = dmc.actionSpace.size;
    const actions = Array.from({ length: 1000 }, () => Float32Array.from({ length: n }, () => rng.uniform(-1, 1)));
    const envRates: number[] = [];
    const physicsRates: number[] = [];
    for (let r = 0; r < rounds; r++) {
      env.reset({ seed: r });
      let t0 = performance.now();
      for (let t = 0; t < steps; t++) {
        const [, , terminated, truncated] = env.step(actions[t % actions.length] as Float32Array);
        if (terminated || truncated) env.reset();
      }
      envRates.push(steps / ((performance.now() - t0) / 1000));

      env.reset({ seed: r });
      t0 = performance.now();
      for (let t = 0; t < steps; t++) dmc.sim.step(actions[t % actions.length] as Float32Array, dmc.frameSkip);
      physicsRates.push(steps / ((performance.now() - t0) / 1000));
    }
    const envStepsPerSec = median(envRates);
    const physicsStepsPerSec = median(physicsRates);
    out[task.id] = { envStepsPerSec, physicsStepsPerSec, ratio: envStepsPerSec / physicsStepsPerSec };
    log(
      `  ${task.id.padEnd(26)} ${envStepsPerSec.toFixed(0).padStart(9)} ${physicsStepsPerSec.toFixed(0).padStart(9)} ${(envStepsPerSec / physicsStepsPerSec).toFixed(2).padStart(6)}  ${dmc.frameSkip}`,
    );
    env.close();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes("--quick");
  await runDmcBench(quick ? { steps: 1000, rounds: 1 } : {});
}
