import { Rng } from "@qscape/core";
import { describe, expect, it } from "vitest";
import { make } from "../registry.js";
import { getActionRepresentation } from "./action-representation.js";
import "./index.js";
import { InterestUser, RecSimEnv, recSimGreedyAction, sampleItemCatalog } from "./recsim.js";

function meanReturn(env: ReturnType<typeof make>, episodes: number, seed0: number, policy: (obs: unknown) => unknown) {
  let total = 0;
  for (let ep = 0; ep < episodes; ep++) {
    let [obs] = env.reset({ seed: seed0 + ep });
    for (;;) {
      const [next, reward, terminated, truncated] = env.step(policy(obs));
      total += reward;
      obs = next;
      if (terminated || truncated) break;
    }
  }
  return total / episodes;
}

describe("RecSim (single item)", () => {
  it("a greedy oracle that knows the user's interest beats random by a wide margin", () => {
    const env = make("RecSim-v0");
    const inner = env.unwrapped as RecSimEnv;
    const rng = new Rng(7);
    const greedy = meanReturn(env, 30, 0, () => recSimGreedyAction(inner));
    const random = meanReturn(env, 30, 1000, () => rng.int(0, 10_000));
    // Clicks per 20-step session: random ≈ 2.3, greedy ≈ 10.
    expect(random).toBeGreaterThan(1);
    expect(random).toBeLessThan(4);
    expect(greedy).toBeGreaterThan(2.5 * random);
    expect(greedy).toBeGreaterThan(7);
  });

  it("item embeddings follow the configured Gaussian mixture", () => {
    const K = 30;
    const env = new RecSimEnv({ numItems: 20_000, itemStd: 0.2 });
    const { embeddings, category, dim } = env.catalog;
    expect(dim).toBe(K);
    const counts = new Float64Array(K);
    const sum = new Float64Array(K * dim);
    const sumSq = new Float64Array(K * dim);
    for (let i = 0; i < 20_000; i++) {
      const k = category[i] as number;
      counts[k] = (counts[k] as number) + 1;
      for (let j = 0; j < dim; j++) {
        const v = embeddings[i * dim + j] as number;
        sum[k * dim + j] = (sum[k * dim + j] as number) + v;
        sumSq[k * dim + j] = (sumSq[k * dim + j] as number) + v * v;
      }
    }
    const expected = 20_000 / K;
    for (let k = 0; k < K; k++) {
      const n = counts[k] as number;
      // Uniform category weights: within 4 binomial standard deviations.
      expect(Math.abs(n - expected)).toBeLessThan(4 * Math.sqrt(expected));
      for (let j = 0; j < dim; j++) {
        const mean = (sum[k * dim + j] as number) / n;
        const std = Math.sqrt((sumSq[k * dim + j] as number) / n - mean * mean);
        // Component k is centred on the one-hot e_k with std 0.2 in every dimension.
        expect(Math.abs(mean - (j === k ? 1 : 0))).toBeLessThan((4 * 0.2) / Math.sqrt(n));
        expect(std).toBeGreaterThan(0.2 * 0.85);
        expect(std).toBeLessThan(0.2 * 1.15);
      }
    }
  });

  it("publishes the items as its action representation, with optional noise dims; 500k items build", () => {
    const env = make("RecSim-v0", { numItems: 1000, extraActionDims: 15 });
    const rep = getActionRepresentation(env);
    const inner = env.unwrapped as RecSimEnv;
    expect([rep.numItems, rep.dim]).toEqual([1000, 45]);
    expect(Array.from(rep.itemEmbeddings.subarray(45 * 3, 45 * 3 + 30))).toEqual(
      Array.from(inner.catalog.embeddings.subarray(30 * 3, 30 * 4)),
    );
    const big = new RecSimEnv({ numItems: 500_000 });
    expect(big.actionSpace.n).toBe(500_000);
    expect(big.actionRepresentation.itemEmbeddings.length).toBe(500_000 * 30);
    // The catalogue is fixed by itemSeed; users change per episode.
    expect(new RecSimEnv({ numItems: 1000 }).catalog.embeddings).toEqual(inner.catalog.embeddings);
    const [u1] = inner.reset({ seed: 1 });
    const [u2] = inner.reset({ seed: 2 });
    expect(u1).not.toEqual(u2);
  });

  it("clicks follow the softmax against the skip score", () => {
    const env = new RecSimEnv({ numItems: 100 });
    env.reset({ seed: 0 });
    env.user.interest.fill(0);
    // ⟨e_u, e_i⟩ = 0 → p = 1 / (1 + e²).
    expect(env.clickProbability(5)).toBeCloseTo(1 / (1 + Math.exp(2)), 12);
    let clicks = 0;
    for (let t = 0; t < 4000; t++) {
      env.user.interest.fill(0);
      const [, r, , , info] = env.step(5);
      clicks += r;
      expect(info.clicked).toBe(r === 1);
    }
    const p = 1 / (1 + Math.exp(2));
    expect(Math.abs(clicks / 4000 - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / 4000));
  });

  it("drifts interest in the clicked category only, towards it when aligned", () => {
    const catalog = sampleItemCatalog(
      {
        numItems: 50,
        dim: 4,
        numCategories: 4,
        numSubcategories: 1,
        centres: "onehot",
        subcategorySpread: 0,
        itemStd: 0.01,
      },
      new Rng(0),
    );
    const user = new InterestUser(catalog, 0.5);
    const item = catalog.category.indexOf(2);
    const rng = new Rng(1);
    user.interest.set([0.2, -0.3, 0.9, 0.1]);
    // ⟨e_u, e_i⟩ ≈ 0.9 → moves up with p ≈ 0.95; Δ = 0.5·(1 − 0.9)·(1 − 0.9) = 0.005.
    let ups = 0;
    for (let t = 0; t < 200; t++) {
      user.interest.set([0.2, -0.3, 0.9, 0.1]);
      user.consume(item, rng);
      expect(user.interest[0]).toBe(0.2);
      expect(user.interest[1]).toBe(-0.3);
      expect(user.interest[3]).toBe(0.1);
      expect(Math.abs((user.interest[2] as number) - 0.9)).toBeCloseTo(0.005, 2);
      if ((user.interest[2] as number) > 0.9) ups++;
    }
    expect(ups).toBeGreaterThan(170);
  });

  it("rejects bad configs and actions with the field named", () => {
    expect(() => make("RecSim-v0", { numItems: 0 })).toThrow(/numItems/);
    expect(() => new RecSimEnv({ items: 5 } as never)).toThrow(/items/);
    const env = new RecSimEnv({ numItems: 10 });
    expect(() => env.step(0)).toThrow(/reset\(\) before step/);
    env.reset({ seed: 0 });
    expect(() => env.step(10)).toThrow(/action 10 is not in Discrete\(10\)/);
  });
});
