import { type Activation, initBackend, MLP, Rng, readParameters, tf } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { actionDerivatives } from "./hessian.js";

beforeAll(async () => {
  await initBackend();
});

const OBS = 3;
const ACT = 4;
const BATCH = 5;

/** Float64 reference forward pass of the critic, from its weights (independent of tfjs). */
function referenceQ(critic: MLP, input: Float64Array): number {
  const params = readParameters(critic);
  let h: Float64Array = input;
  const layers = params.length / 2;
  for (let l = 0; l < layers; l++) {
    const w = params[2 * l] as { shape: number[]; data: Float32Array };
    const b = (params[2 * l + 1] as { data: Float32Array }).data;
    const [nIn, nOut] = w.shape as [number, number];
    const z = new Float64Array(nOut);
    for (let j = 0; j < nOut; j++) {
      let s = b[j] as number;
      for (let i = 0; i < nIn; i++) s += (h[i] as number) * (w.data[i * nOut + j] as number);
      z[j] = s;
    }
    h = l === layers - 1 ? z : z.map((v) => act64(v, critic.activation));
  }
  return h[0] as number;
}

function act64(z: number, act: Activation): number {
  switch (act) {
    case "tanh":
      return Math.tanh(z);
    case "softplus":
      return Math.log1p(Math.exp(z));
    case "sigmoid":
      return 1 / (1 + Math.exp(-z));
    case "elu":
      return z > 0 ? z : Math.expm1(z);
    default:
      throw new Error(act);
  }
}

/** Central finite differences in float64: ∂Q/∂a_i and ∂²Q/∂a_i², step 1e-3. */
function finiteDifferences(critic: MLP, obs: Float32Array, action: Float32Array) {
  const h = 1e-3;
  const at = (i: number, delta: number) => {
    const x = new Float64Array([...obs, ...action]);
    x[OBS + i] = (x[OBS + i] as number) + delta;
    return referenceQ(critic, x);
  };
  const q0 = at(0, 0);
  const grad = Array.from({ length: ACT }, (_, i) => (at(i, h) - at(i, -h)) / (2 * h));
  const hess = Array.from({ length: ACT }, (_, i) => (at(i, h) - 2 * q0 + at(i, -h)) / (h * h));
  return { q0, grad, hess };
}

function scaleWeights(critic: MLP, factor: number): void {
  tf.tidy(() => {
    for (const v of critic.parameters()) v.assign(tf.mul(v, factor));
  });
}

describe("actionDerivatives (Taylor-mode ∇ₐQ and diag ∇²ₐQ)", () => {
  for (const activation of ["tanh", "softplus", "elu", "sigmoid"] as const) {
    it(`matches float64 finite differences for a ${activation} critic`, () => {
      const rng = new Rng(11);
      const critic = new MLP(rng, OBS + ACT, 1, { hidden: [16, 12], activation, name: `c-${activation}` });
      // Larger weights make the curvature larger than float32 noise.
      scaleWeights(critic, 4);
      const obs = rng.fillNormal(new Float32Array(BATCH * OBS)) as Float32Array;
      const action = rng.fillUniform(new Float32Array(BATCH * ACT), -1, 1) as Float32Array;
      const [value, grad, hess] = tf.tidy(() => {
        const d = actionDerivatives(critic, tf.tensor2d(obs, [BATCH, OBS]), tf.tensor2d(action, [BATCH, ACT]));
        expect(d.grad.shape).toEqual([BATCH, ACT]);
        expect(d.hessianDiagonal.shape).toEqual([BATCH, ACT]);
        return [d.value, d.grad, d.hessianDiagonal].map((t) => t.dataSync() as Float32Array);
      }) as [Float32Array, Float32Array, Float32Array];
      let largestCurvature = 0;
      for (let k = 0; k < BATCH; k++) {
        const ref = finiteDifferences(critic, obs.slice(k * OBS, (k + 1) * OBS), action.slice(k * ACT, (k + 1) * ACT));
        expect(value[k]).toBeCloseTo(ref.q0, 4);
        for (let i = 0; i < ACT; i++) {
          expect(grad[k * ACT + i]).toBeCloseTo(ref.grad[i] as number, 4);
          expect(hess[k * ACT + i]).toBeCloseTo(ref.hess[i] as number, 3);
          largestCurvature = Math.max(largestCurvature, Math.abs(ref.hess[i] as number));
        }
      }
      // The check is meaningful only if the Hessian is far from 0.
      expect(largestCurvature).toBeGreaterThan(0.05);
      for (const v of critic.parameters()) v.dispose();
    });
  }

  it("gradient agrees with tfjs reverse-mode autodiff through the critic", () => {
    const rng = new Rng(5);
    const critic = new MLP(rng, OBS + ACT, 1, { hidden: [32, 32], activation: "tanh", name: "c" });
    const obs = rng.fillNormal(new Float32Array(BATCH * OBS)) as Float32Array;
    const action = rng.fillUniform(new Float32Array(BATCH * ACT), -1, 1) as Float32Array;
    const [taylor, reverse] = tf.tidy(() => {
      const o = tf.tensor2d(obs, [BATCH, OBS]);
      const a = tf.tensor2d(action, [BATCH, ACT]);
      const viaTaylor = actionDerivatives(critic, o, a).grad;
      const viaReverse = tf.grad((x: tf.Tensor) => tf.sum(critic.apply(tf.concat([o, x as tf.Tensor2D], 1))))(a);
      return [viaTaylor.dataSync(), viaReverse.dataSync()] as Float32Array[];
    }) as [Float32Array, Float32Array];
    for (let i = 0; i < taylor.length; i++) expect(taylor[i]).toBeCloseTo(reverse[i] as number, 5);
    for (const v of critic.parameters()) v.dispose();
  });

  it("rejects activations without a second derivative, LayerNorm critics and wrong input sizes", () => {
    const rng = new Rng(1);
    const relu = new MLP(rng, OBS + ACT, 1, { hidden: [8], activation: "relu" });
    const ln = new MLP(rng, OBS + ACT, 1, { hidden: [8], activation: "tanh", layerNorm: true });
    tf.tidy(() => {
      const o = tf.zeros([2, OBS]) as tf.Tensor2D;
      const a = tf.zeros([2, ACT]) as tf.Tensor2D;
      expect(() => actionDerivatives(relu, o, a)).toThrow(/activation "relu" has no usable second derivative/);
      expect(() => actionDerivatives(ln, o, a)).toThrow(/LayerNorm/);
      expect(() => actionDerivatives(relu, o, tf.zeros([2, ACT + 1]) as tf.Tensor2D)).toThrow(/takes 7 inputs/);
    });
    for (const m of [relu, ln]) for (const v of m.parameters()) v.dispose();
  });

  it("leaks no tensors inside tf.tidy", () => {
    const critic = new MLP(new Rng(2), OBS + ACT, 1, { hidden: [8, 8], activation: "tanh" });
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      actionDerivatives(critic, tf.ones([4, OBS]) as tf.Tensor2D, tf.ones([4, ACT]) as tf.Tensor2D);
    });
    expect(tf.memory().numTensors).toBe(before);
    for (const v of critic.parameters()) v.dispose();
  });
});
