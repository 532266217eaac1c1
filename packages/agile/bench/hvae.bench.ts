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
  SKILL_LENGTH,
  SKILL_MOVES,
  SkillGridWorldEnv,
  skillMoves,
} from "@qscape/envs";
import { type RepresentationModel, trainRepresentations } from "../src/index.js";

const report = await initBackend();
const STEPS = Number(process.env.HVAE_BENCH_STEPS ?? 6);
const BATCH = 128;

console.log(`backend ${report.name}`);
// HVAE_BENCH_STEPS=0 skips the throughput table (e.g. to run the probe alone).
const throughputSets = STEPS > 0 ? [16, 32] : [];
if (STEPS > 0) {
  console.log(`batch ${BATCH} action sets; ${STEPS} gradient steps after one warm-up`);
  console.log("model     obs/set  ms/step  observations/s  action sets/s  paper run (10k steps × 1,024 obs), h");
}
for (const perSet of throughputSets) {
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
 * training skills' play data (narrower than the paper's, to fit a CPU), then, over all pairs of
 * the 1,024 skills, the Pearson correlation between the distance of their representations and the
 * distance of their behaviour (the root summed squared gap between their paths from a common start
 * away from the walls, 5 positions each). A representation that encodes what a skill does has a
 * high correlation; the hand-engineered move codes and an untrained (1-step) model are the anchors.
 */
const probeSteps = Number(process.env.HVAE_PROBE_STEPS ?? 0);
if (probeSteps > 0) {
  const paths = new Float32Array(NUM_SKILLS * SKILL_LENGTH * 2);
  for (let k = 0; k < NUM_SKILLS; k++) {
    let x = 0;
    let y = 0;
    skillMoves(k).forEach((m, t) => {
      const [dx, dy] = SKILL_MOVES[m] as readonly [number, number];
      x += dx;
      y += dy;
      paths[(k * SKILL_LENGTH + t) * 2] = x;
      paths[(k * SKILL_LENGTH + t) * 2 + 1] = y;
    });
  }
  const distance = (v: Float32Array, d: number, a: number, b: number) => {
    let sum = 0;
    for (let j = 0; j < d; j++) sum += ((v[a * d + j] as number) - (v[b * d + j] as number)) ** 2;
    return Math.sqrt(sum);
  };
  const correlation = (values: Float32Array, d: number) => {
    let n = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    for (let a = 0; a < NUM_SKILLS; a++) {
      for (let b = a + 1; b < NUM_SKILLS; b++) {
        const x = distance(values, d, a, b);
        const y = distance(paths, 2 * SKILL_LENGTH, a, b);
        n++;
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
      }
    }
    return (sxy - (sx * sy) / n) / Math.sqrt((sxx - (sx * sx) / n) * (syy - (sy * sy) / n));
  };
  // Zero-shot readout, the property the policy stage relies on: from a skill's representation,
  // predict where it ends (its net displacement), fitted on the training skills only and scored
  // (R², 1 − MSE / variance) on the unseen test skills: the nearest training skill's displacement
  // (1-NN), and a ridge-regularised linear map.
  const inventory = new SkillGridWorldEnv().inventory;
  const trainSkills = inventory.ids("train");
  const testSkills = inventory.ids("test");
  const endOf = (k: number) => [
    paths[(k * SKILL_LENGTH + SKILL_LENGTH - 1) * 2] as number,
    paths[(k * SKILL_LENGTH + SKILL_LENGTH - 1) * 2 + 1] as number,
  ];
  const rSquared = (predict: (k: number) => number[]) => {
    let err = 0;
    let total = 0;
    const mean = [0, 1].map((j) => testSkills.reduce((a, k) => a + (endOf(k)[j] as number), 0) / testSkills.length);
    for (const k of testSkills) {
      const p = predict(k);
      const y = endOf(k);
      for (let j = 0; j < 2; j++) {
        err += ((p[j] as number) - (y[j] as number)) ** 2;
        total += ((y[j] as number) - (mean[j] as number)) ** 2;
      }
    }
    return 1 - err / total;
  };
  const nearestTrain = (values: Float32Array, d: number) =>
    rSquared((k) => {
      let best = 0;
      let bestDist = Number.POSITIVE_INFINITY;
      for (const t of trainSkills) {
        const dist = distance(values, d, k, t);
        if (dist < bestDist) {
          bestDist = dist;
          best = t;
        }
      }
      return endOf(best);
    });
  const linear = (values: Float32Array, d: number) => {
    // Normal equations (XᵀX + λI) w = Xᵀy with a bias column, solved by Gaussian elimination.
    const n = d + 1;
    const row = (k: number) => [...Array.from(values.subarray(k * d, k * d + d)), 1];
    const weights = [0, 1].map((j) => {
      const a = Array.from({ length: n }, (_, i) => Array.from({ length: n + 1 }, (_, l) => (i === l ? 1e-3 : 0)));
      for (const k of trainSkills) {
        const x = row(k);
        const y = endOf(k)[j] as number;
        for (let i = 0; i < n; i++) {
          for (let l = 0; l < n; l++)
            (a[i] as number[])[l] = ((a[i] as number[])[l] as number) + (x[i] as number) * (x[l] as number);
          (a[i] as number[])[n] = ((a[i] as number[])[n] as number) + (x[i] as number) * y;
        }
      }
      for (let i = 0; i < n; i++) {
        const pivot = (a[i] as number[])[i] as number;
        for (let r = 0; r < n; r++) {
          if (r === i) continue;
          const f = ((a[r] as number[])[i] as number) / pivot;
          for (let l = i; l <= n; l++)
            (a[r] as number[])[l] = ((a[r] as number[])[l] as number) - f * ((a[i] as number[])[l] as number);
        }
      }
      return Array.from({ length: n }, (_, i) => ((a[i] as number[])[n] as number) / ((a[i] as number[])[i] as number));
    });
    return rSquared((k) => weights.map((w) => row(k).reduce((acc, v, i) => acc + v * (w[i] as number), 0)));
  };
  const readout = (values: Float32Array, d: number) =>
    `zero-shot end-cell R² on test skills: 1-NN ${nearestTrain(values, d).toFixed(3)}, linear ${linear(values, d).toFixed(3)}`;

  const perSet = 32;
  const play = collectSkillPlayObservations({ seed: 0, trajectoriesPerSkill: perSet });
  console.log(`\nprobe: batch 32 sets × ${perSet} obs, hidden 32, q_φ 64, 1-layer Bi-LSTM, representation 16`);
  const hand = handEngineeredSkillCodes();
  console.log(`hand-engineered 5-d codes: r = ${correlation(hand, 5).toFixed(3)}; ${readout(hand, 5)}`);
  for (const model of ["hvae", "flat-vae"] as RepresentationModel[]) {
    for (const epochs of [1, probeSteps]) {
      const run = trainRepresentations({
        env: "SkillGridWorld-v0",
        model,
        play,
        observationsPerAction: perSet,
        hidden: 32,
        actionHidden: 64,
        encoderLayers: 1,
        batchSize: 32,
        epochs,
      });
      const f = run.meta.final;
      console.log(
        `${model} after ${epochs} steps: r = ${correlation(run.values, run.meta.size).toFixed(3)}; ${readout(run.values, run.meta.size)}; −ELBO ${f.loss.toFixed(2)} (recon ${f.reconstruction.toFixed(2)}, KL_z ${f.klZ.toFixed(3)}, KL_c ${f.klC.toFixed(4)}); ${run.seconds.toFixed(0)} s`,
      );
    }
  }
}
