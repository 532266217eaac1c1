/**
 * The networks of Ch. 2's representation stage (App. A D.3), for trajectory observations: each
 * observation is a sequence x_0 … x_{T−1} of 2-d positions.
 *
 * ```
 * h_o      = Linear(BiLSTM₂(o))                          per observation, 64-d
 * q_φ(c|𝒪) = BN(MLP₃(mean_{o∈𝒪} MLP₄(h_o))) → (μ_c, log σ²_c)        hidden 128
 * q_ψ(z|o,c) = MLP(ReLU(Linear(c) + Linear(h_o))) → (μ_z, log σ²_z)
 * p(z|c)   = MLP₃(c) → (μ, log σ²)                        the Neural Statistician's learned prior
 * p(o|z,c) = LSTM over T−1 steps of ReLU(Linear(z) + Linear(c)) ⊙ MLP₃(x_0) → MLP₃ → (μ_t, log σ²_t)
 * ```
 *
 * The flat VAE (Ch. 2's non-hierarchical baseline) uses the same encoder and decoder with one
 * latent per observation and a N(0, I) prior.
 */
import { Linear, LSTM, MLP, type Parameterized, type Rng, tf, tileOverItems, variable } from "@qscape/core";
import type { RepresentationSettings } from "./config.js";

/** A diagonal Gaussian per row: [rows, size] means and log-variances. */
export interface DiagonalGaussian {
  mean: tf.Tensor2D;
  logVar: tf.Tensor2D;
}

/** KL(q ‖ p) between diagonal Gaussians, summed over the features: [rows]. */
export function gaussianKl(q: DiagonalGaussian, p: DiagonalGaussian): tf.Tensor1D {
  return tf.tidy(() => {
    const ratio = tf.div(tf.add(tf.exp(q.logVar), tf.square(tf.sub(q.mean, p.mean))), tf.exp(p.logVar));
    const perFeature = tf.mul(tf.sub(tf.add(tf.sub(p.logVar, q.logVar), ratio), 1), 0.5);
    return tf.sum(perFeature, 1) as tf.Tensor1D;
  });
}

/** KL(q ‖ N(0, I)), summed over the features: [rows]. */
export function standardNormalKl(q: DiagonalGaussian): tf.Tensor1D {
  return tf.tidy(() => {
    const perFeature = tf.mul(tf.sub(tf.add(tf.exp(q.logVar), tf.square(q.mean)), tf.add(q.logVar, 1)), 0.5);
    return tf.sum(perFeature, 1) as tf.Tensor1D;
  });
}

/** log N(x; μ, σ²) summed over every axis but the first: [rows]. */
export function gaussianLogLikelihood(x: tf.Tensor, mean: tf.Tensor, logVar: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const perValue = tf.mul(
      tf.add(tf.add(logVar, Math.log(2 * Math.PI)), tf.div(tf.square(tf.sub(x, mean)), tf.exp(logVar))),
      -0.5,
    );
    return tf.sum(tf.reshape(perValue, [x.shape[0] as number, -1]), 1) as tf.Tensor1D;
  });
}

