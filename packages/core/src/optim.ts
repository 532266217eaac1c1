/**
 * Adam with optional global-norm gradient clipping. Written here (not tf.train.adam) so the
 * moments are plain variables we can checkpoint synchronously and so a NaN loss or gradient is
 * caught before it reaches the weights.
 */
import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import { NonFiniteError } from "./errors.js";
import { fusedKernel, named, runAll, runOne } from "./fused.js";
import type { Parameterized, SerializedTensor } from "./params.js";

export const AdamConfig = z.object({
  lr: z.number().positive(),
  beta1: z.number().min(0).max(1).default(0.9),
  beta2: z.number().min(0).max(1).default(0.999),
  eps: z.number().positive().default(1e-8),
  /** Clip gradients to this global L2 norm; off when undefined. */
  clipNorm: z.number().positive().optional(),
  /** Check loss and gradients for NaN/Inf every step (one small sync; cheap next to an update). */
  checkFinite: z.boolean().default(true),
});
export type AdamConfig = z.input<typeof AdamConfig>;

export class Adam {
  readonly config: z.output<typeof AdamConfig>;
  private readonly vars: tf.Variable[];
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  step = 0;

  constructor(
    readonly name: string,
    params: Parameterized,
    config: AdamConfig,
  ) {
    this.config = AdamConfig.parse(config);
    this.vars = params.parameters();
    // In a tidy: tf.variable keeps its initial tensor alive otherwise (two leaked tensors per parameter).
    this.m = this.vars.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    this.v = this.vars.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
  }

  /**
   * Minimise `loss()` over this optimizer's parameters. Returns the loss value (a number: the
   * sync is needed anyway for the finiteness check and for logging).
   */
  minimize(loss: () => tf.Scalar): number {
    return tf.tidy(() => {
      const { value, grads } = tf.variableGrads(loss, this.vars);
      const gs = this.vars.map((p) => grads[p.name] ?? tf.zerosLike(p));
      const lossValue = this.apply(value, gs);
      return lossValue;
    });
  }

  /** Apply precomputed gradients (one per parameter, same order). */
  apply(lossTensor: tf.Scalar | null, grads: tf.Tensor[]): number {
    const { lr, beta1, beta2, eps, clipNorm, checkFinite } = this.config;
    return tf.tidy(() => {
      const fused = fusedKernel("QscapeAdam") && fusedKernel("QscapeSumSquares");
      let gradScale = 1;
      let lossValue = Number.NaN;
      if (clipNorm !== undefined || checkFinite) {
        const sq = fused
          ? runOne("QscapeSumSquares", named("x", grads))
          : tf.addN(grads.map((g) => tf.sum(tf.square(g))));
        // One read-back for both numbers: the loss for logging and the norm for the checks.
        const parts = tf.stack([lossTensor ?? tf.scalar(0), sq as tf.Scalar]).dataSync();
        const lv = parts[0] as number;
        const sqn = parts[1] as number;
        lossValue = lossTensor ? lv : Number.NaN;
        if (checkFinite && (!Number.isFinite(sqn) || (lossTensor && !Number.isFinite(lv)))) {
          throw new NonFiniteError(
            `${this.name}: ${lossTensor && !Number.isFinite(lv) ? `loss is ${lv}` : "gradient is not finite"} at optimizer step ${this.step + 1}; weights left unchanged`,
          );
        }
        const norm = Math.sqrt(sqn);
        if (clipNorm !== undefined && norm > clipNorm) gradScale = clipNorm / (norm + 1e-6);
      } else if (lossTensor) {
        lossValue = lossTensor.dataSync()[0] as number;
      }
      this.step += 1;
      const bc1 = 1 - beta1 ** this.step;
      const bc2 = 1 - beta2 ** this.step;
      const stepSize = (lr * Math.sqrt(bc2)) / bc1;
      const epsHat = eps * Math.sqrt(bc2);
      if (fused) {
        // qscape's native kernels (@qscape/native): the whole step in one call.
        const inputs: tf.NamedTensorMap = {};
        this.vars.forEach((p, i) => {
          inputs[`p${i}`] = p;
          inputs[`g${i}`] = grads[i] as tf.Tensor;
          inputs[`m${i}`] = this.m[i] as tf.Variable;
          inputs[`v${i}`] = this.v[i] as tf.Variable;
        });
        const out = runAll("QscapeAdam", inputs, { stepSize, beta1, beta2, epsHat, gradScale });
        this.vars.forEach((p, i) => {
          p.assign(out[3 * i] as tf.Tensor);
          (this.m[i] as tf.Variable).assign(out[3 * i + 1] as tf.Tensor);
          (this.v[i] as tf.Variable).assign(out[3 * i + 2] as tf.Tensor);
        });
        return lossValue;
      }
      for (let i = 0; i < this.vars.length; i++) {
        const g = gradScale === 1 ? (grads[i] as tf.Tensor) : tf.mul(grads[i] as tf.Tensor, gradScale);
        const m = this.m[i] as tf.Variable;
        const v = this.v[i] as tf.Variable;
        const p = this.vars[i] as tf.Variable;
        const mNew = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const vNew = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        m.assign(mNew);
        v.assign(vNew);
        p.assign(tf.sub(p, tf.div(tf.mul(mNew, stepSize), tf.add(tf.sqrt(vNew), epsHat))));
      }
      return lossValue;
    });
  }

  getState(): { step: number; m: SerializedTensor[]; v: SerializedTensor[] } {
    const ser = (t: tf.Variable) => ({ shape: [...t.shape], data: t.dataSync() as Float32Array });
    return { step: this.step, m: this.m.map(ser), v: this.v.map(ser) };
  }

  setState(state: { step: number; m: SerializedTensor[]; v: SerializedTensor[] }): void {
    if (state.m.length !== this.m.length) {
      throw new Error(`${this.name}: optimizer state has ${state.m.length} moments, expected ${this.m.length}`);
    }
    this.step = state.step;
    tf.tidy(() => {
      state.m.forEach((s, i) => {
        (this.m[i] as tf.Variable).assign(tf.tensor(s.data, s.shape));
      });
      state.v.forEach((s, i) => {
        (this.v[i] as tf.Variable).assign(tf.tensor(s.data, s.shape));
      });
    });
  }

  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}
