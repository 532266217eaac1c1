import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AlgorithmContext,
  initBackend,
  loadCheckpoint,
  QscapeError,
  Rng,
  readParameters,
  type Snapshot,
  saveCheckpoint,
  tf,
} from "@qscape/core";
import { type ActionSetObservation, type Env, handEngineeredSkillCodes, make } from "@qscape/envs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { agileAlgorithms } from "../bench.js";
import { RepresentationSizeError } from "../errors.js";
import { NewActionsAgent, type NewActionsPolicy, representationDigest } from "./agent.js";
import { RepresentationConfig } from "./config.js";
import type { ContinuousOutputHead } from "./continuous-output.js";
import { trainRepresentations, UnsupportedRepresentationEnvError } from "./hvae.js";
import type { NearestNeighborHead } from "./nearest-neighbor.js";

// Any representation training fails loudly: the hand-engineered choice must never reach it.
vi.mock("./hvae.js", async (importOriginal) => ({
  ...(await importOriginal<typeof import("./hvae.js")>()),
  trainRepresentations: vi.fn(() => {
    throw new Error("trainRepresentations was called");
  }),
}));

beforeAll(async () => {
  await initBackend();
});

const hand = { model: "hand-engineered" } as const;
const tiny = { hidden: 8, numEnvs: 1, numSteps: 6, seed: 7 } as const;
const CODES = handEngineeredSkillCodes();
const D = 5;
const POLICIES: [string, NewActionsPolicy][] = [
  ["new-actions-hvae", "utility-policy"],
  ["new-actions-nn", "nearest-neighbor"],
  ["new-actions-continuous", "continuous-output"],
];
const ctx = (seed: number, config: Record<string, unknown> = {}): AlgorithmContext => ({
  seed,
  hidden: [8],
  warmupSteps: 0,
  config: { numEnvs: 1, numSteps: 6, representation: hand, ...config },
});
const entryOf = (id: string) => {
  const entry = agileAlgorithms.find((e) => e.id === id);
  if (!entry) throw new Error(`${id} is not registered`);
  return entry;
};
/** SkillGridWorld-v0 as made for the bench (wrapped), with its observation type. */
const skillGridWorld = (options: Record<string, unknown> = {}) =>
  make("SkillGridWorld-v0", options) as unknown as Env<ActionSetObservation, number>;
const listed = (obs: ActionSetObservation) => Array.from(obs.actionIds).filter((id) => id >= 0);
const code = (id: number) => Array.from(CODES.subarray(id * D, id * D + D));
const distance = (a: number[], b: number[]) => a.reduce((s, v, j) => s + (v - (b[j] as number)) ** 2, 0);

/** Sets a Linear layer to output `bias` whatever its input. */
function constantOutput(layer: { weight: tf.Variable; bias: tf.Variable }, bias: ArrayLike<number>): void {
  layer.weight.assign(tf.zerosLike(layer.weight));
  tf.tidy(() => layer.bias.assign(tf.tensor1d(Array.from(bias))));
}

/** `steps` explored env steps from a reset with `seed`; the actions taken. */
function run(agent: NewActionsAgent, env: Env<ActionSetObservation, number>, steps: number, seed: number): number[] {
  let [obs] = env.reset({ seed });
  const actions: number[] = [];
  for (let t = 0; t < steps; t++) {
    const action = agent.act(obs, { explore: true });
    actions.push(action);
    const [next, reward, terminated, truncated] = env.step(action);
    agent.observe({ obs, action, reward, nextObs: next, terminated, truncated });
    obs = terminated || truncated ? env.reset({ seed: seed + t + 1 })[0] : next;
  }
  return actions;
}