/** Splits [rows, 2k] into the Gaussian (first k: mean, last k: log σ²). */
export function splitGaussian(params: tf.Tensor2D): DiagonalGaussian {
  const [mean, logVar] = tf.split(params, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
  return { mean, logVar };
}

/** μ + σ·ε with ε given (drawn from the caller's seeded Rng, so runs repeat exactly). */
export function reparameterize(g: DiagonalGaussian, noise: tf.Tensor2D): tf.Tensor2D {
  return tf.add(g.mean, tf.mul(tf.exp(tf.mul(g.logVar, 0.5)), noise));
}

/**
 * 1-D batch normalisation over the rows with a learnable affine, as PyTorch's BatchNorm1d: batch
 * statistics while training (and running averages updated from them), running ones otherwise.
 */
export class BatchNorm1d implements Parameterized {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  constructor(
    readonly size: number,
    readonly momentum: number,
    readonly eps = 1e-5,
    name = "batchnorm",
  ) {
    this.gamma = variable(new Float32Array(size).fill(1), [size], `${name}.gamma`);
    this.beta = variable(new Float32Array(size), [size], `${name}.beta`);
    this.runningMean = variable(new Float32Array(size), [size], `${name}.runningMean`, false);
    this.runningVar = variable(new Float32Array(size).fill(1), [size], `${name}.runningVar`, false);
  }

  apply(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    let mean: tf.Tensor;
    let variance: tf.Tensor;
    if (training) {
      const moments = tf.moments(x, 0);
      mean = moments.mean;
      variance = moments.variance;
      const rows = x.shape[0];
      // PyTorch keeps the unbiased variance in its running average.
      const unbiased = rows > 1 ? tf.mul(variance, rows / (rows - 1)) : variance;
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - this.momentum), tf.mul(mean, this.momentum)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - this.momentum), tf.mul(unbiased, this.momentum)));
    } else {
      mean = this.runningMean;
      variance = this.runningVar;
    }
    const normed = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.eps)));
    return tf.add(tf.mul(normed, this.gamma), this.beta);
  }

  /** The trainable affine only; the running statistics are `statistics()`. */
  parameters(): tf.Variable[] {
    return [this.gamma, this.beta];
  }

  statistics(): tf.Variable[] {
    return [this.runningMean, this.runningVar];
  }
}

/**
 * Stacked bidirectional LSTM over each observation's states (App. A D.3: "a 2-layer Bi-LSTM over
 * the state sequence"); the last layer's two final states, projected, encode the observation.
 */
export class TrajectoryEncoder implements Parameterized {
  readonly forward: LSTM[] = [];
  readonly backward: LSTM[] = [];
  readonly projection: Linear;
  constructor(rng: Rng, inputSize: number, hidden: number, layers: number, name = "encoder") {
    for (let i = 0; i < layers; i++) {
      const input = i === 0 ? inputSize : 2 * hidden;
      this.forward.push(new LSTM(rng, input, hidden, { name: `${name}.fwd${i}` }));
      this.backward.push(new LSTM(rng, input, hidden, { name: `${name}.bwd${i}` }));
    }
    this.projection = new Linear(rng, 2 * hidden, hidden, { name: `${name}.out` });
  }

  /** [N, T, inputSize] → [N, hidden]. */
  apply(trajectories: tf.Tensor3D): tf.Tensor2D {
    let sequence = trajectories;
    let finals: tf.Tensor2D[] = [];
    this.forward.forEach((fwdLayer, i) => {
      const fwd = fwdLayer.apply(sequence);
      const bwd = (this.backward[i] as LSTM).apply(sequence, undefined, true);
      sequence = tf.concat([fwd.outputs, bwd.outputs], 2);
      finals = [fwd.final, bwd.final];
    });
    return this.projection.apply(tf.concat(finals, 1));
  }

  parameters(): tf.Variable[] {
    return [
      ...this.forward.flatMap((l, i) => [...l.parameters(), ...(this.backward[i] as LSTM).parameters()]),
      ...this.projection.parameters(),
    ];
  }
}

/**
 * p(x_1 … x_{T−1} | code, x_0) (App. A D.3, trajectory data): the code (concat(z, c), or z for
 * the flat VAE) through a Linear and ReLU, times a 3-layer ReLU MLP's encoding of x_0, drives an
 * LSTM whose every step is mapped by a 3-layer ReLU MLP to a Gaussian over that step's state.
 * The LSTM is fed the same vector at every step (the thesis does not say what it reads; no
 * teacher forcing keeps the reconstruction a function of (z, c, x_0) alone).
 */
