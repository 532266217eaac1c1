import {
  type GraphAttentionBlock,
  initBackend,
  type MLP,
  type Parameterized,
  readParameters,
  type Snapshot,
  TrainingLoop,
  tf,
} from "@qscape/core";
import { type ActionSetObservation, make } from "@qscape/envs";
import { beforeAll, describe, expect, it } from "vitest";
import { ActionSetSpaceError } from "../errors.js";
import { GraphConvolutionBlock } from "../gcn.js";
import type { ActionGraph } from "../networks.js";
import { availableAfterPrefixes, type ListBatch, ListwiseCDQNAgent, listwiseTargets } from "./agent.js";
import { cdqnAlgorithms } from "./bench.js";
import { CDQN_VARIANTS, type CDQNConfigInput } from "./config.js";
import type { ListEncoder, ListQFunction, ListQuery } from "./networks.js";

beforeAll(async () => {
  await initBackend();
});

/** Small widths so each test runs in well under a second of compute. */
const small: CDQNConfigInput = {
  hidden: 8,
  qHidden: [16],
  listEncoderDim: 8,
  actionEncoderDim: 4,
  graphHidden: 8,
  batchSize: 16,
  learningStarts: 16,
  bufferSize: 500,
  seed: 3,
};
/** RecSim with 10 candidates and lists of 4 (the defaults are 20 and 6). */
const smallEnv = () => make("RecSimSlate-v0", { numCandidates: 10, slateSize: 4 });

/** Fills an agent's replay with `steps` transitions of random lists (rewards scaled by `rewardScale`). */
function feed(agent: ListwiseCDQNAgent, steps: number, rewardScale = 1): void {
  const env = smallEnv();
  env.actionSpace.seed(5);
  let [obs] = env.reset({ seed: 11 });
  for (let t = 0; t < steps; t++) {
    const action = env.actionSpace.sample() as Int32Array;
    const [next, reward, terminated, truncated] = env.step(action);
    agent.observe({
      obs: obs as ActionSetObservation,
      action,
      reward: reward * rewardScale,
      nextObs: next as ActionSetObservation,
      terminated,
      truncated,
    });
    obs = terminated || truncated ? env.reset()[0] : next;
  }
}

describe("listwise CDQN: config and spaces", () => {
  it("config errors name the field", () => {
    const env = smallEnv();
    expect(() => new ListwiseCDQNAgent(env, { listEncoderDim: 0 })).toThrow(/listEncoderDim/);
    expect(() => new ListwiseCDQNAgent(env, { epsilonEnd: 2 })).toThrow(/epsilonEnd/);
    expect(() => new ListwiseCDQNAgent(env, { variant: "gcn" as never })).toThrow(/variant/);
    const entry = cdqnAlgorithms.find((e) => e.id === "agile-cdqn");
    expect(() => entry?.checkConfig({ targetSyncEvery: -1 })).toThrow(/agile-cdqn config: targetSyncEvery/);
  });

  it("refuses envs whose actions are not lists of candidates, and the bench entries say so", () => {
    expect(() => new ListwiseCDQNAgent(make("DigLava-v0"))).toThrow(ActionSetSpaceError);
    for (const entry of cdqnAlgorithms) {
      expect(entry.supports(make("DigLava-v0"))).toMatch(/not a list-action env/);
      expect(entry.supports(make("RecSimSlate-v0"))).toBeNull();
    }
    expect(cdqnAlgorithms.map((e) => e.id)).toEqual([
      "agile-cdqn",
      "agile-cdqn-gcn",
      "agile-cdqn-only-action",
      "cdqn-utility",
      "simple-dqn",
    ]);
  });
});

