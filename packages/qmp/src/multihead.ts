/**
 * Multi-head SAC, the learner of Parameter-Sharing (§5.6.2, "Multihead SAC"; the released code's
 * MultiheadTanhGaussianMLPPolicy and MultiheadContinuousMLPQFunction). One actor and one twin
 * critic serve all N tasks: each is a shared trunk with N output heads, and task i uses head i.
 *
 * Task i's gradient step is SAC's (Haarnoja et al. 2018) on a minibatch of task i's buffer 𝒟_i,
 * through head i only:
 *
 *   y_i   = r_i + γ(1 − terminated)(min_k Q̄_k,i(s′, a′) − α_i log π_i(a′|s′)),  a′ ~ π_i(·|s′)
 *   L_Q,i = Σ_k mse(Q_k,i(s, a), y_i)
 *   L_π,i = mean(α_i log π_i(ã|s) − min_k Q_k,i(s, ã)),  ã ~ π_i(·|s)
 *
 * where π_i and Q_k,i are head i on the shared trunk. The step moves the trunk and head i; the
 * other heads are untouched (each head has its own Adam, so no stale momentum moves them), and only
 * the target trunk and target head i are Polyak-averaged. Every task keeps its own α_i (auto-tuned
 * to −|A|), as each of No-Sharing's SACs does: parameter sharing is the only change.
 *
 * The task id is not an input: the head already says which task a row belongs to, and without it
 * one trunk pass at a state gives every head's proposal (what QMP composed with parameter sharing
 * needs: "one pass for all candidates").
 */
import type { SACSettings } from "@qscape/baselines";
import {
  Adam,
  Checkpointed,
  type ContinuousBatch,
  continuousBatch,
  continuousReplay,
  hardUpdate,
  Linear,
  MLP,
  type Parameterized,
  ParamGroup,
  polyakUpdate,
  QscapeError,
  type ReplayBuffer,
  Rng,
  type SquashedGaussian,
  SquashedGaussianHead,
  type StateParts,
  tf,
  variable,
} from "@qscape/core";

const group = (parts: readonly Parameterized[]): Parameterized => ({
  parameters: () => parts.flatMap((p) => p.parameters()),
});

/** A trunk MLP ending in the activation of its last hidden width (the heads' features). */
function trunk(
  rng: Rng,
  inputSize: number,
  hidden: readonly number[],
  activation: SACSettings["activation"],
  name: string,
) {
  return new MLP(rng, inputSize, hidden[hidden.length - 1] as number, {
    hidden: hidden.slice(0, -1),
    activation,
    outputActivation: activation,
    name,
  });
}

/** The policy: shared trunk, N tanh-Gaussian heads. */
export class MultiheadActor implements Parameterized {
  readonly trunk: MLP;
  readonly heads: readonly SquashedGaussianHead[];
  constructor(rng: Rng, obsDim: number, actionDim: number, numHeads: number, config: SACSettings, name: string) {
    this.trunk = trunk(rng, obsDim, config.actorHidden, config.activation, `${name}.trunk`);
    const features = this.trunk.outputSize;
    this.heads = Array.from(
      { length: numHeads },
      (_, i) =>
        new SquashedGaussianHead(rng, features, actionDim, {
          logStdMin: config.logStdMin,
          logStdMax: config.logStdMax,
          name: `${name}.head${i}`,
        }),
    );
  }
  /** π_head(·|s). */
  apply(obs: tf.Tensor2D, head: number): SquashedGaussian {
    return (this.heads[head] as SquashedGaussianHead).apply(this.trunk.apply(obs));
  }
  /** Every head's policy at `obs` from one trunk pass. */
  applyAll(obs: tf.Tensor2D): SquashedGaussian[] {
    const features = this.trunk.apply(obs);
    return this.heads.map((h) => h.apply(features));
  }
  /** The parameters task `head`'s loss reaches: the trunk and that head. */
  taskParameters(head: number): Parameterized {
    return group([this.trunk, this.heads[head] as SquashedGaussianHead]);
  }
  parameters(): tf.Variable[] {
    return [...this.trunk.parameters(), ...this.heads.flatMap((h) => h.parameters())];
  }
}