export class TrajectoryDecoder implements Parameterized {
  readonly code: Linear;
  readonly start: MLP;
  readonly lstm: LSTM;
  readonly head: MLP;
  constructor(
    rng: Rng,
    codeSize: number,
    readonly stateSize: number,
    hidden: number,
    readonly minLogVar: number,
    name = "decoder",
  ) {
    this.code = new Linear(rng, codeSize, hidden, { name: `${name}.code` });
    this.start = new MLP(rng, stateSize, hidden, {
      hidden: [hidden, hidden],
      outputActivation: "relu",
      name: `${name}.x0`,
    });
    this.lstm = new LSTM(rng, hidden, hidden, { name: `${name}.lstm` });
    this.head = new MLP(rng, hidden, 2 * stateSize, { hidden: [hidden, hidden], name: `${name}.head` });
  }

  /** code [N, codeSize], x0 [N, stateSize] → a Gaussian per later state: mean, logVar [N, steps, stateSize]. */
  apply(code: tf.Tensor2D, x0: tf.Tensor2D, steps: number): { mean: tf.Tensor3D; logVar: tf.Tensor3D } {
    const n = code.shape[0];
    const input = tf.mul(tf.relu(this.code.apply(code)), this.start.apply(x0));
    const repeated = tileOverItems(input, steps) as tf.Tensor3D;
    const { outputs } = this.lstm.apply(repeated);
    const hidden = outputs.shape[2];
    const params = this.head.apply(tf.reshape(outputs, [n * steps, hidden]));
    const [mean, rawLogVar] = tf.split(params, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const shape: [number, number, number] = [n, steps, this.stateSize];
    return { mean: tf.reshape(mean, shape), logVar: tf.reshape(tf.maximum(rawLogVar, this.minLogVar), shape) };
  }

  parameters(): tf.Variable[] {
    return [
      ...this.code.parameters(),
      ...this.start.parameters(),
      ...this.lstm.parameters(),
      ...this.head.parameters(),
    ];
  }
}

/** A batch of observation sets: [actions, observations per set, T, stateSize]. */
export type ObservationSets = tf.Tensor4D;

/** Per-observation averages of the ELBO's parts (Eq. 2.2 divided by the batch's observation count). */
export interface ElboTerms {
  /** E_q log p(o | z, c), per observation. */
  reconstruction: tf.Scalar;
  /** KL(q(z|o, c) ‖ p(z|c)) per observation (flat VAE: KL(q(z|o) ‖ N(0, I))). */
  klZ: tf.Scalar;
  /** KL(q(c|𝒪) ‖ N(0, I)) summed over the sets, per observation (0 for the flat VAE). */
  klC: tf.Scalar;
}

/** Reparameterisation noise for one batch, drawn by the trainer's Rng. */
export interface ElboNoise {
  /** [actions, representationSize]; unused by the flat VAE. */
  c: tf.Tensor2D;
  /** [actions · observations, latentSize] (flat VAE: representationSize). */
  z: tf.Tensor2D;
}

/** What the trainer needs of either model. */
export interface RepresentationModelNet extends Parameterized {
  /** Width of an action representation. */
  readonly representationSize: number;
  /** Width of the per-observation latent z (the flat VAE: its only latent). */
  readonly latentSize: number;
  terms(sets: ObservationSets, noise: ElboNoise, training: boolean): ElboTerms;
  /** The action representation of each set: [actions, representationSize]. */
  represent(sets: ObservationSets): tf.Tensor2D;
  /** Non-trainable state saved with the weights (batch-norm running statistics). */
  statistics(): tf.Variable[];
}

function flatten(sets: ObservationSets): { trajectories: tf.Tensor3D; x0: tf.Tensor2D; later: tf.Tensor3D } {
  const [b, n, t, d] = sets.shape;
  const trajectories = tf.reshape(sets, [b * n, t, d]) as tf.Tensor3D;
  const x0 = tf.reshape(tf.slice(trajectories, [0, 0, 0], [b * n, 1, d]), [b * n, d]) as tf.Tensor2D;
  const later = tf.slice(trajectories, [0, 1, 0], [b * n, t - 1, d]) as tf.Tensor3D;
  return { trajectories, x0, later };
}

/** The Neural Statistician over action observation sets (Eq. 2.2). */
export class HierarchicalVAE implements RepresentationModelNet {
  readonly encoder: TrajectoryEncoder;
  /** q_φ: 4-layer ReLU MLP per observation, before the mean pool. */
  readonly actionPerObservation: MLP;
  /** q_φ: 3-layer ReLU MLP after the pool, to (μ_c, log σ²_c) before the batch norm. */
  readonly actionPooled: MLP;
  readonly actionNorm: BatchNorm1d;
  readonly zFromC: Linear;
  readonly zFromObservation: Linear;
  /** q_ψ after ReLU(Linear(c) + Linear(h_o)): "two 2-layer MLPs with ReLU followed by a linear layer". */
  readonly zPosterior: MLP;
  /** p(z|c), learned as in the Neural Statistician (the thesis writes p(z|c_i) only). */
  readonly zPrior: MLP;
  readonly decoder: TrajectoryDecoder;
  readonly representationSize: number;
  readonly latentSize: number;

