import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AlgorithmContext,
  type EnvSpaces,
  initBackend,
  loadCheckpoint,
  readParameters,
  saveCheckpoint,
  tf,
} from "@qscape/core";
import {
  type ActionSetObservation,
  type Env,
  make,
  type SkillGridWorldEnv,
  stackActionSetObservations,
} from "@qscape/envs";
import { beforeAll, describe, expect, it } from "vitest";
import { TINY_REPRESENTATION } from "../../test/tiny-representation.js";
import { AgilePPOAgent } from "../agent.js";
import { agileAlgorithms } from "../bench.js";
import { TrainingSplitUnknownError } from "../errors.js";
import type { NewActionsAgent } from "./agent.js";
import { type ContinuousOutputHead, continuousOutputHead } from "./continuous-output.js";
import { envNearestNeighborHead, type NearestNeighborHead, nearestNeighborHead } from "./nearest-neighbor.js";

beforeAll(async () => {
  await initBackend();
});

// A hand-checkable inventory: 6 actions with 2-d representations, training split {0, 1, 2}.
const TABLE = Float32Array.from([0, 0, 1, 0, 0, 1, 0.9, 0.2, 0.1, 0.8, -1, -1]);
const TRAIN = [0, 1, 2];
const SLOTS = 3;
const tinySpaces = {
  observationSpace: { spaces: { state: { shape: [2] }, actionFeatures: { shape: [SLOTS, 2] } } },
  actionSpace: { n: 6 },
} as unknown as EnvSpaces;
const tiny = { variant: "utility-policy", hidden: 8, numEnvs: 1, numSteps: 4, seed: 1 } as const;

/** SkillGridWorld-v0 as made for the bench (wrapped), with its observation type. */
const skillGridWorld = (options: Record<string, unknown> = {}) =>
  make("SkillGridWorld-v0", options) as unknown as Env<ActionSetObservation, number>;

/** An observation listing `ids` (−1: a padded slot, whose features are 0) with the table's rows. */
function tinyObs(ids: number[]): ActionSetObservation {
  const features = new Float32Array(SLOTS * 2);
  ids.forEach((id, k) => {
    if (id >= 0) features.set(TABLE.subarray(id * 2, id * 2 + 2), k * 2);
  });
  return {
    state: Float32Array.from([0.3, -0.2]),
    actionIds: Int32Array.from(ids),
    actionFeatures: features,
    actionMask: Uint8Array.from(ids, (id) => (id >= 0 ? 1 : 0)),
  };
}

/** Sets a Linear layer to output `bias` whatever its input. */
function constantOutput(layer: { weight: tf.Variable; bias: tf.Variable }, bias: number[]): void {
  layer.weight.assign(tf.zerosLike(layer.weight));
  tf.tidy(() => layer.bias.assign(tf.tensor1d(bias)));
}

/** act + observe on a fixed observation; the tiny envs' "next state" is the same observation. */
function step(agent: AgilePPOAgent, obs: ActionSetObservation, reward: number): number {
  const action = agent.act(obs, { explore: true });
  agent.observe({ obs, action, reward, nextObs: obs, terminated: false, truncated: false });
  return action;
}

