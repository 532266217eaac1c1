/**
 * A TD3 learner update built from @qscape/core pieces in exactly the shape of the PyTorch peer
 * (../shared/peers/torch_td3_update.py): twin Q critics and an actor (256-256 ReLU MLPs), batch
 * 256, Adam 3e-4, target noise 0.2 clipped at 0.5, actor and Polyak (τ = 0.005) every 2nd update,
 * on random replay data.
 */
import { Adam, hardUpdate, MLP, ParamGroup, polyakUpdate, Rng, tf } from "@qscape/core";

export interface Td3Shape {
  obsDim: number;
  actDim: number;
  hidden: number;
  batch: number;
  rows: number;
}

export const PEER_SHAPE: Td3Shape = { obsDim: 11, actDim: 3, hidden: 256, batch: 256, rows: 100_000 };

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
  private readonly criticOpt: Adam;
  private readonly actorOpt: Adam;
  private readonly replay: { obs: Float32Array; act: Float32Array; rew: Float32Array; nextObs: Float32Array };
  private updates = 0;

  constructor(
    readonly shape: Td3Shape = PEER_SHAPE,
    seed = 0,
  ) {
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
    this.criticOpt = new Adam("critic", ParamGroup.of("critics", this.q1, this.q2), { lr: 3e-4 });
    this.actorOpt = new Adam("actor", this.actor, { lr: 3e-4 });
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
      const nextAct = tf.clipByValue(tf.add(tf.tanh(this.actorTarget.apply(nextObs)), noise), -1, 1);
      const next = tf.concat([nextObs, nextAct], 1) as tf.Tensor2D;
      const target = tf.add(rew, tf.mul(0.99, tf.minimum(this.q1Target.apply(next), this.q2Target.apply(next))));
      const x = tf.concat([obs, act], 1) as tf.Tensor2D;
      const loss = this.criticOpt.minimize(
        () =>
          tf.add(
            tf.mean(tf.squaredDifference(this.q1.apply(x), target)),
            tf.mean(tf.squaredDifference(this.q2.apply(x), target)),
          ) as tf.Scalar,
      );
      if (actorStep) {
        this.actorOpt.minimize(() =>
          tf.neg(tf.mean(this.q1.apply(tf.concat([obs, tf.tanh(this.actor.apply(obs))], 1) as tf.Tensor2D))),
        );
        polyakUpdate(this.targets, this.online, 0.005);
      }
      return loss;
    });
  }
}