describe("listwise CDQN: targets", () => {
  // A stub Q^T: Q(s, index after a prefix of L items, slot k) = 100·s₀ + 10·L + v_k. The padded
  // slot 3 of row 0 has the largest v, so a target that reads it is wrong.
  const v = [5, 1, 3, 9];
  const stub: ListQFunction = {
    scores: (q: ListQuery) =>
      tf.tidy(() => {
        const [b] = q.state.shape;
        const lengths = tf.tensor3d(
          q.prefixLengths.map((l) => 10 * l),
          [1, q.prefixLengths.length, 1],
        );
        return tf.add(tf.add(tf.mul(tf.reshape(q.state, [b, 1, 1]), 100), lengths), tf.tensor3d(v, [1, 1, 4]));
      }) as tf.Tensor3D,
  };
  const host = { mask: Uint8Array.from([1, 1, 1, 0, 1, 1, 1, 1]), slots: Int32Array.from([0, 2, 1, 3, 1, 0]) };
  const targets = (cascaded: boolean, intraListTarget?: boolean) =>
    tf.tidy(() => {
      const batch: ListBatch = {
        state: tf.tensor2d([0.1, 0], [2, 1]),
        nextState: tf.tensor2d([0.2, 0.3], [2, 1]),
        features: tf.zeros([2, 4, 2]),
        mask: tf.tensor2d(Float32Array.from(host.mask), [2, 4]),
        slots: tf.tensor2d(host.slots, [2, 3], "int32"),
        reward: tf.tensor1d([1, 0]),
        terminated: tf.tensor1d([0, 1]),
      };
      const y = listwiseTargets(stub, batch, host, {
        gamma: 0.9,
        intraListGamma: 0.5,
        cascaded,
        ...(intraListTarget === undefined ? {} : { intraListTarget }),
      });
      return Array.from(y.dataSync());
    });

  it("index n bootstraps from index n + 1 in the same state without the chosen items; the last from the next state", () => {
    // Row 0 (s₀ = 0.1, s̃₀ = 0.2, r = 1, list 0, 2, 1; slot 3 padded):
    //   y₁ = 1 + 0.5 · (10 + 10 + max(v₁, v₂) = 3) = 12.5
    //   y₂ = 1 + 0.5 · (10 + 20 + v₁ = 1) = 16.5
    //   y₃ = 1 + 0.9 · (20 + 0 + max(v₀, v₁, v₂) = 5) = 23.5
    // Row 1 (s₀ = 0, r = 0, list 3, 1, 0, terminated):
    //   y₁ = 0.5 · (10 + max(v₀, v₁, v₂) = 5) = 7.5;  y₂ = 0.5 · (20 + max(v₀, v₂) = 5) = 12.5;  y₃ = 0
    const y = targets(true);
    expect(y.map((x) => Number(x.toFixed(4)))).toEqual([12.5, 16.5, 23.5, 7.5, 12.5, 0]);
  });

  it("no intra-list target (App. B.2.2 'No target-q change'): every index bootstraps from the next state's first index", () => {
    // Row 0 (s̃₀ = 0.2, r = 1): y₁ = y₂ = y₃ = 1 + 0.9 · (20 + 0 + max(v₀, v₁, v₂) = 5) = 23.5 (γ, not
    // γ_intra = 0.5: the bootstrap crosses a time step). Row 1 (r = 0, terminated): 0 at every index.
    expect(targets(true, false).map((x) => Number(x.toFixed(4)))).toEqual([23.5, 23.5, 23.5, 0, 0, 0]);
    expect(targets(true, true)).toEqual(targets(true));
  });

  it("Simple DQN: every index bootstraps from the next state's best item", () => {
    expect(targets(false).map((x) => Number(x.toFixed(4)))).toEqual([23.5, 23.5, 23.5, 0, 0, 0]);
  });

  it("availability before each index removes the prefix and padding", () => {
    expect(Array.from(availableAfterPrefixes(host.mask, host.slots, 2, [0, 2]))).toEqual([
      1, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1, 1, 1, 0, 1, 0,
    ]);
  });
});

