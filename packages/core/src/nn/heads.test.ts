import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend.js";
import { QscapeError } from "../errors.js";
import { Rng } from "../rng.js";
import {
  actionsToBins,
  binsToActions,
  Categorical,
  CategoricalHead,
  DiagGaussian,
  DiagGaussianHead,
  FactoredCategorical,
  FactoredCategoricalHead,
  SquashedGaussian,
  SquashedGaussianHead,
  TanhHead,
} from "./heads.js";

beforeAll(async () => {
  await initBackend();
});

const LOG_2PI = Math.log(2 * Math.PI);

describe("TanhHead", () => {
  it("maps into [low, high] per dimension", () => {
    const head = new TanhHead(new Rng(0), 3, 2, { low: [-2, 0], high: [2, 1] });
    const a = tf.tidy(
      () => head.apply(tf.mul(tf.randomNormal([50, 3], 0, 10, "float32", 1), 1)).arraySync() as number[][],
    );
    for (const [x, y] of a as [number, number][]) {
      expect(Math.abs(x)).toBeLessThanOrEqual(2);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(1);
    }
    expect(() => new TanhHead(new Rng(0), 3, 2, { low: [1, 0], high: [1, 1] })).toThrow(
      /dimension 0 has low 1, high 1/,
    );
  });
});

