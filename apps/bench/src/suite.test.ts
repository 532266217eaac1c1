import { describe, expect, it } from "vitest";
import { checkScores, expandRuns, parseSuite, protocolOf, scoreOf } from "./suite.js";

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

describe("the order a suite's runs start in", () => {
  it("goes seed by seed, so a suite stopped part-way has every algorithm on the same seeds", () => {
    const runs = expandRuns(
      parseSuite({
        name: "order-check",
        description: "two algorithms, two envs, three seeds",
        estimatedMinutes: 1,
        algorithms: [{ algo: "td3" }, { algo: "ddpg" }],
        envs: [{ id: "Pendulum-v1" }, { id: "Hopper-v5" }],
        seeds: [7, 8, 9],
        budget: { envSteps: 1000, warmupSteps: 100 },
        evaluation: { every: 500, episodes: 2 },
      }),
    );
    expect(runs.map((r) => `${r.seed} ${r.env} ${r.label}`)).toEqual(
      [7, 8, 9].flatMap((seed) =>
        ["Pendulum-v1", "Hopper-v5"].flatMap((env) => ["td3", "ddpg"].map((algo) => `${seed} ${env} ${algo}`)),
      ),
    );
  });
});

describe("how a multi-task suite is scored", () => {
  const multiTask = (ids: string[]) =>
    parseSuite({
      name: "score-check",
      description: "task sets",
      estimatedMinutes: 1,
      algorithms: [{ algo: "qmp" }],
      envs: ids.map((id) => ({ id })),
      seeds: [0],
      budget: { envSteps: 1000, warmupSteps: 0 },
      evaluation: { every: 500, episodes: 2 },
    });

  it("by mean success over tasks on the maze, by mean return over tasks on Walker (Table D.2), and never both at once", () => {
    const maze = multiTask(["MazeLargeMT3-v0"]);
    expect(scoreOf(maze)).toBe("success");
    expect(protocolOf(maze, "cpu").notes).toMatch(/the score is the mean success over tasks/);
    const walker = multiTask(["Walker2dMT4-v0"]);
    expect(scoreOf(walker)).toBe("return");
    expect(protocolOf(walker, "cpu")).not.toHaveProperty("score");
    expect(protocolOf(walker, "cpu").notes).toMatch(/the score is the mean return over tasks/);
    expect(checkScores(maze)).toBeNull();
    expect(checkScores(multiTask(["MazeLargeMT3-v0", "Walker2dMT4-v0"]))).toMatch(
      /MazeLargeMT3-v0 by mean success over tasks, Walker2dMT4-v0 by return/,
    );
  });
});

describe("an env's normalisation levels", () => {
  const withLevels = (levels: { randomScore?: number; referenceScore?: number }) =>
    parseSuite({
      name: "levels-check",
      description: "levels",
      algorithms: [{ algo: "td3" }],
      envs: [{ id: "Pendulum-v1" }, { id: "Hopper-v5", ...levels }],
      seeds: [0],
      budget: { envSteps: 1000, warmupSteps: 100 },
      evaluation: { every: 500, episodes: 2 },
    });

  it("may give either level alone; a reference not above the random score is refused by name", () => {
    expect(withLevels({ randomScore: 5.6 }).envs[1]?.randomScore).toBe(5.6);
    expect(withLevels({ referenceScore: 1000 }).envs[1]?.referenceScore).toBe(1000);
    expect(() => withLevels({ randomScore: 10, referenceScore: 10 })).toThrow(
      /envs\.1\.referenceScore: must be above randomScore/,
    );
    expect(() => withLevels({ randomScore: 10, referenceScore: -3 })).toThrow(/envs\.1\.referenceScore/);
  });
});
