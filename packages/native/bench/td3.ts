/**
 * A TD3 learner update built from @qscape/core pieces in exactly the shape of the PyTorch peer
 * (../shared/peers/torch_td3_update.py): twin Q critics and an actor (256-256 ReLU MLPs), batch
 * 256, Adam 3e-4, target noise 0.2 clipped at 0.5, actor and Polyak (τ = 0.005) every 2nd update,
 * on random replay data.
 */
import {
  Adam,
  hardUpdate,
  MLP,
  NonFiniteError,
  type Parameterized,
  ParamGroup,
  polyakUpdate,
  Rng,
  tf,
} from "@qscape/core";
import { adamStep, denseRelu, polyakBlend, sumOfSquares } from "../src/index.js";

export interface Td3Shape {
  obsDim: number;
  actDim: number;
  hidden: number;
  batch: number;
  rows: number;
}

export const PEER_SHAPE: Td3Shape = { obsDim: 11, actDim: 3, hidden: 256, batch: 256, rows: 100_000 };

/**
 * core's Adam (same hyper-parameters, bias correction, clipping and finiteness check) with the
 * update of all parameters in one native kernel call: what `Adam.apply` becomes when core uses
 * the fused kernels. Loss and gradient norm are read back as before (one small sync each).
 */
export class FusedAdam {
  private readonly vars: tf.Variable[];
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private step = 0;

  constructor(
    readonly name: string,
    params: Parameterized,
    readonly config: { lr: number; beta1?: number; beta2?: number; eps?: number; clipNorm?: number },
  ) {
    this.vars = params.parameters();
    this.m = this.vars.map((p) => tf.variable(tf.zerosLike(p), false));
    this.v = this.vars.map((p) => tf.variable(tf.zerosLike(p), false));
  }

  minimize(loss: () => tf.Scalar): number {
    const { lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, clipNorm } = this.config;
    return tf.tidy(() => {
      const { value, grads } = tf.variableGrads(loss, this.vars);
      const gs = this.vars.map((p) => grads[p.name] ?? tf.zerosLike(p));
      const lossValue = value.dataSync()[0] as number;
      const squares = sumOfSquares(gs).dataSync()[0] as number;
      if (!Number.isFinite(lossValue) || !Number.isFinite(squares)) {
        throw new NonFiniteError(`${this.name}: non-finite loss or gradient at step ${this.step + 1}`);
      }
      const norm = Math.sqrt(squares);
      this.step += 1;
      const bc1 = 1 - beta1 ** this.step;
      const bc2 = 1 - beta2 ** this.step;
      const next = adamStep(this.vars, gs, this.m, this.v, {
        stepSize: (lr * Math.sqrt(bc2)) / bc1,
        beta1,
        beta2,
        epsHat: eps * Math.sqrt(bc2),
        gradScale: clipNorm !== undefined && norm > clipNorm ? clipNorm / (norm + 1e-6) : 1,
      });
      this.vars.forEach((p, i) => {
        p.assign(next.params[i] as tf.Tensor);
        (this.m[i] as tf.Variable).assign(next.m[i] as tf.Tensor);
        (this.v[i] as tf.Variable).assign(next.v[i] as tf.Tensor);
      });
      return lossValue;
    });
  }
}

/**
 * The MLP's forward pass on its own weights with each hidden layer as the native `denseRelu` (one
 * kernel forward, three backward) and the output layer as one `tf.fused.matMul`: what
 * `Linear`/`MLP` become when core uses the fused kernels.
 */
function fusedForward(mlp: MLP, x: tf.Tensor2D): tf.Tensor2D {
  let h = x;
  for (const [i, layer] of mlp.layers.entries()) {
    const w = layer.weight as tf.Tensor2D;
    const b = layer.bias as tf.Tensor1D;
    h = i < mlp.layers.length - 1 ? denseRelu(h, w, b) : (tf.fused.matMul({ a: h, b: w, bias: b }) as tf.Tensor2D);
  }
  return h;
}

function fusedPolyak(target: Parameterized, source: Parameterized, tau: number): void {
  tf.tidy(() => {
    const targets = target.parameters();
    const blended = polyakBlend(targets, source.parameters(), tau);
    targets.forEach((t, i) => {
      t.assign(blended[i] as tf.Tensor);
    });
  });
}

export class Td3Learner {
  private readonly rng: Rng;
  private readonly q1: MLP;
  private readonly q2: MLP;
  private readonly actor: MLP;
  private readonly q1Target: MLP;
  private readonly q2Target: MLP;
  private readonly actorTarget: MLP;
  private readonly online: ParamGroup;
  private readonly targets: ParamGroup;
  private readonly criticOpt: Adam | FusedAdam;
  private readonly actorOpt: Adam | FusedAdam;
  private readonly polyak: typeof polyakUpdate;
  private readonly replay: { obs: Float32Array; act: Float32Array; rew: Float32Array; nextObs: Float32Array };
  private updates = 0;

  private readonly forward: (mlp: MLP, x: tf.Tensor2D) => tf.Tensor2D;

