import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend, tf } from "@qscape/core";
import { collectSkillPlayObservations, make } from "@qscape/envs";
import { beforeAll, describe, expect, it } from "vitest";
import { AgilePPOAgent } from "../agent.js";
import { RepresentationSizeError } from "../errors.js";
import {
  decodeRepresentations,
  encodeRepresentations,
  loadRepresentations,
  RepresentationArtefactError,
  saveRepresentations,
} from "./artefact.js";
import {
  EmptySplitError,
  type EpochTerms,
  skillGridWorldOptions,
  type TrainRepresentationsOptions,
  trainRepresentations,
  UnsupportedRepresentationEnvError,
} from "./hvae.js";

beforeAll(async () => {
  await initBackend();
});

// A small model and 8 trajectories per skill: a few seconds for every run here.
const PER_ACTION = 8;
let play: ReturnType<typeof collectSkillPlayObservations>;
beforeAll(() => {
  play = collectSkillPlayObservations({ seed: 0, trajectoriesPerSkill: PER_ACTION });
});
const small = (over: Partial<TrainRepresentationsOptions> = {}): TrainRepresentationsOptions => ({
  env: "SkillGridWorld-v0",
  seed: 1,
  play,
  observationsPerAction: PER_ACTION,
  representationSize: 4,
  latentSize: 4,
  hidden: 16,
  actionHidden: 16,
  encoderLayers: 1,
  batchSize: 16,
  lr: 3e-3,
  epochs: 25,
  ...over,
});

const mean = (terms: EpochTerms[], key: keyof EpochTerms) => terms.reduce((a, t) => a + t[key], 0) / terms.length;

describe("trainRepresentations (Algorithm 1, stage 1)", () => {
  it("lowers −ELBO, raises the log-likelihood, keeps the KLs bounded and leaks nothing", () => {
    const before = tf.memory().numTensors;
    const run = trainRepresentations(small());
    expect(tf.memory().numTensors).toBe(before);
    const first = run.history.slice(0, 5);
    const last = run.history.slice(-5);
    expect(mean(last, "loss")).toBeLessThan(mean(first, "loss") - 0.3);
    expect(mean(last, "reconstruction")).toBeGreaterThan(mean(first, "reconstruction"));
    for (const t of run.history) expect(t.klZ + t.klC).toBeGreaterThanOrEqual(-1e-5);
    expect(run.values.length).toBe(1024 * 4);
    expect(run.values.every(Number.isFinite)).toBe(true);
    expect(run.meta).toMatchObject({
      model: "hvae",
      size: 4,
      numActions: 1024,
      trainedOn: ["train"],
      trainedActions: 512,
    });

    // A KL term entering with the wrong sign is ascended: the KLs grow far past the correct run's.
    const flipped = trainRepresentations(small({ flipKl: true }));
    const kl = (r: typeof run) => mean(r.history.slice(-5), "klZ") + mean(r.history.slice(-5), "klC");
    expect(kl(flipped)).toBeGreaterThan(3 * kl(run) + 1);
  });

  it("trains the flat VAE baseline the same way (no c term)", () => {
    const before = tf.memory().numTensors;
    const run = trainRepresentations(small({ model: "flat-vae", epochs: 25 }));
    expect(tf.memory().numTensors).toBe(before);
    expect(run.history.every((t) => t.klC === 0)).toBe(true);
    expect(mean(run.history.slice(-5), "loss")).toBeLessThan(mean(run.history.slice(0, 5), "loss"));
    expect(run.meta.model).toBe("flat-vae");
    expect(run.values.length).toBe(1024 * 4);
  });

  it("refuses bad input with named errors before collecting data or building weights", () => {
    // Paper-sized defaults (10,000 epochs × 1,024 observations): only an early refusal returns at once.
    const t0 = performance.now();
    expect(() =>
      trainRepresentations({ env: "SkillGridWorld-v0", splitRatio: [10_000, 1, 1], trainOn: ["validation"] }),
    ).toThrow(EmptySplitError);
    expect(() => trainRepresentations({ env: "DigLava-v0" })).toThrow(UnsupportedRepresentationEnvError);
    expect(() => trainRepresentations({ env: "SkillGridWorld-v0", batchSize: 0 })).toThrow(/batchSize/);
    expect(() => trainRepresentations({ env: "SkillGridWorld-v0", trainOn: ["holdout" as "test"] })).toThrow(
      /unknown split/,
    );
    expect(() => trainRepresentations(small({ observationsPerAction: 16 }))).toThrow(/observationsPerAction/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe("representation artefacts and the policy stage", () => {
  it("repeats exactly; save/load round-trips bit for bit; SkillGridWorld-v0 and the utility policy read them", () => {
    const reps = trainRepresentations(small({ epochs: 3, splitSeed: 5 }));
    // Same seed, same numbers.
    const again = trainRepresentations(small({ epochs: 3, splitSeed: 5 }));
    expect(again.values).toEqual(reps.values);
    expect(again.history).toEqual(reps.history);
    const dir = mkdtempSync(join(tmpdir(), "qscape-reps-"));
    try {
      const path = join(dir, "reps.bin");
      saveRepresentations(path, reps);
      const loaded = loadRepresentations(path);
      expect(new Uint32Array(loaded.values.buffer)).toEqual(new Uint32Array(reps.values.buffer));
      expect(loaded.meta).toEqual(reps.meta);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const bytes = encodeRepresentations(reps);
    expect(() => decodeRepresentations(bytes.subarray(0, bytes.length - 4))).toThrow(RepresentationArtefactError);
    expect(() => decodeRepresentations(new Uint8Array(16))).toThrow(RepresentationArtefactError);

    // Fed to the env: its action features are these rows, its splits the ones trained with.
    const options = skillGridWorldOptions(reps, { representationSize: 4 });
    expect(options.splitSeed).toBe(5);
    const env = make("SkillGridWorld-v0", options);
    const [obs] = env.reset({ seed: 0 });
    const ids = obs.actionIds as Int32Array;
    const features = obs.actionFeatures as Float32Array;
    expect(Array.from(features.subarray(0, 4))).toEqual(Array.from(reps.values.subarray(ids[0]! * 4, ids[0]! * 4 + 4)));
    const agent = new AgilePPOAgent(env, { variant: "utility-policy", numEnvs: 1, numSteps: 4, hidden: 8 });
    const before = tf.memory().numTensors;
    const action = agent.act(obs, { explore: true }) as number;
    expect(Array.from(ids)).toContain(action);
    expect(tf.memory().numTensors).toBe(before);
    agent.dispose();
    env.close();

    // A table of the wrong size, or narrower than the policy expects: named errors.
    expect(() =>
      skillGridWorldOptions({ meta: { ...reps.meta, numActions: 512 }, values: reps.values.subarray(0, 512 * 4) }),
    ).toThrow(RepresentationSizeError);
    expect(() => skillGridWorldOptions(reps, { representationSize: 16 })).toThrow(RepresentationSizeError);
    const mismatched = make("SkillGridWorld-v0", options);
    expect(() => new AgilePPOAgent(mismatched, { variant: "utility-policy", representationSize: 16 })).toThrow(
      RepresentationSizeError,
    );
  });
});
