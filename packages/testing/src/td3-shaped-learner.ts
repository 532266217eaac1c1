/**
 * The TD3 learner update (Fujimoto et al. 2018) in exactly the shape of the PyTorch peer script: twin Q critics
 * and an actor (256-256 ReLU MLPs), batch 256, Adam 3e-4, target smoothing noise 0.2 clipped at 0.5,
 * actor and Polyak updates every 2nd call, on random replay data. Used by `pnpm bench:core`,
 * `pnpm bench:native` and the tensor-leak test.
 */
import { Adam, hardUpdate, MLP, ParamGroup, polyakUpdate, Rng, tf } from "@qscape/core";

export interface Td3ShapeOptions {
  obsDim?: number;
  actDim?: number;
  hidden?: number;
  batch?: number;
  /** Rows of random replay data to sample from. */
  rows?: number;
  seed?: number;
}

export class Td3ShapedLearner {
  private readonly q1: MLP;
  private readonly q2: MLP;
  private readonly actor: MLP;
  private readonly q1t: MLP;
  private readonly q2t: MLP;
  private readonly actort: MLP;
  private readonly qOpt: Adam;
  private readonly aOpt: Adam;
  private readonly critics: ParamGroup;
  private readonly targets: ParamGroup;
  private readonly online: ParamGroup;
  private readonly data: { o: Float32Array; a: Float32Array; r: Float32Array; o2: Float32Array };
  private readonly rng: Rng;
  private readonly obsDim: number;
  private readonly actDim: number;
  private readonly batch: number;
  private readonly rows: number;
  private i = 0;

  constructor(opts: Td3ShapeOptions = {}) {
    this.obsDim = opts.obsDim ?? 11;
    this.actDim = opts.actDim ?? 3;
    const h = opts.hidden ?? 256;
    this.batch = opts.batch ?? 256;
    this.rows = opts.rows ?? 100_000;
    this.rng = new Rng(opts.seed ?? 0);
    const mlp = (i: number, o: number, name: string) => new MLP(this.rng, i, o, { hidden: [h, h], name });
    const sa = this.obsDim + this.actDim;
    this.q1 = mlp(sa, 1, "q1");
    this.q2 = mlp(sa, 1, "q2");
    this.actor = mlp(this.obsDim, this.actDim, "actor");
    this.q1t = mlp(sa, 1, "q1t");
    this.q2t = mlp(sa, 1, "q2t");
    this.actort = mlp(this.obsDim, this.actDim, "actort");
    this.critics = ParamGroup.of("critics", this.q1, this.q2);
    this.online = ParamGroup.of("online", this.q1, this.q2, this.actor);
    this.targets = ParamGroup.of("targets", this.q1t, this.q2t, this.actort);
    hardUpdate(this.targets, this.online);
    this.qOpt = new Adam("critic", this.critics, { lr: 3e-4 });
    this.aOpt = new Adam("actor", this.actor, { lr: 3e-4 });
    const n = this.rows;
    this.data = {
      o: this.rng.fillNormal(new Float32Array(n * this.obsDim)) as Float32Array,
      a: this.rng.fillUniform(new Float32Array(n * this.actDim), -1, 1) as Float32Array,
      r: this.rng.fillNormal(new Float32Array(n)) as Float32Array,
      o2: this.rng.fillNormal(new Float32Array(n * this.obsDim)) as Float32Array,
    };
  }

  private sample(): { o: Float32Array; a: Float32Array; r: Float32Array; o2: Float32Array; noise: Float32Array } {
    const { obsDim: od, actDim: ad, batch: B } = this;
    const o = new Float32Array(B * od);
    const a = new Float32Array(B * ad);
    const r = new Float32Array(B);
    const o2 = new Float32Array(B * od);
    const noise = new Float32Array(B * ad);
    const { o: so, a: sa, r: sr, o2: so2 } = this.data;
    // Element loops rather than subarray copies: no per-row view objects (the peer indexes in C).
    for (let b = 0; b < B; b++) {
      const idx = this.rng.int(0, this.rows);
      for (let j = 0; j < od; j++) {
        o[b * od + j] = so[idx * od + j] as number;
        o2[b * od + j] = so2[idx * od + j] as number;
      }
      for (let j = 0; j < ad; j++) a[b * ad + j] = sa[idx * ad + j] as number;
      r[b] = sr[idx] as number;
    }
    for (let k = 0; k < noise.length; k++) noise[k] = Math.max(-0.5, Math.min(0.5, this.rng.normal(0, 0.2)));
    return { o, a, r, o2, noise };
  }

  /** One update; returns the critic loss. */
  update(): number {
    const { obsDim: od, actDim: ad, batch: B } = this;
    const s = this.sample();
    const doActor = this.i % 2 === 0;
    this.i += 1;
    return tf.tidy(() => {
      const ob = tf.tensor2d(s.o, [B, od]);
      const ac = tf.tensor2d(s.a, [B, ad]);
      const rw = tf.tensor2d(s.r, [B, 1]);
      const ob2 = tf.tensor2d(s.o2, [B, od]);
      const nz = tf.tensor2d(s.noise, [B, ad]);
      const na = tf.clipByValue(tf.add(tf.tanh(this.actort.apply(ob2)), nz), -1, 1) as tf.Tensor2D;
      const x2 = tf.concat([ob2, na], 1);
      const y = tf.add(rw, tf.mul(0.99, tf.minimum(this.q1t.apply(x2), this.q2t.apply(x2))));
      const x = tf.concat([ob, ac], 1);
      const loss = this.qOpt.minimize(
        () =>
          tf.add(
            tf.mean(tf.squaredDifference(this.q1.apply(x, { inputGrad: false }), y)),
            tf.mean(tf.squaredDifference(this.q2.apply(x, { inputGrad: false }), y)),
          ) as tf.Scalar,
      );
      if (doActor) {
        // The critic only passes the gradient through: its own weight gradients are not needed.
        this.aOpt.minimize(() => {
          const pi = tf.tanh(this.actor.apply(ob, { inputGrad: false }));
          return tf.neg(tf.mean(this.q1.apply(tf.concat([ob, pi], 1), { paramGrads: false })));
        });
        polyakUpdate(this.targets, this.online, 0.005);
      }
      return loss;
    });
  }
}
