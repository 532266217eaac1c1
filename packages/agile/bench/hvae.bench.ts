/**
 * `pnpm --filter @qscape/agile bench:hvae`: training throughput of Ch. 2's representation models
 * at the paper's Grid World widths (App. A Tables A.3/A.4: representation 16, z 16, hidden 64,
 * q_φ 128, 2-layer Bi-LSTM, batch 128 action sets), for a few observations per set. One gradient
 * step = one batch; the figures are observations (trajectories) and action sets per second of
 * gradient steps, the first step (warm-up) excluded, then the paper's 10,000 steps × 128 sets ×
 * 1,024 observations extrapolated from them.
 */
import { initBackend } from "@qscape/core";
import { collectSkillPlayObservations } from "@qscape/envs";
import { type RepresentationModel, trainRepresentations } from "../src/index.js";

const report = await initBackend();
const STEPS = Number(process.env.HVAE_BENCH_STEPS ?? 6);
const BATCH = 128;

console.log(`backend ${report.name}; batch ${BATCH} action sets; ${STEPS} gradient steps after one warm-up`);
console.log("model     obs/set  ms/step  observations/s  action sets/s  paper run (10k steps × 1,024 obs), h");
for (const perSet of [16, 64]) {
  const play = collectSkillPlayObservations({ seed: 0, trajectoriesPerSkill: perSet });
  for (const model of ["hvae", "flat-vae"] as RepresentationModel[]) {
    const stamps: number[] = [];
    trainRepresentations({
      env: "SkillGridWorld-v0",
      model,
      play,
      observationsPerAction: perSet,
      epochs: STEPS + 1,
      onEpoch: () => {
        stamps.push(performance.now());
      },
    });
    const ms = ((stamps.at(-1) as number) - (stamps[0] as number)) / STEPS;
    const obsPerSecond = (BATCH * perSet * 1000) / ms;
    const paperHours = (10_000 * BATCH * 1024) / obsPerSecond / 3600;
    console.log(
      `${model.padEnd(9)} ${String(perSet).padStart(7)}  ${ms.toFixed(0).padStart(7)}  ${obsPerSecond.toFixed(0).padStart(14)}  ${((BATCH * 1000) / ms).toFixed(1).padStart(13)}  ${paperHours.toFixed(0)}`,
    );
  }
}
