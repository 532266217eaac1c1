import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AlgorithmContext, initBackend, loadCheckpoint, saveCheckpoint, tf } from "@qscape/core";
import { make } from "@qscape/envs";
import { beforeAll, describe, expect, it } from "vitest";
import { TINY_REPRESENTATION } from "../../test/tiny-representation.js";
import { agileAlgorithms } from "../bench.js";
import { RepresentationSizeError } from "../errors.js";
import { type NewActionsAgent, representationDigest } from "./agent.js";

beforeAll(async () => {
  await initBackend();
});

const representation = TINY_REPRESENTATION;
const ctx = (seed: number): AlgorithmContext => ({
  seed,
  hidden: [8],
  warmupSteps: 0,
  config: { numEnvs: 1, numSteps: 4, representation },
});

describe("bench entry new-actions-hvae (Utility-Policy over learned representations)", () => {
  it("trains its representations once, reports which, and a resumed run reuses the checkpointed ones", () => {
    const entry = agileAlgorithms.find((e) => e.id === "new-actions-hvae");
    if (!entry) throw new Error("new-actions-hvae is not registered");
    expect(entry.supports(make("DigLava-v0"))).toMatch(/SkillGridWorld/);
    const resolved = entry.resolveConfig(ctx(7)) as { variant: string; representation: { model: string } };
    expect(resolved.variant).toBe("utility-policy");
    expect(resolved.representation.model).toBe("hvae");

    const env = make("SkillGridWorld-v0");
    expect(entry.supports(env)).toBeNull();
    expect(() => entry.create(env, { ...ctx(7), config: { ...ctx(7).config, representationSize: 5 } })).toThrow(
      RepresentationSizeError,
    );
    const agent = entry.create(env, ctx(7)).agent as NewActionsAgent;
    let [obs] = env.reset({ seed: 0 });
    const before = tf.memory().numTensors;
    for (let t = 0; t < 4; t++) {
      const action = agent.act(obs, { explore: true }) as number;
      const [next, reward, terminated, truncated] = env.step(action);
      agent.observe({ obs, action, reward, nextObs: next, terminated, truncated });
      obs = terminated || truncated ? env.reset({ seed: t + 1 })[0] : next;
    }
    const metrics = agent.update();
    expect(tf.memory().numTensors).toBe(before);
    const table = agent.representations();
    expect(metrics.representationDigest).toBe(representationDigest(table.values));
    expect(metrics.representationHierarchical).toBe(1);
    // The policy reads the learned rows, not the env's 5-d codes.
    const translated = agent.translate(obs);
    const id = (obs.actionIds as Int32Array)[0] as number;
    expect(Array.from((translated.actionFeatures as Float32Array).subarray(0, 3))).toEqual(
      Array.from(table.values.subarray(id * 3, id * 3 + 3)),
    );

    // Through a checkpoint on disk into an agent whose own seed would learn other numbers.
    const dir = mkdtempSync(join(tmpdir(), "qscape-new-actions-"));
    try {
      saveCheckpoint(dir, { agent: agent.save() });
      const resumed = entry.create(env, ctx(8)).agent as NewActionsAgent;
      resumed.load((loadCheckpoint(dir) as { agent: never }).agent);
      expect(representationDigest(resumed.representations().values)).toBe(representationDigest(table.values));
      expect(resumed.act(obs, { explore: false })).toBe(agent.act(obs, { explore: false }));
      resumed.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const other = entry.create(env, ctx(8)).agent as NewActionsAgent;
    expect(representationDigest(other.representations().values)).not.toBe(representationDigest(table.values));
    other.dispose();
    agent.dispose();
    env.close();
  });
});
