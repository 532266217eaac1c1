import { Rng } from "@qscape/core";
import { describe, expect, it } from "vitest";
import { Wrapper } from "../env.js";
import { make } from "../registry.js";
import { getActionRepresentation } from "./action-representation.js";
import "./index.js";
import { NearestItemWrapper } from "./nearest-item.js";
import {
  cprScore,
  InterestUser,
  RecSimEnv,
  RecSimSlateEnv,
  recSimGreedyAction,
  type SlateObservation,
  sampleItemCatalog,
} from "./recsim.js";

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

describe("RecSim slate (AGILE, CPR)", () => {
  it("CPR is 1 for one category with mixed subcategories, lower for mixed categories, 0 for all-distinct", () => {
    expect(cprScore([3, 3, 3, 3, 3, 3], [0, 1, 0, 1, 0, 1], 2)).toBeCloseTo(1, 12);
    expect(cprScore([3, 3, 3, 3, 3, 3], [0, 0, 0, 0, 0, 0], 2)).toBe(0);
    const fiveOfSix = cprScore([3, 3, 3, 3, 3, 7], [0, 1, 0, 1, 0, 1], 2);
    expect(fiveOfSix).toBeGreaterThan(0.5);
    expect(fiveOfSix).toBeLessThan(1);
    expect(cprScore([0, 1, 2, 3, 4, 5], [0, 1, 0, 1, 0, 1], 2)).toBeCloseTo(0, 12);
  });

  it("draws skewed candidate sets from the split and publishes them as observation and mask", () => {
    const env = make("RecSimSlate-v0");
    const inner = env.unwrapped as RecSimSlateEnv;
    const [obs, info] = env.reset({ seed: 4 }) as [SlateObservation, Record<string, unknown>];
    expect(obs.candidateIds).toHaveLength(20);
    expect(new Set(obs.candidateIds).size).toBe(20);
    const counts = new Map<number, number>();
    for (const id of obs.candidateIds)
      counts.set(inner.catalog.category[id] as number, (counts.get(inner.catalog.category[id] as number) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBeGreaterThanOrEqual(8);
    const rep = getActionRepresentation(env);
    expect(rep.numItems).toBe(250);
    expect(Array.from(rep.available as Uint8Array).reduce((a, b) => a + b, 0)).toBe(20);
    for (const id of obs.candidateIds) expect(rep.available?.[id]).toBe(1);
    expect(obs.candidates.subarray(0, 20)).toEqual(
      inner.catalog.embeddings.subarray(
        (obs.candidateIds[0] as number) * 20,
        ((obs.candidateIds[0] as number) + 1) * 20,
      ),
    );
    expect(info.candidateIds).toEqual(obs.candidateIds);
    // Train and test splits are disjoint halves of one base set.
    const test = new RecSimSlateEnv({ split: "test" });
    expect(test.catalog.embeddings).toEqual(inner.baseCatalog.embeddings.subarray(250 * 20));
    expect(test.catalog.embeddings[0]).not.toBe(inner.catalog.embeddings[0]);
  });

  it("a coherent majority-category slate earns far more clicks than an arbitrary one", () => {
    const env = make("RecSimSlate-v0");
    const inner = env.unwrapped as RecSimSlateEnv;
    const arbitrary = meanReturn(env, 20, 0, (obs) => (obs as SlateObservation).candidateIds.slice(0, 6));
    const coherent = meanReturn(env, 20, 0, (obs) => {
      const ids = Array.from((obs as SlateObservation).candidateIds);
      const cat = (i: number) => inner.catalog.category[i] as number;
      const tally = new Map<number, number>();
      for (const i of ids) tally.set(cat(i), (tally.get(cat(i)) ?? 0) + 1);
      const majority = [...tally.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
      return Int32Array.from(
        [...ids.filter((i) => cat(i) === majority), ...ids.filter((i) => cat(i) !== majority)].slice(0, 6),
      );
    });
    expect(coherent).toBeGreaterThan(2 * arbitrary);
    expect(coherent).toBeGreaterThan(9);
  });

  it("takes the episode's candidate set from reset options", () => {
    const env = make("RecSimSlate-v0");
    const ids = Array.from({ length: 20 }, (_, i) => 200 + i).reverse();
    const [obs] = env.reset({ seed: 0, options: { candidateIds: ids } }) as [SlateObservation, unknown];
    expect(Array.from(obs.candidateIds)).toEqual([...ids].sort((a, b) => a - b));
    const rep = getActionRepresentation(env);
    expect(rep.available?.[205]).toBe(1);
    expect(rep.available?.[5]).toBe(0);
    expect(() => env.reset({ options: { candidateIds: ids.slice(1) } })).toThrow(/must be 20 item ids/);
    expect(() => env.reset({ options: { candidateIds: [...ids.slice(1), 250] } })).toThrow(/not an item id in 0..249/);
    expect(() => env.reset({ options: { candidateIds: [...ids.slice(1), 201] } })).toThrow(/repeats an item/);
    expect(() => env.reset({ options: { other: 1 } })).toThrow(/reset takes no options, got other/);
  });

  it("rejects slates with non-candidates, duplicates or the wrong length", () => {
    const env = new RecSimSlateEnv();
    const [obs] = env.reset({ seed: 0 });
    const ids = obs.candidateIds;
    const outside = Array.from({ length: 250 }, (_, i) => i).find((i) => !ids.includes(i)) as number;
    expect(() => env.step(Int32Array.from([outside, ...ids.slice(0, 5)]))).toThrow(
      `item ${outside} is not a candidate`,
    );
    expect(() => env.step(Int32Array.from([ids[0] as number, ...ids.slice(0, 5)]))).toThrow(/appears twice/);
    expect(() => env.step(ids.slice(0, 5))).toThrow(/has 5 elements, expected 6/);
    expect(() => new RecSimSlateEnv({ slateSize: 30 })).toThrow(/slateSize must be at most numCandidates/);
    const direct = new RecSimSlateEnv({ reward: "click+cpr" });
    direct.reset({ seed: 0 });
    const [, r, , , info] = direct.step(ids.slice(0, 6));
    expect(r).toBeCloseTo((info.clicked ? 1 : 0) + (info.cpr as number), 12);
  });
});

describe("NearestItemWrapper on the slate env's mask", () => {
  it("snaps only to items available this episode", () => {
    const env = new RecSimSlateEnv({ slateSize: 1 });
    const [obs] = env.reset({ seed: 2 });
    const rep = env.actionRepresentation;
    const nonCandidate = Array.from({ length: 250 }, (_, i) => i).find((i) => !obs.candidateIds.includes(i)) as number;
    const proto = rep.itemEmbeddings.slice(nonCandidate * 20, nonCandidate * 20 + 20);
    const wrapped = new NearestItemWrapper(
      // The slate env takes Int32Array slates; adapt a single item id to a 1-item slate.
      new (class extends Wrapper<SlateObservation, number, SlateObservation, Int32Array> {
        override step(a: number) {
          return this.env.step(Int32Array.of(a));
        }
      })(env),
    );
    const item = wrapped.nearestItem(proto);
    expect(obs.candidateIds.includes(item)).toBe(true);
    expect(wrapped.nearestItem(rep.itemEmbeddings.slice(item * 20, item * 20 + 20))).toBe(item);
    const [, , , , info] = wrapped.step(proto);
    expect(info.item).toBe(item);
    wrapped.close();
  });
});
