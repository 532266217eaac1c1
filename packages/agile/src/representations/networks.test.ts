import { initBackend, type Linear, type MLP, Rng, tf } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { RepresentationConfig } from "./config.js";
import { negativeElbo } from "./hvae.js";
import { FlatVAE, HierarchicalVAE } from "./networks.js";

beforeAll(async () => {
  await initBackend();
});

const tiny = RepresentationConfig.parse({
  representationSize: 2,
  latentSize: 2,
  hidden: 4,
  actionHidden: 4,
  encoderLayers: 1,
});

const lastLayer = (mlp: MLP) => mlp.layers[mlp.layers.length - 1] as Linear;
const zeroAll = (vars: tf.Variable[]) => {
  for (const v of vars) v.assign(tf.zerosLike(v));
};
const set = (v: tf.Variable, values: number[]) => v.assign(tf.tensor1d(values));

// Two sets of three observations, each a 3-state trajectory of (x, y).
const B = 2;
const N = 3;
const T = 3;
const trajectories = Array.from({ length: B * N * T * 2 }, (_, i) => Math.sin(1.3 * i) * 0.8);
const laterStates = (): number[] => {
  const out: number[] = [];
  for (let o = 0; o < B * N; o++)
    for (let t = 1; t < T; t++) out.push(...trajectories.slice((o * T + t) * 2, (o * T + t) * 2 + 2));
  return out;
};

// Hand formulas (scalar, one dimension at a time).
const klStd = (mu: number, lv: number) => 0.5 * (Math.exp(lv) + mu * mu - 1 - lv);
const kl = (mq: number, lq: number, mp: number, lp: number) =>
  0.5 * (lp - lq + (Math.exp(lq) + (mq - mp) ** 2) / Math.exp(lp) - 1);
const logN = (x: number, mu: number, lv: number) => -0.5 * (Math.log(2 * Math.PI) + lv + (x - mu) ** 2 / Math.exp(lv));

const numbers = (terms: { reconstruction: tf.Scalar; klZ: tf.Scalar; klC: tf.Scalar }) => ({
  reconstruction: terms.reconstruction.dataSync()[0] as number,
  klZ: terms.klZ.dataSync()[0] as number,
  klC: terms.klC.dataSync()[0] as number,
});

describe("HVAE ELBO (Eq. 2.2) on a tiny case with fixed weights", () => {
  it("its reconstruction and both KL terms match a hand computation with diagonal Gaussians", () => {
    const model = new HierarchicalVAE(new Rng(0), 2, tiny);
    zeroAll([...model.parameters(), ...model.statistics()]);
    // With every weight 0, each head's output is its last bias: q(c|𝒪) = N(β_μ, e^{β_lv}) through
    // the batch norm's shift (the normalised input is 0), q(z|o,c) and p(z|c) their biases, and
    // the decoder's LSTM state stays 0, so every later state is N(b_μ, e^{b_lv}).
    const qc = { mu: [0.5, -1], lv: [0.2, -0.4] };
    const qz = { mu: [0.3, 0.1], lv: [-0.5, 0.4] };
    const pz = { mu: [-0.2, 0.6], lv: [0.1, -0.3] };
    const px = { mu: [0.25, -0.15], lv: [-1, -0.5] };
    set(model.actionNorm.beta, [...qc.mu, ...qc.lv]);
    set(lastLayer(model.zPosterior).bias, [...qz.mu, ...qz.lv]);
    set(lastLayer(model.zPrior).bias, [...pz.mu, ...pz.lv]);
    set(lastLayer(model.decoder.head).bias, [...px.mu, ...px.lv]);

    const expectedKlC = klStd(0.5, 0.2) + klStd(-1, -0.4); // per set
    const expectedKlZ = kl(0.3, -0.5, -0.2, 0.1) + kl(0.1, 0.4, 0.6, -0.3); // per observation
    const later = laterStates();
    let recon = 0;
    later.forEach((x, i) => {
      recon += logN(x, px.mu[i % 2] as number, px.lv[i % 2] as number);
    });
    const perObservation = {
      reconstruction: recon / (B * N),
      klZ: expectedKlZ,
      // Σ over the B sets of KL(q(c|𝒪) ‖ p(c)), divided by the B·N observations.
      klC: (B * expectedKlC) / (B * N),
    };

    tf.tidy(() => {
      const sets = tf.tensor4d(trajectories, [B, N, T, 2]);
      const noise = {
        c: tf.tensor2d([0.3, -1.1, 0.7, 0.2], [B, 2]),
        z: tf.tensor2d(
          Array.from({ length: B * N * 2 }, (_, i) => Math.cos(i)),
          [B * N, 2],
        ),
      };
      const terms = model.terms(sets, noise, true);
      const got = numbers(terms);
      expect(got.klC).toBeCloseTo(perObservation.klC, 5);
      expect(got.klZ).toBeCloseTo(perObservation.klZ, 5);
      expect(got.reconstruction).toBeCloseTo(perObservation.reconstruction, 4);
      // Loss = −ELBO: the KLs add, the log-likelihood subtracts; a flipped KL sign gives another number.
      const loss = negativeElbo(terms).dataSync()[0] as number;
      expect(loss).toBeCloseTo(perObservation.klZ + perObservation.klC - perObservation.reconstruction, 4);
      const flipped = negativeElbo(terms, true).dataSync()[0] as number;
      expect(flipped).toBeCloseTo(-perObservation.klZ - perObservation.klC - perObservation.reconstruction, 4);
      // The representation is the posterior mean (inference mode: running mean 0, variance 1 → β).
      expect(Array.from(model.represent(sets).dataSync())).toEqual([0.5, -1, 0.5, -1]);
    });
    for (const v of [...model.parameters(), ...model.statistics()]) v.dispose();
  });
});

