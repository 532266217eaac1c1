import { initBackend, Rng, readParameters, SquashedGaussian, tf } from "@qscape/core";
import { makeTaskSet } from "@qscape/envs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { QmpAgent } from "./agent.js";
import { resolveDncConfig } from "./config.js";
import { DncAgent, squashedGaussianKl } from "./dnc.js";
import { MultiTaskTrainer } from "./train.js";

beforeAll(async () => {
  await initBackend();
});

const sac = { actorHidden: [16, 16], criticHidden: [16, 16], batchSize: 16, bufferSize: 2000 };
const loop = {
  seed: 2,
  totalEnvSteps: 90,
  envStepsPerUpdate: 15,
  gradStepsPerUpdate: 3,
  minBufferSize: 10,
  evalEpisodes: 1,
  evalEvery: 100,
};

/** Fills every learning task's buffer with `n` transitions whose actions come from `action(task, obs)`. */
function fill(agent: DncAgent, n: number, action: (task: number, obs: Float32Array, rng: Rng) => number[]) {
  const rng = new Rng(5);
  for (const i of [0, 1, 2]) {
    for (let k = 0; k < n; k++) {
      const obs = rng.fillUniform(new Float32Array(4), 1, 7) as Float32Array;
      agent.observe(i, {
        obs,
        action: Float32Array.from(action(i, obs, rng)),
        reward: -0.5,
        nextObs: rng.fillUniform(new Float32Array(4), 1, 7) as Float32Array,
        terminated: false,
        truncated: false,
      });
    }
  }
}

/** Mean over `states` of Σ_{j≠0} KL(π_j ‖ π_0). */
function meanKlToTask0(agent: DncAgent, states: Float32Array): number {
  return tf.tidy(() => {
    const s = tf.tensor2d(states, [states.length / 4, 4]);
    const own = agent.learner(0).actor.apply(s);
    const kl = tf.addN([1, 2].map((j) => squashedGaussianKl(agent.learner(j).actor.apply(s), own)));
    return tf.mean(kl).dataSync()[0] as number;
  });
}

describe("DnC: the KL term", () => {
  it("equals the Gaussian closed form, by hand and by Monte Carlo on the tanh-squashed policies", () => {
    // 1-D by hand: KL(N(0, 1) ‖ N(1, 2²)) = log 2 + (1 + 1)/8 − 1/2 = 0.44315.
    const byHand = tf.tidy(
      () =>
        squashedGaussianKl(
          { mean: tf.tensor2d([[0]]), logStd: tf.tensor2d([[0]]) },
          { mean: tf.tensor2d([[1]]), logStd: tf.tensor2d([[Math.log(2)]]) },
        ).dataSync()[0] as number,
    );
    expect(byHand).toBeCloseTo(Math.log(2) + 0.25 - 0.5, 5);

    // 2-D, on the squashed actions: E_{a∼p}[log p(a) − log q(a)] with a = tanh(u), u ∼ N_p. Each
    // log-density carries the same tanh Jacobian at a, so the estimate is of the squashed KL.
    const p = { mean: [0.3, -0.2], logStd: [Math.log(0.5), Math.log(1.2)] };
    const q = { mean: [-0.1, 0.4], logStd: [Math.log(0.8), Math.log(0.6)] };
    const n = 40_000;
    const [closed, mc, self] = tf.tidy(() => {
      const tile = (v: number[]) => tf.tensor2d(Array.from({ length: n }, () => v));
      const P = new SquashedGaussian(tile(p.mean), tile(p.logStd));
      const Q = new SquashedGaussian(tile(q.mean), tile(q.logStd));
      const { action } = P.rsample(new Rng(1));
      const u = tf.atanh(tf.clipByValue(action, -1 + 1e-6, 1 - 1e-6)) as tf.Tensor2D;
      const estimate = tf.mean(tf.sub(P.logProbOfPreTanh(u), Q.logProbOfPreTanh(u)));
      const one = (g: typeof p) => ({ mean: tf.tensor2d([g.mean]), logStd: tf.tensor2d([g.logStd]) });
      return [
        squashedGaussianKl(one(p), one(q)).dataSync()[0] as number,
        estimate.dataSync()[0] as number,
        squashedGaussianKl(one(p), one(p)).dataSync()[0] as number,
      ];
    });
    let hand = 0;
    for (let d = 0; d < 2; d++) {
      const [sp, sq] = [Math.exp(p.logStd[d] as number), Math.exp(q.logStd[d] as number)];
      hand +=
        Math.log(sq / sp) + (sp ** 2 + ((p.mean[d] as number) - (q.mean[d] as number)) ** 2) / (2 * sq ** 2) - 0.5;
    }
    expect(closed).toBeCloseTo(hand, 5);
    expect(mc).toBeCloseTo(hand, 1);
    expect(self).toBeCloseTo(0, 6);
  });

  it("with β = 0 every update equals No-Sharing's exactly; with β > 0 the policies move toward each other", () => {
    const set = () => makeTaskSet("MazeLargeMT3-v0");
    const dnc = new DncAgent(set(), { seed: 4, sac, klCoef: 0, distillations: 0 });
    const plain = new QmpAgent(set(), { seed: 4, sharing: "none", sac });
    const epochs = (agent: DncAgent | QmpAgent) => {
      const trainer = new MultiTaskTrainer(agent, set(), set(), loop);
      const losses: Record<string, number>[] = [];
      while (!trainer.done) {
        trainer.runEpoch();
        // DnC also reports the (unweighted) KL; everything else must match.
        const { kl: _kl, ...losses1 } = agent.update(1);
        losses.push(losses1);
      }
      return { losses, result: trainer.result() };
    };
    expect(epochs(dnc)).toEqual(epochs(plain));
    expect(dnc.learners.map((l) => readParameters(l?.actor ?? { parameters: () => [] }))).toEqual(
      plain.learners.map((l) => readParameters(l?.actor ?? { parameters: () => [] })),
    );
    dnc.dispose();
    plain.dispose();

    // A large β: task 0's steps must shrink Σ_j KL(π_j ‖ π_0) (a flipped sign would grow it).
    const pulled = new DncAgent(set(), { seed: 4, sac: { ...sac, actorLr: 3e-3 }, klCoef: 10, distillations: 0 });
    fill(pulled, 40, (_i, _o, rng) => [rng.uniform(-1, 1), rng.uniform(-1, 1)]);
    const states = new Rng(8).fillUniform(new Float32Array(4 * 64), 1, 7) as Float32Array;
    const before = meanKlToTask0(pulled, states);
    let reported = Number.NaN;
    for (let k = 0; k < 30; k++) reported = pulled.update(0).kl as number;
    const after = meanKlToTask0(pulled, states);
    expect(before).toBeGreaterThan(0.05);
    expect(after).toBeLessThan(0.5 * before);
    expect(reported).toBeGreaterThan(0);
    pulled.dispose();
  });
});

