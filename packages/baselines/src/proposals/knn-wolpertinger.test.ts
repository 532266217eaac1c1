import { initBackend, type MLP, QscapeError, Rng, runOffPolicy, tf } from "@qscape/core";
import { bruteForceKnn, getActionRepresentation, KnnIndex, make } from "@qscape/envs";
import { beforeAll, describe, expect, it } from "vitest";
import { boxEnv, discreteEnv, leakedTensors } from "../testing.js";
import { KnnWolpertingerAgent } from "./knn-wolpertinger.js";

beforeAll(async () => {
  await initBackend();
});

const small = { actorHidden: [16, 16], criticHidden: [16, 16], batchSize: 16, bufferSize: 1000, seed: 2 };

function randomItems(n: number, dim: number) {
  const rng = new Rng(9);
  return { itemEmbeddings: rng.fillUniform(new Float32Array(n * dim), -2, 2) as Float32Array, numItems: n, dim };
}

describe("KnnWolpertingerAgent", () => {
  it("executes the best-by-Q of the k items nearest the proto-action", () => {
    const items = randomItems(60, 3);
    const index = new KnnIndex(items.itemEmbeddings, items.numItems, items.dim);
    const agent = new KnnWolpertingerAgent(discreteEnv(4, 60), items, index, { ...small, k: 4 });
    const rng = new Rng(3);
    for (let i = 0; i < 40; i++) {
      agent.observe({
        obs: rng.fillNormal(new Float32Array(4)) as Float32Array,
        action: rng.int(0, 60),
        reward: rng.normal(),
        nextObs: rng.fillNormal(new Float32Array(4)) as Float32Array,
        terminated: false,
        truncated: false,
      });
    }
    for (let i = 0; i < 3; i++) agent.update();
    const obs = Float32Array.of(0.2, -0.4, 1, 0.5);
    const chosen = agent.act(obs, { explore: false });
    // The proto-action in item units, its 4 nearest items by brute force, and their Q1 values.
    const proto = tf.tidy(
      () => (agent.learner.td3.actors[0] as MLP).apply(tf.tensor2d(obs, [1, 4])).dataSync() as Float32Array,
    );
    const query = agent.learner.td3.scaler.toEnv(proto);
    const nearest = Array.from(bruteForceKnn(items.itemEmbeddings, items.numItems, items.dim, query, 1, 4).indices);
    expect(Array.from(agent.learner.proposer.lastNeighbours)).toEqual(nearest);
    const vectors = nearest.map((j) =>
      agent.learner.td3.scaler.fromEnv(items.itemEmbeddings.subarray(j * 3, j * 3 + 3)),
    );
    const q = agent.learner.evaluateQ(obs, vectors);
    expect(chosen).toBe(nearest[q.indexOf(Math.max(...q))]);
    expect(leakedTensors(() => agent.update())).toBe(0);
    agent.dispose();
    index.dispose();
  });

  it("rejects continuous action spaces and mismatched item sets", () => {
    const items = randomItems(10, 2);
    const index = new KnnIndex(items.itemEmbeddings, 10, 2);
    expect(() => new KnnWolpertingerAgent(boxEnv(3, 1), items, index, small)).toThrow(/supports only Discrete/);
    expect(() => new KnnWolpertingerAgent(discreteEnv(3, 11), items, index, small)).toThrow(QscapeError);
    index.dispose();
  });

  it("trains on MineWorld-v0 through the off-policy loop", () => {
    const env = make("MineWorld-v0");
    const rep = getActionRepresentation(env);
    const index = new KnnIndex(rep.itemEmbeddings, rep.numItems, rep.dim);
    const agent = new KnnWolpertingerAgent(env, rep, index, { ...small, k: 3 });
    const result = runOffPolicy<Float32Array, number>(
      { totalSteps: 400, warmupSteps: 100, evalEvery: 0, evalEpisodes: 1, seed: 1 },
      { env: env as never, agent, randomAction: (rng) => rng.int(0, rep.numItems) },
    );
    expect(result.updates).toBeGreaterThanOrEqual(300);
    expect(agent.counters().gradientUpdates).toBe(result.updates);
    expect(Number.isFinite(result.evals.at(-1)?.mean)).toBe(true);
    agent.dispose();
    index.dispose();
  });
});
