/**
 * Plain gradient descent, p ← p − η∇p: Algorithm 1's update form for θ and φ (Nachum et al. 2018). Same
 * `minimize` contract as core's Adam (returns the loss, refuses non-finite losses or gradients).
 */
import { NonFiniteError, type Parameterized, tf } from "@qscape/core";

export class SGD {
  private readonly vars: tf.Variable[];
  constructor(
    readonly name: string,
    params: Parameterized,
    readonly lr: number,
  ) {
    this.vars = params.parameters();
  }

  minimize(loss: () => tf.Scalar): number {
    return tf.tidy(() => {
      const { value, grads } = tf.variableGrads(loss, this.vars);
      const gs = this.vars.map((p) => grads[p.name] ?? tf.zerosLike(p));
      const sq = tf.addN(gs.map((g) => tf.sum(tf.square(g))));
      const [lossValue, sqNorm] = tf.stack([value, sq]).dataSync() as Float32Array;
      if (!Number.isFinite(lossValue) || !Number.isFinite(sqNorm)) {
        throw new NonFiniteError(
          `${this.name}: ${Number.isFinite(lossValue) ? "gradient is not finite" : `loss is ${lossValue}`}; weights left unchanged`,
        );
      }
      this.vars.forEach((p, i) => {
        p.assign(tf.sub(p, tf.mul(gs[i] as tf.Tensor, this.lr)));
      });
      return lossValue as number;
    });
  }
}