describe("DnC: distillation", () => {
  it("fits the central policy to the buffers' actions by maximum likelihood, then resets every local policy to it", () => {
    const agent = new DncAgent(makeTaskSet("MazeLargeMT3-v0"), {
      seed: 1,
      sac: { ...sac, actorLr: 3e-3 },
      distillEpochs: 150,
    });
    // Every task's data: action ≈ (0.6, −0.3) plus a little noise.
    fill(agent, 40, (_i, _o, rng) => [0.6 + rng.normal(0, 0.05), -0.3 + rng.normal(0, 0.05)]);
    const states = new Rng(3).fillUniform(new Float32Array(4 * 32), 1, 7) as Float32Array;
    const centralError = () =>
      tf.tidy(() => {
        const mode = agent.central.apply(tf.tensor2d(states, [32, 4])).mode();
        return tf.mean(tf.abs(tf.sub(mode, tf.tensor2d([[0.6, -0.3]])))).dataSync()[0] as number;
      });
    const errorBefore = centralError();
    const firstLoss = new DncAgent(makeTaskSet("MazeLargeMT3-v0"), { seed: 1, sac, distillEpochs: 1 });
    fill(firstLoss, 40, (_i, _o, rng) => [0.6 + rng.normal(0, 0.05), -0.3 + rng.normal(0, 0.05)]);
    const lossBefore = firstLoss.distill();
    firstLoss.dispose();

    const lossAfter = agent.distill();
    expect(lossAfter).toBeLessThan(lossBefore - 1);
    expect(centralError()).toBeLessThan(0.1);
    expect(centralError()).toBeLessThan(errorBefore);
    const central = readParameters(agent.central);
    for (const i of [0, 1, 2]) expect(readParameters(agent.learner(i).actor)).toEqual(central);
    agent.dispose();
  });

  it("distils D times spread over the budget, at most once per epoch; D = 0 is Regularization Only", () => {
    const agent = new DncAgent(makeTaskSet("MazeLargeMT3-v0"), { sac, distillations: 10 });
    const distill = vi.spyOn(agent, "distill").mockReturnValue(0);
    agent.afterEpoch(9, 100);
    expect(distill).toHaveBeenCalledTimes(0);
    agent.afterEpoch(10, 100);
    agent.afterEpoch(15, 100);
    expect(distill).toHaveBeenCalledTimes(1);
    agent.afterEpoch(35, 100); // two schedule points in one epoch: one distillation
    expect(distill).toHaveBeenCalledTimes(2);
    expect(agent.distillations).toBe(3);
    agent.afterEpoch(100, 100);
    expect(agent.distillations).toBe(10);
    agent.dispose();

    const regOnly = new DncAgent(makeTaskSet("MazeLargeMT3-v0"), { sac, distillations: 0 });
    const never = vi.spyOn(regOnly, "distill");
    regOnly.afterEpoch(100, 100);
    expect(never).not.toHaveBeenCalled();
    regOnly.dispose();
  });
});

describe("DnC: config and tensors", () => {
  it("defaults follow App. D H; errors name the field", () => {
    expect(resolveDncConfig()).toMatchObject({ klCoef: 0.001, distillations: 10, distillEpochs: 500 });
    expect(() => resolveDncConfig({ klCoef: -1 })).toThrow(/dnc config: klCoef/);
    expect(() => resolveDncConfig({ distillEpochs: 0 })).toThrow(/dnc config: distillEpochs/);
    expect(() => resolveDncConfig({ distillations: 1.5 })).toThrow(/dnc config: distillations/);
    expect(() => resolveDncConfig({ sac: { batchSize: 0 } })).toThrow(/batchSize/);
    expect(() => resolveDncConfig({ beta: 1 } as never)).toThrow(/beta/);
  });

  it("updates and distillations leave no tensors behind", () => {
    const agent = new DncAgent(makeTaskSet("MazeLargeMT3-v0"), { sac, distillEpochs: 2 });
    fill(agent, 20, (_i, _o, rng) => [rng.uniform(-1, 1), rng.uniform(-1, 1)]);
    agent.update(0); // first calls create optimiser state
    agent.distill();
    const before = tf.memory().numTensors;
    for (const i of [0, 1, 2]) agent.update(i);
    agent.distill();
    agent.evalAction(1, new Float32Array([1, 2, 0, 0]));
    expect(tf.memory().numTensors).toBe(before);
    agent.dispose();
  });
});
