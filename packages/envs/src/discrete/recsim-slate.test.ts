import { Rng } from "@qscape/core";
import { describe, expect, it } from "vitest";
import { expectActionSetEnvConformance } from "../../test/action-set-conformance.js";
import { Wrapper } from "../env.js";
import { ActionSetSizeError, InvalidActionError, UnavailableActionError, UnknownSplitError } from "../errors.js";
import { make } from "../registry.js";
import { ActionSlate } from "../spaces.js";
import { getActionRepresentation } from "./action-representation.js";
import type { ActionSetObservation } from "./action-set.js";
import "./index.js";
import { NearestItemWrapper } from "./nearest-item.js";
import { cprScore, RecSimSlateEnv, type SlateObservation } from "./recsim-slate.js";

/** −p log₂ p. */
const h = (p: number) => -p * Math.log2(p);

/** A random slate of 6 distinct candidates, read from the observation. */
function randomSlate(obs: ActionSetObservation, rng: Rng): Int32Array {
  const ids = Array.from(obs.actionIds).filter((i) => i >= 0);
  return Int32Array.from(rng.permutation(ids.length).subarray(0, 6), (j) => ids[j] as number);
}

/** Candidates of `env`'s train split: `count` items of `category` per subcategory in `subs`. */
function itemsOf(env: RecSimSlateEnv, category: number, subs: number[]): number[] {
  const used = new Set<number>();
  return subs.map((s) => {
    for (let i = 0; i < env.config.numTrainItems; i++) {
      if (!used.has(i) && env.catalog.category[i] === category && env.catalog.subcategory[i] === s) {
        used.add(i);
        return i;
      }
    }
    throw new Error(`no train item of category ${category}, subcategory ${s}`);
  });
}

/** 20 distinct train ids starting with `first`, padded with other train items. */
function candidatesWith(first: number[]): number[] {
  const rest = Array.from({ length: 250 }, (_, i) => i).filter((i) => !first.includes(i));
  return [...first, ...rest].slice(0, 20);
}

