/**
 * Ch. 2 on CREATE (App. A.3): representations learned from the tools' probe-ball play data, and
 * the utility policy with its (x, y) placement head over them. Small models and 4 trajectories per
 * tool, so a run takes seconds; the play data is collected once into a temporary play cache.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AlgorithmContext, initBackend, loadCheckpoint, saveCheckpoint, tf } from "@qscape/core";
import { type ActionSetObservation, CreateEnv, type Env, make, SkillGridWorldEnv } from "@qscape/envs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TINY_REPRESENTATION } from "../../test/tiny-representation.js";
import type { HybridAction } from "../agent.js";
import { agileAlgorithms } from "../bench.js";
import { type NewActionsAgent, representationDigest } from "./agent.js";
import { trainRepresentations, UnsupportedRepresentationEnvError } from "./hvae.js";

const cache = mkdtempSync(join(tmpdir(), "qscape-create-play-"));
const previousCache = process.env.QSCAPE_PLAY_CACHE;
beforeAll(async () => {
  process.env.QSCAPE_PLAY_CACHE = cache;
  await initBackend();
});
afterAll(() => {
  if (previousCache === undefined) delete process.env.QSCAPE_PLAY_CACHE;
  else process.env.QSCAPE_PLAY_CACHE = previousCache;
  rmSync(cache, { recursive: true, force: true });
});

const TOOLS = 2110;
const representation = TINY_REPRESENTATION;
const ctx = (seed: number, config: Record<string, unknown> = {}): AlgorithmContext => ({
  seed,
  hidden: [8],
  warmupSteps: 0,
  config: { numEnvs: 1, numSteps: 4, representation, ...config },
});
const entryOf = (id: string) => {
  const entry = agileAlgorithms.find((e) => e.id === id);
  if (!entry) throw new Error(`${id} is not registered`);
  return entry;
};
const createPush = (options: Record<string, unknown> = {}) =>
  make("CreatePush-v0", options) as unknown as Env<ActionSetObservation, HybridAction>;

/** `steps` explored steps from a reset with `seed`; the tools chosen. */
function run(
  agent: NewActionsAgent<HybridAction>,
  env: Env<ActionSetObservation, HybridAction>,
  steps: number,
  seed: number,
) {
  let [obs] = env.reset({ seed });
  const tools: number[] = [];
  for (let t = 0; t < steps; t++) {
    const action = agent.act(obs, { explore: true });
    tools.push(action.tool);
    const [next, reward, terminated, truncated] = env.step(action);
    agent.observe({ obs, action, reward, nextObs: next, terminated, truncated });
    obs = terminated || truncated ? env.reset({ seed: seed + t + 1 })[0] : next;
  }
  return tools;
}

describe("learned representations on CREATE (App. A.3)", () => {
  it("trains on the tools' probe trajectories: one row per general tool, deterministic, training tools only", () => {
    const options = { env: "CreatePush-v0", seed: 1, ...representation } as const;
    const a = trainRepresentations(options);
    expect(a.meta.numActions).toBe(TOOLS);
    expect(a.values.length).toBe(TOOLS * 3);
    expect(a.values.every(Number.isFinite)).toBe(true);
    expect(a.meta.trainedActions).toBe((createPush().unwrapped as CreateEnv).inventory.ids("train").length);
    const b = trainRepresentations(options);
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    // Activators have no play data; SkillGridWorld's pre-collected play is not CREATE's.
    expect(() => trainRepresentations({ ...options, env: "CreateActivatorsPush-v0" })).toThrow(
      UnsupportedRepresentationEnvError,
    );
  });

  it("supports: the utility policy on the CREATE levels; the tool-only baselines and activator levels are refused by name", () => {
    expect(entryOf("new-actions-hvae").supports(createPush())).toBeNull();
    for (const id of ["new-actions-nn", "new-actions-continuous"]) {
      expect(entryOf(id).supports(createPush())).toMatch(/chooses a tool only/);
    }
    expect(entryOf("new-actions-hvae").supports(make("CreateActivatorsPush-v0"))).toMatch(/needs play data/);
    // Envs built directly (no registry spec) are recognised too.
    expect(entryOf("new-actions-hvae").supports(new CreateEnv({ level: "Seesaw" }))).toBeNull();
    expect(entryOf("new-actions-hvae").supports(new SkillGridWorldEnv())).toBeNull();
  });

  it("acts with (tool, position) through the learned rows (the No-Op's is zero), updates, and resumes bit-identically", () => {
    const entry = entryOf("new-actions-hvae");
    const env = createPush();
    const agent = entry.create(env, ctx(7)).agent as NewActionsAgent<HybridAction>;
    const [obs] = env.reset({ seed: 0 });
    const translated = agent.translate(obs);
    const table = agent.representations().values;
    const ids = obs.actionIds as Int32Array;
    const features = translated.actionFeatures as Float32Array;
    ids.forEach((id, slot) => {
      const row = Array.from(features.subarray(slot * 3, slot * 3 + 3));
      expect(row).toEqual(id >= 0 && id < TOOLS ? Array.from(table.subarray(id * 3, id * 3 + 3)) : [0, 0, 0]);
    });
    expect(Array.from(ids)).toContain(TOOLS); // the No-Op is offered every episode
    const before = tf.memory().numTensors;
    run(agent, env, 4, 0);
    const metrics = agent.update();
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(metrics.loss)).toBe(true);
    expect(metrics.representationDigest).toBe(representationDigest(table));
    run(agent, env, 2, 10); // the checkpoint falls inside a rollout
    const dir = mkdtempSync(join(tmpdir(), "qscape-new-actions-create-"));
    try {
      saveCheckpoint(dir, { agent: agent.save() });
      const resumed = entry.create(env, ctx(8)).agent as NewActionsAgent<HybridAction>;
      resumed.load((loadCheckpoint(dir) as { agent: never }).agent);
      expect(run(resumed, env, 2, 20)).toEqual(run(agent, env, 2, 20));
      expect(resumed.update().loss).toBe(agent.update().loss);
      const [testObs] = createPush({ split: "test" }).reset({ seed: 3 });
      const a = agent.act(testObs, { explore: false });
      expect(Array.from(testObs.actionIds as Int32Array)).toContain(a.tool);
      expect(resumed.act(testObs, { explore: false })).toEqual(a);
      resumed.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    agent.dispose();
  });
});