describe("listwise CDQN: acting", () => {
  it.each(CDQN_VARIANTS)("%s: a list never repeats an item and never picks a padded slot", (variant) => {
    const env = smallEnv();
    const agent = new ListwiseCDQNAgent(env, { ...small, variant, epsilonDecaySteps: 10 });
    const [obs] = env.reset({ seed: 2 }) as [ActionSetObservation, unknown];
    // Pad 3 of the 10 slots away: 7 real candidates for a list of 4.
    const padded: ActionSetObservation = {
      ...obs,
      actionIds: obs.actionIds.map((id, i) => (i % 3 === 1 ? -1 : id)),
      actionMask: obs.actionMask.map((m, i) => (i % 3 === 1 ? 0 : m)),
    };
    const real = new Set(Array.from(padded.actionIds).filter((id) => id >= 0));
    for (const explore of [true, false]) {
      for (let t = 0; t < 12; t++) {
        const list = agent.act(padded, { explore });
        expect(list.length).toBe(4);
        expect(new Set(list).size).toBe(4);
        for (const id of list) expect(real.has(id)).toBe(true);
      }
    }
    const tooFew = { ...padded, actionMask: padded.actionMask.map((m, i) => (i < 6 ? 0 : m)) };
    expect(() => agent.act(tooFew, { explore: false })).toThrow(/fewer than 4 candidates/);
    agent.dispose();
  });

  it("ε decays linearly from epsilonStart to epsilonEnd over epsilonDecaySteps env steps", () => {
    const agent = new ListwiseCDQNAgent(smallEnv(), { ...small, epsilonDecaySteps: 40 });
    expect(agent.currentEpsilon).toBe(1);
    feed(agent, 20);
    expect(agent.currentEpsilon).toBeCloseTo(0.55, 10);
    feed(agent, 20);
    expect(agent.currentEpsilon).toBeCloseTo(0.1, 10);
    feed(agent, 10);
    expect(agent.currentEpsilon).toBeCloseTo(0.1, 10);
    expect(agent.epsilon(0)).toBe(1);
    expect(agent.epsilon(10)).toBeCloseTo(1 - 0.9 / 4, 10);
    expect(agent.epsilon(1e6)).toBeCloseTo(0.1, 10);
    agent.dispose();
  });
});