describe("RecSimSlate-v0 (AGILE §3.5.3)", () => {
  it("passes the env checker, seeded resets, ResetNeeded after the end, the time limit and vector autoreset", () => {
    expectActionSetEnvConformance("RecSimSlate-v0", {}, randomSlate);
    expectActionSetEnvConformance("RecSimSlateDirectCPR-v0", {}, randomSlate);
    expectActionSetEnvConformance("RecSimSlatePairing-v0", {}, randomSlate);
  });

  it("has 250 + 250 items from a 10 × 2 GMM (one-hot centres in dims 0–9), a 10-d user, slates of 6 of 20", () => {
    const env = new RecSimSlateEnv();
    expect(env.catalog.numItems).toBe(500);
    expect(env.catalog.dim).toBe(20);
    expect(env.inventory.ids("train")).toEqual(Int32Array.from({ length: 250 }, (_, i) => i));
    expect(env.inventory.ids("test")).toEqual(Int32Array.from({ length: 250 }, (_, i) => 250 + i));
    const validation = env.inventory.ids("validation");
    expect(validation.length).toBeGreaterThan(100);
    expect(validation.every((i) => i >= 250)).toBe(true);
    // Every (category, subcategory) component is used; items sit near their one-hot centre.
    const cells = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const k = env.catalog.category[i] as number;
      cells.add(`${k}/${env.catalog.subcategory[i]}`);
      expect(env.catalog.embeddings[i * 20 + k]).toBeGreaterThan(0.8);
    }
    expect(cells.size).toBe(20);
    const [obs] = env.reset({ seed: 0 });
    expect(obs.state.length).toBe(10);
    expect(obs.actionIds.length).toBe(20);
    expect(obs.actionFeatures.length).toBe(400);
    expect(env.actionSpace).toBeInstanceOf(ActionSlate);
    expect(env.actionSpace.sample().length).toBe(6);
    expect(make("RecSimSlate-v0").spec?.maxEpisodeSteps).toBe(15);
  });

  it("draws 20 distinct candidates of the split with a majority category (skew 0.4 → 8 of 20)", () => {
    const env = make("RecSimSlate-v0");
    const inner = env.unwrapped as RecSimSlateEnv;
    for (let seed = 0; seed < 30; seed++) {
      const [obs, info] = env.reset({ seed }) as [SlateObservation, Record<string, unknown>];
      const ids = Array.from(obs.actionIds);
      expect(new Set(ids).size).toBe(20);
      expect(ids.every((i) => i >= 0 && i < 250)).toBe(true);
      const tally = new Map<number, number>();
      for (const id of ids)
        tally.set(inner.catalog.category[id] as number, (tally.get(inner.catalog.category[id] as number) ?? 0) + 1);
      expect(Math.max(...tally.values())).toBeGreaterThanOrEqual(8);
      expect(info.split).toBe("train");
    }
    const [test] = env.reset({ seed: 1, options: { split: "test" } }) as [SlateObservation, unknown];
    expect(Array.from(test.actionIds).every((i) => i >= 250)).toBe(true);
    const rep = getActionRepresentation(env);
    expect(rep.numItems).toBe(500);
    expect(Array.from(rep.available as Uint8Array).reduce((a, b) => a + b, 0)).toBe(20);
    for (const id of test.actionIds) expect(rep.available?.[id]).toBe(1);
  });

  it("never offers a held-out item in a train episode (300 seeds)", () => {
    const env = new RecSimSlateEnv();
    for (let seed = 0; seed < 300; seed++) {
      const [obs] = env.reset({ seed });
      for (const id of obs.actionIds) expect(id).toBeLessThan(250);
    }
  });

  it("CPR by hand: minmax(1/H_main) × Σ_c H_sub(c), log₂ over counts / 6", () => {
    // One category, subcategories 3 : 3 → coherence 1, H = 1.
    expect(cprScore([3, 3, 3, 3, 3, 3], [0, 1, 0, 1, 0, 1], 10)).toBeCloseTo(1, 12);
    // One subcategory → no diversity.
    expect(cprScore([3, 3, 3, 3, 3, 3], [0, 0, 0, 0, 0, 0], 10)).toBe(0);
    // 5 + 1 (the smallest positive H_main → coherence 1); cells 3, 2, 1.
    expect(cprScore([3, 3, 3, 3, 3, 7], [0, 1, 0, 1, 0, 0], 10)).toBeCloseTo(h(3 / 6) + h(2 / 6) + h(1 / 6), 12);
    // 4 + 2: H_main = h(4/6) + h(2/6); scaled between H_min = h(5/6) + h(1/6) and H_max = log₂ 6.
    const hMain = h(4 / 6) + h(2 / 6);
    const hMin = h(5 / 6) + h(1 / 6);
    const coherence = (1 / hMain - 1 / Math.log2(6)) / (1 / hMin - 1 / Math.log2(6));
    expect(cprScore([3, 3, 3, 3, 7, 7], [0, 1, 0, 1, 0, 1], 10)).toBeCloseTo(
      coherence * (2 * h(2 / 6) + 2 * h(1 / 6)),
      12,
    );
    // Six categories: H_main = H_max → 0.
    expect(cprScore([0, 1, 2, 3, 4, 5], [0, 1, 0, 1, 0, 1], 10)).toBeCloseTo(0, 12);
  });

  it("choice probabilities by hand: softmax over α_user⟨e_u, e_i⟩ + α_cpr·CPR and the skip logit 4", () => {
    const env = new RecSimSlateEnv();
    const slate = itemsOf(env, 2, [0, 1, 0, 1, 0, 1]);
    env.reset({ seed: 0, options: { candidateIds: candidatesWith(slate) } });
    // Indifferent user: every item scores α_cpr·CPR = 5·1.
    env.user.interest.fill(0);
    const p = env.choiceProbabilities(slate);
    const z = 6 * Math.exp(5) + Math.exp(4);
    for (let i = 0; i < 6; i++) expect(p[i]).toBeCloseTo(Math.exp(5) / z, 12);
    expect(p[6]).toBeCloseTo(Math.exp(4) / z, 12);
    // A user who likes category 2: item scores gain 0.3·e_i[2].
    env.user.interest[2] = 1;
    const logits = slate.map((i) => 0.3 * (env.catalog.embeddings[i * 20 + 2] as number) + 5);
    const z2 = logits.reduce((a, l) => a + Math.exp(l), 0) + Math.exp(4);
    const q = env.choiceProbabilities(slate);
    for (let j = 0; j < 6; j++) expect(q[j]).toBeCloseTo(Math.exp(logits[j] as number) / z2, 12);
    expect(q[6]).toBeCloseTo(Math.exp(4) / z2, 12);
  });

  it("the official code's proportional choice model by hand: p ∝ score − min_normalizer, skip mass 4 included", () => {
    const env = new RecSimSlateEnv({ choiceModel: "proportional" });
    const slate = itemsOf(env, 2, [0, 1, 0, 1, 0, 1]);
    env.reset({ seed: 0, options: { candidateIds: candidatesWith(slate) } });
    env.user.interest.fill(0);
    // Every item: 5·CPR − (−1) = 6; skip: 4 − (−1) = 5.
    const p = env.choiceProbabilities(slate);
    for (let i = 0; i < 6; i++) expect(p[i]).toBeCloseTo(6 / 41, 12);
    expect(p[6]).toBeCloseTo(5 / 41, 12);
    const zero = new RecSimSlateEnv({
      choiceModel: "proportional",
      noClickMass: 0,
      minNormalizer: 0,
      alphaCpr: 0,
      alphaUser: 0,
    });
    zero.reset({ seed: 0 });
    expect(Array.from(zero.choiceProbabilities(zero.actionSpace.sample()))).toEqual([0, 0, 0, 0, 0, 0, 1]);
  });

  it("step by hand: the draw picks the click, the reward is the click (+ CPR for Direct CPR), e_u drifts along the clicked category", () => {
    for (const variant of ["implicit-cpr", "direct-cpr"] as const) {
      const env = new RecSimSlateEnv({ variant });
      const slate = itemsOf(env, 4, [0, 1, 0, 1, 0, 1]);
      env.reset({ seed: 3, options: { candidateIds: candidatesWith(slate) } });
      const before = Float64Array.from(env.user.interest);
      const probs = env.choiceProbabilities(slate);
      const replay = new Rng(0);
      replay.setState(env.npRandom.getState());
      let u = replay.random();
      let choice = 6;
      for (let j = 0; j < 6; j++) {
        u -= probs[j] as number;
        if (u < 0) {
          choice = j;
          break;
        }
      }
      const item = slate[choice];
      const affinity = item === undefined ? 0 : env.user.affinity(item);
      const up = item !== undefined && replay.random() < (affinity + 1) / 2;
      const [obs, reward, , , info] = env.step(Int32Array.from(slate));
      const clicked = choice < 6;
      expect(info.clicked).toBe(clicked);
      expect(reward).toBeCloseTo((clicked ? 1 : 0) + (variant === "direct-cpr" ? 1 : 0), 12);
      for (let j = 0; j < 10; j++) {
        const e = before[j] as number;
        const delta = clicked && j === 4 ? 0.1 * (1 - Math.abs(e)) * (1 - e) : 0;
        expect(obs.state[j]).toBeCloseTo(Math.min(1, Math.max(-1, e + (up ? delta : -delta))), 6);
      }
    }
  });

  it("reports the share of listed items from the candidates' majority category so far this episode (§B7)", () => {
    const env = new RecSimSlateEnv();
    const majority = itemsOf(env, 4, [0, 1, 0, 1, 0, 1, 0, 1]);
    const [c1, c2, c3] = [1, 2, 3].map((k) => itemsOf(env, k, [0, 1, 0, 1]));
    const candidateIds = [...majority, ...(c1 as number[]), ...(c2 as number[]), ...(c3 as number[])];
    for (const seed of [0, 1]) {
      env.reset({ seed, options: { candidateIds } });
      const first = env.step(Int32Array.from([...majority.slice(0, 5), (c1 as number[])[0] as number]))[4];
      expect(first.episodeMetrics).toEqual({ majorityShare: 5 / 6 });
      const second = env.step(Int32Array.from([...majority.slice(5, 7), ...(c2 as number[])]))[4];
      expect(second.episodeMetrics).toEqual({ majorityShare: 7 / 12 });
    }
  });

  it("Pairing: items click only when their predefined partner shares the slate; candidates come in pairs", () => {
    const env = make("RecSimSlatePairing-v0");
    const inner = env.unwrapped as RecSimSlateEnv;
    const [obs] = env.reset({ seed: 2 }) as [SlateObservation, unknown];
    const ids = Array.from(obs.actionIds);
    for (const id of ids) expect(ids).toContain(inner.partner[id]);
    const pairs = ids.filter((i) => (inner.partner[i] as number) > i);
    expect(pairs.length).toBe(10);
    // No pair in the slate: always a skip. Three pairs: only a click or a skip, each pair's items clickable.
    const unpaired = pairs.slice(0, 6);
    const p0 = inner.choiceProbabilities(unpaired);
    expect(Array.from(p0.subarray(0, 6))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(p0[6]).toBe(1);
    for (let t = 0; t < 5; t++) expect(env.step(Int32Array.from(unpaired))[1]).toBe(0);
    const paired = pairs.slice(0, 3).flatMap((i) => [i, inner.partner[i] as number]);
    const p1 = inner.choiceProbabilities(paired);
    expect(p1.every((p) => p > 0)).toBe(true);
    let clicks = 0;
    env.reset({ seed: 2 });
    for (let t = 0; t < 15; t++) clicks += env.step(Int32Array.from(paired))[1];
    expect(clicks).toBeGreaterThan(0);
    // Validation holds whole pairs.
    for (const id of inner.inventory.ids("validation")) {
      const mate = inner.partner[id] as number;
      if (mate >= 0) expect(inner.inventory.ids("validation")).toContain(mate);
    }
  });

  it("a coherent majority-category slate earns far more clicks than an arbitrary one", () => {
    const env = new RecSimSlateEnv();
    const cat = (i: number) => env.catalog.category[i] as number;
    let arbitrary = 0;
    let coherent = 0;
    for (let seed = 0; seed < 20; seed++) {
      let [obs] = env.reset({ seed });
      for (let t = 0; t < 15; t++) {
        const [next, r] = env.step(obs.actionIds.slice(0, 6));
        arbitrary += r;
        obs = next;
      }
      [obs] = env.reset({ seed });
      const ids = Array.from(obs.actionIds);
      const tally = new Map<number, number>();
      for (const i of ids) tally.set(cat(i), (tally.get(cat(i)) ?? 0) + 1);
      const majority = [...tally.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
      const slate = Int32Array.from(
        [...ids.filter((i) => cat(i) === majority), ...ids.filter((i) => cat(i) !== majority)].slice(0, 6),
      );
      for (let t = 0; t < 15; t++) coherent += env.step(slate)[1];
    }
    expect(coherent).toBeGreaterThan(2 * arbitrary);
  });

  it("names bad input: unknown split, too many candidates for a split, bad candidateIds, unavailable or repeated items", () => {
    expect(() => new RecSimSlateEnv({ split: "holdout" })).toThrow(UnknownSplitError);
    const env = new RecSimSlateEnv();
    expect(() => env.reset({ options: { split: "dev" } })).toThrow(UnknownSplitError);
    expect(() => new RecSimSlateEnv({ numTrainItems: 10 })).toThrow(ActionSetSizeError);
    expect(() => new RecSimSlateEnv({ numTestItems: 30 }).reset({ options: { split: "validation" } })).toThrow(
      ActionSetSizeError,
    );
    expect(() => new RecSimSlateEnv({ slateSize: 30 })).toThrow(/slateSize must be at most numCandidates/);
    expect(() => new RecSimSlateEnv({ variant: "pairing", numCandidates: 19, slateSize: 6 })).toThrow(/even/);
    expect(() => env.reset({ options: { candidateIds: [1, 2, 3] } })).toThrow(ActionSetSizeError);
    expect(() => env.reset({ options: { candidateIds: candidatesWith([300]) } })).toThrow(
      /not an item of the train split/,
    );
    expect(() => env.reset({ options: { other: 1 } })).toThrow(/unknown reset options other/);
    const [obs] = env.reset({ seed: 0 });
    const ids = Array.from(obs.actionIds);
    const outside = Array.from({ length: 250 }, (_, i) => i).find((i) => !ids.includes(i)) as number;
    expect(() => env.step(Int32Array.from([outside, ...ids.slice(0, 5)]))).toThrow(UnavailableActionError);
    expect(() => env.step(Int32Array.from([ids[0] as number, ...ids.slice(0, 5)]))).toThrow(/appears twice/);
    expect(() => env.step(Int32Array.from(ids.slice(0, 5)))).toThrow(InvalidActionError);
    const made = make("RecSimSlate-v0");
    made.reset({ seed: 0 });
    expect(() => made.step(Int32Array.from([outside, ...ids.slice(0, 5)]))).toThrow(UnavailableActionError);
    expect(() => make("RecSimSlatePairing-v0", { variant: "direct-cpr" })).toThrow(/fixes variant pairing/);
    expect(() => new RecSimSlateEnv({ variant: "listwise" as "pairing" })).toThrow(/invalid config \(variant/);
  });
});

describe("NearestItemWrapper on the slate env's mask", () => {
  it("snaps only to items available this episode", () => {
    const env = new RecSimSlateEnv({ slateSize: 1 });
    const [obs] = env.reset({ seed: 2 });
    const candidates = Array.from(obs.actionIds);
    const rep = env.actionRepresentation;
    const nonCandidate = Array.from({ length: 250 }, (_, i) => i).find((i) => !candidates.includes(i)) as number;
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
    expect(candidates.includes(item)).toBe(true);
    expect(wrapped.nearestItem(rep.itemEmbeddings.slice(item * 20, item * 20 + 20))).toBe(item);
    const [, , , , info] = wrapped.step(proto);
    expect(info.item).toBe(item);
    wrapped.close();
  });
});
