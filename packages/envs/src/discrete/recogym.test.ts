import { Rng } from "@qscape/core";
import { describe, expect, it } from "vitest";
import { expectActionSetEnvConformance, randomAvailable } from "../../test/action-set-conformance.js";
import { ActionSetSizeError, UnavailableActionError, UnknownSplitError } from "../errors.js";
import { make } from "../registry.js";
import type { ActionSetObservation } from "./action-set.js";
import "./index.js";
import { RecoGymEnv, recoGymClickFunction } from "./recogym.js";

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe("RecoGym-v0", () => {
  it("passes the env checker, seeded resets, ResetNeeded after the end, the time limit and vector autoreset", () => {
    expectActionSetEnvConformance("RecoGym-v0", { numProducts: 2000, actionsPerEpisode: 100 });
  });

  it("Eq. A.2: f(x) = σ(14·σ(2·σ(0.3x) − 2) − 6), applied to c_i·v + μ_i", () => {
    // f(0) = σ(14·σ(−1) − 6) = σ(14/(1 + e) − 6).
    expect(recoGymClickFunction(0)).toBeCloseTo(sigmoid(14 / (1 + Math.E) - 6), 14);
    expect(recoGymClickFunction(0)).toBeCloseTo(0.09667, 5);
    expect(recoGymClickFunction(1e3)).toBeCloseTo(sigmoid(1), 10);
    expect(recoGymClickFunction(-1e3)).toBeCloseTo(sigmoid(14 * sigmoid(-2) - 6), 10);
    const env = new RecoGymEnv({ numProducts: 100, actionsPerEpisode: 10 });
    env.reset({ seed: 0 });
    env.user.set(Array.from({ length: 16 }, (_, j) => (j === 3 ? 0.5 : 0)));
    const x = 0.5 * (env.products[7 * 16 + 3] as number) + (env.mu[7] as number);
    expect(env.clickProbability(7)).toBeCloseTo(recoGymClickFunction(x), 12);
  });

  it("builds 10,000 16-d N(0, I) products with N(0, 3²) hidden offsets, fixed by productSeed", () => {
    const env = new RecoGymEnv();
    expect(env.products.length).toBe(160_000);
    const moments = (a: ArrayLike<number>) => {
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < a.length; i++) {
        s += a[i] as number;
        s2 += (a[i] as number) ** 2;
      }
      return [s / a.length, Math.sqrt(s2 / a.length - (s / a.length) ** 2)];
    };
    const [m, sd] = moments(env.products) as [number, number];
    expect(Math.abs(m)).toBeLessThan(0.01);
    expect(Math.abs(sd - 1)).toBeLessThan(0.01);
    const [mMu, sdMu] = moments(env.mu) as [number, number];
    expect(Math.abs(mMu)).toBeLessThan(0.15);
    expect(Math.abs(sdMu - 3)).toBeLessThan(0.1);
    expect(new RecoGymEnv().mu).toEqual(env.mu);
    expect(new RecoGymEnv({ productSeed: 1 }).mu).not.toEqual(env.mu);
    const [obs] = env.reset({ seed: 0 });
    expect(obs.state.length).toBe(16);
    expect(obs.actionIds.length).toBe(500);
    expect(obs.actionFeatures.length).toBe(500 * 16);
    const full = new RecoGymEnv({ numProducts: 100, actionsPerEpisode: 10, observeMu: true });
    const [o] = full.reset({ seed: 0 });
    const id = o.actionIds[2] as number;
    expect(o.actionFeatures[2 * 17 + 16]).toBeCloseTo(full.mu[id] as number, 5);
  });

  it("clicks at Eq. A.2's rate; drifts v by 0.1·|σ₂|·ε per recommendation and organic event; sessions follow RecoGym", () => {
    const env = new RecoGymEnv({ numProducts: 400, actionsPerEpisode: 20 });
    const rng = new Rng(0);
    let [obs] = env.reset({ seed: 1 });
    let expectedClicks = 0;
    let clicks = 0;
    let squaredDrift = 0;
    let drifts = 0;
    let steps = 0;
    let clickedWithoutOrganic = 0;
    let organicAfterNoClick = 0;
    let noClicks = 0;
    let episodes = 0;
    while (steps < 6000) {
      const before = Float64Array.from(env.user);
      const a = randomAvailable(obs, rng);
      expectedClicks += env.clickProbability(a);
      const [next, r, terminated, , info] = env.step(a);
      steps++;
      clicks += r;
      const events = info.organicEvents as number;
      if (r === 1 && events === 0) clickedWithoutOrganic++;
      if (r === 0) {
        noClicks++;
        if (events > 0) organicAfterNoClick++;
      }
      drifts += 1 + events;
      squaredDrift += before.reduce((s, v, j) => s + (v - (env.user[j] as number)) ** 2, 0);
      obs = next;
      if (terminated) {
        episodes++;
        [obs] = env.reset();
      }
    }
    expect(Math.abs(clicks - expectedClicks)).toBeLessThan(4 * Math.sqrt(expectedClicks));
    // E‖Δv‖² per drift = 0.1²·E[σ₂²]·16 = 0.16.
    expect(squaredDrift / drifts).toBeGreaterThan(0.16 * 0.9);
    expect(squaredDrift / drifts).toBeLessThan(0.16 * 1.1);
    expect(clickedWithoutOrganic).toBe(0);
    // Without a click: to organic with p 0.05 (leaving, 0.01, ends the episode instead).
    const p = organicAfterNoClick / noClicks;
    expect(Math.abs(p - 0.05)).toBeLessThan(4 * Math.sqrt((0.05 * 0.95) / noClicks));
    expect(episodes).toBeGreaterThan(20);
  });

  it("a greedy oracle that knows v and μ clicks far more often than random play", () => {
    const env = make("RecoGym-v0", { numProducts: 2000, actionsPerEpisode: 100 });
    const inner = env.unwrapped as RecoGymEnv;
    const rng = new Rng(2);
    const rate = (policy: (obs: ActionSetObservation) => number) => {
      let clicks = 0;
      let steps = 0;
      for (let ep = 0; ep < 30; ep++) {
        let [obs] = env.reset({ seed: ep }) as [ActionSetObservation, unknown];
        for (;;) {
          const [next, r, terminated, truncated] = env.step(policy(obs));
          clicks += r;
          steps++;
          obs = next;
          if (terminated || truncated) break;
        }
      }
      return clicks / steps;
    };
    const random = rate((obs) => randomAvailable(obs, rng));
    const greedy = rate((obs) =>
      Array.from(obs.actionIds).reduce((best, id) =>
        inner.clickProbability(id) > inner.clickProbability(best) ? id : best,
      ),
    );
    expect(random).toBeGreaterThan(0.12);
    expect(random).toBeLessThan(0.3);
    expect(greedy).toBeGreaterThan(0.6);
  });

  it("keeps held-out products out of train episodes and names bad splits and sizes", () => {
    const env = make("RecoGym-v0");
    const inner = env.unwrapped as RecoGymEnv;
    const heldOut = new Uint8Array(10_000);
    for (const id of [...inner.inventory.ids("validation"), ...inner.inventory.ids("test")]) heldOut[id] = 1;
    expect(heldOut.reduce((a, b) => a + b, 0)).toBe(5000);
    for (let seed = 0; seed < 100; seed++) {
      const [obs] = env.reset({ seed }) as [ActionSetObservation, unknown];
      expect(obs.actionIds.some((id) => heldOut[id] === 1)).toBe(false);
    }
    const [obs, info] = env.reset({ seed: 0, options: { split: "validation" } }) as [
      ActionSetObservation,
      { split: string },
    ];
    expect(info.split).toBe("validation");
    expect(obs.actionIds.every((id) => heldOut[id] === 1)).toBe(true);
    const unavailable = inner.inventory.ids("train").find((id) => !obs.actionIds.includes(id)) as number;
    expect(() => env.step(unavailable)).toThrow(UnavailableActionError);
    expect(() => env.reset({ options: { split: "Test" } })).toThrow(UnknownSplitError);
    expect(() => make("RecoGym-v0", { numProducts: 1000, split: "test", actionsPerEpisode: 251 })).toThrow(
      ActionSetSizeError,
    );
    expect(() => make("RecoGym-v0", { probLeaveOrganic: 0, probOrganicToBandit: 0 })).toThrow(
      /organic session must end/,
    );
  });

  it("renders an SVG frame that changes with each recommendation", () => {
    const env = new RecoGymEnv({ numProducts: 200, actionsPerEpisode: 50, renderMode: "svg" });
    const [obs] = env.reset({ seed: 3 });
    const before = env.render();
    expect(before.startsWith("<svg")).toBe(true);
    expect(before).toContain("step 0, clicks 0, split train");
    env.step(obs.actionIds[0] as number);
    const after = env.render();
    expect(after).toContain("step 1,");
    expect(after).toContain('stroke="#d02020"');
    expect(after).not.toBe(before);
  });
});