describe("listwise CDQN: learning machinery", () => {
  it("one Q parameter set serves every list index (its size does not depend on the list length)", () => {
    const sizes = (slateSize: number) => {
      const agent = new ListwiseCDQNAgent(make("RecSimSlate-v0", { numCandidates: 10, slateSize }), small);
      const shapes = agent.qNetwork.parameters().map((p) => p.shape.join("x"));
      agent.dispose();
      return shapes;
    };
    expect(sizes(2)).toEqual(sizes(6));
  });

  it("agile: reordering the candidates reorders Q at every index and changes nothing else", () => {
    const env = smallEnv();
    const agent = new ListwiseCDQNAgent(env, small);
    const [obs] = env.reset({ seed: 6 }) as [ActionSetObservation, unknown];
    const { stateDim, slots: k, featureDim } = agent.shape;
    const list = Int32Array.from([7, 2, 9, 0]);
    const lengths = [0, 1, 2, 3];
    const perm = Int32Array.from([3, 8, 1, 0, 6, 9, 2, 5, 4, 7]); // slot i moves to perm[i]
    const moved = new Float32Array(k * featureDim);
    for (let i = 0; i < k; i++) {
      moved.set(obs.actionFeatures.subarray(i * featureDim, (i + 1) * featureDim), (perm[i] as number) * featureDim);
    }
    const q = (features: Float32Array, slots: Int32Array) =>
      tf.tidy(() =>
        Array.from(
          agent.qNetwork
            .scores({
              state: tf.tensor2d(obs.state, [1, stateDim]),
              features: tf.tensor3d(features, [1, k, featureDim]),
              slots: tf.tensor2d(slots, [1, 4], "int32"),
              prefixLengths: lengths,
              available: tf.tensor3d(availableAfterPrefixes(new Uint8Array(k).fill(1), slots, 1, lengths), [1, 4, k]),
            })
            .dataSync(),
        ),
      );
    const before = q(obs.actionFeatures, list);
    const after = q(
      moved,
      Int32Array.from(list, (s) => perm[s] as number),
    );
    for (let n = 0; n < 4; n++) {
      for (let i = 0; i < k; i++) {
        expect(after[n * k + (perm[i] as number)]).toBeCloseTo(before[n * k + i] as number, 4);
      }
    }
    agent.dispose();
  });

  it("the batched update scores index n exactly as acting does (prefix of n items, chosen items off the graph)", () => {
    const env = smallEnv();
    const agent = new ListwiseCDQNAgent(env, small);
    const [obs] = env.reset({ seed: 4 }) as [ActionSetObservation, unknown];
    const list = agent.chooseSlots(obs, false);
    const { stateDim, slots: k, featureDim, listSize } = agent.shape;
    const query = (lengths: number[]) =>
      tf.tidy(() =>
        Array.from(
          agent.qNetwork
            .scores({
              state: tf.tensor2d(obs.state, [1, stateDim]),
              features: tf.tensor3d(obs.actionFeatures, [1, k, featureDim]),
              slots: tf.tensor2d(list, [1, listSize], "int32"),
              prefixLengths: lengths,
              available: tf.tensor3d(availableAfterPrefixes(obs.actionMask, list, 1, lengths), [1, lengths.length, k]),
            })
            .dataSync(),
        ),
      );
    const batched = query([0, 1, 2, 3]);
    const one = [0, 1, 2, 3].flatMap((n) => query([n]));
    one.forEach((q, i) => {
      expect(batched[i]).toBeCloseTo(q, 5);
    });
    // Greedy acting took the best available slot at each index.
    for (let n = 0; n < listSize; n++) {
      const row = one.slice(n * k, (n + 1) * k);
      const open = [...row.keys()].filter((s) => !list.slice(0, n).includes(s));
      const best = open.reduce((a, b) => ((row[b] as number) > (row[a] as number) ? b : a));
      expect(list[n]).toBe(best);
    }
    agent.dispose();
  });

  it.each(CDQN_VARIANTS)(
    "%s: act, observe and update leave no tensors behind; updates start after learningStarts",
    (variant) => {
      const agent = new ListwiseCDQNAgent(smallEnv(), { ...small, variant });
      const before = tf.memory().numTensors;
      feed(agent, 10);
      expect(agent.update()).not.toHaveProperty("loss"); // 10 < learningStarts
      feed(agent, 10);
      const metrics = agent.update();
      expect(Number.isFinite(metrics.loss)).toBe(true);
      const env = smallEnv();
      agent.act(env.reset({ seed: 1 })[0] as ActionSetObservation, { explore: false });
      expect(tf.memory().numTensors).toBe(before);
      expect(agent.counters().gradientUpdates).toBe(1);
      agent.dispose();
    },
  );

  it("gradients are clipped to norm 1 by default (large TD errors: the clipped run differs from an unclipped one)", () => {
    const run = (gradClipNorm?: number) => {
      const agent = new ListwiseCDQNAgent(smallEnv(), { ...small, ...(gradClipNorm ? { gradClipNorm } : {}) });
      feed(agent, 32, 50);
      for (let u = 0; u < 3; u++) agent.update();
      const w = readParameters(agent.qNetwork).map((t) => Array.from(t.data));
      expect(agent.optimizer.config.clipNorm).toBe(gradClipNorm ?? 1);
      agent.dispose();
      return w.flat();
    };
    const clipped = run();
    const unclipped = run(1e12);
    const diff = clipped.reduce((m, x, i) => Math.max(m, Math.abs(x - (unclipped[i] as number))), 0);
    expect(diff).toBeGreaterThan(1e-6);
  });

  it("the target network is a copy of the Q-network after every targetSyncEvery updates, not between", () => {
    const agent = new ListwiseCDQNAgent(smallEnv(), { ...small, variant: "utility", targetSyncEvery: 2 });
    feed(agent, 20);
    const flat = (net: typeof agent.qNetwork) => readParameters(net).flatMap((t) => Array.from(t.data));
    agent.update();
    expect(flat(agent.targetNetwork)).not.toEqual(flat(agent.qNetwork));
    agent.update();
    expect(flat(agent.targetNetwork)).toEqual(flat(agent.qNetwork));
    agent.dispose();
  });

  it.each(["agile", "simple-dqn"] as const)(
    "%s: save/load resumes a run exactly (through core's TrainingLoop)",
    (variant) => {
      const config = { ...small, variant, updateInterval: 5, targetSyncEvery: 3, epsilonDecaySteps: 60 };
      const loopConfig = { totalSteps: 60, evalEvery: 30, evalEpisodes: 1, seed: 9, updateEvery: 5 };
      const build = () => {
        const agent = new ListwiseCDQNAgent(smallEnv(), config);
        const loop = new TrainingLoop(loopConfig, { env: smallEnv(), evalEnv: smallEnv(), agent });
        return { agent, loop };
      };
      const a = build();
      a.loop.runUntil(30, { toEpisodeEnd: true });
      const snapshot = structuredClone({ agent: a.agent.save(), loop: a.loop.save() }) as {
        agent: Snapshot;
        loop: Snapshot;
      };
      const first = a.loop.run();
      const b = build();
      b.agent.load(snapshot.agent);
      b.loop.load(snapshot.loop);
      const second = b.loop.run();
      expect(second.episodes).toEqual(first.episodes);
      expect(second.evals).toEqual(first.evals);
      const weights = (agent: ListwiseCDQNAgent) =>
        [...readParameters(agent.qNetwork), ...readParameters(agent.targetNetwork)].map((t) => Array.from(t.data));
      expect(weights(b.agent)).toEqual(weights(a.agent));
      expect(b.agent.counters()).toEqual(a.agent.counters());
      expect(b.agent.counters().gradientUpdates).toBeGreaterThan(3);
      expect(b.agent.currentEpsilon).toBe(a.agent.currentEpsilon);
      a.agent.dispose();
      b.agent.dispose();
    },
  );
});

