import { Rng } from "@qscape/core";
import { describe, expect, it } from "vitest";
import type { Info, ResetArgs, StepResult } from "../env.js";
import { Env } from "../env.js";
import {
  ActionSetSizeError,
  EnvError,
  InvalidActionError,
  UnavailableActionError,
  UnknownSplitError,
} from "../errors.js";
import { ActionSlate, ActionSubset, Box, spaceFromJSON } from "../spaces.js";
import { SyncVectorEnv } from "../vector/sync-vector-env.js";
import { ValidateStep } from "../wrappers/validate-step.js";
import {
  ActionInventory,
  type ActionSetObservation,
  actionSetObservationSpace,
  observeActionSet,
  resetActionSet,
  resolveActionSetConfig,
  stackActionSetObservations,
} from "./action-set.js";

const inventory = (size = 40, splitSeed = 0) =>
  new ActionInventory({
    representations: Float32Array.from({ length: size * 2 }, (_, i) => i),
    size,
    dim: 2,
    splitSeed,
    splitRatio: [2, 1, 1],
  });

/** Reward = the chosen inventory index; one step per episode. */
class PickEnv extends Env<ActionSetObservation, number> {
  readonly inventory = inventory();
  readonly config = resolveActionSetConfig("Pick", this.inventory, {
    split: "train",
    actionsPerEpisode: 4,
    maxActions: 6,
  });
  readonly actionSpace = new ActionSubset(40, 6);
  readonly observationSpace = actionSetObservationSpace(new Box(0, 1, [1]), 40, 2, 6);
  reset({ seed, options }: ResetArgs = {}): [ActionSetObservation, Info] {
    this.seedRng(seed);
    const split = resetActionSet(this, this.inventory, this.actionSpace, this.config, options);
    return [observeActionSet(new Float32Array(1), this.inventory.representations, 2, this.actionSpace), { split }];
  }
  step(a: number): StepResult<ActionSetObservation> {
    return [
      observeActionSet(new Float32Array(1), this.inventory.representations, 2, this.actionSpace),
      a,
      true,
      false,
      {},
    ];
  }
}

describe("ActionInventory splits", () => {
  it("splits 2:1:1 without overlap, covering the inventory, fixed by the split seed", () => {
    const inv = inventory(1024, 3);
    const [train, validation, test] = [inv.ids("train"), inv.ids("validation"), inv.ids("test")];
    expect([train.length, validation.length, test.length]).toEqual([512, 256, 256]);
    expect(new Set([...train, ...validation, ...test]).size).toBe(1024);
    expect(inventory(1024, 3).ids("test")).toEqual(test);
    expect(inventory(1024, 4).ids("test")).not.toEqual(test);
    const odd = inventory(10);
    expect([odd.ids("train").length, odd.ids("validation").length, odd.ids("test").length]).toEqual([5, 2, 3]);
  });

  it("never puts a test or validation action into a train episode (500 seeds)", () => {
    const inv = inventory(1024, 0);
    const heldOut = new Set([...inv.ids("test"), ...inv.ids("validation")]);
    const seen = new Set<number>();
    for (let seed = 0; seed < 500; seed++) {
      const ids = inv.sample("train", 50, new Rng(seed));
      expect(new Set(ids).size).toBe(50);
      for (const id of ids) {
        expect(heldOut.has(id)).toBe(false);
        seen.add(id);
      }
    }
    // Subsampling reaches the whole train split.
    expect(seen.size).toBe(512);
  });

  it("takes a fixed (class-based) split: train as given, held-out cut into validation : test, the rest in none", () => {
    const make = (splitSeed: number) =>
      new ActionInventory({
        representations: new Float32Array(20),
        size: 10,
        dim: 2,
        splitSeed,
        splitRatio: [2, 1, 1],
        fixedSplit: { train: [7, 1, 3], heldOut: [0, 2, 4, 5, 8] },
      });
    const inv = make(0);
    expect(Array.from(inv.ids("train"))).toEqual([1, 3, 7]);
    const [v, t] = [Array.from(inv.ids("validation")), Array.from(inv.ids("test"))];
    expect(v.length).toBe(2);
    expect([...v, ...t].sort()).toEqual([0, 2, 4, 5, 8]);
    expect(Array.from(make(0).ids("validation"))).toEqual(v);
    expect(
      () =>
        new ActionInventory({ ...inv, splitSeed: 0, splitRatio: [2, 1, 1], fixedSplit: { train: [1], heldOut: [1] } }),
    ).toThrow(EnvError);
  });

  it("names bad splits and oversized action sets", () => {
    const inv = inventory(40);
    expect(() => inv.sample("dev" as never, 3, new Rng(0))).toThrow(UnknownSplitError);
    expect(() => inv.sample("test", 11, new Rng(0))).toThrow(ActionSetSizeError);
    expect(() => inv.sample("test", 11, new Rng(0))).toThrow(
      /cannot draw 11 actions per episode from the test split, which has 10/,
    );
    expect(() => resolveActionSetConfig("X", inv, { split: "holdout", actionsPerEpisode: 2 })).toThrow(
      UnknownSplitError,
    );
    expect(() => resolveActionSetConfig("X", inv, { split: "train", actionsPerEpisode: 21 })).toThrow(
      ActionSetSizeError,
    );
    expect(() => resolveActionSetConfig("X", inv, { split: "train", actionsPerEpisode: 5, maxActions: 4 })).toThrow(
      /exceeds the padding maxActions 4/,
    );
  });
});

