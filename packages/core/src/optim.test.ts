import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend.js";
import { NonFiniteError } from "./errors.js";
import { MLP } from "./nn/mlp.js";
import { Adam } from "./optim.js";
import { hardUpdate, ParamGroup, polyakUpdate, readParameters, variable, writeParameters } from "./params.js";
import { Rng } from "./rng.js";

describe.each(["wasm", "wasm+native"] as const)("Adam on %s", (backend) => {
  beforeAll(async () => {
    await initBackend({ prefer: backend, strict: true });
  });

  it("matches a hand-computed first step and minimises a quadratic", () => {
    const w = variable(Float32Array.of(1, -2), [2], "w");
    const opt = new Adam("quad", new ParamGroup("w", [w]), { lr: 0.1 });
    const loss = () => tf.sum(tf.square(w)) as tf.Scalar;
    const l0 = opt.minimize(loss);
    expect(l0).toBeCloseTo(5, 5);
    // First Adam step moves each coordinate by lr·sign(g) (bias-corrected m/√v = ±1).
    expect(Array.from(w.dataSync())).toEqual([expect.closeTo(0.9, 5), expect.closeTo(-1.9, 5)]);
    for (let i = 0; i < 300; i++) opt.minimize(loss);
    expect(opt.minimize(loss)).toBeLessThan(1e-3);
  });

  it("clips the global gradient norm", () => {
    const w = variable(Float32Array.of(0, 0), [2], "w");
    const opt = new Adam("clip", new ParamGroup("w", [w]), { lr: 1, clipNorm: 1e-3, beta1: 0, beta2: 0 });
    // With β1 = β2 = 0 the step is g/|g| elementwise regardless of scale; clipping must not flip signs or blow up.
    opt.minimize(() => tf.sum(tf.mul(w, tf.tensor1d([1000, -1000]))) as tf.Scalar);
    expect(Array.from(w.dataSync()).map((v) => Math.round(v))).toEqual([-1, 1]);
  });

  it("stops on a NaN loss without touching the weights", () => {
    const w = variable(Float32Array.of(1), [1], "w");
    const opt = new Adam("critic", new ParamGroup("w", [w]), { lr: 0.1 });
    expect(() => opt.minimize(() => tf.mul(tf.sum(w), Number.NaN) as tf.Scalar)).toThrow(NonFiniteError);
    expect(() => opt.minimize(() => tf.mul(tf.sum(w), Number.NaN) as tf.Scalar)).toThrow(/critic: loss is NaN/);
    expect(w.dataSync()[0]).toBe(1);
    expect(opt.step).toBe(0);
  });

  it("round-trips its moments so a restored optimizer continues identically", () => {
    const make = () => new MLP(new Rng(3), 4, 2, { hidden: [8] });
    const x = tf.tensor2d([[1, 2, 3, 4]]);
    const lossOf = (m: MLP) => () => tf.sum(tf.square(m.apply(x))) as tf.Scalar;
    const a = make();
    const optA = new Adam("a", a, { lr: 0.01 });
    for (let i = 0; i < 5; i++) optA.minimize(lossOf(a));
    const b = make();
    const optB = new Adam("b", b, { lr: 0.01 });
    writeParameters(b, readParameters(a));
    optB.setState(optA.getState());
    for (let i = 0; i < 5; i++) {
      optA.minimize(lossOf(a));
      optB.minimize(lossOf(b));
    }
    expect(readParameters(b).map((p) => Array.from(p.data))).toEqual(readParameters(a).map((p) => Array.from(p.data)));
  });

  it("Polyak and hard updates move targets as specified", () => {
    const src = new MLP(new Rng(1), 3, 1, { hidden: [4] });
    const tgt = new MLP(new Rng(2), 3, 1, { hidden: [4] });
    const s0 = readParameters(src)[0]?.data as Float32Array;
    const t0 = readParameters(tgt)[0]?.data as Float32Array;
    polyakUpdate(tgt, src, 0.25);
    const t1 = readParameters(tgt)[0]?.data as Float32Array;
    expect(t1[0]).toBeCloseTo(0.25 * (s0[0] as number) + 0.75 * (t0[0] as number), 6);
    hardUpdate(tgt, src);
    expect(Array.from(readParameters(tgt)[1]?.data as Float32Array)).toEqual(
      Array.from(readParameters(src)[1]?.data as Float32Array),
    );
  });

  it("seeded networks are identical and do not leak tensors over many updates", () => {
    const a = new MLP(new Rng(7), 5, 3, { hidden: [16, 16], layerNorm: true, outputActivation: "tanh" });
    const b = new MLP(new Rng(7), 5, 3, { hidden: [16, 16], layerNorm: true, outputActivation: "tanh" });
    expect(readParameters(a).map((p) => Array.from(p.data))).toEqual(readParameters(b).map((p) => Array.from(p.data)));
    const opt = new Adam("a", a, { lr: 1e-3, clipNorm: 10 });
    const x = tf.randomNormal([32, 5], 0, 1, "float32", 1) as tf.Tensor2D;
    opt.minimize(() => tf.mean(tf.square(a.apply(x))) as tf.Scalar);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 200; i++) opt.minimize(() => tf.mean(tf.square(a.apply(x))) as tf.Scalar);
    expect(tf.memory().numTensors).toBe(before);
  });
});
