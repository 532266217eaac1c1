/**
 * Fixed, known Q-landscapes for testing SAVO's successive machinery without a learned critic:
 * the envs package's Gaussian-bump bandits written as a tfjs function of the action.
 */
import { Adam, MLP, oneHotFloat, ParamGroup, Rng, tf } from "@qscape/core";
import type { GaussianBump } from "@qscape/envs";
import { type QFunction, SuccessiveChain, successiveTargets } from "../src/chain.js";
import { SavoConfig, type SavoConfigInput } from "../src/config.js";

/** Q(s, a) = Σ w·exp(−‖a − c‖² / 2s²), independent of s; [B, 1]. */
export function bumpQ(bumps: GaussianBump[]): QFunction {
  return (_obs, action) =>
    tf.tidy(() => {
      const terms = bumps.map((b) => {
        const d2 = tf.sum(tf.square(tf.sub(action, tf.tensor2d([b.center], [1, b.center.length]))), 1, true);
        return tf.mul(b.weight, tf.exp(tf.div(d2, -2 * b.width ** 2)));
      });
      return tf.addN(terms) as tf.Tensor2D;
    });
}

export interface FixedQRun {
  /** μ(s) after training: the single gradient-ascent actor. */
  mu: number[];
  /** The chain a0..ak−1 after training (noise-free). */
  chain: number[][];
  /** μM(s) = argmax_i Q(s, ai). */
  maximizer: number[];
  qMaximizer: number;
  qMu: number;
  /** Ψ̂1..Ψ̂k−1 on a 41-point grid over [−1, 1] (diagnostics). */
  surrogateGrid: number[][];
}

/**
 * Trains μ by DPG on a fixed Q and ν1..νk−1 by Eq. 8/9 against the same Q, starting from μ(s) ≈
 * `muInit` (regressed there first). Anchors (Eq. 9's μ̃M) are the maximizer plus N(0, noise²).
 */
