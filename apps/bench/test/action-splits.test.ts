/**
 * Evaluation on unseen test actions through `pnpm bench` end to end (new-actions §A8, AGILE §B6):
 * a tiny AGILE-PPO / Utility-Policy suite on SkillGridWorld-v0 with `evalSplits: ["test"]` stores,
 * at every evaluation point, the training env's evaluation (the run's score) and the same policy's
 * evaluation on the test split. The step-0 test-split scores equal an independent evaluation of
 * the untrained agent on a test-split env (and differ from the training split's, so the split is
 * real); the report shows the test-action statistics; a SIGKILL of the whole group after a
 * checkpoint resumes to exactly the stored numbers of the uninterrupted run, test splits included.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { evaluatePolicy, evaluationSeeds, initBackend } from "@qscape/core";
import { describe, expect, it } from "vitest";
import { algorithm } from "../src/algorithms.js";
import { validateRunnable } from "../src/cli.js";
import { openResults } from "../src/db/index.js";
import { parseSuite, SuiteError } from "../src/suite.js";
import { makeEnv } from "../src/worker.js";
import { killOnceCheckpointed, storedRows } from "./two-by-two.js";

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(appDir, "src/cli.ts");
const tsx = path.resolve(appDir, "../../node_modules/.bin/tsx");
const root = mkdtempSync(path.join(os.tmpdir(), "qscape-splits-"));
const SUITE = "splits-check";
const ppo = { numSteps: 32, numEnvs: 2, minibatches: 2, epochs: 2 };
const suite = {
  name: SUITE,
  description: "test-action evaluation check: AGILE-PPO and Utility-Policy on SkillGridWorld, two seeds, tiny budget",
  estimatedMinutes: 1,
  algorithms: [
    { algo: "agile-ppo", config: ppo },
    { algo: "utility-policy", config: ppo },
  ],
  envs: [{ id: "SkillGridWorld-v0", kwargs: { actionsPerEpisode: 8 }, evalSplits: ["test"] }],
  seeds: [0, 1],
  budget: { envSteps: 640, warmupSteps: 0 },
  evaluation: { every: 128, episodes: 3 },
  hidden: [16, 16],
};
const suiteFile = path.join(root, "splits-suite.mjs");
writeFileSync(suiteFile, `export default ${JSON.stringify(suite)};\n`);

const args = (file: string, out: string) => ["--conditions=@qscape/source", cli, file, "--quiet", "--out", out];
const runSync = (file: string, out: string) =>
  spawnSync(tsx, [...args(file, out), "--workers", "2"], { cwd: appDir, encoding: "utf8", timeout: 300_000 });

describe("pnpm bench with evalSplits", () => {
  it("stores a test-action evaluation beside every evaluation, reports it, and a SIGKILL resumes to the same numbers", async () => {
    const ref = path.join(root, "reference");
    const res = runSync(suiteFile, ref);
    expect(res.status, res.stderr).toBe(0);
    const reference = storedRows(ref, SUITE);
    const evals = [...reference.keys()].filter((k) => k.startsWith("eval "));
    const testEvals = [...reference.keys()].filter((k) => k.startsWith("eval[test] "));
    // Evaluations at 0 and every 128 steps up to 640: 6 per run, 4 runs; one test-split twin each.
    expect(evals).toHaveLength(4 * 6);
    expect(testEvals.map((k) => k.replace("eval[test] ", ""))).toEqual(evals.map((k) => k.replace("eval ", "")));

    // The untrained policy's step-0 test-split evaluation, made again here on a test-split env.
    await initBackend();
    const db = openResults(path.join(ref, "results.db"), { readonly: true });
    try {
      expect(db.evaluationSplits(SUITE)).toEqual(["test"]);
      for (const run of db.listRuns(SUITE)) {
        expect(run.status).toBe("finished");
        const build = (split: string) => makeEnv("SkillGridWorld-v0", { actionsPerEpisode: 8, split }, false);
        const env = build("train");
        const { agent } = algorithm(run.algo).create(env, {
          seed: run.seed,
          hidden: [16, 16],
          warmupSteps: 0,
          config: ppo,
        });
        const seeds = evaluationSeeds(run.seed, 0, 3);
        const testEnv = build("test");
        const again = evaluatePolicy(testEnv, agent, seeds);
        const onTrain = evaluatePolicy(env, agent, seeds);
        agent.dispose();
        env.close();
        testEnv.close();
        const stored = db.evaluations(run.id, "test")[0];
        expect(stored?.step).toBe(0);
        expect(stored?.episodeReturns).toEqual(again.returns);
        expect(db.evaluations(run.id)[0]?.episodeReturns).toEqual(onTrain.returns);
      }
      // On unseen actions the scores differ somewhere from the training actions' (the split is real).
      const differs = db
        .listRuns(SUITE)
        .some((r) =>
          db
            .evaluations(r.id, "test")
            .some(
              (e, i) => JSON.stringify(e.episodeReturns) !== JSON.stringify(db.evaluations(r.id)[i]?.episodeReturns),
            ),
        );
      expect(differs).toBe(true);
    } finally {
      db.close();
    }
    const html = readFileSync(path.join(ref, "report.html"), "utf8");
    expect(html).toMatch(/Aggregate metrics on unseen test actions/);
    expect(html).toMatch(/Performance profile on unseen test actions/);
    expect(html).toMatch(/SkillGridWorld-v0: test actions/);
    const csv = readFileSync(path.join(ref, "report.csv"), "utf8");
    expect(csv).toMatch(/^test_actions\/aggregate,agile-ppo,,iqm,/m);
    expect(csv).toMatch(/^test_actions\/learning_curve,utility-policy,SkillGridWorld-v0,mean_return,640,/m);

    // Killed as a whole group once a run has checkpointed; the same command again finishes it.
    const out = path.join(root, "killed");
    await killOnceCheckpointed(tsx, [...args(suiteFile, out), "--workers", "2"], appDir, out);
    const before = storedRows(out, SUITE);
    const resumed = runSync(suiteFile, out);
    expect(resumed.status, resumed.stderr).toBe(0);
    const after = storedRows(out, SUITE);
    for (const [k, v] of before) expect(after.get(k), `${k} kept`).toBe(v);
    expect(after).toEqual(reference);
  }, 300_000);

  it("stores an env's episode statistics (RecSim's majority-category share, §B7) at every evaluation, on each split", async () => {
    const recsim = {
      ...suite,
      name: "episode-metrics-check",
      description: "Simple DQN on RecSim, one seed, tiny budget: the stored eval/majorityShare",
      algorithms: [{ algo: "simple-dqn", config: { learningStarts: 45, updateInterval: 15, batchSize: 16 } }],
      envs: [{ id: "RecSimSlate-v0", evalSplits: ["test"] }],
      seeds: [0],
      budget: { envSteps: 90, warmupSteps: 0 },
      evaluation: { every: 45, episodes: 2 },
    };
    const file = path.join(root, "recsim-suite.mjs");
    writeFileSync(file, `export default ${JSON.stringify(recsim)};\n`);
    const out = path.join(root, "recsim");
    const res = runSync(file, out);
    expect(res.status, res.stderr).toBe(0);
    await initBackend();
    const db = openResults(path.join(out, "results.db"), { readonly: true });
    try {
      const [run] = db.listRuns(recsim.name);
      if (run === undefined) throw new Error("no run stored");
      const steps = db.evaluations(run.id).map((e) => e.step);
      expect(steps).toEqual([0, 45, 90]);
      for (const name of ["eval/majorityShare", "eval/test/majorityShare"]) {
        const stored = db.metrics(run.id, name);
        expect(
          stored.map((m) => m.step),
          name,
        ).toEqual(steps);
        for (const m of stored) expect(m.value).toBeGreaterThanOrEqual(0);
        for (const m of stored) expect(m.value).toBeLessThanOrEqual(1);
      }
      // Step 0 is the untrained agent: the same evaluation made again here gives the stored share.
      const build = (split: string) => makeEnv("RecSimSlate-v0", { split }, false);
      const env = build("train");
      const { agent } = algorithm("simple-dqn").create(env, {
        seed: 0,
        hidden: [16, 16],
        warmupSteps: 0,
        config: recsim.algorithms[0]?.config ?? {},
      });
      for (const [split, name] of [
        ["train", "eval/majorityShare"],
        ["test", "eval/test/majorityShare"],
      ] as const) {
        const splitEnv = split === "train" ? env : build(split);
        const again = evaluatePolicy(splitEnv, agent, evaluationSeeds(0, 0, 2));
        expect(db.metrics(run.id, name)[0]?.value).toBe(again.episodeMetrics.majorityShare);
        if (splitEnv !== env) splitEnv.close();
      }
      agent.dispose();
      env.close();
    } finally {
      db.close();
    }
  }, 300_000);

  it('evaluation.policy "sampled": evaluations sample a ∼ π on every split, training is the greedy twin\'s, and an agent that cannot take a generator is refused', async () => {
    const base = {
      ...suite,
      algorithms: [{ algo: "utility-policy", config: ppo }],
      seeds: [0],
      budget: { envSteps: 256, warmupSteps: 0 },
    };
    const runOne = (name: string, evaluation: Record<string, unknown>) => {
      const file = path.join(root, `${name}.mjs`);
      writeFileSync(file, `export default ${JSON.stringify({ ...base, name, evaluation })};\n`);
      const out = path.join(root, name);
      const res = runSync(file, out);
      expect(res.status, res.stderr).toBe(0);
      return out;
    };
    const sampledOut = runOne("sampled-check", { every: 128, episodes: 3, policy: "sampled" });
    const greedyOut = runOne("greedy-check", { every: 128, episodes: 3 });
    await initBackend();
    const sampledDb = openResults(path.join(sampledOut, "results.db"), { readonly: true });
    const greedyDb = openResults(path.join(greedyOut, "results.db"), { readonly: true });
    try {
      const [run] = sampledDb.listRuns("sampled-check");
      const [twin] = greedyDb.listRuns("greedy-check");
      if (run === undefined || twin === undefined) throw new Error("no run stored");
      expect(sampledDb.suite("sampled-check").protocol.evaluation).toMatchObject({
        deterministic: false,
        sampled: true,
      });
      // Training is unchanged by how it is evaluated: the same episodes and losses as the greedy twin.
      for (const name of ["episode/return", "train/loss"]) {
        const series = sampledDb.metrics(run.id, name);
        expect(series.length, name).toBeGreaterThan(0);
        expect(series, name).toEqual(greedyDb.metrics(twin.id, name));
      }
      // Step 0 (the untrained policy), made again here with sampled episodes, on both splits.
      const build = (split: string) => makeEnv("SkillGridWorld-v0", { actionsPerEpisode: 8, split }, false);
      const env = build("train");
      const testEnv = build("test");
      const { agent } = algorithm("utility-policy").create(env, {
        seed: 0,
        hidden: [16, 16],
        warmupSteps: 0,
        config: ppo,
      });
      const seeds = evaluationSeeds(0, 0, 3);
      expect(sampledDb.evaluations(run.id)[0]?.episodeReturns).toEqual(
        evaluatePolicy(env, agent, seeds, { sampled: true }).returns,
      );
      expect(sampledDb.evaluations(run.id, "test")[0]?.episodeReturns).toEqual(
        evaluatePolicy(testEnv, agent, seeds, { sampled: true }).returns,
      );
      // And they are not the greedy evaluations.
      const returnsOf = (db: typeof sampledDb, id: number) =>
        JSON.stringify(db.evaluations(id).map((e) => e.episodeReturns));
      expect(returnsOf(sampledDb, run.id)).not.toBe(returnsOf(greedyDb, twin.id));
      agent.dispose();
      env.close();
      testEnv.close();
    } finally {
      sampledDb.close();
      greedyDb.close();
    }
    expect(readFileSync(path.join(sampledOut, "report.html"), "utf8")).toMatch(/episodes, sampled from the policy/);
    // TD3's agents sample from their own generator: refused by name before anything runs.
    const td3 = parseSuite({
      ...base,
      algorithms: [{ algo: "td3" }],
      envs: [{ id: "Pendulum-v1" }],
      evaluation: { every: 128, episodes: 3, policy: "sampled" },
    });
    await expect(validateRunnable(td3)).rejects.toThrow(
      /td3 cannot be evaluated on Pendulum-v1 with evaluation\.policy "sampled"/,
    );
    expect(() => parseSuite({ ...base, evaluation: { every: 128, episodes: 3, policy: "random" } })).toThrow(
      /evaluation\.policy/,
    );
  }, 300_000);

  it("names an env without that action split before anything runs", async () => {
    const bad = parseSuite({ ...suite, envs: [{ id: "DigLava-v0", evalSplits: ["test"] }] });
    await expect(validateRunnable(bad)).rejects.toThrow(/DigLava-v0 evalSplits: no "test" action split/);
    expect(() => parseSuite({ ...suite, envs: [{ id: "SkillGridWorld-v0", evalSplits: ["holdout"] }] })).toThrow(
      SuiteError,
    );
    expect(() => parseSuite({ ...suite, envs: [{ id: "SkillGridWorld-v0", evalSplits: ["test", "test"] }] })).toThrow(
      /envs\.0\.evalSplits: splits must be distinct/,
    );
  });
});