/** Q at list indices 1..4 (rows of K) for one observation, its candidates `features` and a list of 4. */
function listQ(
  agent: ListwiseCDQNAgent,
  obs: ActionSetObservation,
  features: Float32Array,
  list: Int32Array,
  mask: Uint8Array,
): number[] {
  const { stateDim, slots: k, featureDim } = agent.shape;
  const lengths = [0, 1, 2, 3];
  return tf.tidy(() =>
    Array.from(
      agent.qNetwork
        .scores({
          state: tf.tensor2d(obs.state, [1, stateDim]),
          features: tf.tensor3d(features, [1, k, featureDim]),
          slots: tf.tensor2d(list, [1, 4], "int32"),
          prefixLengths: lengths,
          available: tf.tensor3d(availableAfterPrefixes(mask, list, 1, lengths), [1, 4, k]),
        })
        .dataSync(),
    ),
  );
}

/** Reordering the candidates reorders Q at every index; what padded slots hold changes no available slot's Q. */
function expectSetHandling(agent: ListwiseCDQNAgent): void {
  const [obs] = smallEnv().reset({ seed: 6 }) as [ActionSetObservation, unknown];
  const { slots: k, featureDim } = agent.shape;
  const full = new Uint8Array(k).fill(1);
  const list = Int32Array.from([7, 2, 9, 0]);
  const perm = Int32Array.from([3, 8, 1, 0, 6, 9, 2, 5, 4, 7]); // slot i moves to perm[i]
  const moved = new Float32Array(k * featureDim);
  for (let i = 0; i < k; i++) {
    moved.set(obs.actionFeatures.subarray(i * featureDim, (i + 1) * featureDim), (perm[i] as number) * featureDim);
  }
  const before = listQ(agent, obs, obs.actionFeatures, list, full);
  const after = listQ(
    agent,
    obs,
    moved,
    Int32Array.from(list, (s) => perm[s] as number),
    full,
  );
  for (let n = 0; n < 4; n++) {
    for (let i = 0; i < k; i++) expect(after[n * k + (perm[i] as number)]).toBeCloseTo(before[n * k + i] as number, 4);
  }
  // Slots 1 and 5 padded: large values in them change nothing the list can take.
  const mask = Uint8Array.from(full, (_, i) => (i === 1 || i === 5 ? 0 : 1));
  const junk = obs.actionFeatures.slice();
  for (const slot of [1, 5]) junk.fill(300 + slot, slot * featureDim, (slot + 1) * featureDim);
  const clean = listQ(agent, obs, obs.actionFeatures, list, mask);
  const dirty = listQ(agent, obs, junk, list, mask);
  for (let n = 0; n < 4; n++) {
    for (let i = 0; i < k; i++) {
      if (mask[i] && !list.slice(0, n).includes(i)) expect(dirty[n * k + i]).toBeCloseTo(clean[n * k + i] as number, 5);
    }
  }
}

