import { describe, expect, it } from "vitest";
import { expandRuns, parseSuite } from "./suite.js";

const suite = (presets: boolean) =>
  parseSuite({
    name: "preset-check",
    description: "td3 with and without qscape's presets",
    estimatedMinutes: 1,
    algorithms: [{ algo: "td3", presets, config: { actorLr: 1e-3 } }],
    envs: [{ id: "Pendulum-v1" }, { id: "Hopper-v5" }],
    seeds: [0],
    budget: { envSteps: 1000, warmupSteps: 100 },
    evaluation: { every: 500, episodes: 2 },
  });

describe("suites and the hyperparameter presets of `qscape train`", () => {
  it("presets: true starts each env's runs from that env's preset config, under the suite's config", () => {
    const [pendulum, hopper] = expandRuns(suite(true));
    expect(pendulum?.algoConfig).toEqual({
      gamma: 0.98,
      explorationNoise: { type: "gaussian", sigma: 0.1 },
      actorLr: 1e-3,
    });
    // Hopper's preset sets only the budget, which a suite matches across algorithms itself.
    expect(hopper?.algoConfig).toEqual({ actorLr: 1e-3 });
    // The suite's budget is kept whatever the preset says.
    expect(pendulum?.budget.envSteps).toBe(1000);
  });

  it("without presets the suite's config is used as it is", () => {
    for (const run of expandRuns(suite(false))) expect(run.algoConfig).toEqual({ actorLr: 1e-3 });
  });
});
