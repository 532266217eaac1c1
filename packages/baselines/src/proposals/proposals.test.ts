import { type Agent, type CandidateProposer, initBackend, type MLP, Rng, tf } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { TD3Config, type TD3Settings } from "../td3/config.js";
import { boxEnv, fillReplay, leakedTensors } from "../testing.js";
import { ProposalTD3Agent } from "./agent.js";
import { CEMAgent } from "./cem.js";
import { EnsembleAgent } from "./ensemble.js";
import { GreedyACAgent, GreedyTD3Agent } from "./greedy.js";
import { ResetTD3Agent } from "./resets.js";
import { WolpertingerAgent } from "./wolpertinger.js";

beforeAll(async () => {
  await initBackend();
});

const small = { actorHidden: [16, 16], criticHidden: [16, 16], batchSize: 32, bufferSize: 1000, seed: 11 };
const obs = Float32Array.of(0.3, -1.2, 0.8);

function argmax(xs: Float32Array): number {
  return xs.indexOf(Math.max(...xs));
}

/** The chosen action is the candidate with the highest Q1, and the reported Q values are Q1. */
function expectBestByQ(agent: ProposalTD3Agent<TD3Settings>, k: number) {
  const choice = agent.chooseAction(obs, false);
  expect(choice.candidates).toHaveLength(k);
  const q = agent.evaluateQ(obs, choice.candidates);
  Array.from(q).forEach((v, i) => {
    expect(choice.q?.[i]).toBeCloseTo(v, 5);
  });
  expect(Array.from(choice.action)).toEqual(Array.from(choice.candidates[argmax(q)] as Float32Array));
  return choice;
}

function trained<T extends Agent<Float32Array, Float32Array> & { obsDim: number; actionDim: number }>(agent: T): T {
  fillReplay(agent, new Rng(1), 100);
  for (let i = 0; i < 4; i++) agent.update();
  return agent;
}