  constructor(rng: Rng, stateSize: number, s: RepresentationSettings) {
    const h = s.hidden;
    const ah = s.actionHidden;
    this.representationSize = s.representationSize;
    this.latentSize = s.latentSize;
    this.encoder = new TrajectoryEncoder(rng, stateSize, h, s.encoderLayers, "hvae.encoder");
    this.actionPerObservation = new MLP(rng, h, ah, {
      hidden: [ah, ah, ah],
      outputActivation: "relu",
      name: "hvae.qc.item",
    });
    this.actionPooled = new MLP(rng, ah, 2 * s.representationSize, { hidden: [ah, ah], name: "hvae.qc.pooled" });
    this.actionNorm = new BatchNorm1d(2 * s.representationSize, s.batchNormMomentum, 1e-5, "hvae.qc.bn");
    this.zFromC = new Linear(rng, s.representationSize, h, { name: "hvae.qz.c" });
    this.zFromObservation = new Linear(rng, h, h, { name: "hvae.qz.o" });
    this.zPosterior = new MLP(rng, h, 2 * s.latentSize, { hidden: [h, h, h], name: "hvae.qz.mlp" });
    this.zPrior = new MLP(rng, s.representationSize, 2 * s.latentSize, { hidden: [h, h], name: "hvae.pz" });
    this.decoder = new TrajectoryDecoder(
      rng,
      s.latentSize + s.representationSize,
      stateSize,
      h,
      s.minObservationLogVar,
      "hvae.decoder",
    );
  }

  /** q_φ(c | 𝒪) from the encoded observations [B·n, h] of B sets of n. */
  private actionPosterior(encoded: tf.Tensor2D, sets: number, perSet: number, training: boolean): DiagonalGaussian {
    const items = this.actionPerObservation.apply(encoded);
    // Mean pooling makes q(c|𝒪) a function of the set, not of the observations' order (Ch. 2 Eq. 2.2: q_φ pools the set).
    const pooled = tf.mean(tf.reshape(items, [sets, perSet, items.shape[1]]), 1) as tf.Tensor2D;
    return splitGaussian(this.actionNorm.apply(this.actionPooled.apply(pooled), training));
  }

  terms(sets: ObservationSets, noise: ElboNoise, training: boolean): ElboTerms {
    const [b, n, t] = sets.shape;
    const { trajectories, x0, later } = flatten(sets);
    const encoded = this.encoder.apply(trajectories);
    const qc = this.actionPosterior(encoded, b, n, training);
    const c = reparameterize(qc, noise.c);
    // Every observation of set i is conditioned on the set's own c_i.
    const cPerObservation = tf.reshape(tileOverItems(c, n), [b * n, this.representationSize]);
    const qz = splitGaussian(
      this.zPosterior.apply(
        tf.relu(tf.add(this.zFromC.apply(cPerObservation as tf.Tensor2D), this.zFromObservation.apply(encoded))),
      ),
    );
    const pz = splitGaussian(this.zPrior.apply(cPerObservation as tf.Tensor2D));
    const zSample = reparameterize(qz, noise.z);
    const decoded = this.decoder.apply(tf.concat([zSample, cPerObservation as tf.Tensor2D], 1), x0, t - 1);
    const count = b * n;
    return {
      reconstruction: tf.div(tf.sum(gaussianLogLikelihood(later, decoded.mean, decoded.logVar)), count),
      klZ: tf.div(tf.sum(gaussianKl(qz, pz)), count),
      klC: tf.div(tf.sum(standardNormalKl(qc)), count),
    };
  }

