/**
 * Benchmarks for the Gymnasium API core and classic control of @qscape/envs:
 * - env steps/s with uniformly random actions for every classic-control task, bare env vs make()
 *   (PassiveEnvChecker → OrderEnforcing → TimeLimit → ValidateStep), i.e. the wrapper overhead;
 * - vector throughput on CartPole-v1: SyncVectorEnv vs AsyncVectorEnv (one worker thread per env).
 * Rounds alternate between the compared runs so load from other processes hits both alike; each
 * figure is the best round.
 *
 *   tsx --conditions=@qscape/source packages/envs/bench/classic.ts [--quick]
 */
import type { AnyEnv } from "../src/index.js";
import { AsyncVectorEnv, make, SyncVectorEnv, type VectorEnv } from "../src/index.js";

export interface ClassicBenchOptions {
  /** Env steps per timed round. */
  steps?: number;
  rounds?: number;
  /** Vector steps per timed round (each steps every sub-env). */
  vectorSteps?: number;
  numEnvs?: number;
  log?: (line: string) => void;
}

export interface ClassicFigure {
  id: string;
  bareStepsPerSec: number;
  madeStepsPerSec: number;
  /** Extra time per step spent in make()'s wrappers, as a fraction of the bare step. */
  overheadFraction: number;
}

export interface VectorFigure {
  id: string;
  numEnvs: number;
  syncEnvStepsPerSec: number;
  asyncEnvStepsPerSec: number;
}

export const CLASSIC_IDS = ["CartPole-v1", "Pendulum-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1"];

/** Seconds to take `steps` random-action steps, resetting at episode ends. Actions are pre-sampled. */
function timeSteps(env: AnyEnv, actions: unknown[]): number {
  env.reset({ seed: 0 });
  const start = performance.now();
  for (const action of actions) {
    const [, , terminated, truncated] = env.step(action);
    if (terminated || truncated) env.reset();
  }
  return (performance.now() - start) / 1000;
}

export function benchClassic(steps: number, rounds: number): ClassicFigure[] {
  return CLASSIC_IDS.map((id) => {
    const made = make(id);
    // The bare env gets the same episode cut-off as make()'s TimeLimit, by resetting on time.
    const bare = make(id, { disableEnvChecker: true, validateSteps: false, maxEpisodeSteps: null }).unwrapped as AnyEnv;
    const limit = made.spec?.maxEpisodeSteps ?? Number.POSITIVE_INFINITY;
    const bareLimited = {
      reset: (args?: { seed?: number }) => {
        t = 0;
        return bare.reset(args);
      },
      step: (a: unknown) => {
        const r = bare.step(a);
        t += 1;
        return [r[0], r[1], r[2], r[3] || t >= limit, r[4]];
      },
    } as unknown as AnyEnv;
    let t = 0;
    made.actionSpace.seed(1);
    const actions = Array.from({ length: steps }, () => made.actionSpace.sample());
    let bestBare = Number.POSITIVE_INFINITY;
    let bestMade = Number.POSITIVE_INFINITY;
    // Warm up both paths so the JIT has compiled them before timing.
    for (let w = 0; w < 3; w++) {
      timeSteps(made, actions.slice(0, 20_000));
      timeSteps(bareLimited, actions.slice(0, 20_000));
    }
    for (let r = 0; r < rounds; r++) {
      bestBare = Math.min(bestBare, timeSteps(bareLimited, actions));
      bestMade = Math.min(bestMade, timeSteps(made, actions));
    }
    return {
      id,
      bareStepsPerSec: steps / bestBare,
      madeStepsPerSec: steps / bestMade,
      overheadFraction: bestMade / bestBare - 1,
    };
  });
}

function timeVector(v: VectorEnv<Float32Array, Int32Array>, actions: Int32Array[]): number {
  v.reset({ seed: 0 });
  const start = performance.now();
  for (const a of actions) v.step(a);
  return (performance.now() - start) / 1000;
}

export function benchVector(id: string, numEnvs: number, steps: number, rounds: number): VectorFigure {
  const sync = new SyncVectorEnv<Float32Array, Int32Array>(Array.from({ length: numEnvs }, () => () => make(id)));
  const asyncEnv = new AsyncVectorEnv<Float32Array, Int32Array>(id, numEnvs);
  try {
    sync.actionSpace.seed(2);
    const actions = Array.from({ length: steps }, () => sync.actionSpace.sample() as Int32Array);
    timeVector(sync, actions.slice(0, 200));
    timeVector(asyncEnv, actions.slice(0, 200));
    let bestSync = Number.POSITIVE_INFINITY;
    let bestAsync = Number.POSITIVE_INFINITY;
    for (let r = 0; r < rounds; r++) {
      bestSync = Math.min(bestSync, timeVector(sync, actions));
      bestAsync = Math.min(bestAsync, timeVector(asyncEnv, actions));
    }
    return {
      id,
      numEnvs,
      syncEnvStepsPerSec: (steps * numEnvs) / bestSync,
      asyncEnvStepsPerSec: (steps * numEnvs) / bestAsync,
    };
  } finally {
    asyncEnv.close();
    sync.close();
  }
}

export async function runClassicBench(
  options: ClassicBenchOptions = {},
): Promise<{ classic: ClassicFigure[]; vector: VectorFigure }> {
  const { steps = 100_000, rounds = 5, vectorSteps = 2000, numEnvs = 4, log = console.log } = options;
  log("# Classic control and API overhead — absolute figures were measured on a shared, contended machine");
  const classic = benchClassic(steps, rounds);
  log(`\nenv steps/s, uniform random actions (${steps} steps, best of ${rounds} alternating rounds):`);
  log(`  ${"id".padEnd(26)} ${"bare".padStart(10)} ${"make()".padStart(10)}  wrapper overhead`);
  for (const f of classic) {
    log(
      `  ${f.id.padEnd(26)} ${f.bareStepsPerSec.toFixed(0).padStart(10)} ${f.madeStepsPerSec.toFixed(0).padStart(10)}  ${(100 * f.overheadFraction).toFixed(0).padStart(5)}% of a bare step (${(1e6 / f.madeStepsPerSec - 1e6 / f.bareStepsPerSec).toFixed(2)} µs)`,
    );
  }
  const vector = benchVector("CartPole-v1", numEnvs, vectorSteps, rounds);
  log(`\nvector env, ${vector.id} × ${vector.numEnvs} (env steps/s, ${vectorSteps} vector steps):`);
  log(`  SyncVectorEnv  ${vector.syncEnvStepsPerSec.toFixed(0).padStart(10)}`);
  log(
    `  AsyncVectorEnv ${vector.asyncEnvStepsPerSec.toFixed(0).padStart(10)}  (async/sync = ${(vector.asyncEnvStepsPerSec / vector.syncEnvStepsPerSec).toFixed(3)}; worker messaging dominates for envs this cheap)`,
  );
  return { classic, vector };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes("--quick");
  await runClassicBench(quick ? { steps: 20_000, rounds: 2, vectorSteps: 500 } : {});
}
