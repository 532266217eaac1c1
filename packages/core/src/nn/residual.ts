/**
 * Residual blocks in QMLE's layout (qmle.md §3.3, after the official code):
 *   block(x) = LayerNorm(x + Linear(act(Linear(x))))   then ELU outside the block.
 * The observation stream is Linear embed → block → ELU; the action stream is Linear → LayerNorm →
 * ELU (`NormedLinear`); the joint head is block → ELU → Linear(1) on the concatenated streams.
 */
import * as tf from "@tensorflow/tfjs";
import { QscapeError } from "../errors.js";
import type { Parameterized } from "../params.js";
import type { Rng } from "../rng.js";
import { Linear } from "./linear.js";
import { type Activation, activate, LayerNorm } from "./mlp.js";

/** `LayerNorm(x + Linear(act(Linear(x))))`, width preserved. */
export class ResidualBlock implements Parameterized {
  readonly inner: Linear;
  readonly outer: Linear;
  readonly norm: LayerNorm;
  readonly activation: Activation;
  constructor(
    rng: Rng,
    readonly size: number,
    opts: { activation?: Activation; name?: string } = {},
  ) {
    const name = opts.name ?? "resblock";
    this.activation = opts.activation ?? "relu";
    this.inner = new Linear(rng, size, size, { name: `${name}.inner` });
    this.outer = new Linear(rng, size, size, { name: `${name}.outer` });
    this.norm = new LayerNorm(size, 1e-5, `${name}.ln`);
  }
  apply(x: tf.Tensor2D): tf.Tensor2D {
    const branch = this.outer.apply(activate(this.inner.apply(x), this.activation));
    return this.norm.apply(tf.add(x, branch));
  }
  parameters(): tf.Variable[] {
    return [...this.inner.parameters(), ...this.outer.parameters(), ...this.norm.parameters()];
  }
}

/** `act(LayerNorm(Linear(x)))`: QMLE's action stream (ELU by default). */
export class NormedLinear implements Parameterized {
  readonly linear: Linear;
  readonly norm: LayerNorm;
  readonly activation: Activation;
  constructor(
    rng: Rng,
    readonly inputSize: number,
    readonly outputSize: number,
    opts: { activation?: Activation; name?: string } = {},
  ) {
    const name = opts.name ?? "normedlinear";
    this.activation = opts.activation ?? "elu";
    this.linear = new Linear(rng, inputSize, outputSize, { name: `${name}.linear` });
    this.norm = new LayerNorm(outputSize, 1e-5, `${name}.ln`);
  }
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return activate(this.norm.apply(this.linear.apply(x)), this.activation);
  }
  parameters(): tf.Variable[] {
    return [...this.linear.parameters(), ...this.norm.parameters()];
  }
}

export interface ResidualMLPOptions {
  /** Width of the residual stream. */
  width: number;
  /** Number of residual blocks, each followed by `blockActivation`. */
  blocks?: number;
  /** Linear (no activation) input embedding to `width`; off requires inputSize === width. */
  embed?: boolean;
  /** Activation inside each block's branch (QMLE: ReLU). */
  innerActivation?: Activation;
  /** Activation after each block's LayerNorm (QMLE: ELU). */
  blockActivation?: Activation;
  /** Final Linear(width → outputSize); omitted when undefined, so the net ends at the last block. */
  outputSize?: number;
  name?: string;
}

/** [Linear embed] → (ResidualBlock → ELU) × blocks → [Linear out]. */
export class ResidualMLP implements Parameterized {
  readonly embedding: Linear | null;
  readonly blocks: ResidualBlock[] = [];
  readonly output: Linear | null;
  readonly blockActivation: Activation;
  /** Size of `apply`'s result: outputSize when there is an output layer, else width. */
  readonly outputSize: number;
  constructor(
    rng: Rng,
    readonly inputSize: number,
    opts: ResidualMLPOptions,
  ) {
    const name = opts.name ?? "resmlp";
    const embed = opts.embed ?? true;
    if (!embed && inputSize !== opts.width) {
      throw new QscapeError(`${name}: embed is off, so inputSize (${inputSize}) must equal width (${opts.width})`);
    }
    this.blockActivation = opts.blockActivation ?? "elu";
    this.embedding = embed ? new Linear(rng, inputSize, opts.width, { name: `${name}.embed` }) : null;
    for (let i = 0; i < (opts.blocks ?? 1); i++) {
      this.blocks.push(
        new ResidualBlock(rng, opts.width, {
          name: `${name}.block${i}`,
          ...(opts.innerActivation ? { activation: opts.innerActivation } : {}),
        }),
      );
    }
    this.output =
      opts.outputSize === undefined ? null : new Linear(rng, opts.width, opts.outputSize, { name: `${name}.out` });
    this.outputSize = opts.outputSize ?? opts.width;
  }
  apply(x: tf.Tensor2D): tf.Tensor2D {
    let h = this.embedding ? this.embedding.apply(x) : x;
    for (const block of this.blocks) h = activate(block.apply(h), this.blockActivation);
    return this.output ? this.output.apply(h) : h;
  }
  parameters(): tf.Variable[] {
    return [
      ...(this.embedding?.parameters() ?? []),
      ...this.blocks.flatMap((b) => b.parameters()),
      ...(this.output?.parameters() ?? []),
    ];
  }
}
