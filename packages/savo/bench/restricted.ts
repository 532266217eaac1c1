/**
 * `pnpm --filter @qscape/savo run bench:restricted`: SAVO-TD3 vs TD3 on InvertedPendulumRestricted-v5
 * (the paper's restricted locomotion, §5 / Figure 8; official-code hyperspheres, "paper" preset:
 * an invalid action pushes the cart with −1, no reward override) at a matched budget: same env
 * steps, warm-up, network sizes, batch, learning rates and update-to-data ratio 1. Each run's
 * score is its final deterministic evaluation; the table gives mean ± sample std over seeds.
 *
 * TD3 is the baseline as specified (target smoothing, Gaussian exploration 0.1); SAVO uses the
 * paper's defaults (no smoothing, OU noise on every proposal and on the executed action) with the
 * ε schedule shortened to half the run, as the paper decays it over a quarter of its 2M steps.
 *
 * Flags: --seeds N (default 5), --steps N (default 20000), --warmup N (default 2000),
 * --eval-every N (default 5000), --eval-episodes N (default 5), --hidden N (default 64),
 * --seed-list 3,4 (instead of 0..seeds−1), --methods td3,savo (default both), --json out.json (raw results);
 * --summarize a.json b.json … prints the table for results written by earlier runs.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { TD3Agent } from "@qscape/baselines";
import { type Agent, describeBackend, initBackend, type Rng, runOffPolicy } from "@qscape/core";
import { loadMujoco, make } from "@qscape/envs";
import { SavoAgent } from "../src/index.js";

const ENV_ID = "InvertedPendulumRestricted-v5";
const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};

interface RunResult {
  method: string;
  seed: number;
  /** Mean return of the final evaluation. */
  final: number;
  /** (step, mean return) of every evaluation. */
  curve: [number, number][];
  seconds: number;
  validRate: number;
}

function meanStd(xs: number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, std };
}

function summarize(results: RunResult[]): void {
  const methods = [...new Set(results.map((r) => r.method))];
  console.log(`\n${ENV_ID}: final evaluation return, mean ± std over seeds`);
  for (const m of methods) {
    const runs = results.filter((r) => r.method === m).sort((a, b) => a.seed - b.seed);
    const { mean, std } = meanStd(runs.map((r) => r.final));
    const perSeed = runs.map((r) => r.final.toFixed(0)).join(", ");
    const secs = runs.reduce((a, r) => a + r.seconds, 0) / runs.length;
    console.log(
      `  ${m.padEnd(6)} ${mean.toFixed(1).padStart(7)} ± ${std.toFixed(1).padStart(6)}  (n = ${runs.length}; per seed: ${perSeed}; ${secs.toFixed(0)} s per run)`,
    );
  }
}

const summarizeIndex = args.indexOf("--summarize");
if (summarizeIndex >= 0) {
  const files = args.slice(summarizeIndex + 1);
  summarize(files.flatMap((f) => JSON.parse(readFileSync(f, "utf8")).results as RunResult[]));
  process.exit(0);
}

const seeds = flag("seeds", 5);
/** Explicit seeds (e.g. to split one comparison over several processes); default 0..seeds−1. */
const seedList = (option("seed-list") ?? Array.from({ length: seeds }, (_, i) => i).join(",")).split(",").map(Number);
const steps = flag("steps", 20_000);
const warmup = flag("warmup", 2000);
const evalEvery = flag("eval-every", 5000);
const evalEpisodes = flag("eval-episodes", 5);
const hidden = flag("hidden", 64);
const methods = (option("methods") ?? "td3,savo").split(",");
const unknown = methods.filter((m) => m !== "td3" && m !== "savo");
if (unknown.length > 0) throw new Error(`--methods: unknown method(s) ${unknown.join(", ")}; expected td3, savo`);

console.log(describeBackend(await initBackend()));
await loadMujoco();

function makeAgent(method: string, env: ReturnType<typeof make>, seed: number): Agent<Float32Array, Float32Array> {
  const shared = {
    seed,
    actorHidden: [hidden, hidden],
    criticHidden: [hidden, hidden],
    batchSize: 256,
    bufferSize: steps,
  };
  if (method === "td3") return new TD3Agent(env as never, shared);
  return new SavoAgent(env as never, {
    ...shared,
    epsilon: { start: 1, end: 0.01, decaySteps: Math.round(steps / 2) },
  });
}

const results: RunResult[] = [];
for (const seed of seedList) {
  for (const method of methods) {
    const env = make(ENV_ID);
    const evalEnv = make(ENV_ID);
    const agent = makeAgent(method, env, seed);
    const { low, high } = env.actionSpace as unknown as { low: Float32Array; high: Float32Array };
    let valid = 0;
    let taken = 0;
    const t0 = performance.now();
    const result = runOffPolicy<Float32Array, Float32Array>(
      { totalSteps: steps, warmupSteps: warmup, evalEvery, evalEpisodes, logEvery: steps, seed },
      {
        env: {
          reset: (options) => env.reset(options),
          step: (action) => {
            const out = env.step(action);
            taken += 1;
            valid += (out[4] as { if_valid?: number }).if_valid ?? 0;
            return out;
          },
        },
        evalEnv: evalEnv as never,
        agent,
        randomAction: (rng: Rng) => Float32Array.from(low, (lo, i) => rng.uniform(lo, high[i] as number)),
      },
    );
    const seconds = (performance.now() - t0) / 1000;
    const last = result.evals[result.evals.length - 1];
    const run: RunResult = {
      method,
      seed,
      final: last ? last.mean : Number.NaN,
      curve: result.evals.map((e) => [e.step, e.mean]),
      seconds,
      validRate: taken > 0 ? valid / taken : 0,
    };
    results.push(run);
    console.log(
      `${method} seed ${seed}: final ${run.final.toFixed(1)}; curve ${run.curve.map(([s, m]) => `${s}:${m.toFixed(0)}`).join(" ")}; valid ${(100 * run.validRate).toFixed(0)}%; ${seconds.toFixed(0)} s`,
    );
    agent.dispose();
  }
}
summarize(results);
const json = option("json");
if (json)
  writeFileSync(json, JSON.stringify({ env: ENV_ID, steps, warmup, hidden, seeds: seedList, results }, null, 2));