describe("ActionSubset space", () => {
  it("samples and contains only the available actions; round-trips through JSON", () => {
    const space = new ActionSubset(100, 5);
    expect(() => space.sample()).toThrow(/no action is available yet/);
    space.setAvailable([7, 3, 90]);
    space.seed(1);
    const drawn = new Set(Array.from({ length: 200 }, () => space.sample()));
    expect([...drawn].sort((a, b) => a - b)).toEqual([3, 7, 90]);
    expect(space.contains(7)).toBe(true);
    expect(space.contains(8)).toBe(false);
    expect(space.explain(8)).toMatch(/action 8 is not in this episode's available action set/);
    expect(space.isUnavailable(8)).toBe(true);
    expect(space.isUnavailable(100)).toBe(false);
    const mask = new Uint8Array(100);
    mask[90] = 1;
    expect(space.sample(mask)).toBe(90);
    expect(space.mask.reduce((a, b) => a + b, 0)).toBe(3);
    expect(String(spaceFromJSON(space.toJSON()))).toBe("ActionSubset(100, maxAvailable=5)");
    expect(() => space.setAvailable([1, 2, 3, 4, 5, 6])).toThrow(ActionSetSizeError);
    expect(() => space.setAvailable([1, 1])).toThrow(/listed twice/);
    expect(() => space.setAvailable([100])).toThrow(/not an inventory index/);
  });
});

describe("ActionSlate space", () => {
  it("samples distinct available actions, rejects repeats and unavailable ones, round-trips through JSON", () => {
    const subset = new ActionSubset(50, 8);
    const slate = new ActionSlate(subset, 3);
    expect(() => slate.sample()).toThrow(/no action is available yet/);
    subset.setAvailable([2, 5, 9, 11, 40]);
    slate.seed(3);
    for (let t = 0; t < 100; t++) {
      const s = slate.sample();
      expect(new Set(s).size).toBe(3);
      expect(slate.contains(s)).toBe(true);
    }
    expect(slate.explain(Int32Array.of(2, 2, 5))).toMatch(/action 2 appears twice/);
    expect(slate.explain(Int32Array.of(2, 3, 5))).toMatch(/action 3 is not in this episode's available action set/);
    expect(slate.isUnavailable(Int32Array.of(2, 3, 5))).toBe(true);
    expect(slate.isUnavailable(Int32Array.of(2, 2, 5))).toBe(false);
    expect(slate.explain(Int32Array.of(2, 5))).toMatch(/has 2 elements, expected 3/);
    expect(slate.mask).toBe(subset.mask);
    expect(String(spaceFromJSON(slate.toJSON()))).toBe("ActionSlate(3 of ActionSubset(50, maxAvailable=8))");
    expect(() => new ActionSlate(subset, 9)).toThrow(ActionSetSizeError);
    subset.setAvailable([1, 4]);
    expect(() => slate.sample()).toThrow(/cannot fill a slate of 3/);
  });
});

describe("action-set env plumbing", () => {
  it("pads the observed set, follows the split reset option, and names unavailable actions", () => {
    const env = new PickEnv();
    const [obs, info] = env.reset({ seed: 2 });
    expect(info.split).toBe("train");
    expect(env.observationSpace.contains(obs)).toBe(true);
    expect(Array.from(obs.actionMask)).toEqual([1, 1, 1, 1, 0, 0]);
    expect(Array.from(obs.actionIds.subarray(4))).toEqual([-1, -1]);
    const id = obs.actionIds[1] as number;
    expect(Array.from(obs.actionFeatures.subarray(2, 4))).toEqual([2 * id, 2 * id + 1]);
    expect(Array.from(obs.actionFeatures.subarray(8))).toEqual([0, 0, 0, 0]);
    const testIds = new Set(env.inventory.ids("test"));
    const [testObs, testInfo] = env.reset({ options: { split: "test" } });
    expect(testInfo.split).toBe("test");
    for (const a of testObs.actionIds.subarray(0, 4)) expect(testIds.has(a)).toBe(true);
    expect(() => env.reset({ options: { split: "dev" } })).toThrow(UnknownSplitError);
    expect(() => env.reset({ options: { seeds: 1 } })).toThrow(EnvError);

    const wrapped = new ValidateStep(env);
    const [o] = wrapped.reset({ seed: 0 });
    const unavailable = env.inventory.ids("test")[0] as number;
    expect(() => wrapped.step(unavailable)).toThrow(UnavailableActionError);
    expect(() => wrapped.step(unavailable)).toThrow(/is not in this episode's available action set/);
    expect(() => wrapped.step(40)).toThrow(InvalidActionError);
    expect(() => wrapped.step(40)).not.toThrow(UnavailableActionError);
    expect(wrapped.step(o.actionIds[0] as number)[1]).toBe(o.actionIds[0]);
  });

  it("vector envs batch the padded observations, which stack into flat arrays", () => {
    const v = new SyncVectorEnv<ActionSetObservation[], Int32Array>([() => new PickEnv(), () => new PickEnv()]);
    const [obs] = v.reset({ seed: 0 });
    const stacked = stackActionSetObservations(obs);
    expect(stacked.actionIds.length).toBe(12);
    expect(stacked.actionFeatures.length).toBe(24);
    expect(Array.from(stacked.actionMask)).toEqual([1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0]);
    // The first available action of each env, chosen from its own padded set.
    const actions = Int32Array.of(stacked.actionIds[0] as number, stacked.actionIds[6] as number);
    const [, rewards] = v.step(actions);
    expect(Array.from(rewards)).toEqual(Array.from(actions));
  });
});
