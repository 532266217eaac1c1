/**
 * SAVO's networks (savo.md §5, App. F): successive actors νi(s; a<i) and successive surrogates
 * Ψ̂i(s, a; a<i). Both read the preceding actions the same way:
 *
 *   z = summarizer({[s, a_j] : j < i})                 (DeepSet by default; LSTM / attention options)
 *   actor:     νi = tanh(MLP([s, z]))                  hidden layers FiLM-modulated: h ⊙ γ_l(z) + β_l(z)
 *   surrogate: Ψ̂i = MLP([s, a, z])                     (F.1/F.2 concatenation, F.4 layerwise FiLM)
 *
 * With `film: false` (the No-FiLM ablation) the body is a plain MLP on the same concatenation;
 * with `previousActions: false` (− Previous Actions) there is no summary at all: νi(s), Ψ̂i(s, a).
 *
 * Layout for speed, same functions: the WASM backend concatenates and slices along the feature
 * axis row by row in JavaScript, so nothing here does. A layer over a concatenation keeps one
 * weight block per input part ([s, a, z] @ W = s·W_s + a·W_a + z·W_z), γ and β are separate
 * projections, and several actions per state are stacked along the batch axis. Everything that
 * depends on the state only — z, the state's share of the first layer, every layer's γ and β —
 * is computed once per state (`context`) and broadcast over the actions evaluated there, so
 * fitting Ψ̂i at two points per state costs one summarizer and FiLM pass.
 */
import {
  type Activation,
  activate,
  dense,
  denseMode,
  LayerNorm,
  Linear,
  type ListSummarizer,
  MLP,
  makeSummarizer,
  type Parameterized,
  type Rng,
  tf,
  torchUniform,
  variable,
} from "@qscape/core";
import type { ChainSettings } from "./config.js";

/** How a network reads the preceding actions. */
export type Conditioning = "film" | "concat" | "none";

export function conditioningOf(config: ChainSettings): Conditioning {
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

let matMulImpl: ((x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor) | null = null;

/**
 * x @ w with explicit-transpose gradients (core's `fastDense` without the bias). The native
 * kernels take transpose flags at full speed, so there tfjs's own gradient (which also skips
 * gradients nobody asked for) is the cheaper one.
 */
function matMul(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  if (denseMode() === "native") return tf.matMul(x, w);
  matMulImpl ??= tf.customGrad((...args: (tf.Tensor | ((s: tf.Tensor[]) => void))[]) => {
    const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, (s: tf.Tensor[]) => void];
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
        const d = dy as tf.Tensor2D;
        return [tf.matMul(d, tf.transpose(sb)), tf.matMul(tf.transpose(sa), d)];
      },
    };
  });
  return matMulImpl(x, w) as tf.Tensor2D;
}

/**
 * `rows` [n·B, H] (n rows per state, stacked along the batch axis) combined with a per-state
 * `perState` [B, H] broadcast over the n copies.
 */
export function perStateOp(
  rows: tf.Tensor2D,
  perState: tf.Tensor2D,
  op: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor,
): tf.Tensor2D {
  const [b, h] = perState.shape;
  const n = rows.shape[0] / b;
  if (n === 1) return op(rows, perState) as tf.Tensor2D;
  return tf.reshape(op(tf.reshape(rows, [n, b, h]), perState), [n * b, h]);
}

/**
 * One nn.Linear over the concatenation [x_0, x_1, …], stored as one weight block per part (PyTorch
 * initialisation with the full fan-in) so each part is projected at its own batch size.
 */