describe('representation { model: "hand-engineered" } (Ch. 2 analysis: the env\'s own 5-d skill codes)', () => {
  it("resolves to the model alone; learned settings, bad models and other widths are refused by name", () => {
    const env = skillGridWorld();
    for (const [id, policy] of POLICIES) {
      const entry = entryOf(id);
      const resolved = entry.resolveConfig(ctx(7)) as { policy: string; representation: unknown };
      expect(resolved.policy).toBe(policy);
      expect(resolved.representation).toEqual(hand);
      // The default is still the learned HVAE with every paper setting.
      const learned = entry.resolveConfig({ ...ctx(7), config: {} }) as { representation: unknown };
      expect(learned.representation).toEqual(
        JSON.parse(JSON.stringify(RepresentationConfig.omit({ seed: true, flipKl: true }).parse({}))),
      );
      expect(() => entry.checkConfig({ representation: { ...hand, epochs: 5, hidden: 4 } })).toThrow(
        /representation: representation\.epochs, representation\.hidden: not a setting of model "hand-engineered"/,
      );
    }
    const before = tf.memory().numTensors;
    const refused = (config: Record<string, unknown>) => () => new NewActionsAgent(env, { ...tiny, ...config });
    expect(refused({ representation: { ...hand, representationSize: 5 } })).toThrow(QscapeError);
    expect(refused({ representation: { ...hand, representationSize: 5 } })).toThrow(
      /new-actions config: representation: representation\.representationSize: not a setting/,
    );
    expect(refused({ representation: { model: "hand" } })).toThrow(/representation\.model/);
    // The policy's width is the codes' (5), not a learned size.
    expect(refused({ representation: hand, representationSize: 16 })).toThrow(RepresentationSizeError);
    expect(refused({ representation: hand, representationSize: 16 })).toThrow(/own action features are 5 wide/);
    // An env built with another table does not carry the hand-engineered codes.
    const other = skillGridWorld({ representations: new Float32Array(1024 * D) });
    expect(() => new NewActionsAgent(other, { ...tiny, representation: hand })).toThrow(
      /not its 5-d hand-engineered codes/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it("the policy sees exactly the env's features: the translation is the identity on every split", () => {
    const agent = new NewActionsAgent(skillGridWorld(), { ...tiny, representation: hand });
    expect(agent.policy.shape.featureDim).toBe(D);
    expect(Array.from(agent.features())).toEqual(Array.from(CODES));
    expect(() => agent.representations()).toThrow(/learns none/);
    for (const split of ["train", "validation", "test"]) {
      const [obs] = skillGridWorld({ split }).reset({ seed: 3 });
      const translated = agent.translate(obs);
      expect(translated).toBe(obs);
      const features = translated.actionFeatures as Float32Array;
      (obs.actionIds as Int32Array).forEach((id, k) => {
        const row = Array.from(features.subarray(k * D, k * D + D));
        expect(row).toEqual(id >= 0 ? code(id) : [0, 0, 0, 0, 0]);
      });
    }
    agent.dispose();
  });

  it("the baselines pick unseen test actions by distances between the env's codes (hand-checked)", () => {
    const [testObs] = skillGridWorld({ split: "test" }).reset({ seed: 5 });
    const ids = listed(testObs);
    // Nearest-Neighbor: its chosen training action's code picks the nearest listed test action.
    const nn = new NewActionsAgent(skillGridWorld(), { ...tiny, representation: hand, policy: "nearest-neighbor" });
    const nnHead = nn.policy.actor as NearestNeighborHead;
    for (const j of [0, 100, 511]) {
      const logits = new Float32Array(nnHead.size);
      logits[j] = 20;
      constantOutput(nnHead.head, logits);
      const target = code(nnHead.trainIds[j] as number);
      const nearest = ids.reduce((a, b) => (distance(code(b), target) < distance(code(a), target) ? b : a));
      expect(nn.act(testObs, { explore: false })).toBe(nearest);
    }
    nn.dispose();
    // Continuous-output: μ at a listed action's code executes that action.
    const cont = new NewActionsAgent(skillGridWorld(), { ...tiny, representation: hand, policy: "continuous-output" });
    const contHead = cont.policy.actor as ContinuousOutputHead;
    for (const id of [ids[0], ids[ids.length - 1]] as number[]) {
      constantOutput(contHead.output.linear, code(id));
      expect(cont.act(testObs, { explore: false })).toBe(id);
    }
    cont.dispose();
  });

  it("trains nothing: each policy acts at once, updates, and reports the hand-engineered codes", () => {
    const train = vi.mocked(trainRepresentations);
    train.mockClear();
    const env = skillGridWorld();
    const [obs] = env.reset({ seed: 0 });
    // Control: a learned agent reaches the (mocked) training at its first act.
    const learned = new NewActionsAgent(env, tiny);
    expect(() => learned.act(obs, { explore: false })).toThrow(/trainRepresentations was called/);
    learned.dispose();
    train.mockClear();
    for (const [, policy] of POLICIES) {
      const agent = new NewActionsAgent(env, { ...tiny, representation: hand, policy });
      const before = tf.memory().numTensors;
      run(agent, env, 6, 0);
      const metrics = agent.update();
      expect(Number.isFinite(metrics.loss)).toBe(true);
      expect(metrics.representationHandEngineered).toBe(1);
      expect(metrics.representationSize).toBe(D);
      expect(metrics.representationDigest).toBe(representationDigest(CODES));
      expect(metrics).not.toHaveProperty("representationHierarchical");
      expect(metrics).not.toHaveProperty("representationFinalLoss");
      expect(tf.memory().numTensors).toBe(before);
      agent.dispose();
    }
    expect(train).not.toHaveBeenCalled();
    env.close();
  });

  it.each(POLICIES)(
    "%s: a sampled evaluation (ActOptions.rng) draws from the given generator; training afterwards is a fresh agent's",
    (id) => {
      const entry = entryOf(id);
      expect(entry.sampledEvaluation).toBe(true);
      const env = skillGridWorld();
      const evaluated = entry.create(env, ctx(3)).agent as NewActionsAgent;
      const untouched = entry.create(env, ctx(3)).agent as NewActionsAgent;
      expect(evaluated.samplesWithGivenRng).toBe(true);
      const [obs] = env.reset({ seed: 5 });
      const draws = Array.from({ length: 12 }, (_, k) => evaluated.act(obs, { explore: true, rng: new Rng(k) }));
      expect(new Set(draws).size).toBeGreaterThan(1);
      expect(evaluated.act(obs, { explore: true, rng: new Rng(4) })).toBe(draws[4]);
      // Nothing kept for learning, and the agent's own draws are where they were.
      expect(() =>
        evaluated.observe({
          obs,
          action: draws[0] as number,
          reward: 0,
          nextObs: obs,
          terminated: false,
          truncated: false,
        }),
      ).toThrow(/must follow an act/);
      expect(run(evaluated, env, 6, 0)).toEqual(run(untouched, env, 6, 0));
      evaluated.dispose();
      untouched.dispose();
      env.close();
    },
  );

  it.each(POLICIES)("%s: a checkpoint without a table resumes bit-identically", (id) => {
    const entry = entryOf(id);
    const env = skillGridWorld();
    const weights = (agent: NewActionsAgent) =>
      [...readParameters(agent.policy.actor), ...readParameters(agent.policy.critic)].map((t) => Array.from(t.data));
    const a = entry.create(env, ctx(7)).agent as NewActionsAgent;
    run(a, env, 6, 0);
    a.update();
    run(a, env, 3, 10); // the checkpoint falls inside a rollout
    const snapshot = a.save() as { representations: unknown };
    // No table: what identifies the codes is enough (they are the env's, a function of nothing).
    expect(snapshot.representations).toEqual({
      model: "hand-engineered",
      numActions: 1024,
      size: D,
      digest: representationDigest(CODES),
    });
    const dir = mkdtempSync(join(tmpdir(), "qscape-new-actions-hand-"));
    try {
      saveCheckpoint(dir, { agent: a.save() });
      const b = entry.create(env, ctx(8)).agent as NewActionsAgent;
      b.load((loadCheckpoint(dir) as { agent: never }).agent);
      expect(run(b, env, 3, 20)).toEqual(run(a, env, 3, 20));
      const ppo = (m: Record<string, number>) => [m.policyLoss, m.valueLoss, m.entropy, m.loss];
      expect(ppo(b.update())).toEqual(ppo(a.update()));
      expect(weights(b)).toEqual(weights(a));
      const [testObs] = skillGridWorld({ split: "test" }).reset({ seed: 3 });
      expect(b.act(testObs, { explore: false })).toBe(a.act(testObs, { explore: false }));
      expect(b.counters()).toEqual(a.counters());
      b.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // A hand-engineered snapshot does not load into a learned agent, nor a learned one (or other codes) into it.
    const learned = entry.create(env, { ...ctx(8), config: { numEnvs: 1, numSteps: 6 } }).agent as NewActionsAgent;
    expect(() => learned.load(a.save())).toThrow(
      /the snapshot's representations are hand-engineered, this agent's hvae/,
    );
    learned.dispose();
    const c = entry.create(env, ctx(8)).agent as NewActionsAgent;
    const saved = a.save() as { name: string; policy: Snapshot };
    const fake = { meta: { model: "hvae", numActions: 1024, size: D }, values: new Float32Array(1024 * D) };
    expect(() => c.load({ ...saved, representations: fake } as unknown as Snapshot)).toThrow(
      /the snapshot's representations are hvae, this agent's hand-engineered/,
    );
    const tampered = { model: "hand-engineered", numActions: 1024, size: D, digest: 1 };
    expect(() => c.load({ ...saved, representations: tampered } as unknown as Snapshot)).toThrow(/are not this env's/);
    c.dispose();
    a.dispose();
    env.close();
  });
});

describe("the env's own features elsewhere: the recommender's given product vectors (RecoGym-v0, App. A.2)", () => {
  const P = 16;
  /** A small catalogue: 200 products split 2 : 1 : 1, 20 offered per episode. */
  const reco = (options: Record<string, unknown> = {}) =>
    make("RecoGym-v0", { numProducts: 200, actionsPerEpisode: 20, ...options }) as unknown as Env<
      ActionSetObservation,
      number
    >;
  const products = (env: Env<ActionSetObservation, number>) =>
    (env.unwrapped as unknown as { inventory: { representations: Float32Array } }).inventory.representations;
  const row = (table: Float32Array, id: number) => Array.from(table.subarray(id * P, id * P + P));

  it("supports follow the representation: the env's features on any action-set env, learned models on SkillGridWorld only", () => {
    for (const [id] of POLICIES) {
      const entry = entryOf(id);
      expect(entry.supports(reco(), { representation: hand })).toBeNull();
      expect(entry.supports(reco())).toMatch(
        /representation\.model "hvae" needs play data: SkillGridWorld-v0 or a CREATE level/,
      );
      expect(entry.supports(reco(), { representation: { model: "flat-vae" } })).toMatch(/"flat-vae" needs play data/);
      expect(entry.supports(skillGridWorld())).toBeNull();
      expect(entry.supports(make("CreatePush-v0"), { representation: hand })).toMatch(/\(tool, position\) action/);
      expect(entry.supports(make("CartPole-v1"), { representation: hand })).toMatch(/not an action-set env/);
    }
    expect(() => new NewActionsAgent(reco(), tiny)).toThrow(UnsupportedRepresentationEnvError);
    expect(() => new NewActionsAgent(reco(), tiny)).toThrow(/"hvae" needs play data/);
    expect(() => new NewActionsAgent(reco(), { ...tiny, representation: hand, representationSize: 5 })).toThrow(
      /own action features are 16 wide/,
    );
  });

  it("each policy reads the product vectors as they are, acts on unseen test products, updates and resumes bit-identically", () => {
    const train = vi.mocked(trainRepresentations);
    train.mockClear();
    const env = reco();
    const table = products(env);
    const [testObs] = reco({ split: "test" }).reset({ seed: 4 });
    const ids = listed(testObs);
    for (const [id, policy] of POLICIES) {
      const entry = entryOf(id);
      const a = entry.create(env, ctx(3)).agent as NewActionsAgent;
      expect(a.policy.shape.featureDim).toBe(P);
      expect(a.features()).toBe(table);
      run(a, env, 6, 0);
      const metrics = a.update();
      expect(Number.isFinite(metrics.loss)).toBe(true);
      expect(metrics.representationSize).toBe(P);
      expect(metrics.representationDigest).toBe(representationDigest(table));
      run(a, env, 3, 10);
      const b = entry.create(env, ctx(4)).agent as NewActionsAgent;
      b.load(a.save());
      expect(run(b, env, 3, 20)).toEqual(run(a, env, 3, 20));
      expect(b.update().loss).toBe(a.update().loss);
      const chosen = a.act(testObs, { explore: false });
      expect(ids).toContain(chosen);
      expect(b.act(testObs, { explore: false })).toBe(chosen);
      if (policy === "nearest-neighbor") {
        // Its chosen training product's vector picks the nearest offered test product.
        const head = a.policy.actor as NearestNeighborHead;
        expect(head.size).toBe(100);
        const logits = new Float32Array(head.size);
        logits[42] = 20;
        constantOutput(head.head, logits);
        const target = row(table, head.trainIds[42] as number);
        const nearest = ids.reduce((x, y) =>
          distance(row(table, y), target) < distance(row(table, x), target) ? y : x,
        );
        expect(a.act(testObs, { explore: false })).toBe(nearest);
      }
      a.dispose();
      b.dispose();
    }
    expect(train).not.toHaveBeenCalled();
    env.close();
  });
});