describe("proposal actors", () => {
  it("Wolpertinger ranks the proto-action and Gaussian samples around it by Q1", () => {
    const agent = trained(new WolpertingerAgent(boxEnv(3, 2), { ...small, k: 5, sampleSigma: 0.3 }));
    const choice = expectBestByQ(agent, 5);
    const proto = tf.tidy(
      () => (agent.td3.actors[0] as MLP).apply(tf.tensor2d(obs, [1, 3])).dataSync() as Float32Array,
    );
    expect(Array.from(choice.candidates[0] as Float32Array)).toEqual(Array.from(proto));
    for (const c of choice.candidates.slice(1)) {
      expect(c).not.toEqual(proto);
      for (const v of c) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    }
    expect(agent.counters().qEvaluations).toBeGreaterThanOrEqual(4 * 32 * 5 + 5);
    agent.dispose();
  });

  it("the ensemble's candidates are its k independently initialised actors' actions, best by Q1", () => {
    const agent = trained(new EnsembleAgent(boxEnv(3, 2), { ...small, k: 3 }));
    expect(agent.td3.actors).toHaveLength(3);
    const choice = expectBestByQ(agent, 3);
    agent.td3.actors.forEach((actor, i) => {
      const mu = tf.tidy(() => actor.apply(tf.tensor2d(obs, [1, 3])).dataSync() as Float32Array);
      expect(Array.from(choice.candidates[i] as Float32Array)).toEqual(Array.from(mu));
    });
    expect(choice.candidates[0]).not.toEqual(choice.candidates[1]);
    agent.dispose();
  });

  it("CEM returns the best of its elites, better than most uniformly random actions", () => {
    const agent = trained(new CEMAgent(boxEnv(3, 2), { ...small, population: 32, elites: 4, iterations: 3 }));
    expect(agent.td3.actors).toHaveLength(0);
    const before = agent.counters().qEvaluations ?? 0;
    const choice = expectBestByQ(agent, 12);
    expect((agent.counters().qEvaluations ?? 0) - before).toBe(3 * 32 + 12);
    const rng = new Rng(5);
    const random = Array.from({ length: 200 }, () => rng.fillUniform(new Float32Array(2), -1, 1) as Float32Array);
    const qRandom = Array.from(agent.evaluateQ(obs, random)).sort((a, b) => a - b);
    const qChosen = agent.evaluateQ(obs, [choice.action])[0] as number;
    expect(qChosen).toBeGreaterThanOrEqual(qRandom[180] as number);
    expect(() => new CEMAgent(boxEnv(3, 2), { ...small, population: 4, elites: 6 })).toThrow(/elites/);
    agent.dispose();
  });

  it("Greedy-AC/TD3 elites are the proposal samples with the highest Q1, and updates leak nothing", () => {
    for (const agent of [
      trained(new GreedyACAgent(boxEnv(3, 2), small)),
      trained(new GreedyTD3Agent(boxEnv(3, 2), small)),
    ]) {
      const [eliteQ, sampleQ] = tf.tidy(() => {
        const states = tf.tensor2d(obs, [1, 3]);
        const elites = agent.topProposals(states);
        expect(elites.shape).toEqual([1, 6, 2]);
        const q = (a: tf.Tensor2D) => agent.td3.critics.q1(tf.tile(states, [a.shape[0], 1]), a);
        const eps = tf.randomNormal([200, 2], 0, 1, "float32", 3);
        const samples = tf.clipByValue(
          tf.add(agent.proposal.apply(states), tf.mul(tf.exp(agent.proposalLogStd), eps)),
          -1,
          1,
        );
        return [
          tf.min(q(tf.reshape(elites, [6, 2]))).dataSync()[0] as number,
          tf.mean(q(samples as tf.Tensor2D)).dataSync()[0] as number,
        ];
      });
      expect(eliteQ).toBeGreaterThan(sampleQ);
      expect(leakedTensors(() => agent.update())).toBe(0);
      agent.dispose();
    }
  });

  it("resets re-initialise exactly the configured layers, their targets and Adam moments", () => {
    const snapshot = (agent: ResetTD3Agent) =>
      [...agent.td3.actors, ...agent.td3.critics.nets].map((net) => net.layers.map((l) => l.weight.dataSync().slice()));
    for (const mode of ["lastLayer", "full"] as const) {
      const agent = trained(new ResetTD3Agent(boxEnv(3, 2), { ...small, resetMode: mode, resetEvery: 1000 }));
      const before = snapshot(agent);
      agent.reset();
      const after = snapshot(agent);
      before.forEach((net, n) => {
        net.forEach((w, l) => {
          const isLast = l === net.length - 1;
          const changed = w.some((v, i) => v !== after[n]?.[l]?.[i]);
          expect(changed).toBe(mode === "full" || isLast);
        });
      });
      // Target copies equal the fresh online layers.
      const lastActor = (agent.td3.actors[0] as MLP).layers.at(-1);
      const lastTarget = (agent.td3.targetActors[0] as MLP).layers.at(-1);
      expect(Array.from(lastTarget?.weight.dataSync() ?? [])).toEqual(Array.from(lastActor?.weight.dataSync() ?? []));
      // Adam moments: zero for reset parameters, untouched (non-zero) for the others.
      const m = agent.td3.criticOptimizer.getState().m;
      const params = agent.td3.critics.parameters();
      const lastLayerParams = new Set(
        agent.td3.critics.nets.flatMap((n) => (n.layers.at(-1) as { parameters(): tf.Variable[] }).parameters()),
      );
      params.forEach((p, i) => {
        const zero = (m[i]?.data ?? []).every((v) => v === 0);
        expect(zero).toBe(mode === "full" || lastLayerParams.has(p));
      });
      agent.dispose();
    }
  });

  it("resets happen every resetEvery updates", () => {
    const agent = new ResetTD3Agent(boxEnv(3, 2), { ...small, resetMode: "lastLayer", resetEvery: 3 });
    fillReplay(agent, new Rng(1), 64);
    for (let i = 0; i < 7; i++) agent.update();
    expect(agent.resets).toBe(2);
    agent.dispose();
  });

  it("a new proposal baseline is a proposer handed to TD3's learner: uniform random candidates, best by Q1", () => {
    class UniformProposer implements CandidateProposer {
      constructor(private readonly rng: Rng) {}
      propose(obs: tf.Tensor2D): tf.Tensor3D {
        const b = obs.shape[0];
        return tf.tensor3d(this.rng.fillUniform(new Float32Array(b * 4 * 2), -1, 1) as Float32Array, [b, 4, 2]);
      }
      proposeTarget(nextObs: tf.Tensor2D): tf.Tensor3D {
        return this.propose(nextObs);
      }
    }
    const agent = trained(
      new ProposalTD3Agent(boxEnv(3, 2), small, {
        name: "uniform",
        schema: TD3Config,
        actorCount: 0,
        proposer: (td3) => new UniformProposer(td3.rng),
      }),
    );
    expectBestByQ(agent, 4);
    expect(agent.counters().qEvaluations).toBe(4 * 32 * 4 + 4);
    expect(leakedTensors(() => agent.update())).toBe(0);
    agent.dispose();
  });

  it("every variant saves, loads and continues identically", () => {
    const makers = [
      (seed: number) => new WolpertingerAgent(boxEnv(3, 1), { ...small, seed }),
      (seed: number) => new EnsembleAgent(boxEnv(3, 1), { ...small, seed }),
      (seed: number) => new CEMAgent(boxEnv(3, 1), { ...small, seed, population: 16, elites: 2 }),
      (seed: number) => new GreedyTD3Agent(boxEnv(3, 1), { ...small, seed }),
    ];
    for (const make of makers) {
      const a = trained(make(1));
      const b = make(2);
      b.load(a.save());
      for (let i = 0; i < 2; i++) {
        expect(b.update()).toEqual(a.update());
        expect(Array.from(b.act(obs, { explore: true }))).toEqual(Array.from(a.act(obs, { explore: true })));
      }
      a.dispose();
      b.dispose();
    }
  });
});
