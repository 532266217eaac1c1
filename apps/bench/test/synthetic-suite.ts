import { Rng } from "@qscape/core";
import type { ResultsDb } from "../src/db/results.js";

/**
 * Fills a results store with a synthetic suite: saturating learning curves with seed noise, one
 * failed and one still-running run. Deterministic from `seed`.
 */
export function fillSyntheticSuite(db: ResultsDb, suite = "synthetic", seed = 1): void {
  const rng = new Rng(seed);
  const envs = {
    Hopper: [20, 3200],
    Walker2d: [5, 4200],
    HalfCheetah: [-300, 9000],
    InvertedPendulum: [8, 1000],
  } as const;
  const algos = { td3: 1.0, sac: 0.9, "savo-k3": 1.15, ddpg: 0.6 } as const;
  const seeds = [0, 1, 2, 3, 4];
  db.ensureSuite(suite, {
    description: "synthetic curves for report tests",
    protocol: {
      envSteps: 100_000,
      seeds,
      evaluation: { everySteps: 5000, episodes: 10, deterministic: true },
      updatesPerStep: 1,
      computeCaps: { hiddenWidth: 64, maxWallClockS: 3600 },
    },
  });
  db.transaction(() => {
    for (const [algo, skill] of Object.entries(algos)) {
      for (const [env, [low, high]] of Object.entries(envs)) {
        for (const s of seeds) {
          const run = db.upsertRun({ suite, algo, env, seed: s, config: { algo, lr: 3e-4 } });
          db.markRunning(run.id, { backend: "wasm" });
          const rate = (0.5 + rng.uniform(0, 1)) * skill;
          const failAt = algo === "ddpg" && env === "Hopper" && s === 4 ? 40_000 : null;
          const stillRunning = algo === "sac" && env === "Walker2d" && s === 4;
          for (let step = 0; step <= 100_000; step += 5000) {
            if ((failAt !== null && step > failAt) || (stillRunning && step > 60_000)) break;
            const progress = 1 - Math.exp((-3 * rate * step) / 100_000);
            const level =
              low + (high - low) * Math.min(1.2, progress * skill) + rng.normal(0, 0.05 * (high - low) * progress);
            const episodes = Array.from({ length: 10 }, () => level + rng.normal(0, 0.02 * (high - low)));
            db.recordEval(run.id, { step, episodeReturns: episodes }, [
              { step, name: "q_loss", value: Math.abs(rng.normal(1, 0.2)) },
            ]);
          }
          if (failAt !== null)
            db.markFailed(run.id, new Error("NonFiniteError: critic loss is NaN"), { wallClockS: 40 });
          else if (!stillRunning)
            db.markFinished(run.id, {
              wallClockS: 95 + rng.uniform(0, 10),
              counters: { envSteps: 100_000, updates: 99_000 },
            });
        }
      }
    }
  });
}