export class PartedLinear implements Parameterized {
  readonly weights: tf.Variable[];
  readonly bias: tf.Variable;
  constructor(
    rng: Rng,
    readonly sizes: number[],
    readonly outFeatures: number,
    name: string,
  ) {
    const fanIn = sizes.reduce((a, b) => a + b, 0);
    const all = torchUniform(rng, fanIn, fanIn * outFeatures);
    let row = 0;
    this.weights = sizes.map((size, p) => {
      const w = all.slice(row * outFeatures, (row + size) * outFeatures);
      row += size;
      return variable(w, [size, outFeatures], `${name}.weight${p}`);
    });
    this.bias = variable(torchUniform(rng, fanIn, outFeatures), [outFeatures], `${name}.bias`);
  }
  /** Part 0's share including the bias: x·W_0 + b. */
  first(x: tf.Tensor2D): tf.Tensor2D {
    return dense(x, this.weights[0] as tf.Tensor2D, this.bias as tf.Tensor1D);
  }
  /** Part p's share (p ≥ 1): x·W_p. */
  part(p: number, x: tf.Tensor2D): tf.Tensor2D {
    return matMul(x, this.weights[p] as tf.Tensor2D);
  }
  parameters(): tf.Variable[] {
    return [...this.weights, this.bias];
  }
}

/** The paper's DeepSet on [s, a_j] items, with the state's share of the item layer computed once. */
class ActionListDeepSet implements Parameterized {
  readonly itemInput: PartedLinear;
  readonly itemHidden: Linear;
  readonly outHidden: Linear;
  readonly out: Linear;
  constructor(
    rng: Rng,
    obsDim: number,
    actionDim: number,
    hidden: number,
    readonly outputSize: number,
    readonly pool: "mean" | "max",
    name: string,
  ) {
    this.itemInput = new PartedLinear(rng, [obsDim, actionDim], hidden, `${name}.items.0`);
    this.itemHidden = new Linear(rng, hidden, hidden, { name: `${name}.items.1` });
    this.outHidden = new Linear(rng, hidden, hidden, { name: `${name}.out.0` });
    this.out = new Linear(rng, hidden, outputSize, { name: `${name}.out.1` });
  }
  /** φ(x) = relu(relu(x·W1 + b1)·W2 + b2) per item, pooled, then Linear → ReLU → Linear. */
  apply(obs: tf.Tensor2D, previous: tf.Tensor2D[]): tf.Tensor2D {
    const n = previous.length;
    const actions = n === 1 ? (previous[0] as tf.Tensor2D) : tf.concat(previous, 0);
    const first = perStateOp(this.itemInput.part(1, actions), this.itemInput.first(obs), tf.add);
    const items = tf.relu(this.itemHidden.apply(tf.relu(first)));
    let pooled = items;
    if (n > 1) {
      const stacked = tf.reshape(items, [n, obs.shape[0], items.shape[1]]);
      pooled = this.pool === "mean" ? tf.mean(stacked, 0) : tf.max(stacked, 0);
    }
    return this.out.apply(tf.relu(this.outHidden.apply(pooled)));
  }
  parameters(): tf.Variable[] {
    return [
      ...this.itemInput.parameters(),
      ...this.itemHidden.parameters(),
      ...this.outHidden.parameters(),
      ...this.out.parameters(),
    ];
  }
}

/** z from [s, a_j] items: the DeepSet above, or core's LSTM / attention summarizers (E.1 ablations). */
class ActionSummarizer implements Parameterized {
  private readonly deepset: ActionListDeepSet | null;
  private readonly other: ListSummarizer | null;
  constructor(rng: Rng, obsDim: number, actionDim: number, config: ChainSettings, name: string) {
    const { summarizer, summarizerHidden, summarySize, deepsetPool } = config;
    this.deepset =
      summarizer === "deepset"
        ? new ActionListDeepSet(rng, obsDim, actionDim, summarizerHidden, summarySize, deepsetPool, name)
        : null;
    this.other =
      summarizer === "deepset"
        ? null
        : makeSummarizer(summarizer, rng, {
            inputSize: obsDim + actionDim,
            hiddenSize: summarizerHidden,
            outputSize: summarySize,
            name,
          });
  }
  apply(obs: tf.Tensor2D, previous: tf.Tensor2D[]): tf.Tensor2D {
    if (this.deepset) return this.deepset.apply(obs, previous);
    return (this.other as ListSummarizer).apply(contextualise(obs, previous));
  }
  parameters(): tf.Variable[] {
    return this.deepset ? this.deepset.parameters() : (this.other as ListSummarizer).parameters();
  }
}