describe("SquashedGaussian (SAC)", () => {
  const mean = [
    [0.3, -1.2],
    [2, 0],
    [-0.5, 1],
  ];
  const logStd = [
    [-0.5, 0.2],
    [0.1, -2],
    [1, -1],
  ];
  // Includes |u| ≥ 9, where 1 − tanh²(u) is 0 in float32 and the naive correction is −∞.
  const preTanh = [
    [0.1, -0.7],
    [9.5, 0.05],
    [-12, 3],
  ];

  function reference(u: number[][], scale = [1, 1]): number[] {
    return u.map((row, i) =>
      row.reduce((s, v, j) => {
        const m = mean[i]?.[j] as number;
        const ls = logStd[i]?.[j] as number;
        const z = (v - m) / Math.exp(ls);
        return s - 0.5 * z * z - ls - 0.5 * LOG_2PI - Math.log(1 - Math.tanh(v) ** 2) - Math.log(scale[j] as number);
      }, 0),
    );
  }

  it("log-prob equals the Gaussian log-density minus log(1 − tanh²u), computed in float64", () => {
    const got = tf.tidy(
      () =>
        new SquashedGaussian(tf.tensor2d(mean), tf.tensor2d(logStd))
          .logProbOfPreTanh(tf.tensor2d(preTanh))
          .arraySync() as number[],
    );
    const want = reference(preTanh);
    got.forEach((g, i) => {
      expect(Number.isFinite(g)).toBe(true);
      expect(Math.abs(g - (want[i] as number))).toBeLessThan(1e-3 * Math.max(1, Math.abs(want[i] as number)));
    });
  });

  it("rsample is tanh of a reparameterised Gaussian draw, with the bounds' log-scale subtracted", () => {
    const bounds = { scale: Float32Array.of(2, 0.5), offset: Float32Array.of(0, 1) };
    const [action, u, logProb] = tf.tidy(() => {
      const d = new SquashedGaussian(tf.tensor2d(mean), tf.tensor2d(logStd), bounds);
      const s = d.rsample(new Rng(1));
      return [s.action, s.preTanh, s.logProb].map((t) => t.arraySync()) as [number[][], number[][], number[]];
    });
    u.forEach((row, i) => {
      row.forEach((v, j) => {
        expect(action[i]?.[j]).toBeCloseTo(
          Math.tanh(v) * (bounds.scale[j] as number) + (bounds.offset[j] as number),
          5,
        );
      });
    });
    const want = reference(u, [2, 0.5]);
    logProb.forEach((g, i) => {
      expect(Math.abs(g - (want[i] as number))).toBeLessThan(1e-3);
    });
  });

  it("rsample is seeded by the Rng and has the requested moments", () => {
    const draw = (seed: number) =>
      tf.tidy(() => {
        const d = new SquashedGaussian(
          tf.fill([4000, 1], 0.5) as tf.Tensor2D,
          tf.fill([4000, 1], Math.log(0.3)) as tf.Tensor2D,
        );
        return d.rsample(new Rng(seed)).preTanh.dataSync() as Float32Array;
      });
    const u = draw(7);
    expect(Array.from(draw(7))).toEqual(Array.from(u));
    const m = u.reduce((s, v) => s + v, 0) / u.length;
    const sd = Math.sqrt(u.reduce((s, v) => s + (v - m) ** 2, 0) / u.length);
    expect(Math.abs(m - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(sd - 0.3)).toBeLessThan(0.02);
  });

  it("the head keeps log σ inside [logStdMin, logStdMax] and the gradient finite for extreme inputs", () => {
    const head = new SquashedGaussianHead(new Rng(2), 4, 3, { logStdMin: -5, logStdMax: 2 });
    tf.tidy(() => {
      const x = tf.mul(tf.randomNormal([64, 4], 0, 1, "float32", 3), 1000) as tf.Tensor2D;
      const ls = head.apply(x).logStd.dataSync();
      for (const v of ls) {
        expect(v).toBeGreaterThanOrEqual(-5);
        expect(v).toBeLessThanOrEqual(2);
      }
      const { value, grads } = tf.variableGrads(() => tf.mean(head.apply(x).rsample(new Rng(3)).logProb) as tf.Scalar);
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      for (const g of Object.values(grads)) for (const v of g.dataSync()) expect(Number.isFinite(v)).toBe(true);
    });
    expect(() => new SquashedGaussianHead(new Rng(0), 4, 3, { logStdMin: 1, logStdMax: 0 })).toThrow(QscapeError);
  });
});

describe("DiagGaussian (Smoothie)", () => {
  const mu1 = [
    [0.2, -1, 3],
    [0, 0.5, -0.5],
  ];
  const phi1 = [
    [-1, 0.3, 0.1],
    [0.5, -2, 0],
  ];
  const mu2 = [
    [1, -0.5, 2.5],
    [0.3, 0.5, 1],
  ];
  const phi2 = [0.2, -0.4, 1.1]; // state independent, broadcast over the batch

  it("KL(p ‖ q) equals the closed form ½Σ[σ²/σ'² + (μ'−μ)²/σ'² − 1 + ln(σ'²/σ²)] in float64", () => {
    const kl = tf.tidy(() => {
      const p = new DiagGaussian(tf.tensor2d(mu1), tf.tensor2d(phi1));
      const q = new DiagGaussian(tf.tensor2d(mu2), tf.tensor1d(phi2));
      return [p.kl(q).arraySync(), p.kl(p).arraySync()] as [number[], number[]];
    });
    mu1.forEach((row, i) => {
      let want = 0;
      row.forEach((m, j) => {
        const v1 = Math.exp(phi1[i]?.[j] as number);
        const v2 = Math.exp(phi2[j] as number);
        want += 0.5 * (v1 / v2 + ((mu2[i]?.[j] as number) - m) ** 2 / v2 - 1 + Math.log(v2 / v1));
      });
      expect(kl[0][i]).toBeCloseTo(want, 4);
      expect(kl[1][i]).toBeCloseTo(0, 6);
    });
  });

  it("log-density and entropy match float64 formulas; samples have the given moments", () => {
    const x = [
      [0, 0, 0],
      [1, -1, 2],
    ];
    const [lp, ent] = tf.tidy(() => {
      const p = new DiagGaussian(tf.tensor2d(mu1), tf.tensor2d(phi1));
      return [p.logProb(tf.tensor2d(x)).arraySync(), p.entropy().arraySync()] as [number[], number[]];
    });
    mu1.forEach((row, i) => {
      let logDensity = 0;
      let entropy = 0;
      row.forEach((m, j) => {
        const phi = phi1[i]?.[j] as number;
        logDensity += -0.5 * (((x[i]?.[j] as number) - m) ** 2 / Math.exp(phi) + phi + LOG_2PI);
        entropy += 0.5 * (phi + 1 + LOG_2PI);
      });
      expect(lp[i]).toBeCloseTo(logDensity, 4);
      expect(ent[i]).toBeCloseTo(entropy, 4);
    });
    const samples = tf.tidy(() => {
      const p = new DiagGaussian(tf.fill([5000, 1], -1) as tf.Tensor2D, tf.tensor1d([Math.log(0.25)]));
      return p.sample(new Rng(9)).dataSync() as Float32Array;
    });
    const m = samples.reduce((s, v) => s + v, 0) / samples.length;
    const variance = samples.reduce((s, v) => s + (v - m) ** 2, 0) / samples.length;
    expect(Math.abs(m + 1)).toBeLessThan(0.03);
    expect(Math.abs(variance - 0.25)).toBeLessThan(0.02);
  });

  it("the head's log-variance is one learnable, state-independent parameter per dimension", () => {
    const head = new DiagGaussianHead(new Rng(1), 4, 2, { initStd: 0.3 });
    expect(Array.from(head.logVariance.dataSync()).map((v) => Math.exp(v / 2))).toEqual([
      expect.closeTo(0.3, 6),
      expect.closeTo(0.3, 6),
    ]);
    tf.tidy(() => {
      const x = tf.randomNormal([8, 4], 0, 1, "float32", 1) as tf.Tensor2D;
      const { grads } = tf.variableGrads(() => tf.mean(head.apply(x).entropy()) as tf.Scalar, [head.logVariance]);
      // d entropy / d φ_i = ½ per dimension.
      for (const g of (grads[head.logVariance.name] as tf.Tensor).dataSync()) expect(g).toBeCloseTo(0.5, 5);
    });
  });
});

describe("Categorical", () => {
  it("never samples or picks an unavailable action, even when its logit is the largest", () => {
    const rng = new Rng(11);
    const rows = 64;
    const n = 6;
    const logits: number[][] = [];
    const available: number[][] = [];
    for (let r = 0; r < rows; r++) {
      const mask = Array.from({ length: n }, () => (rng.random() < 0.5 ? 1 : 0));
      mask[rng.int(0, n)] = 1;
      available.push(mask);
      logits.push(mask.map((m) => (m ? rng.normal() : 20 + rng.normal())));
    }
    const [draws, greedy] = tf.tidy(() => {
      const dist = new Categorical(tf.tensor2d(logits), tf.tensor2d(available));
      const all: Int32Array[] = [];
      for (let k = 0; k < 30; k++) all.push(dist.sample(rng));
      return [all, dist.argmax()];
    });
    for (const draw of draws) {
      draw.forEach((a, r) => {
        expect(available[r]?.[a], `row ${r} drew ${a}`).toBe(1);
      });
    }
    greedy.forEach((a, r) => {
      expect(available[r]?.[a]).toBe(1);
    });
  });

  it("samples with the softmax probabilities", () => {
    const counts = [0, 0, 0];
    tf.tidy(() => {
      const dist = new Categorical(tf.tensor2d([[0, Math.log(3), Math.log(6)]]));
      const rng = new Rng(12);
      for (let k = 0; k < 6000; k++) {
        const a = dist.sample(rng)[0] as 0 | 1 | 2;
        counts[a] = (counts[a] as number) + 1;
      }
    });
    expect(counts.map((c) => c / 6000)).toEqual([
      expect.closeTo(0.1, 1),
      expect.closeTo(0.3, 1),
      expect.closeTo(0.6, 1),
    ]);
    expect(Math.abs((counts[2] as number) / 6000 - 0.6)).toBeLessThan(0.03);
  });

  it("log-prob and entropy of a masked distribution equal those of the available sub-distribution", () => {
    const logits = [[1, 2, 0.5, -1]];
    const available = [[1, 0, 1, 1]];
    const [lp, ent] = tf.tidy(() => {
      const d = new Categorical(tf.tensor2d(logits), tf.tensor2d(available));
      return [d.logProb(Int32Array.of(2)).arraySync(), d.entropy().arraySync()] as [number[], number[]];
    });
    const sub = [1, 0.5, -1];
    const lse = Math.log(sub.reduce((s, v) => s + Math.exp(v), 0));
    expect(lp[0]).toBeCloseTo(0.5 - lse, 5);
    expect(ent[0]).toBeCloseTo(-sub.reduce((s, v) => s + Math.exp(v - lse) * (v - lse), 0), 5);
  });

  it("the head applies the mask and a row with nothing available is an error", () => {
    const head = new CategoricalHead(new Rng(3), 2, 3);
    tf.tidy(() => {
      const d = head.apply(
        tf.ones([2, 2]),
        tf.tensor2d([
          [0, 0, 1],
          [0, 0, 0],
        ]),
      );
      expect(() => d.sample(new Rng(0))).toThrow(/row 1 has no available choice/);
      expect(d.argmax()[0]).toBe(2);
    });
  });
});

describe("FactoredCategorical (QMLE)", () => {
  const logits = [
    [
      [0.1, 2, -1],
      [0, 0, 0],
    ],
    [
      [3, -2, 0.5],
      [-1, 1.5, 0.2],
    ],
  ];
  const bins = Int32Array.of(1, 2, 0, 1);

  function logSoftmax(v: number[]): number[] {
    const lse = Math.log(v.reduce((s, x) => s + Math.exp(x), 0));
    return v.map((x) => x - lse);
  }

  it("log-likelihood of given bins is the sum of per-dimension log-probs; CE is their negative mean", () => {
    const [perDim, ll, ce, ent] = tf.tidy(() => {
      const d = new FactoredCategorical(tf.tensor3d(logits));
      return [
        d.logProbs(bins).arraySync(),
        d.logLikelihood(bins).arraySync(),
        d.crossEntropy(bins).arraySync(),
        d.entropy().arraySync(),
      ] as [number[][], number[], number, number[]];
    });
    let total = 0;
    logits.forEach((row, b) => {
      let sum = 0;
      let entropy = 0;
      row.forEach((dim, j) => {
        const ls = logSoftmax(dim);
        const want = ls[bins[b * 2 + j] as number] as number;
        expect(perDim[b]?.[j]).toBeCloseTo(want, 5);
        sum += want;
        entropy -= ls.reduce((s, v) => s + Math.exp(v) * v, 0);
      });
      expect(ll[b]).toBeCloseTo(sum, 5);
      expect(ent[b]).toBeCloseTo(entropy, 5);
      total += sum;
    });
    expect(ce).toBeCloseTo(-total / 4, 5);
  });

  it("samples per dimension, argmax per dimension, and maps bins to bang-off-bang actions and back", () => {
    const head = new FactoredCategoricalHead(new Rng(4), 3, 2, 3);
    const [sample, greedy] = tf.tidy(() => {
      const d = head.apply(tf.randomNormal([5, 3], 0, 1, "float32", 2) as tf.Tensor2D);
      expect(d.logits.shape).toEqual([5, 2, 3]);
      return [d.sample(new Rng(5)), new FactoredCategorical(tf.tensor3d(logits)).argmax()];
    });
    expect(sample).toHaveLength(10);
    for (const k of sample) expect([0, 1, 2]).toContain(k);
    expect(Array.from(greedy)).toEqual([1, 0, 0, 1]);
    const actions = binsToActions(Int32Array.of(0, 1, 2, 2), [-1, 0], [1, 2], 3);
    expect(Array.from(actions)).toEqual([-1, 1, 1, 2]);
    expect(Array.from(actionsToBins(Float32Array.of(-0.4, 1.6, 0.7, -5), [-1, 0], [1, 2], 3))).toEqual([1, 2, 2, 0]);
  });
});