/** The twin critic: per twin a shared trunk on concat(s, a) and N scalar heads. */
export class MultiheadCritics implements Parameterized {
  readonly trunks: readonly MLP[];
  /** heads[k][i]: twin k's head of task i. */
  readonly heads: readonly (readonly Linear[])[];
  constructor(rng: Rng, obsDim: number, actionDim: number, numHeads: number, config: SACSettings, name: string) {
    this.trunks = [0, 1].map((k) =>
      trunk(rng, obsDim + actionDim, config.criticHidden, config.activation, `${name}.q${k + 1}.trunk`),
    );
    this.heads = this.trunks.map((t, k) =>
      Array.from(
        { length: numHeads },
        (_, i) => new Linear(rng, t.outputSize, 1, { name: `${name}.q${k + 1}.head${i}` }),
      ),
    );
  }
  /** Q_k,head(s, a) for both twins, each [B, 1]. */
  all(obs: tf.Tensor2D, action: tf.Tensor2D, head: number): tf.Tensor2D[] {
    const input = tf.concat([obs, action], 1);
    return this.trunks.map((t, k) => ((this.heads[k] as readonly Linear[])[head] as Linear).apply(t.apply(input)));
  }
  /** min_k Q_k,head(s, a), [B, 1]. */
  min(obs: tf.Tensor2D, action: tf.Tensor2D, head: number): tf.Tensor2D {
    const [q1, q2] = this.all(obs, action, head) as [tf.Tensor2D, tf.Tensor2D];
    return tf.minimum(q1, q2);
  }
  /** Both twins' trunks. */
  trunkParameters(): Parameterized {
    return group(this.trunks);
  }
  /** Both twins' head of task `head`. */
  headParameters(head: number): Parameterized {
    return group(this.heads.map((h) => h[head] as Linear));
  }
  parameters(): tf.Variable[] {
    return [...this.trunkParameters().parameters(), ...this.heads.flatMap((h) => h.flatMap((l) => l.parameters()))];
  }
}

/** The N-task multi-head SAC learner: networks, per-task α_i and buffers 𝒟_i, and task i's gradient step. */
export class MultiheadSAC extends Checkpointed {
  readonly name: string;
  readonly obsDim: number;
  readonly actionDim: number;
  readonly actor: MultiheadActor;
  readonly critics: MultiheadCritics;
  readonly targetCritics: MultiheadCritics;
  readonly logAlphas: readonly tf.Variable[];
  readonly targetEntropy: number;
  readonly replays: readonly ReplayBuffer[];
  /** Minibatch sampling and the losses' reparameterised samples. */
  readonly rng: Rng;
  private readonly actorTrunkOptimizer: Adam;
  private readonly actorHeadOptimizers: readonly Adam[];
  private readonly criticTrunkOptimizer: Adam;
  private readonly criticHeadOptimizers: readonly Adam[];
  private readonly alphaOptimizers: readonly (Adam | null)[];
  /** Gradient steps in all, and per task (task i's count paces its policy steps). */
  readonly counts: Record<string, number>;

  constructor(
    readonly numTasks: number,
    obsDim: number,
    actionDim: number,
    readonly config: SACSettings,
    name = "multihead-sac",
  ) {
    super();
    if (!Number.isInteger(numTasks) || numTasks < 1)
      throw new QscapeError(`${name}: numTasks must be ≥ 1, got ${numTasks}`);
    this.name = name;
    this.obsDim = obsDim;
    this.actionDim = actionDim;
    const c = config;
    this.rng = new Rng(c.seed);
    const initRng = this.rng.fork();
    this.actor = new MultiheadActor(initRng, obsDim, actionDim, numTasks, c, `${name}.actor`);
    this.critics = new MultiheadCritics(initRng, obsDim, actionDim, numTasks, c, `${name}.critic`);
    this.targetCritics = new MultiheadCritics(initRng, obsDim, actionDim, numTasks, c, `${name}.targetCritic`);
    hardUpdate(this.targetCritics, this.critics);
    this.logAlphas = Array.from({ length: numTasks }, (_, i) =>
      variable(new Float32Array([Math.log(c.initialAlpha)]), [], `${name}.logAlpha${i}`),
    );
    this.targetEntropy = c.targetEntropy ?? -actionDim;
    // Global-norm clipping, when set, applies to each optimizer's group (trunk, head) separately.
    const clip = c.gradClipNorm ? { clipNorm: c.gradClipNorm } : {};
    const tasks = Array.from({ length: numTasks }, (_, i) => i);
    this.actorTrunkOptimizer = new Adam(`${name}.actor.trunk`, this.actor.trunk, { lr: c.actorLr, ...clip });
    this.actorHeadOptimizers = tasks.map(
      (i) =>
        new Adam(`${name}.actor.head${i}`, this.actor.heads[i] as SquashedGaussianHead, { lr: c.actorLr, ...clip }),
    );
    this.criticTrunkOptimizer = new Adam(`${name}.critic.trunk`, this.critics.trunkParameters(), {
      lr: c.criticLr,
      ...clip,
    });
    this.criticHeadOptimizers = tasks.map(
      (i) => new Adam(`${name}.critic.head${i}`, this.critics.headParameters(i), { lr: c.criticLr, ...clip }),
    );
    this.alphaOptimizers = tasks.map((i) =>
      c.autoAlpha
        ? new Adam(
            `${name}.alpha${i}`,
            { parameters: () => [this.logAlphas[i] as tf.Variable] },
            {
              lr: c.alphaLr,
              checkFinite: false,
            },
          )
        : null,
    );
    this.replays = tasks.map((i) => continuousReplay(`${name} replay ${i}`, c.bufferSize, obsDim, actionDim));
    this.counts = { gradientUpdates: 0, ...Object.fromEntries(tasks.map((i) => [`task${i}Updates`, 0])) };
  }

  alpha(task: number): number {
    return Math.exp(this.logAlphas[task]?.dataSync()[0] as number);
  }

