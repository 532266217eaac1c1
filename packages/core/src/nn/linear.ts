import type * as tf from "@tensorflow/tfjs";
import { dense } from "../dense.js";
import { type Parameterized, torchUniform, variable } from "../params.js";
import type { Rng } from "../rng.js";

export type Init = "torch" | "glorot";

/** Fully connected layer `x @ W + b` through the fast dense op. */
export class Linear implements Parameterized {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  constructor(
    rng: Rng,
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: { name?: string; init?: Init; scale?: number } = {},
  ) {
    const name = opts.name ?? "linear";
    const scale = opts.scale ?? 1;
    let w: Float32Array;
    let b: Float32Array;
    if (opts.init === "glorot") {
      const limit = Math.sqrt(6 / (inFeatures + outFeatures));
      w = rng.fillUniform(new Float32Array(inFeatures * outFeatures), -limit, limit) as Float32Array;
      b = new Float32Array(outFeatures);
    } else {
      w = torchUniform(rng, inFeatures, inFeatures * outFeatures);
      b = torchUniform(rng, inFeatures, outFeatures);
    }
    if (scale !== 1) {
      for (let i = 0; i < w.length; i++) w[i] = (w[i] as number) * scale;
      for (let i = 0; i < b.length; i++) b[i] = (b[i] as number) * scale;
    }
    this.weight = variable(w, [inFeatures, outFeatures], `${name}.weight`);
    this.bias = variable(b, [outFeatures], `${name}.bias`);
  }
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return dense(x, this.weight as tf.Tensor2D, this.bias as tf.Tensor1D);
  }
  parameters(): tf.Variable[] {
    return [this.weight, this.bias];
  }
}
