/**
 * SAVO's networks (savo.md §5, App. F): successive actors νi(s; a<i) and successive surrogates
 * Ψ̂i(s, a; a<i). Both read the preceding actions the same way:
 *
 *   z = summarizer({[s, a_j] : j < i})            (DeepSet by default; LSTM / attention options)
 *   actor:     νi = tanh(FiLMMLP([s, z]; z))       (FiLM on every hidden layer + input concat, F.1/F.4)
 *   surrogate: Ψ̂i = FiLMMLP([s, z, a]; z)
 *
 * With `film: false` (the No-FiLM ablation) the body is a plain MLP on the same concatenation;
 * with `previousActions: false` (− Previous Actions) there is no summary at all: νi(s), Ψ̂i(s, a).
 * The summary is computed once per state (`summarize`) and reused for every action a surrogate
 * is evaluated at, so fitting Ψ̂i at two points per state costs one summarizer pass.
 */
import { FiLMMLP, type ListSummarizer, MLP, makeSummarizer, type Parameterized, type Rng, tf } from "@qscape/core";
import type { SavoSettings } from "./config.js";

/** How a network reads the preceding actions. */
export type Conditioning = "film" | "concat" | "none";

export function conditioningOf(config: SavoSettings): Conditioning {
  if (!config.previousActions) return "none";
  return config.film ? "film" : "concat";
}

/** [B, S] states and a list of i ≥ 1 preceding actions [B, D] → the items [B, i, S + D]. */
export function contextualise(obs: tf.Tensor2D, previous: tf.Tensor2D[]): tf.Tensor3D {
  return tf.stack(
    previous.map((a) => tf.concat([obs, a], 1)),
    1,
  ) as tf.Tensor3D;
}

/** The summary-reading core shared by actors and surrogates. */
class Conditioned implements Parameterized {
  readonly summarizer: ListSummarizer | null;
  readonly body: FiLMMLP | MLP;
  constructor(
    rng: Rng,
    readonly conditioning: Conditioning,
    inputSize: number,
    outputSize: number,
    obsDim: number,
    actionDim: number,
    hidden: number[],
    config: SavoSettings,
    outputActivation: "tanh" | "identity",
    name: string,
  ) {
    const summarySize = config.summarySize;
    this.summarizer =
      conditioning === "none"
        ? null
        : makeSummarizer(config.summarizer, rng, {
            inputSize: obsDim + actionDim,
            hiddenSize: config.summarizerHidden,
            outputSize: summarySize,
            pool: config.deepsetPool,
            name: `${name}.summarizer`,
          });
    const bodyInput = conditioning === "none" ? inputSize : inputSize + summarySize;
    const opts = { hidden, activation: config.activation, outputActivation, name: `${name}.body` };
    this.body =
      conditioning === "film"
        ? new FiLMMLP(rng, bodyInput, summarySize, outputSize, opts)
        : new MLP(rng, bodyInput, outputSize, opts);
  }

  /** z [B, summarySize] from the preceding actions; null without conditioning. */
  summarize(obs: tf.Tensor2D, previous: tf.Tensor2D[]): tf.Tensor2D | null {
    if (this.summarizer === null) return null;
    return this.summarizer.apply(contextualise(obs, previous));
  }

  /** The body on `input` ([s] or [s, a]) with the summary z. */
  run(input: tf.Tensor2D, z: tf.Tensor2D | null): tf.Tensor2D {
    if (z === null) return (this.body as MLP).apply(input);
    const x = tf.concat([input, z], 1);
    return this.body instanceof FiLMMLP ? this.body.apply(x, z) : this.body.apply(x);
  }

  parameters(): tf.Variable[] {
    return [...(this.summarizer?.parameters() ?? []), ...this.body.parameters()];
  }
}

/** νi(s; a<i) → an action in [−1, 1]^D. */
export class SuccessiveActor implements Parameterized {
  private readonly core: Conditioned;
  constructor(rng: Rng, obsDim: number, actionDim: number, config: SavoSettings, name: string) {
    this.core = new Conditioned(
      rng,
      conditioningOf(config),
      obsDim,
      actionDim,
      obsDim,
      actionDim,
      config.actorHidden,
      config,
      "tanh",
      name,
    );
  }
  apply(obs: tf.Tensor2D, previous: tf.Tensor2D[]): tf.Tensor2D {
    return this.core.run(obs, this.core.summarize(obs, previous));
  }
  parameters(): tf.Variable[] {
    return this.core.parameters();
  }
}

/** Ψ̂i(s, a; a<i) → [B, 1], sized like the critic (G.3). */
export class SuccessiveSurrogate implements Parameterized {
  private readonly core: Conditioned;
  constructor(rng: Rng, obsDim: number, actionDim: number, config: SavoSettings, name: string) {
    this.core = new Conditioned(
      rng,
      conditioningOf(config),
      obsDim + actionDim,
      1,
      obsDim,
      actionDim,
      config.criticHidden,
      config,
      "identity",
      name,
    );
  }
  /** The per-state summary of a<i (null without conditioning); pass it to `value`. */
  summarize(obs: tf.Tensor2D, previous: tf.Tensor2D[]): tf.Tensor2D | null {
    return this.core.summarize(obs, previous);
  }
  /** Ψ̂i at `action` for states `obs` whose summary is `z` (rows aligned). */
  value(obs: tf.Tensor2D, action: tf.Tensor2D, z: tf.Tensor2D | null): tf.Tensor2D {
    return this.core.run(tf.concat([obs, action], 1), z);
  }
  apply(obs: tf.Tensor2D, action: tf.Tensor2D, previous: tf.Tensor2D[]): tf.Tensor2D {
    return this.value(obs, action, this.summarize(obs, previous));
  }
  parameters(): tf.Variable[] {
    return this.core.parameters();
  }
}

/** + Joint Action: one actor emitting all candidates at once, [B, k·D] split into k chunks. */
export function makeJointActor(
  rng: Rng,
  obsDim: number,
  actionDim: number,
  candidates: number,
  config: SavoSettings,
  name: string,
): MLP {
  return new MLP(rng, obsDim, candidates * actionDim, {
    hidden: config.actorHidden,
    activation: config.activation,
    outputActivation: "tanh",
    name,
  });
}