  /** The mean of q_φ(c | 𝒪) (Ch. 2: the representation is the posterior mean), batch norm in inference mode. */
  represent(sets: ObservationSets): tf.Tensor2D {
    const [b, n] = sets.shape;
    const { trajectories } = flatten(sets);
    return this.actionPosterior(this.encoder.apply(trajectories), b, n, false).mean;
  }

  parameters(): tf.Variable[] {
    return [
      ...this.encoder.parameters(),
      ...this.actionPerObservation.parameters(),
      ...this.actionPooled.parameters(),
      ...this.actionNorm.parameters(),
      ...this.zFromC.parameters(),
      ...this.zFromObservation.parameters(),
      ...this.zPosterior.parameters(),
      ...this.zPrior.parameters(),
      ...this.decoder.parameters(),
    ];
  }

  statistics(): tf.Variable[] {
    return this.actionNorm.statistics();
  }
}

/**
 * The non-hierarchical VAE baseline (Ch. 2's comparisons): one latent per observation with a
 * N(0, I) prior; an action's representation is the mean of its observations' posterior means.
 */
export class FlatVAE implements RepresentationModelNet {
  readonly encoder: TrajectoryEncoder;
  readonly posterior: MLP;
  readonly decoder: TrajectoryDecoder;
  readonly representationSize: number;
  readonly latentSize: number;

  constructor(rng: Rng, stateSize: number, s: RepresentationSettings) {
    const h = s.hidden;
    this.representationSize = s.representationSize;
    this.latentSize = s.representationSize;
    this.encoder = new TrajectoryEncoder(rng, stateSize, h, s.encoderLayers, "vae.encoder");
    this.posterior = new MLP(rng, h, 2 * s.representationSize, { hidden: [h, h, h], name: "vae.qz" });
    this.decoder = new TrajectoryDecoder(
      rng,
      s.representationSize,
      stateSize,
      h,
      s.minObservationLogVar,
      "vae.decoder",
    );
  }

  private observationPosterior(sets: ObservationSets): DiagonalGaussian {
    return splitGaussian(this.posterior.apply(this.encoder.apply(flatten(sets).trajectories)));
  }

  terms(sets: ObservationSets, noise: ElboNoise): ElboTerms {
    const [b, n, t] = sets.shape;
    const { x0, later } = flatten(sets);
    const qz = this.observationPosterior(sets);
    const decoded = this.decoder.apply(reparameterize(qz, noise.z), x0, t - 1);
    const count = b * n;
    return {
      reconstruction: tf.div(tf.sum(gaussianLogLikelihood(later, decoded.mean, decoded.logVar)), count),
      klZ: tf.div(tf.sum(standardNormalKl(qz)), count),
      klC: tf.scalar(0),
    };
  }

  represent(sets: ObservationSets): tf.Tensor2D {
    const [b, n] = sets.shape;
    const { mean } = this.observationPosterior(sets);
    return tf.mean(tf.reshape(mean, [b, n, this.latentSize]), 1) as tf.Tensor2D;
  }

  parameters(): tf.Variable[] {
    return [...this.encoder.parameters(), ...this.posterior.parameters(), ...this.decoder.parameters()];
  }

  statistics(): tf.Variable[] {
    return [];
  }
}

/** The model `settings.model` names. */
export function makeRepresentationModel(
  rng: Rng,
  stateSize: number,
  s: RepresentationSettings,
): RepresentationModelNet {
  return s.model === "hvae" ? new HierarchicalVAE(rng, stateSize, s) : new FlatVAE(rng, stateSize, s);
}