export function trainOnFixedQ(
  bumps: GaussianBump[],
  opts: {
    seed: number;
    muInit: number[];
    iterations: number;
    noise: number;
    surrogateFits?: number;
    /** Start points of ν1..νk−1 (each regressed there first, like μ); default: their initialisation. */
    chainInit?: number[][];
    /** Control: the later actors ascend Q itself instead of max{Q, τi} (exact surrogates only). */
    untruncated?: boolean;
    batch?: number;
    config?: SavoConfigInput;
  },
): FixedQRun {
  const dim = opts.muInit.length;
  const config = SavoConfig.parse({
    seed: opts.seed,
    actorHidden: [32, 32],
    criticHidden: [64, 64],
    actorLr: 3e-4,
    criticLr: 3e-3,
    summarizerHidden: 16,
    summarySize: 16,
    numCandidates: 3,
    ...opts.config,
  });
  const rng = new Rng(opts.seed);
  const q = bumpQ(bumps);
  const mu = new MLP(rng, 1, dim, { hidden: config.actorHidden, outputActivation: "tanh", name: "mu" });
  const chain = new SuccessiveChain(rng, 1, dim, config, "chain");
  const muOpt = new Adam("mu", mu, { lr: config.actorLr });
  const batch = opts.batch ?? 128;
  const obs = tf.zeros([batch, 1]) as tf.Tensor2D;
  const init = tf.tile(tf.tensor2d([opts.muInit]), [batch, 1]) as tf.Tensor2D;
  const point = (p: number[]) => tf.tile(tf.tensor2d([p]), [batch, 1]) as tf.Tensor2D;
  const floor = tf.fill([batch, 1], -1e9) as tf.Tensor2D;
  try {
    // Start points: a fast regression (its own Adam), so the ascent below starts where asked.
    const placeMu = new Adam("placeMu", mu, { lr: 1e-2 });
    for (let i = 0; i < 300; i++) placeMu.minimize(() => tf.losses.meanSquaredError(init, mu.apply(obs)) as tf.Scalar);
    placeMu.dispose();
    const chainInit = opts.chainInit;
    if (chainInit) {
      const place = new Adam("placeChain", ParamGroup.of("chain", ...chain.actors), { lr: 1e-2 });
      for (let it = 0; it < 300; it++) {
        tf.tidy(() => {
          const starts = [opts.muInit, ...chainInit].map(point);
          place.minimize(() => {
            const losses = chain.actors.map((nu, j) =>
              tf.losses.meanSquaredError(starts[j + 1] as tf.Tensor2D, nu.apply(obs, starts.slice(0, j + 1))),
            );
            return tf.addN(losses) as tf.Scalar;
          });
        });
      }
      place.dispose();
    }
    for (let it = 0; it < opts.iterations; it++) {
      tf.tidy(() => {
        const a = chain.propose(obs, mu.apply(obs)).clean;
        const qChain = a.map((x) => q(obs, x));
        const stacked = tf.stack(a, 1) as tf.Tensor3D;
        const best = tf.argMax(tf.concat(qChain, 1), 1);
        const maximizer = tf.sum(tf.mul(stacked, tf.expandDims(oneHotFloat(best, a.length), 2)), 1);
        // The replay's executed actions: half uniform (the random warm-up), half μM(s) + noise.
        const half = batch / 2;
        const noise = tf.tensor2d(rng.fillNormal(new Float32Array(half * dim), 0, opts.noise) as Float32Array, [
          half,
          dim,
        ]);
        const uniform = tf.tensor2d(rng.fillUniform(new Float32Array(half * dim), -1, 1) as Float32Array, [half, dim]);
        const explored = tf.clipByValue(tf.add(tf.slice(maximizer, [0, 0], [half, dim]), noise), -1, 1);
        const anchor = tf.concat([uniform, explored], 0) as tf.Tensor2D;
        const targets = successiveTargets(q(obs, anchor), qChain);
        if (chain.surrogates.length > 0) {
          for (let f = 0; f < (opts.surrogateFits ?? 1); f++) chain.fitSurrogates(obs, anchor, a, targets);
        }
        muOpt.minimize(() => tf.neg(tf.mean(q(obs, mu.apply(obs)))) as tf.Scalar);
        const thresholds = opts.untruncated ? targets.thresholds.map(() => floor) : targets.thresholds;
        chain.stepActors(obs, a, { thresholds, exactQ: q, firstQ: q, flip: false });
      });
    }
    return tf.tidy(() => {
      const one = tf.zeros([1, 1]) as tf.Tensor2D;
      const a = chain.propose(one, mu.apply(one)).clean.map((x) => Array.from(x.dataSync()));
      const values = a.map((x) => q(one, tf.tensor2d([x])).dataSync()[0] as number);
      const best = values.indexOf(Math.max(...values));
      if (dim !== 1)
        return {
          surrogateGrid: [],
          mu: a[0] as number[],
          chain: a,
          maximizer: a[best] as number[],
          qMaximizer: values[best] as number,
          qMu: values[0] as number,
        };
      const grid = Array.from({ length: 41 }, (_, g) => -1 + g / 20);
      const gridT = tf.tensor2d(grid, [41, 1]);
      const obs41 = tf.zeros([41, 1]) as tf.Tensor2D;
      const surrogateGrid = chain.surrogates.map((psi, j) => {
        const prev = a.slice(0, j + 1).map((x) => tf.tile(tf.tensor2d([x]), [41, 1]) as tf.Tensor2D);
        return Array.from(psi.apply(obs41, gridT as tf.Tensor2D, prev).dataSync()).map(
          (v) => Math.round(v * 100) / 100,
        );
      });
      return {
        surrogateGrid,
        mu: a[0] as number[],
        chain: a,
        maximizer: a[best] as number[],
        qMaximizer: values[best] as number,
        qMu: values[0] as number,
      };
    });
  } finally {
    obs.dispose();
    init.dispose();
    floor.dispose();
    for (const v of mu.parameters()) v.dispose();
    muOpt.dispose();
    chain.dispose();
  }
}