  /**
   * `fusedOptimizer`: Adam and Polyak steps through the fused native kernels (needs wasm+native).
   * `fusedLayers`: each layer as one `tf.fused.matMul` instead of core's dense + add + ReLU.
   */
  constructor(
    readonly shape: Td3Shape = PEER_SHAPE,
    seed = 0,
    options: { fusedOptimizer?: boolean; fusedLayers?: boolean } = {},
  ) {
    const fused = options.fusedOptimizer ?? false;
    this.forward = options.fusedLayers ? fusedForward : (mlp, x) => mlp.apply(x);
    this.rng = new Rng(seed);
    const { obsDim, actDim, hidden, rows } = shape;
    const mlp = (inputs: number, outputs: number, name: string) =>
      new MLP(this.rng, inputs, outputs, { hidden: [hidden, hidden], name });
    this.q1 = mlp(obsDim + actDim, 1, "q1");
    this.q2 = mlp(obsDim + actDim, 1, "q2");
    this.actor = mlp(obsDim, actDim, "actor");
    this.q1Target = mlp(obsDim + actDim, 1, "q1_target");
    this.q2Target = mlp(obsDim + actDim, 1, "q2_target");
    this.actorTarget = mlp(obsDim, actDim, "actor_target");
    this.online = ParamGroup.of("online", this.q1, this.q2, this.actor);
    this.targets = ParamGroup.of("targets", this.q1Target, this.q2Target, this.actorTarget);
    hardUpdate(this.targets, this.online);
    const Optimizer = fused ? FusedAdam : Adam;
    this.criticOpt = new Optimizer("critic", ParamGroup.of("critics", this.q1, this.q2), { lr: 3e-4 });
    this.actorOpt = new Optimizer("actor", this.actor, { lr: 3e-4 });
    this.polyak = fused ? fusedPolyak : polyakUpdate;
    this.replay = {
      obs: this.rng.fillNormal(new Float32Array(rows * obsDim)) as Float32Array,
      act: this.rng.fillUniform(new Float32Array(rows * actDim), -1, 1) as Float32Array,
      rew: this.rng.fillNormal(new Float32Array(rows)) as Float32Array,
      nextObs: this.rng.fillNormal(new Float32Array(rows * obsDim)) as Float32Array,
    };
  }

  private sample() {
    const { obsDim, actDim, batch, rows } = this.shape;
    const obs = new Float32Array(batch * obsDim);
    const act = new Float32Array(batch * actDim);
    const rew = new Float32Array(batch);
    const nextObs = new Float32Array(batch * obsDim);
    const noise = new Float32Array(batch * actDim);
    for (let b = 0; b < batch; b++) {
      const i = this.rng.int(0, rows);
      obs.set(this.replay.obs.subarray(i * obsDim, (i + 1) * obsDim), b * obsDim);
      nextObs.set(this.replay.nextObs.subarray(i * obsDim, (i + 1) * obsDim), b * obsDim);
      act.set(this.replay.act.subarray(i * actDim, (i + 1) * actDim), b * actDim);
      rew[b] = this.replay.rew[i] as number;
    }
    for (let k = 0; k < noise.length; k++) noise[k] = Math.max(-0.5, Math.min(0.5, this.rng.normal(0, 0.2)));
    return { obs, act, rew, nextObs, noise };
  }

  /** One learner update; returns the critic loss. */
  update(): number {
    const { obsDim, actDim, batch } = this.shape;
    const s = this.sample();
    const actorStep = this.updates % 2 === 0;
    this.updates += 1;
    return tf.tidy(() => {
      const obs = tf.tensor2d(s.obs, [batch, obsDim]);
      const act = tf.tensor2d(s.act, [batch, actDim]);
      const rew = tf.tensor2d(s.rew, [batch, 1]);
      const nextObs = tf.tensor2d(s.nextObs, [batch, obsDim]);
      const noise = tf.tensor2d(s.noise, [batch, actDim]);
      // The peer's replay data has done = 0 everywhere, so the bootstrap mask is 1.
      const nextAct = tf.clipByValue(tf.add(tf.tanh(this.forward(this.actorTarget, nextObs)), noise), -1, 1);
      const next = tf.concat([nextObs, nextAct], 1) as tf.Tensor2D;
      const target = tf.add(
        rew,
        tf.mul(0.99, tf.minimum(this.forward(this.q1Target, next), this.forward(this.q2Target, next))),
      );
      const x = tf.concat([obs, act], 1) as tf.Tensor2D;
      const loss = this.criticOpt.minimize(
        () =>
          tf.add(
            tf.mean(tf.squaredDifference(this.forward(this.q1, x), target)),
            tf.mean(tf.squaredDifference(this.forward(this.q2, x), target)),
          ) as tf.Scalar,
      );
      if (actorStep) {
        this.actorOpt.minimize(() =>
          tf.neg(
            tf.mean(this.forward(this.q1, tf.concat([obs, tf.tanh(this.forward(this.actor, obs))], 1) as tf.Tensor2D)),
          ),
        );
        this.polyak(this.targets, this.online, 0.005);
      }
      return loss;
    });
  }
}