/** FiLM(h) = h ⊙ γ(z) + β(z) for one hidden layer; γ starts near 1 (γ = 1 + a small projection). */
class FiLMLayer implements Parameterized {
  readonly gamma: Linear;
  readonly beta: Linear;
  constructor(rng: Rng, summarySize: number, size: number, name: string) {
    this.gamma = new Linear(rng, summarySize, size, { name: `${name}.gamma` });
    this.beta = new Linear(rng, summarySize, size, { name: `${name}.beta` });
    tf.tidy(() => {
      this.gamma.bias.assign(tf.add(this.gamma.bias, 1));
    });
  }
  parameters(): tf.Variable[] {
    return [...this.gamma.parameters(), ...this.beta.parameters()];
  }
}

/** Everything a conditioned network computes once per state. */
export interface StateContext {
  /** The state's (and the summary's) share of the first layer, bias included: [B, H0]. */
  base: tf.Tensor2D;
  /** γ_l, β_l of every hidden layer, each [B, H_l] (empty without FiLM). */
  films: [tf.Tensor2D, tf.Tensor2D][];
}

/**
 * The MLP body of an actor or surrogate: first layer over [s, (a), (z)], hidden layers
 * Linear → FiLM → activation, output layer.
 */
class ConditionedBody implements Parameterized {
  readonly input: PartedLinear;
  readonly layers: Linear[] = [];
  readonly films: FiLMLayer[] = [];
  /** LayerNorm after every linear, the output's included (`actorLayerNorm`); empty without. */
  readonly norms: LayerNorm[];
  private readonly summaryPart: number;
  constructor(
    rng: Rng,
    readonly conditioning: Conditioning,
    obsDim: number,
    /** 0 for actors (no action input). */
    readonly actionDim: number,
    summarySize: number,
    hidden: number[],
    outputSize: number,
    readonly activation: Activation,
    readonly outputActivation: Activation,
    layerNorm: boolean,
    name: string,
  ) {
    const parts = [obsDim, ...(actionDim > 0 ? [actionDim] : []), ...(conditioning === "none" ? [] : [summarySize])];
    this.summaryPart = conditioning === "none" ? -1 : parts.length - 1;
    const sizes = [...hidden, outputSize];
    this.input = new PartedLinear(rng, parts, sizes[0] as number, `${name}.0`);
    for (let l = 1; l < sizes.length; l++) {
      this.layers.push(new Linear(rng, sizes[l - 1] as number, sizes[l] as number, { name: `${name}.${l}` }));
    }
    if (conditioning === "film") {
      hidden.forEach((size, l) => {
        this.films.push(new FiLMLayer(rng, summarySize, size, `${name}.film${l}`));
      });
    }
    this.norms = layerNorm ? sizes.map((size, l) => new LayerNorm(size, 1e-5, `${name}.ln${l}`)) : [];
  }

  context(obs: tf.Tensor2D, z: tf.Tensor2D | null): StateContext {
    let base = this.input.first(obs);
    if (z !== null && this.summaryPart > 0) base = tf.add(base, this.input.part(this.summaryPart, z));
    const films =
      z === null ? [] : this.films.map((f) => [f.gamma.apply(z), f.beta.apply(z)] as [tf.Tensor2D, tf.Tensor2D]);
    return { base, films };
  }

  /** Outputs at `actions` ([n·B, D], n per state, stacked) or, for actors, at the states: [n·B, out]. */
  apply(ctx: StateContext, actions: tf.Tensor2D | null): tf.Tensor2D {
    let h = actions === null ? ctx.base : perStateOp(this.input.part(1, actions), ctx.base, tf.add);
    for (let l = 0; l < this.layers.length; l++) {
      const norm = this.norms[l];
      if (norm) h = norm.apply(h);
      const film = ctx.films[l];
      if (film) h = perStateOp(perStateOp(h, film[0], tf.mul), film[1], tf.add);
      h = (this.layers[l] as Linear).apply(activate(h, this.activation));
    }
    const outNorm = this.norms[this.layers.length];
    return activate(outNorm ? outNorm.apply(h) : h, this.outputActivation);
  }