describe("flat VAE ELBO on the same tiny case", () => {
  it("has KL(q(z|o) ‖ N(0, I)) per observation, no c term, and the same reconstruction", () => {
    const model = new FlatVAE(new Rng(0), 2, tiny);
    zeroAll(model.parameters());
    const qz = { mu: [0.4, -0.7], lv: [0.3, -0.2] };
    const px = { mu: [0.1, 0.2], lv: [-0.6, 0.2] };
    set(lastLayer(model.posterior).bias, [...qz.mu, ...qz.lv]);
    set(lastLayer(model.decoder.head).bias, [...px.mu, ...px.lv]);
    let recon = 0;
    laterStates().forEach((x, i) => {
      recon += logN(x, px.mu[i % 2] as number, px.lv[i % 2] as number);
    });
    tf.tidy(() => {
      const sets = tf.tensor4d(trajectories, [B, N, T, 2]);
      const noise = {
        c: tf.zeros([B, 2]) as tf.Tensor2D,
        z: tf.tensor2d(
          Array.from({ length: B * N * 2 }, (_, i) => Math.sin(i)),
          [B * N, 2],
        ),
      };
      const got = numbers(model.terms(sets, noise));
      expect(got.klZ).toBeCloseTo(klStd(0.4, 0.3) + klStd(-0.7, -0.2), 5);
      expect(got.klC).toBe(0);
      expect(got.reconstruction).toBeCloseTo(recon / (B * N), 4);
      // The action's representation: the mean of its observations' posterior means.
      expect(Array.from(model.represent(sets).dataSync()).map((v) => Number(v.toFixed(6)))).toEqual([
        0.4, -0.7, 0.4, -0.7,
      ]);
    });
    for (const v of model.parameters()) v.dispose();
  });
});

describe("mean pooling over an action's observations", () => {
  it.each([
    ["hvae", HierarchicalVAE],
    ["flat-vae", FlatVAE],
  ] as const)(
    "%s: the representation does not depend on the observations' order, but on the observations",
    (_, Model) => {
      const model = new Model(new Rng(3), 2, { ...tiny, hidden: 8, actionHidden: 8 });
      const rng = new Rng(11);
      const n = 6;
      const data = Array.from({ length: 2 * n * 4 * 2 }, () => rng.uniform(-1, 1));
      const perm = [4, 0, 5, 2, 1, 3];
      const permuted: number[] = [];
      for (let s = 0; s < 2; s++) {
        for (const j of perm) permuted.push(...data.slice((s * n + j) * 8, (s * n + j) * 8 + 8));
      }
      const before = tf.memory().numTensors;
      const [a, b] = tf.tidy(() => [
        Array.from(model.represent(tf.tensor4d(data, [2, n, 4, 2])).dataSync()),
        Array.from(model.represent(tf.tensor4d(permuted, [2, n, 4, 2])).dataSync()),
      ]) as [number[], number[]];
      expect(tf.memory().numTensors).toBe(before);
      a.forEach((v, i) => {
        expect(b[i]).toBeCloseTo(v, 5);
      });
      // The two sets differ, and so do their representations (the encoder is not constant).
      expect(
        Math.abs((a[0] as number) - (a[2] as number)) + Math.abs((a[1] as number) - (a[3] as number)),
      ).toBeGreaterThan(1e-4);
      for (const v of [...model.parameters(), ...model.statistics()]) v.dispose();
    },
  );
});
