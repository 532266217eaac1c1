/** `--set` parsing, presets and the hyperparameter listing, without training anything. */

import { registry } from "@qscape/envs";
import { describe, expect, it } from "vitest";
import { algorithm, algorithms } from "../src/algorithms.js";
import { hyperparameterHelp } from "../src/help.js";
import { findPreset, hyperparamsDir, presetAlgorithms, readPresetFile } from "../src/hyperparams.js";
import { applySets, parseSets, parseValue } from "../src/overrides.js";
import { planRun, resolveConfig, TrainOptions } from "../src/settings.js";

describe("--set", () => {
  it("reads JSON, number lists and strings", () => {
    expect(parseValue("1e-3")).toBe(0.001);
    expect(parseValue("true")).toBe(true);
    expect(parseValue("256,256")).toEqual([256, 256]);
    expect(parseValue("[64, 64]")).toEqual([64, 64]);
    expect(parseValue("relu")).toBe("relu");
    expect(parseValue('{"type":"ou"}')).toEqual({ type: "ou" });
  });

  it("applies dotted paths field by field and whole values as a whole, later items winning", () => {
    const base = { explorationNoise: { type: "gaussian", sigma: 0.1 }, actorLr: 1 };
    expect(applySets(base, parseSets(["explorationNoise.sigma=0.3", "actorLr=2", "actorLr=3"]))).toEqual({
      explorationNoise: { type: "gaussian", sigma: 0.3 },
      actorLr: 3,
    });
    expect(applySets(base, parseSets(['explorationNoise={"type":"ou"}']))).toEqual({
      explorationNoise: { type: "ou" },
      actorLr: 1,
    });
    expect(base.explorationNoise.sigma).toBe(0.1);
  });

  it("maps --set hidden to every network's widths and flags beat presets", async () => {
    const o = TrainOptions.parse({
      algo: "td3",
      env: "Pendulum-v1",
      set: ["hidden=32,16", "actorLr=1e-3"],
      steps: 500,
    });
    const plan = await planRun(o, "/tmp");
    expect(plan.spec.hidden).toEqual([32, 16]);
    expect(plan.spec.config).toMatchObject({
      actorHidden: [32, 16],
      criticHidden: [32, 16],
      actorLr: 1e-3,
      gamma: 0.98,
    });
    expect(plan.spec.preset).toBe("hyperparams/td3.yml#Pendulum-v1");
    // The preset's 1000-step warm-up does not fit a 500-step run: a quarter of it is used.
    expect(plan.spec.warmupSteps).toBe(125);
    expect(plan.spec.evaluation).toEqual({ every: 500, episodes: 10 });
  });
});

describe("hyperparameter presets (hyperparams/*.yml)", () => {
  it("every shipped preset names a known algorithm and env, and passes the algorithm's own schema", () => {
    const files = presetAlgorithms();
    expect(files).toEqual(expect.arrayContaining(["td3", "sac", "ddpg", "ppo", "dqn"]));
    for (const algo of files) {
      const entry = algorithm(algo);
      for (const [env, preset] of Object.entries(readPresetFile(`${hyperparamsDir}${algo}.yml`))) {
        if (env !== "default") expect(registry.has(env), `${algo}.yml: ${env}`).toBe(true);
        expect(() =>
          resolveConfig(entry, { seed: 0, hidden: preset.hidden ?? [256, 256], warmupSteps: 0, config: preset.config }),
        ).not.toThrow();
      }
    }
  });

  it("falls back to `default` for an env without its own key", () => {
    expect(findPreset("td3", "Swimmer-v5")?.source).toBe("hyperparams/td3.yml#default");
    expect(findPreset("savo", "Pendulum-v1")).toBeNull();
  });
});

describe("qscape train --algo X --help", () => {
  it("lists every algorithm's hyperparameters with their defaults", () => {
    for (const entry of algorithms().values()) {
      const text = hyperparameterHelp(entry);
      expect(text).toContain(entry.description);
      expect(text.split("\n").length).toBeGreaterThan(5);
    }
    const td3 = hyperparameterHelp(algorithm("td3"), "Pendulum-v1");
    expect(td3).toMatch(/actorLr\s+number > 0\s+0\.0003/);
    expect(td3).toMatch(/gamma\s+number ≥ 0, ≤ 1\s+0\.99\s+\(preset: 0\.98\)/);
    expect(td3).toMatch(/activation\s+relu\|tanh\|elu/);
  });
});

describe("environments with arguments or an action representation", () => {
  it("offers --action-representation where a discrete env publishes item embeddings, and records it", async () => {
    const o = { algo: "td3", env: "MineWorld-v0", steps: 500 };
    await expect(planRun(TrainOptions.parse(o), "/tmp")).rejects.toThrow(
      /td3 cannot run on MineWorld-v0: needs a Box \(continuous\) action space; with --action-representation/,
    );
    const plan = await planRun(TrainOptions.parse({ ...o, actionRepresentation: true }), "/tmp");
    expect(plan.spec).toMatchObject({ env: "MineWorld-v0", actionRepresentation: true, envKwargs: {} });
  });

  it("passes --env-kwarg values to the env and keeps them in the run", async () => {
    const plan = await planRun(
      TrainOptions.parse({ algo: "td3", env: "Pendulum-v1", steps: 500, envKwarg: ["g=9.81"] }),
      "/tmp",
    );
    expect(plan.spec.envKwargs).toEqual({ g: 9.81 });
    await expect(
      planRun(TrainOptions.parse({ algo: "td3", env: "Pendulum-v1", envKwarg: ["g"] }), "/tmp"),
    ).rejects.toThrow(/--env-kwarg g: expected key=value/);
  });
});
