/**
 * QMLE's action-in Q network and argmax predictors (qmle.md §3.3, App. B.1 Fig. 4), h = width:
 *
 *   observation stream  zs = ELU(LN(x + W₂ ReLU(W₁ x))),  x = Linear(obs → h)
 *   action stream       za = ELU(LN(Linear(a → h)))
 *   joint head          y  = ELU(LN(c + W₄ ReLU(W₃ c))),  c = [zs, za] (2h);  Q = Linear(y → 1)
 *   delta predictor     u  = tanh(Linear(ReLU(Linear(stopgrad zs → h)) → d))
 *   categorical         logits = Linear(ReLU(Linear(stopgrad zs → h)) → d × bins)
 *
 * Candidate evaluation: zs is computed once per state and broadcast over its M candidates. The
 * joint block's first layer is split as W₃ c = W₃ˢ zs + W₃ᵃ za, so its observation half is also
 * computed once per state instead of once per candidate.
 */
import {
  dense,
  type FactoredCategorical,
  FactoredCategoricalHead,
  Linear,
  NormedLinear,
  type Parameterized,
  ResidualBlock,
  ResidualMLP,
  type Rng,
  tf,
} from "@qscape/core";

const identityWithoutGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.clone(args[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

/** Identity forward, zero gradient backward (tfjs has no stop_gradient op). */
const stopGradient = (x: tf.Tensor2D): tf.Tensor2D => identityWithoutGradient(x) as tf.Tensor2D;

export interface Predictions {
  /** Delta predictor output in [−1, 1], [B, d]. */
  deltaMean: tf.Tensor2D;
  categorical: FactoredCategorical;
}

export class QmleNetwork implements Parameterized {
  readonly observationStream: ResidualMLP;
  readonly actionStream: NormedLinear;
  readonly jointBlock: ResidualBlock;
  readonly qOutput: Linear;
  readonly deltaHidden: Linear;
  readonly deltaOutput: Linear;
  readonly categoricalHidden: Linear;
  readonly categoricalHead: FactoredCategoricalHead;
  private readonly zeroBias: tf.Variable;

  constructor(
    rng: Rng,
    readonly obsDim: number,
    readonly actionDim: number,
    readonly width: number,
    readonly bins: number,
    name = "qmle",
  ) {
    this.observationStream = new ResidualMLP(rng, obsDim, {
      width,
      blocks: 1,
      embed: true,
      innerActivation: "relu",
      blockActivation: "elu",
      name: `${name}.obs`,
    });
    this.actionStream = new NormedLinear(rng, actionDim, width, { activation: "elu", name: `${name}.action` });
    this.jointBlock = new ResidualBlock(rng, 2 * width, { activation: "relu", name: `${name}.joint` });
    this.qOutput = new Linear(rng, 2 * width, 1, { name: `${name}.q` });
    this.deltaHidden = new Linear(rng, width, width, { name: `${name}.delta.hidden` });
    this.deltaOutput = new Linear(rng, width, actionDim, { name: `${name}.delta.out` });
    this.categoricalHidden = new Linear(rng, width, width, { name: `${name}.cat.hidden` });
    this.categoricalHead = new FactoredCategoricalHead(rng, width, actionDim, bins, { name: `${name}.cat.out` });
    // Not trainable and not in parameters(): the bias slot of the per-state half of W₃.
    this.zeroBias = tf.variable(tf.zeros([2 * width]), false);
  }

  /** zs, [B, h]: computed once per state. */
  features(obs: tf.Tensor2D): tf.Tensor2D {
    return this.observationStream.apply(obs);
  }

  /**
   * Q of M candidates per state: features [B, h], actions [B·M, d] (state-major) → [B, M].
   * Only the action stream and the joint head run per candidate.
   */
  q(features: tf.Tensor2D, actions: tf.Tensor2D, perState: number): tf.Tensor2D {
    const [b, h] = features.shape;
    const m = perState;
    const za = this.actionStream.apply(actions);
    const { inner, outer, norm } = this.jointBlock;
    const wState = tf.slice(inner.weight as tf.Tensor2D, [0, 0], [h, 2 * h]);
    const wAction = tf.slice(inner.weight as tf.Tensor2D, [h, 0], [h, 2 * h]);
    const statePart = dense(features, wState, this.zeroBias as tf.Tensor1D);
    const actionPart = dense(za, wAction, inner.bias as tf.Tensor1D);
    const hidden = tf.relu(
      tf.reshape(tf.add(tf.reshape(actionPart, [b, m, 2 * h]), tf.expandDims(statePart, 1)), [b * m, 2 * h]),
    ) as tf.Tensor2D;
    // Residual input [zs, za] + branch without materialising zs per candidate (gather and tile
    // are slow on WASM): [0, za] + branch per row, then [zs, 0] broadcast over the M rows.
    const perCandidate = tf.add(
      tf.pad(za, [
        [0, 0],
        [h, 0],
      ]),
      outer.apply(hidden),
    );
    const stateResidual = tf.expandDims(
      tf.pad(features, [
        [0, 0],
        [0, h],
      ]),
      1,
    );
    const residual = tf.reshape(tf.add(tf.reshape(perCandidate, [b, m, 2 * h]), stateResidual), [
      b * m,
      2 * h,
    ]) as tf.Tensor2D;
    const joint = tf.elu(norm.apply(residual)) as tf.Tensor2D;
    return tf.reshape(this.qOutput.apply(joint), [b, m]);
  }

  /** Argmax predictors on stopgrad(zs): their losses never reach the observation stream (§3.2). */
  predict(features: tf.Tensor2D): Predictions {
    const z = stopGradient(features);
    const deltaMean = tf.tanh(this.deltaOutput.apply(tf.relu(this.deltaHidden.apply(z)))) as tf.Tensor2D;
    const categorical = this.categoricalHead.apply(tf.relu(this.categoricalHidden.apply(z)));
    return { deltaMean, categorical };
  }

  parameters(): tf.Variable[] {
    return [
      ...this.observationStream.parameters(),
      ...this.actionStream.parameters(),
      ...this.jointBlock.parameters(),
      ...this.qOutput.parameters(),
      ...this.deltaHidden.parameters(),
      ...this.deltaOutput.parameters(),
      ...this.categoricalHidden.parameters(),
      ...this.categoricalHead.parameters(),
    ];
  }

  dispose(): void {
    for (const v of this.parameters()) v.dispose();
    this.zeroBias.dispose();
  }
}