  parameters(): tf.Variable[] {
    return [
      ...this.input.parameters(),
      ...this.layers.flatMap((l) => l.parameters()),
      ...this.films.flatMap((f) => f.parameters()),
      ...this.norms.flatMap((n) => n.parameters()),
    ];
  }
}

/** Summarizer + body, shared by actors and surrogates. */
class Conditioned implements Parameterized {
  readonly summarizer: ActionSummarizer | null;
  readonly body: ConditionedBody;
  constructor(
    rng: Rng,
    obsDim: number,
    actionDim: number,
    withAction: boolean,
    hidden: number[],
    outputSize: number,
    outputActivation: Activation,
    layerNorm: boolean,
    config: ChainSettings,
    name: string,
  ) {
    const conditioning = conditioningOf(config);
    this.summarizer =
      conditioning === "none" ? null : new ActionSummarizer(rng, obsDim, actionDim, config, `${name}.summarizer`);
    this.body = new ConditionedBody(
      rng,
      conditioning,
      obsDim,
      withAction ? actionDim : 0,
      config.summarySize,
      hidden,
      outputSize,
      config.activation,
      outputActivation,
      layerNorm,
      `${name}.body`,
    );
  }
  context(obs: tf.Tensor2D, previous: tf.Tensor2D[]): StateContext {
    return this.body.context(obs, this.summarizer ? this.summarizer.apply(obs, previous) : null);
  }
  parameters(): tf.Variable[] {
    return [...(this.summarizer?.parameters() ?? []), ...this.body.parameters()];
  }
}

/** νi(s; a<i) → an action in [−1, 1]^D. */
export class SuccessiveActor implements Parameterized {
  private readonly net: Conditioned;
  constructor(rng: Rng, obsDim: number, actionDim: number, config: ChainSettings, name: string) {
    this.net = new Conditioned(
      rng,
      obsDim,
      actionDim,
      false,
      config.actorHidden,
      actionDim,
      "tanh",
      config.actorLayerNorm,
      config,
      name,
    );
  }
  apply(obs: tf.Tensor2D, previous: tf.Tensor2D[]): tf.Tensor2D {
    return this.net.body.apply(this.net.context(obs, previous), null);
  }
  parameters(): tf.Variable[] {
    return this.net.parameters();
  }
}

/** Ψ̂i(s, a; a<i) → [B, 1], sized like the critic (G.3). */
export class SuccessiveSurrogate implements Parameterized {
  private readonly net: Conditioned;
  constructor(rng: Rng, obsDim: number, actionDim: number, config: ChainSettings, name: string) {
    this.net = new Conditioned(rng, obsDim, actionDim, true, config.criticHidden, 1, "identity", false, config, name);
  }
  /** What Ψ̂i computes once per state s with preceding actions a<i. */
  context(obs: tf.Tensor2D, previous: tf.Tensor2D[]): StateContext {
    return this.net.context(obs, previous);
  }
  /** Ψ̂i at n actions per state, stacked along the batch axis ([n·B, D], block j = the j-th action of every state). */
  values(ctx: StateContext, actions: tf.Tensor2D): tf.Tensor2D {
    return this.net.body.apply(ctx, actions);
  }
  apply(obs: tf.Tensor2D, action: tf.Tensor2D, previous: tf.Tensor2D[]): tf.Tensor2D {
    return this.values(this.context(obs, previous), action);
  }
  parameters(): tf.Variable[] {
    return this.net.parameters();
  }
}

/** + Joint Action: one actor emitting all candidates at once, [B, k·D] split into k chunks. */
export function makeJointActor(
  rng: Rng,
  obsDim: number,
  actionDim: number,
  candidates: number,
  config: ChainSettings,
  name: string,
): MLP {
  return new MLP(rng, obsDim, candidates * actionDim, {
    hidden: config.actorHidden,
    activation: config.activation,
    layerNorm: config.actorLayerNorm,
    outputLayerNorm: config.actorLayerNorm,
    outputActivation: "tanh",
    name,
  });
}