describe("Nearest-Neighbor baseline (Ch. 2 §2.5.3)", () => {
  it("has one logit per training action; on training actions it gives no probability to unavailable ones", () => {
    const env = skillGridWorld();
    const agent = new AgilePPOAgent(env, { ...tiny, numSteps: 8 }, { head: envNearestNeighborHead(env) });
    const head = agent.actor as NearestNeighborHead;
    expect(agent.name).toBe("nearest-neighbor");
    expect(head.size).toBe((env.unwrapped as unknown as SkillGridWorldEnv).inventory.ids("train").length);
    expect(head.head.bias.shape).toEqual([512]);
    let [obs] = env.reset({ seed: 0 });
    const listed = Array.from(obs.actionIds).filter((id) => id >= 0);
    const probs = tf.tidy(
      () =>
        tf
          .softmax(head.distribution(agent.tensors(stackActionSetObservations([obs]), 1)).logits)
          .dataSync() as Float32Array,
    );
    const available = new Set(listed.map((id) => head.trainIds.indexOf(id)));
    expect(available.has(-1)).toBe(false); // every listed action is a training action
    probs.forEach((p, j) => {
      if (!available.has(j)) expect(p).toBe(0);
    });
    expect(probs.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 5);
    // Acting (sampled or greedy) executes listed actions only; act and update leave no tensors.
    const before = tf.memory().numTensors;
    for (let t = 0; t < 8; t++) {
      const allowed = new Set(Array.from(obs.actionIds).filter((id) => id >= 0));
      expect(allowed.has(agent.act(obs, { explore: false }))).toBe(true);
      const action = agent.act(obs, { explore: true });
      expect(allowed.has(action)).toBe(true);
      const [next, reward, terminated, truncated] = env.step(action);
      agent.observe({ obs, action, reward, nextObs: next, terminated, truncated });
      obs = terminated || truncated ? env.reset({ seed: t + 1 })[0] : next;
    }
    expect(Number.isFinite(agent.update().loss)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    agent.dispose();
  });

  it("on new actions executes the available action nearest to its chosen training action (hand-checked)", () => {
    const agent = new AgilePPOAgent(tinySpaces, tiny, {
      head: nearestNeighborHead({ trainIds: TRAIN, representations: () => TABLE }),
    });
    const head = agent.actor as NearestNeighborHead;
    expect(head.size).toBe(3);
    const newSet = tinyObs([3, 4, 5]);
    // Training action 1 = (1, 0): 3 at (0.9, 0.2) is 0.05 away (squared), 4 1.45, 5 5.
    constantOutput(head.head, [0, 5, 0]);
    expect(agent.act(newSet, { explore: false })).toBe(3);
    // Its log-prob is over the whole head (no training action is available): log e⁵/(e⁵ + 2).
    const greedy = agent.actBatch(stackActionSetObservations([newSet]), 1, false);
    expect(greedy.choices?.[0]).toBe(1);
    expect(greedy.logProbs[0]).toBeCloseTo(Math.log(Math.exp(5) / (Math.exp(5) + 2)), 5);
    // Training action 2 = (0, 1): 4 at (0.1, 0.8) is 0.05 away.
    constantOutput(head.head, [0, 0, 5]);
    expect(agent.act(newSet, { explore: false })).toBe(4);
    // Training action 0 = (0, 0): 4 (0.65) beats 3 (0.85); the padded slot (features 0) is never taken.
    constantOutput(head.head, [5, 0, 0]);
    expect(agent.act(tinyObs([3, 4, -1]), { explore: false })).toBe(4);
    // Sampled: whichever training action is drawn, the executed action is its nearest one.
    constantOutput(head.head, [0, 0, 0]);
    const nearest = [4, 3, 4];
    const drawn = new Set<number>();
    for (let i = 0; i < 30; i++) {
      const act = agent.actBatch(stackActionSetObservations([newSet]), 1, true);
      const choice = act.choices?.[0] as number;
      drawn.add(choice);
      expect(act.actions[0]).toBe(nearest[choice]);
    }
    expect(drawn.size).toBe(3);
    // With training actions listed, it is a masked softmax over them: 1 is not listed.
    constantOutput(head.head, [0, 5, 0]);
    expect(agent.act(tinyObs([0, 2, -1]), { explore: false })).toBe(0);
    agent.dispose();
  });

  it("an env whose training split cannot be read is refused by name, before any weight is drawn", () => {
    const before = tf.memory().numTensors;
    expect(() => envNearestNeighborHead(make("DigLava-v0"))).toThrow(TrainingSplitUnknownError);
    expect(() => envNearestNeighborHead(make("DigLava-v0"))).toThrow(/DigLava-v0 has no action inventory/);
    expect(
      () =>
        new AgilePPOAgent(tinySpaces, tiny, {
          head: nearestNeighborHead({ trainIds: [0, 9], representations: () => TABLE }),
        }),
    ).toThrow(TrainingSplitUnknownError);
    expect(tf.memory().numTensors).toBe(before);
    const entry = agileAlgorithms.find((e) => e.id === "new-actions-nn");
    expect(entry?.supports(make("DigLava-v0"))).toMatch(/SkillGridWorld/);
    expect(entry?.supports(make("SkillGridWorld-v0"))).toBeNull();
  });
});

describe("Continuous-output baseline (Ch. 2 §2.5.3, Dulac-Arnold et al. 2015)", () => {
  it("executes the available action nearest to its output vector (hand-checked)", () => {
    const agent = new AgilePPOAgent(tinySpaces, tiny, { head: continuousOutputHead() });
    const head = agent.actor as ContinuousOutputHead;
    expect(agent.name).toBe("continuous-output");
    expect(head.choiceWidth).toBe(2);
    const newSet = tinyObs([3, 4, 5]);
    // μ = (0.8, 0.1): 3 at (0.9, 0.2) is 0.02 away (squared), 4 0.98.
    constantOutput(head.output.linear, [0.8, 0.1]);
    expect(agent.act(newSet, { explore: false })).toBe(3);
    // μ = (0.2, 0.9): 4 at (0.1, 0.8) is 0.02 away.
    constantOutput(head.output.linear, [0.2, 0.9]);
    expect(agent.act(newSet, { explore: false })).toBe(4);
    // μ = (0, 0): the padded slot's zero features are not an action; 4 (0.65) beats 3 (0.85).
    constantOutput(head.output.linear, [0, 0]);
    expect(agent.act(tinyObs([3, 4, -1]), { explore: false })).toBe(4);
    // Sampled: the executed action is the nearest to the sampled vector.
    for (let i = 0; i < 20; i++) {
      const act = agent.actBatch(stackActionSetObservations([newSet]), 1, true);
      const v = Array.from(act.choices as Float32Array);
      const distance = (id: number) => (TABLE[2 * id]! - v[0]!) ** 2 + (TABLE[2 * id + 1]! - v[1]!) ** 2;
      expect(act.actions[0]).toBe([3, 4, 5].reduce((a, b) => (distance(b) < distance(a) ? b : a)));
    }
    agent.dispose();
  });

  it("PPO's log-prob is the Gaussian's of the continuous sample, which the rollout keeps", () => {
    const agent = new AgilePPOAgent(tinySpaces, tiny, { head: continuousOutputHead() });
    const head = agent.actor as ContinuousOutputHead;
    constantOutput(head.output.linear, [0.8, 0.1]);
    const obs = tinyObs([3, 4, 5]);
    const act = agent.actBatch(stackActionSetObservations([obs]), 1, true);
    const v = Array.from(act.choices as Float32Array);
    // σ = 1 at the start (log σ² = 0): log N(v | μ, I) = −½ Σ ((v − μ)² + log 2π).
    const mu = [0.8, 0.1];
    const logN = (x: number[]) => -0.5 * x.reduce((s, xi, i) => s + (xi - mu[i]!) ** 2 + Math.log(2 * Math.PI), 0);
    expect(act.logProbs[0]).toBeCloseTo(logN(v), 5);
    // Not the density at the executed action's representation.
    const id = act.actions[0] as number;
    expect(Math.abs((act.logProbs[0] as number) - logN([TABLE[2 * id]!, TABLE[2 * id + 1]!]))).toBeGreaterThan(1e-3);
    // The update's log-prob of what the rollout keeps is the acting one (the PPO ratio starts at 1).
    const action = agent.act(obs, { explore: true });
    agent.observe({ obs, action, reward: 1, nextObs: obs, terminated: false, truncated: false });
    const rollout = agent.stateParts().stateful?.rollout;
    if (!rollout) throw new Error("the agent keeps no rollout state");
    const [kept] = rollout.getState() as { choices: Float32Array; logProbs: Float32Array }[];
    if (!kept) throw new Error("the rollout is empty");
    // The continuous sample, not the executed action's representation.
    expect(kept.choices.length).toBe(2);
    expect(Array.from(kept.choices)).not.toEqual(Array.from(TABLE.subarray(2 * action, 2 * action + 2)));
    const again = tf.tidy(
      () =>
        head
          .logProbEntropy(agent.tensors(stackActionSetObservations([obs]), 1), tf.tensor2d(kept.choices, [1, 2]))
          .logProb.dataSync()[0] as number,
    );
    expect(again).toBeCloseTo(kept.logProbs[0] as number, 5);
    agent.dispose();
  });

  it("acts and updates on new and training actions without leaving tensors", () => {
    for (const head of [
      continuousOutputHead(),
      nearestNeighborHead({ trainIds: TRAIN, representations: () => TABLE }),
    ]) {
      const agent = new AgilePPOAgent(tinySpaces, { ...tiny, numSteps: 8 }, { head });
      const before = tf.memory().numTensors;
      // A rollout mixing training action sets and new ones (NN: both of its modes in one update).
      for (let t = 0; t < 8; t++) step(agent, tinyObs(t % 2 ? [0, 1, 2] : [3, 4, 5]), t % 3);
      const metrics = agent.update();
      expect(Number.isFinite(metrics.loss)).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
      agent.dispose();
    }
  });
});

describe("bench entries new-actions-nn and new-actions-continuous (the same HVAE representations, another policy)", () => {
  const representation = TINY_REPRESENTATION;
  const ctx = (seed: number): AlgorithmContext => ({
    seed,
    hidden: [8],
    warmupSteps: 0,
    config: { numEnvs: 1, numSteps: 6, representation },
  });
  const weights = (agent: NewActionsAgent) =>
    [...readParameters(agent.policy.actor), ...readParameters(agent.policy.critic)].map((t) => Array.from(t.data));

  it.each([
    ["new-actions-nn", "nearest-neighbor"],
    ["new-actions-continuous", "continuous-output"],
  ])("%s: test-split actions through the learned table, a checkpoint resumes bit-identically", (id, policy) => {
    const entry = agileAlgorithms.find((e) => e.id === id);
    if (!entry) throw new Error(`${id} is not registered`);
    const resolved = entry.resolveConfig(ctx(7)) as { policy: string; representation: { model: string } };
    expect(resolved.policy).toBe(policy);
    expect(resolved.representation.model).toBe("hvae");
    expect(entry.supports(make("DigLava-v0"))).toMatch(/SkillGridWorld/);
    const env = skillGridWorld();
    const test = skillGridWorld({ split: "test" });
    const a = entry.create(env, ctx(7)).agent as NewActionsAgent;
    expect(a.policy.name).toBe(policy);
    let [obs] = env.reset({ seed: 0 });
    const run = (agent: NewActionsAgent, steps: number, seed: number) => {
      [obs] = env.reset({ seed });
      const actions: number[] = [];
      for (let t = 0; t < steps; t++) {
        const action = agent.act(obs, { explore: true }) as number;
        actions.push(action);
        const [next, reward, terminated, truncated] = env.step(action);
        agent.observe({ obs, action, reward, nextObs: next, terminated, truncated });
        obs = terminated || truncated ? env.reset({ seed: seed + t + 1 })[0] : next;
      }
      return actions;
    };
    run(a, 6, 0); // trains the representation table, then a rollout
    const before = tf.memory().numTensors;
    expect(Number.isFinite(a.update().loss)).toBe(true);
    // Unseen test actions: executed from the listed ones, through the learned rows.
    const [testObs] = test.reset({ seed: 3 });
    const listed = new Set(Array.from(testObs.actionIds).filter((i) => i >= 0));
    expect(listed.has(a.act(testObs, { explore: false }))).toBe(true);
    expect(listed.has(a.act(testObs, { explore: true }))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    run(a, 3, 10); // the checkpoint falls inside a rollout

    const dir = mkdtempSync(join(tmpdir(), "qscape-new-actions-baseline-"));
    try {
      saveCheckpoint(dir, { agent: a.save() });
      const b = entry.create(env, ctx(8)).agent as NewActionsAgent;
      b.load((loadCheckpoint(dir) as { agent: never }).agent);
      // Both go on from the checkpoint: the same actions, the same update, the same weights.
      expect(run(b, 3, 20)).toEqual(run(a, 3, 20));
      const ppo = (m: Record<string, number>) => [m.policyLoss, m.valueLoss, m.entropy, m.loss];
      expect(ppo(b.update())).toEqual(ppo(a.update()));
      expect(weights(b)).toEqual(weights(a));
      expect(b.act(testObs, { explore: false })).toBe(a.act(testObs, { explore: false }));
      expect(b.counters()).toEqual(a.counters());
      b.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    a.dispose();
    env.close();
    test.close();
  });
});
