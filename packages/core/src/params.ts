/**
 * Parameters as named tf.Variables. Networks are plain classes exposing `parameters()`; this
 * module gives them seeded initialisation, target copies, Polyak/hard updates and (de)serialisation.
 */
import * as tf from "@tensorflow/tfjs";
import { fusedKernel, runAll } from "./fused.js";
import type { Rng } from "./rng.js";

let nextId = 0;

/** A variable with a stable name used in checkpoints. */
export function variable(values: Float32Array, shape: number[], name: string, trainable = true): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(values, shape, "float32"), trainable, `${name}#${nextId++}`));
}

/** Glorot/Xavier uniform, drawn from the qscape RNG so weights are identical on every backend. */
export function glorotUniform(rng: Rng, fanIn: number, fanOut: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return rng.fillUniform(new Float32Array(fanIn * fanOut), -limit, limit) as Float32Array;
}

/** PyTorch nn.Linear's default: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for weight and bias. */
export function torchUniform(rng: Rng, fanIn: number, size: number): Float32Array {
  const limit = 1 / Math.sqrt(fanIn);
  return rng.fillUniform(new Float32Array(size), -limit, limit) as Float32Array;
}

export interface Parameterized {
  /** Every variable, in a fixed order (checkpoints and target copies rely on it). */
  parameters(): tf.Variable[];
}

/** Named, ordered collection of parameters, e.g. a critic or an actor. */
export class ParamGroup implements Parameterized {
  constructor(
    readonly name: string,
    private readonly vars: tf.Variable[],
  ) {}
  parameters(): tf.Variable[] {
    return this.vars;
  }
  static of(name: string, ...modules: Parameterized[]): ParamGroup {
    return new ParamGroup(
      name,
      modules.flatMap((m) => m.parameters()),
    );
  }
  count(): number {
    return this.vars.reduce((n, v) => n + v.size, 0);
  }
}

/** target ← τ·source + (1−τ)·target, for every pair. */
export function polyakUpdate(target: Parameterized, source: Parameterized, tau: number): void {
  const t = target.parameters();
  const s = source.parameters();
  if (t.length !== s.length) throw new Error(`polyakUpdate: ${t.length} target vs ${s.length} source parameters`);
  tf.tidy(() => {
    if (fusedKernel("QscapePolyak")) {
      const inputs: tf.NamedTensorMap = {};
      t.forEach((tv, i) => {
        inputs[`t${i}`] = tv;
        inputs[`s${i}`] = s[i] as tf.Variable;
      });
      runAll("QscapePolyak", inputs, { tau }).forEach((out, i) => {
        (t[i] as tf.Variable).assign(out);
      });
      return;
    }
    for (let i = 0; i < t.length; i++) {
      const tv = t[i] as tf.Variable;
      tv.assign(tf.add(tf.mul(s[i] as tf.Variable, tau), tf.mul(tv, 1 - tau)));
    }
  });
}

/** target ← source. */
export function hardUpdate(target: Parameterized, source: Parameterized): void {
  polyakUpdate(target, source, 1);
}

export interface SerializedTensor {
  shape: number[];
  data: Float32Array;
}

export function readParameters(m: Parameterized): SerializedTensor[] {
  return m.parameters().map((v) => ({ shape: [...v.shape], data: v.dataSync() as Float32Array }));
}

export function writeParameters(m: Parameterized, values: SerializedTensor[]): void {
  const vars = m.parameters();
  if (vars.length !== values.length) {
    throw new Error(`writeParameters: model has ${vars.length} parameters, data has ${values.length}`);
  }
  tf.tidy(() => {
    vars.forEach((v, i) => {
      const s = values[i] as SerializedTensor;
      if (s.shape.join(",") !== v.shape.join(",")) {
        throw new Error(`writeParameters: parameter ${i} (${v.name}) has shape [${v.shape}] but data has [${s.shape}]`);
      }
      v.assign(tf.tensor(s.data, s.shape, "float32"));
    });
  });
}

export function disposeAll(m: Parameterized): void {
  for (const v of m.parameters()) v.dispose();
}