const flatParams = (net: Parameterized) => readParameters(net).flatMap((t) => Array.from(t.data));

describe("listwise CDQN: App. B.2.2 design switches", () => {
  it("switches that would change nothing on a variant are config errors", () => {
    const env = smallEnv();
    expect(() => new ListwiseCDQNAgent(env, { variant: "utility", twinGat: false })).toThrow(
      /twinGat: false has no effect on the utility variant/,
    );
    expect(() => new ListwiseCDQNAgent(env, { variant: "simple-dqn", shareListEncoder: true })).toThrow(
      /shareListEncoder: true has no effect/,
    );
    expect(() => new ListwiseCDQNAgent(env, { variant: "simple-dqn", intraListTarget: false })).toThrow(
      /intraListTarget: false/,
    );
    expect(() => new ListwiseCDQNAgent(env, { variant: "utility", graphLayer: "gcn" })).toThrow(
      /graphLayer: gcn has no effect on the utility variant/,
    );
    expect(() => new ListwiseCDQNAgent(env, { variant: "simple-dqn", graphNodes: "action-only" })).toThrow(
      /graphNodes: action-only has no effect/,
    );
  });

  it("Fig. B.9's GCN (agile-cdqn-gcn): GCN blocks in place of both GATs, the rest unchanged; equivariant, padding ignored", () => {
    const entry = cdqnAlgorithms.find((e) => e.id === "agile-cdqn-gcn");
    const ctx = { seed: 3, hidden: [8], warmupSteps: 0, config: {} };
    expect(entry?.resolveConfig(ctx)).toMatchObject({
      variant: "agile",
      graphLayer: "gcn",
      graphNodes: "state-action",
    });
    const gat = new ListwiseCDQNAgent(smallEnv(), small);
    const gcn = new ListwiseCDQNAgent(smallEnv(), { ...small, graphLayer: "gcn" });
    const graph = gcn.qNetwork.graph as ActionGraph;
    expect(graph.relational).toBeInstanceOf(GraphConvolutionBlock);
    expect(graph.summaryGat).toBeInstanceOf(GraphConvolutionBlock);
    expect(gcn.targetNetwork.graph?.summaryGat).toBeInstanceOf(GraphConvolutionBlock);
    // Everything but the graph blocks keeps its shapes.
    const shapes = (a: ListwiseCDQNAgent) => a.qNetwork.utility.parameters().map((p) => p.shape.join("x"));
    expect(shapes(gcn)).toEqual(shapes(gat));
    expectSetHandling(gcn);
    feed(gcn, 20);
    expect(Number.isFinite(gcn.update().loss)).toBe(true);
    gat.dispose();
    gcn.dispose();
  });

  it("Fig. B.9's Only-Action (agile-cdqn-only-action): the nodes are c_a alone, whatever the state and list; equivariant, padding ignored", () => {
    const entry = cdqnAlgorithms.find((e) => e.id === "agile-cdqn-only-action");
    const ctx = { seed: 3, hidden: [8], warmupSteps: 0, config: {} };
    expect(entry?.resolveConfig(ctx)).toMatchObject({ variant: "agile", graphLayer: "gat", graphNodes: "action-only" });
    const agent = new ListwiseCDQNAgent(smallEnv(), { ...small, graphNodes: "action-only" });
    const net = agent.qNetwork;
    const { featureDim, slots: k } = agent.shape;
    const graph = net.graph as ActionGraph;
    expect((graph.relational as GraphAttentionBlock).inputSize).toBe(featureDim);
    expect(graph.summaryGat.inputSize).toBe(featureDim);
    const [a, b, f] = tf.tidy(() => {
      const features = tf.randomNormal([2, k, featureDim], 0, 1, "float32", 2) as tf.Tensor3D;
      const one = net.graphNodes(tf.randomNormal([2, 16], 0, 1, "float32", 1) as tf.Tensor2D, features);
      const other = net.graphNodes(tf.randomNormal([2, 16], 0, 1, "float32", 7) as tf.Tensor2D, features);
      return [one, other, features].map((t) => Array.from(t.dataSync()));
    });
    expect(a).toEqual(f);
    expect(b).toEqual(f);
    // The Q-network still reads e_s and e_list: its utility input is as wide as AGILE's.
    const agile = new ListwiseCDQNAgent(smallEnv(), small);
    expect(net.utility.parameters()[0]?.shape).toEqual(agile.qNetwork.utility.parameters()[0]?.shape);
    expectSetHandling(agent);
    agile.dispose();
    agent.dispose();
  });

  it("intraListTarget: false reaches the update (another loss on the same batch)", () => {
    const loss = (intraListTarget: boolean) => {
      const agent = new ListwiseCDQNAgent(smallEnv(), { ...small, variant: "utility", intraListTarget });
      feed(agent, 20);
      const l = agent.update().loss;
      agent.dispose();
      return l;
    };
    expect(loss(false)).not.toBe(loss(true));
  });

  it("single GAT (twinGat: false): one graph block gives e_rel and e_sum; equivariant, padding ignored", () => {
    const twin = new ListwiseCDQNAgent(smallEnv(), small);
    const single = new ListwiseCDQNAgent(smallEnv(), { ...small, twinGat: false });
    const twinGraph = twin.qNetwork.graph as ActionGraph;
    const singleGraph = single.qNetwork.graph as ActionGraph;
    expect(singleGraph.relational).toBeNull();
    const gatShapes = (g: ActionGraph) => g.summaryGat.parameters().map((p) => p.shape.join("x"));
    expect(gatShapes(singleGraph)).toEqual(gatShapes(twinGraph));
    const relationalCount = (twinGraph.relational as GraphAttentionBlock).parameters().length;
    expect(singleGraph.parameters().length).toBe(twinGraph.parameters().length - relationalCount);
    expect(single.qNetwork.parameters().length).toBe(twin.qNetwork.parameters().length - relationalCount);
    expectSetHandling(single);
    twin.dispose();
    single.dispose();
  });

  it("pre-summarizer: a 2-layer ReLU MLP turns each node into graphHidden features before the GAT; equivariant, padding ignored", () => {
    const agent = new ListwiseCDQNAgent(smallEnv(), { ...small, preSummarizer: true });
    const net = agent.qNetwork;
    const pre = net.preSummarizer as MLP;
    const { featureDim, slots: k } = agent.shape;
    const nodeWidth = 8 + 8 + featureDim; // e_s (hidden) + e_list (listEncoderDim) + c_a
    expect(pre.layers.map((l) => l.parameters()[0]?.shape)).toEqual([
      [nodeWidth, 8],
      [8, 8],
    ]);
    expect(pre.activation).toBe("relu");
    const graph = net.graph as ActionGraph;
    expect((graph.relational as GraphAttentionBlock).inputSize).toBe(8);
    expect(graph.summaryGat.inputSize).toBe(8);
    const owned = new Set(net.parameters());
    for (const p of pre.parameters()) expect(owned.has(p)).toBe(true);
    // The graph's nodes are MLP2(concat(e_s, e_list, c_a)), slot by slot.
    const [nodes, expected] = tf.tidy(() => {
      const context = tf.randomNormal([2, 16], 0, 1, "float32", 1) as tf.Tensor2D;
      const features = tf.randomNormal([2, k, featureDim], 0, 1, "float32", 2) as tf.Tensor3D;
      const raw = tf.concat([tf.tile(tf.expandDims(context, 1), [1, k, 1]), features], 2) as tf.Tensor3D;
      const byHand = tf.reshape(pre.apply(tf.reshape(raw, [2 * k, nodeWidth]) as tf.Tensor2D), [2, k, 8]);
      return [net.graphNodes(context, features), byHand].map((t) => ({
        shape: t.shape,
        data: Array.from(t.dataSync()),
      }));
    });
    expect(nodes?.shape).toEqual([2, k, 8]);
    nodes?.data.forEach((x, i) => {
      expect(x).toBeCloseTo(expected?.data[i] as number, 5);
    });
    expectSetHandling(agent);
    agent.dispose();
  });

  it.each([true, false])(
    "shareListEncoder %s: shared, the target's list encoder is the main's (moves with every update); else its own copy moves only at a sync",
    (shareListEncoder) => {
      const agent = new ListwiseCDQNAgent(smallEnv(), { ...small, shareListEncoder, targetSyncEvery: 2 });
      const main = agent.qNetwork;
      const target = agent.targetNetwork;
      const mainList = main.listEncoder as ListEncoder;
      const d = agent.shape.featureDim;
      const probe = (net: typeof main) =>
        tf.tidy(() => {
          const chosen = tf.tensor3d(
            Float32Array.from({ length: 3 * d }, (_, i) => Math.sin(i + 1)),
            [1, 3, d],
          );
          return Array.from((net.listEncoder as ListEncoder).prefixes(chosen).dataSync());
        });
      const shared = new Set(mainList.parameters());
      expect(target.listEncoder === mainList).toBe(shareListEncoder);
      expect(target.parameters().some((p) => shared.has(p))).toBe(false); // a borrowed encoder is not the target's
      expect(target.parameters().length).toBe(main.parameters().length - (shareListEncoder ? shared.size : 0));
      feed(agent, 20);
      const start = { list: probe(target), rest: flatParams(target) };
      agent.update(); // no sync yet
      expect(probe(main)).not.toEqual(start.list);
      expect(flatParams(target)).toEqual(start.rest); // everything the target owns waits for the sync
      if (shareListEncoder) expect(probe(target)).toEqual(probe(main));
      else expect(probe(target)).toEqual(start.list);
      agent.update(); // sync
      expect(probe(target)).toEqual(probe(main));
      const copied = main.parameters().filter((p) => !(shareListEncoder && shared.has(p)));
      expect(flatParams(target)).toEqual(copied.flatMap((p) => Array.from(p.dataSync())));
      agent.dispose();
    },
  );

  it("save/load resumes exactly with every switch off its default (single GAT, pre-summarizer, no intra-list target, shared list encoder, GCN, action-only nodes)", () => {
    const config = {
      ...small,
      twinGat: false,
      preSummarizer: true,
      graphLayer: "gcn" as const,
      graphNodes: "action-only" as const,
      intraListTarget: false,
      shareListEncoder: true,
      updateInterval: 5,
      targetSyncEvery: 3,
      epsilonDecaySteps: 60,
    };
    const loopConfig = { totalSteps: 60, evalEvery: 30, evalEpisodes: 1, seed: 9, updateEvery: 5 };
    const build = () => {
      const agent = new ListwiseCDQNAgent(smallEnv(), config);
      const loop = new TrainingLoop(loopConfig, { env: smallEnv(), evalEnv: smallEnv(), agent });
      return { agent, loop };
    };
    const a = build();
    a.loop.runUntil(30, { toEpisodeEnd: true });
    const snapshot = structuredClone({ agent: a.agent.save(), loop: a.loop.save() }) as {
      agent: Snapshot;
      loop: Snapshot;
    };
    const first = a.loop.run();
    const b = build();
    b.agent.load(snapshot.agent);
    b.loop.load(snapshot.loop);
    const second = b.loop.run();
    expect(second.episodes).toEqual(first.episodes);
    expect(second.evals).toEqual(first.evals);
    const weights = (agent: ListwiseCDQNAgent) => [flatParams(agent.qNetwork), flatParams(agent.targetNetwork)];
    expect(weights(b.agent)).toEqual(weights(a.agent));
    expect(b.agent.targetNetwork.listEncoder).toBe(b.agent.qNetwork.listEncoder);
    expect(b.agent.counters()).toEqual(a.agent.counters());
    expect(b.agent.counters().gradientUpdates).toBeGreaterThan(3);
    a.agent.dispose();
    b.agent.dispose();
  });
});
