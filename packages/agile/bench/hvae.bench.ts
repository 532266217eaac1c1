/**
 * `pnpm --filter @qscape/agile bench:hvae`: training throughput of Ch. 2's representation models
 * at the paper's Grid World widths (App. A Tables A.3/A.4: representation 16, z 16, hidden 64,
 * q_φ 128, 2-layer Bi-LSTM, batch 128 action sets), for 16 and 32 observations per set (64 ran
 * out of WASM memory here). One gradient
 * step = one batch; the figures are observations (trajectories) and action sets per second of
 * gradient steps, the first step (warm-up) excluded, then the paper's 10,000 steps × 128 sets ×
 * 1,024 observations extrapolated from them.
 */
import { initBackend } from "@qscape/core";
import {
  collectSkillPlayObservations,
  handEngineeredSkillCodes,
  NUM_SKILLS,
  SKILL_MOVES,
  skillMoves,
} from "@qscape/envs";
import { type RepresentationModel, trainRepresentations } from "../src/index.js";

const report = await initBackend();
const STEPS = Number(process.env.HVAE_BENCH_STEPS ?? 6);
const BATCH = 128;

console.log(`backend ${report.name}; batch ${BATCH} action sets; ${STEPS} gradient steps after one warm-up`);
console.log("model     obs/set  ms/step  observations/s  action sets/s  paper run (10k steps × 1,024 obs), h");
for (const perSet of process.env.HVAE_BENCH_STEPS === "0" ? [] : [16, 32]) {
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

/**
 * What the representations hold (`HVAE_PROBE_STEPS` > 0): a model trained that many steps on the
 * training skills' play data (narrower than the paper's, to fit a CPU), then, for every skill, is
 * its nearest other skill in representation space one with the same net displacement (Σ moves)?
 * Skills with equal displacement end in the same cell from any start away from the walls, so a
 * representation that encodes the behaviour groups them; chance is the share of such pairs.
 */
const probeSteps = Number(process.env.HVAE_PROBE_STEPS ?? 0);
if (probeSteps > 0) {
  const displacement = (k: number) =>
    skillMoves(k).reduce(
      (at, m) => {
        const [dx, dy] = SKILL_MOVES[m] as readonly [number, number];
        return [(at[0] as number) + dx, (at[1] as number) + dy];
      },
      [0, 0],
    );
  const keys = Array.from({ length: NUM_SKILLS }, (_, k) => displacement(k).join(","));
  const sameDisplacement = (values: Float32Array, d: number) => {
    let hits = 0;
    for (let a = 0; a < NUM_SKILLS; a++) {
      let best = -1;
      let bestDist = Number.POSITIVE_INFINITY;
      for (let b = 0; b < NUM_SKILLS; b++) {
        if (b === a) continue;
        let dist = 0;
        for (let j = 0; j < d; j++) dist += ((values[a * d + j] as number) - (values[b * d + j] as number)) ** 2;
        if (dist < bestDist) {
          bestDist = dist;
          best = b;
        }
      }
      if (keys[best] === keys[a]) hits++;
    }
    return hits / NUM_SKILLS;
  };
  let pairs = 0;
  for (let a = 0; a < NUM_SKILLS; a++) for (let b = 0; b < NUM_SKILLS; b++) if (a !== b && keys[a] === keys[b]) pairs++;
  const perSet = 32;
  const play = collectSkillPlayObservations({ seed: 0, trajectoriesPerSkill: perSet });
  console.log(`\nprobe: ${probeSteps} steps, batch 32 sets × ${perSet} obs, hidden 32, q_φ 64, 1-layer Bi-LSTM`);
  console.log(
    `chance (random other skill with the same displacement): ${(pairs / NUM_SKILLS / (NUM_SKILLS - 1)).toFixed(3)}`,
  );
  console.log(`hand-engineered 5-d codes: ${sameDisplacement(handEngineeredSkillCodes(), 5).toFixed(3)}`);
  for (const model of ["hvae", "flat-vae"] as RepresentationModel[]) {
    const run = trainRepresentations({
      env: "SkillGridWorld-v0",
      model,
      play,
      observationsPerAction: perSet,
      hidden: 32,
      actionHidden: 64,
      encoderLayers: 1,
      batchSize: 32,
      epochs: probeSteps,
    });
    const f = run.meta.final;
    console.log(
      `${model}: nearest skill has the same displacement for ${sameDisplacement(run.values, run.meta.size).toFixed(3)}; final −ELBO ${f.loss.toFixed(2)} (recon ${f.reconstruction.toFixed(2)}, KL_z ${f.klZ.toFixed(3)}, KL_c ${f.klC.toFixed(4)}); ${run.seconds.toFixed(0)} s`,
    );
  }
}
