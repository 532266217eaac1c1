import { initBackend } from "@qscape/core";
import { make, SkillGridWorldEnv } from "@qscape/envs";
import { beforeAll, describe, expect, it } from "vitest";
import { AgilePPOAgent } from "./agent.js";
import { evaluateSplits, trainVector } from "./train.js";

beforeAll(async () => {
  await initBackend();
});

describe("trainVector / evaluateSplits", () => {
  it("trains on vector envs and evaluates on train and unseen test actions (SkillGridWorld, 50 of 1,024 skills)", () => {
    const agent = new AgilePPOAgent(make("SkillGridWorld-v0"), {
      hidden: 16,
      graphHidden: 16,
      numEnvs: 4,
      numSteps: 8,
      seed: 0,
    });
    const run = trainVector(agent, { env: "SkillGridWorld-v0", totalSteps: 64, seed: 0 });
    expect(run.steps).toBe(64);
    expect(run.updates).toBe(2);
    const scores = evaluateSplits(agent, { env: "SkillGridWorld-v0", episodes: 6, seed: 1, numEnvs: 3 });
    const inventory = new SkillGridWorldEnv().inventory;
    const train = new Set(inventory.ids("train"));
    const test = new Set(inventory.ids("test"));
    for (const [split, pool] of [
      ["train", train],
      ["test", test],
    ] as const) {
      const result = scores[split];
      expect(result?.episodes).toHaveLength(6);
      for (const e of result?.episodes ?? []) {
        expect(e.actionIds).toHaveLength(50);
        expect(e.actionIds.every((id) => pool.has(id))).toBe(true);
      }
    }
    agent.dispose();
  });
});
