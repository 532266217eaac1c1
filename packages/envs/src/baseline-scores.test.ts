import { describe, expect, it } from "vitest";
import { randomScore, randomSlate } from "../bench/action-sets.js";
import { SCORED_ENVS } from "../bench/baseline-scores.js";
import { createScore } from "../bench/create.js";
import { BASELINE_SCORES, baselineScores, randomPolicyScore } from "./baseline-scores.js";
import "./create/index.js";
import "./discrete/index.js";
import { registry } from "./registry.js";

describe("recorded baseline scores", () => {
  it("cover every env with a varying action set, each with a random train-split row", () => {
    for (const { id } of SCORED_ENVS) {
      expect(registry.has(id)).toBe(true);
      const rows = baselineScores(id);
      expect(rows.length).toBeGreaterThan(0);
      expect(randomPolicyScore(id)).toBe(rows.find((r) => r.policy === "random" && r.split === "train")?.meanReturn);
      for (const r of rows) {
        expect(Number.isFinite(r.meanReturn) && r.stdReturn >= 0 && r.episodes >= 100).toBe(true);
      }
    }
    for (const id of ["CreatePush-v0", "CreateObstacle-v0", "CreateSeesaw-v0"]) {
      expect(baselineScores(id).some((r) => r.policy === "scripted")).toBe(true);
    }
    expect(Object.keys(BASELINE_SCORES).sort()).toEqual(SCORED_ENVS.map((e) => e.id).sort());
    expect(randomPolicyScore("Pendulum-v1")).toBeUndefined();
  });

  it("are measured deterministically (same seeds, same numbers)", () => {
    const a = randomScore("RecSimSlate-v0", "train", 5, randomSlate);
    const b = randomScore("RecSimSlate-v0", "train", 5, randomSlate);
    expect(a).toEqual(b);
    const c = createScore("CreatePush-v0", "scripted", 2);
    const d = createScore("CreatePush-v0", "scripted", 2);
    expect({ ...c, stepsPerSecond: 0 }).toEqual({ ...d, stepsPerSecond: 0 });
  });
});
