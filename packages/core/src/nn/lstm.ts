/**
 * LSTM written with tf ops (tfjs-layers' LSTM would bring its own variables and the slow
 * transposed-matMul gradient). Gate layout and initialisation follow PyTorch's nn.LSTM:
 * gates = x W_ih + b_ih + h W_hh + b_hh split as (input, forget, cell, output).
 */
import * as tf from "@tensorflow/tfjs";
import { QscapeError } from "../errors.js";
import type { Parameterized } from "../params.js";
import type { Rng } from "../rng.js";
import { Linear } from "./linear.js";
import { applyPerItem } from "./ops.js";

export interface LSTMResult {
  /** Hidden state after every step, in the input's item order: [B, L, hidden]. */
  outputs: tf.Tensor3D;
  /** Hidden state after the last step processed (the first item when reversed): [B, hidden]. */
  final: tf.Tensor2D;
}

/** One-directional single-layer LSTM over [B, L, d]. */
export class LSTM implements Parameterized {
  readonly inputProjection: Linear;
  readonly recurrentProjection: Linear;
  constructor(
    rng: Rng,
    readonly inputSize: number,
    readonly hiddenSize: number,
    opts: { name?: string } = {},
  ) {
    const name = opts.name ?? "lstm";
    // PyTorch draws every LSTM weight from U(±1/√hidden); Linear draws U(±1/√fanIn), so rescale.
    this.inputProjection = new Linear(rng, inputSize, 4 * hiddenSize, {
      name: `${name}.ih`,
      scale: Math.sqrt(inputSize / hiddenSize),
    });
    this.recurrentProjection = new Linear(rng, hiddenSize, 4 * hiddenSize, { name: `${name}.hh` });
  }

  /**
   * Run over the items (last to first when `reverse`). Items with mask 0 leave the state
   * unchanged, so padding anywhere in the list does not affect the result.
   */
  apply(items: tf.Tensor3D, mask?: tf.Tensor2D, reverse = false): LSTMResult {
    const [b, l, d] = items.shape;
    if (d !== this.inputSize) throw new QscapeError(`LSTM: items have ${d} features, expected ${this.inputSize}`);
    const h0 = tf.zeros([b, this.hiddenSize]) as tf.Tensor2D;
    if (l === 0) return { outputs: tf.zeros([b, 0, this.hiddenSize]), final: h0 };
    // Project every item's input at once; only the recurrent product stays in the loop. Steps are
    // sliced from a time-major copy (contiguous slices) rather than unstacked: tfjs hands a
    // one-output op's gradient a bare tensor, so unstack's gradient (a stack) throws when L = 1.
    const timeMajor = tf.transpose(applyPerItem(this.inputProjection, items), [1, 0, 2]);
    const projected = Array.from(
      { length: l },
      (_, t) =>
        tf.reshape(tf.slice(timeMajor, [t, 0, 0], [1, b, 4 * this.hiddenSize]), [
          b,
          4 * this.hiddenSize,
        ]) as tf.Tensor2D,
    );
    const stepMasks = mask ? (tf.split(mask, l, 1) as tf.Tensor2D[]) : null;
    const outputs: tf.Tensor2D[] = new Array(l);
    let h = h0;
    let c = h0;
    for (let s = 0; s < l; s++) {
      const t = reverse ? l - 1 - s : s;
      const gates = tf.add(projected[t] as tf.Tensor2D, this.recurrentProjection.apply(h));
      const [i, f, g, o] = tf.split(gates, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const cNext: tf.Tensor2D = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
      const hNext: tf.Tensor2D = tf.mul(tf.sigmoid(o), tf.tanh(cNext));
      const m = stepMasks?.[t];
      c = m ? (tf.add(c, tf.mul(m, tf.sub(cNext, c))) as tf.Tensor2D) : cNext;
      h = m ? (tf.add(h, tf.mul(m, tf.sub(hNext, h))) as tf.Tensor2D) : hNext;
      outputs[t] = h;
    }
    return { outputs: tf.stack(outputs, 1) as tf.Tensor3D, final: h };
  }

  parameters(): tf.Variable[] {
    return [...this.inputProjection.parameters(), ...this.recurrentProjection.parameters()];
  }
}
