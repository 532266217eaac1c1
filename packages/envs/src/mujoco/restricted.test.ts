import { Rng } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { findWrapper } from "../env.js";
import { make } from "../registry.js";
import { loadMujoco } from "./adapter.js";
import "./index.js";
import { HypersphereSet, Mt19937, officialBallRadius, RestrictedActionWrapper } from "./restricted.js";
import { HopperEnv } from "./tasks/hopper.js";
import { InvertedPendulumEnv } from "./tasks/inverted-pendulum.js";

beforeAll(async () => {
  await loadMujoco();
});

function restriction(id: string, kwargs: Record<string, unknown> = {}) {
  const env = make(id, kwargs);
  const wrapper = findWrapper(env, RestrictedActionWrapper);
  if (wrapper === null) throw new Error(`${id} has no RestrictedActionWrapper`);
  return { env, wrapper };
}

/** A uniformly drawn action with the requested validity. */
function drawAction(wrapper: RestrictedActionWrapper, valid: boolean, rng: Rng): Float32Array {
  const space = wrapper.actionSpace;
  for (;;) {
    const a = Float32Array.from(space.low, (lo, i) => rng.uniform(lo, space.high[i] as number));
    if (wrapper.isValid(a) === valid) return a;
  }
}

describe("sphere construction (official code)", () => {
  it("MT19937 reproduces numpy RandomState(123).random()", () => {
    const mt = new Mt19937(123);
    expect([mt.random(), mt.random(), mt.random()]).toEqual([
      0.6964691855978616, 0.28613933495037946, 0.2268514535642031,
    ]);
  });

  it("uses 33·n centres and the n-ball radius of volume 0.6·n/(33·n) × multiplier", () => {
    const hopper = HypersphereSet.official([-1, -1, -1], [1, 1, 1]);
    expect(hopper.count).toBe(99);
    expect(hopper.radius).toBeCloseTo(Math.cbrt((0.03 * 3) / (4 * Math.PI)), 12);
    expect(Array.from(hopper.centres.subarray(0, 3))).toEqual([
      0.6964691855978616, 0.28613933495037946, 0.2268514535642031,
    ]);
    const pendulum = HypersphereSet.official([-3], [3]);
    expect(pendulum.radius).toBeCloseTo(((0.6 / 33) * 3) / 2, 12);
    // Above 11 dims the official radius uses Stirling's approximation: within 1% of the exact n-ball radius.
    const exact17 = (v: number) => (v * gammaHalfInteger(17 / 2 + 1)) ** (1 / 17) / Math.sqrt(Math.PI);
    expect(officialBallRadius(0.3, 17) / exact17(0.3)).toBeCloseTo(1, 2);
  });

  it("isValid agrees with a direct distance check against every centre", () => {
    const { wrapper } = restriction("Walker2dRestricted-v5");
    const s = wrapper.spheres;
    const rng = new Rng(0);
    for (let k = 0; k < 2000; k++) {
      const a = Array.from({ length: 6 }, () => rng.uniform(-1, 1));
      let inside = false;
      for (let c = 0; c < s.count; c++) {
        let d2 = 0;
        for (let d = 0; d < 6; d++) d2 += (((a[d] as number) + 1) / 2 - (s.centres[6 * c + d] as number)) ** 2;
        if (Math.sqrt(d2) < s.radius) inside = true;
      }
      expect(wrapper.isValid(a)).toBe(inside);
    }
    // A sphere centre (mapped back to action units) is valid.
    const centre = Array.from(s.centres.subarray(0, 6), (u) => -1 + 2 * u);
    expect(wrapper.isValid(centre)).toBe(true);
  });

  it("measures the valid fraction of each task's action box (official multipliers)", () => {
    const expected: Record<string, number> = {
      "HopperRestricted-v5": 0.88,
      "Walker2dRestricted-v5": 0.77,
      "HalfCheetahRestricted-v5": 0.77,
      "AntRestricted-v5": 0.53,
      "InvertedPendulumRestricted-v5": 0.8,
      "InvertedDoublePendulumRestricted-v5": 0.8,
    };
    for (const [id, fraction] of Object.entries(expected)) {
      const { env, wrapper } = restriction(id);
      expect(wrapper.validFraction(8000, new Rng(1))).toBeCloseTo(fraction, 1);
      env.close();
    }
    const { wrapper: smaller } = restriction("HopperRestricted-v5", { volumeMultiplier: 0.5 });
    expect(smaller.validFraction(8000, new Rng(1))).toBeLessThan(0.7);
  });
});

describe("invalid actions", () => {
  it("locomotion: an invalid action is applied as zero torque", () => {
    const { env, wrapper } = restriction("HopperRestricted-v5");
    const reference = new HopperEnv();
    env.reset({ seed: 3 });
    reference.reset({ seed: 3 });
    const rng = new Rng(4);
    for (let t = 0; t < 10; t++) {
      const valid = t % 2 === 0;
      const a = drawAction(wrapper, valid, rng);
      const [obs, reward, , , info] = env.step(a);
      const [refObs, refReward] = reference.step(valid ? a : [0, 0, 0]);
      expect(Array.from(obs)).toEqual(Array.from(refObs));
      expect(reward).toBe(refReward);
      expect(info.if_valid).toBe(valid ? 1 : 0);
    }
    env.close();
    reference.close();
  });

  it("pendulums: an invalid action becomes −1; the official preset lets the first step through and pays −10", () => {
    for (const preset of ["paper", "officialCode"] as const) {
      const { env, wrapper } = restriction("InvertedPendulumRestricted-v5", { preset });
      const reference = new InvertedPendulumEnv();
      env.reset({ seed: 8 });
      reference.reset({ seed: 8 });
      const rng = new Rng(5);
      for (let t = 0; t < 3; t++) {
        const a = drawAction(wrapper, false, rng);
        const passes = preset === "officialCode" && t === 0;
        const [obs, reward, , , info] = env.step(a);
        const [refObs, refReward] = reference.step(passes ? a : [-1]);
        expect(Array.from(obs)).toEqual(Array.from(refObs));
        expect(info.if_valid).toBe(passes ? 1 : 0);
        expect(reward).toBe(preset === "officialCode" && !passes ? -10 : refReward);
      }
      env.close();
      reference.close();
    }
  });

  it("kwargs reach the right place: restriction options to the wrapper, task options to the task", () => {
    const { env, wrapper } = restriction("HopperRestricted-v4", { numBalls: 10, sphereSeed: 7, ctrlCostWeight: 0 });
    expect(wrapper.spheres.count).toBe(10);
    expect((env.unwrapped as HopperEnv).version).toBe("v4");
    expect(() => make("HopperRestricted-v5", { preset: "other" })).toThrow(/preset/);
    env.close();
  });
});

/** Γ(x) for x a positive multiple of ½. */
function gammaHalfInteger(x: number): number {
  let g = Number.isInteger(x) ? 1 : Math.sqrt(Math.PI);
  for (let k = Number.isInteger(x) ? 1 : 0.5; k < x; k++) g *= k;
  return g;
}