  /** One SAC gradient step of task i on 𝒟_i through head i (critic, then policy and α_i, then targets). */
  update(task: number): Record<string, number> {
    const c = this.config;
    const { data } = (this.replays[task] as ReplayBuffer).sample(c.batchSize, this.rng);
    const key = `task${task}Updates`;
    this.counts.gradientUpdates = (this.counts.gradientUpdates as number) + 1;
    this.counts[key] = (this.counts[key] as number) + 1;
    const updatePolicy = (this.counts[key] as number) % c.policyFrequency === 0;
    return tf.tidy(() => {
      const batch = continuousBatch(data, this.obsDim, this.actionDim);
      const alpha = tf.exp(this.logAlphas[task] as tf.Variable);
      const out: Record<string, number> = { criticLoss: this.criticStep(task, batch, alpha) };
      if (updatePolicy) {
        for (let k = 0; k < c.policyFrequency; k++) out.actorLoss = this.policyStep(task, batch.obs, alpha);
        out.alpha = this.alpha(task);
      }
      const taskCritic = (critics: MultiheadCritics) =>
        group([critics.trunkParameters(), critics.headParameters(task)]);
      polyakUpdate(taskCritic(this.targetCritics), taskCritic(this.critics), c.tau);
      return out;
    });
  }

  /** y_i = r + γ(1 − terminated)(min_k Q̄_k,i(s′, a′) − α_i log π_i(a′|s′)), [B, 1]. */
  softTarget(task: number, batch: ContinuousBatch, alpha: tf.Tensor): tf.Tensor2D {
    const next = this.actor.apply(batch.nextObs, task).rsample(this.rng);
    const nextQ = this.targetCritics.min(batch.nextObs, next.action, task);
    const soft = tf.sub(nextQ, tf.mul(alpha, tf.expandDims(next.logProb, 1)));
    return tf.add(batch.reward, tf.mul(tf.mul(batch.notDone, this.config.gamma), soft));
  }

  private criticStep(task: number, batch: ContinuousBatch, alpha: tf.Tensor): number {
    const y = this.softTarget(task, batch, alpha);
    return this.step(
      [this.criticTrunkOptimizer, this.critics.trunkParameters()],
      [this.criticHeadOptimizers[task] as Adam, this.critics.headParameters(task)],
      () => {
        const qs = this.critics.all(batch.obs, batch.action, task);
        return tf.addN(qs.map((q) => tf.losses.meanSquaredError(y, q))) as tf.Scalar;
      },
    );
  }

  private policyStep(task: number, obs: tf.Tensor2D, alpha: tf.Tensor): number {
    const loss = this.step(
      [this.actorTrunkOptimizer, this.actor.trunk],
      [this.actorHeadOptimizers[task] as Adam, this.actor.heads[task] as SquashedGaussianHead],
      () => {
        const { action, logProb } = this.actor.apply(obs, task).rsample(this.rng);
        const q = tf.squeeze(this.critics.min(obs, action, task), [1]);
        return tf.mean(tf.sub(tf.mul(alpha, logProb), q));
      },
    );
    // ∂L_α/∂log α_i = −mean(log π_i(ã|s) + H_target), a fresh sample with no gradient to π.
    const optimizer = this.alphaOptimizers[task];
    if (optimizer) {
      const { logProb } = this.actor.apply(obs, task).rsample(this.rng);
      optimizer.apply(null, [tf.neg(tf.mean(tf.add(logProb, this.targetEntropy)))]);
    }
    return loss;
  }

  /** One gradient of `loss` over the trunk and one head, each applied by its own Adam. */
  private step(
    [trunkOptimizer, trunkParams]: [Adam, Parameterized],
    [headOptimizer, headParams]: [Adam, Parameterized],
    loss: () => tf.Scalar,
  ): number {
    const trunkVars = trunkParams.parameters();
    const headVars = headParams.parameters();
    return tf.tidy(() => {
      const { value, grads } = tf.variableGrads(loss, [...trunkVars, ...headVars]);
      const grad = (p: tf.Variable) => grads[p.name] ?? tf.zerosLike(p);
      const lossValue = trunkOptimizer.apply(value, trunkVars.map(grad));
      headOptimizer.apply(null, headVars.map(grad));
      return lossValue;
    });
  }

  stateParts(): StateParts {
    return {
      config: this.config,
      networks: {
        actor: this.actor,
        critics: this.critics,
        targetCritics: this.targetCritics,
        logAlphas: new ParamGroup(`${this.name}.logAlphas`, [...this.logAlphas]),
      },
      stateful: {
        actorTrunkOptimizer: this.actorTrunkOptimizer,
        criticTrunkOptimizer: this.criticTrunkOptimizer,
        ...Object.fromEntries(
          this.replays.flatMap((replay, i) => [
            [`actorHeadOptimizer${i}`, this.actorHeadOptimizers[i] as Adam],
            [`criticHeadOptimizer${i}`, this.criticHeadOptimizers[i] as Adam],
            [`alphaOptimizer${i}`, this.alphaOptimizers[i] ?? null],
            [`replay${i}`, replay],
          ]),
        ),
        rng: this.rng,
      },
      counters: [this.counts],
    };
  }
}
