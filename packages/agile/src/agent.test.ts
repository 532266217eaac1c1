import { initBackend, readParameters, type Snapshot, TrainingLoop, tf } from "@qscape/core";
import { make, stackActionSetObservations } from "@qscape/envs";
import { beforeAll, describe, expect, it } from "vitest";
import { AgilePPOAgent } from "./agent.js";
import { agileAlgorithms } from "./bench.js";
import { AGILE_VARIANTS } from "./config.js";
import {
  ActionListTooLongError,
  ActionSetSpaceError,
  RepresentationSizeError,
  VariableActionsUnknownError,
} from "./errors.js";

beforeAll(async () => {
  await initBackend();
});

const small = { hidden: 16, graphHidden: 16, maskHidden: 16, numEnvs: 2, numSteps: 16, seed: 4 };

describe("AgilePPOAgent: bad input is refused with named errors", () => {
  const env = make("DigLava-v0");

  it("a representation size that does not match the env", () => {
    expect(() => new AgilePPOAgent(env, { representationSize: 12 })).toThrow(RepresentationSizeError);
    expect(() => new AgilePPOAgent(env, { representationSize: 12 })).toThrow(/representationSize is 12.*11-d/);
    const agent = new AgilePPOAgent(env, { ...small, representationSize: 11 });
    const [obs] = env.reset({ seed: 0 });
    const wide = stackActionSetObservations([{ ...obs, actionFeatures: new Float32Array(7 * 12) }]);
    expect(() => agent.actBatch(wide, 1, false)).toThrow(RepresentationSizeError);
    agent.dispose();
  });

  it("an action list longer than the configured maximum", () => {
    expect(() => new AgilePPOAgent(env, { maxActions: 5 })).toThrow(ActionListTooLongError);
    expect(() => new AgilePPOAgent(env, { maxActions: 5 })).toThrow(/up to 7 actions.*maxActions = 5/);
    const agent = new AgilePPOAgent(env, small);
    const [obs] = env.reset({ seed: 0 });
    const longer = stackActionSetObservations([
      {
        ...obs,
        actionIds: Int32Array.from([...obs.actionIds, -1]),
        actionFeatures: Float32Array.from([...obs.actionFeatures, ...new Float32Array(11)]),
        actionMask: Uint8Array.from([...obs.actionMask, 0]),
      },
    ]);
    expect(() => agent.actBatch(longer, 1, true)).toThrow(ActionListTooLongError);
    agent.dispose();
  });

  it("an env without an action set", () => {
    expect(() => new AgilePPOAgent(make("CartPole-v1"))).toThrow(ActionSetSpaceError);
    const entry = agileAlgorithms.find((a) => a.id === "agile-ppo");
    expect(entry?.supports(make("CartPole-v1"))).toMatch(/not an action-set env/);
    expect(entry?.supports(env)).toBeNull();
  });
});

describe("AgilePPOAgent: domain-knowledge edges (App. B.1)", () => {
  it("an env that does not say which actions are variable is refused by name, before any weight is drawn", () => {
    const env = make("SkillGridWorld-v0");
    const before = tf.memory().numTensors;
    expect(() => new AgilePPOAgent(env, { ...small, graphEdges: "variable-actions" })).toThrow(
      VariableActionsUnknownError,
    );
    expect(() => new AgilePPOAgent(env, { ...small, graphEdges: "variable-actions" })).toThrow(
      /variable-actions.*SkillGridWorld-v0 does not/,
    );
    expect(tf.memory().numTensors).toBe(before);
    const entry = agileAlgorithms.find((a) => a.id === "agile-domain-edges");
    expect(entry?.supports(env)).toMatch(/variableActions/);
    expect(entry?.supports(make("DigLava-v0"))).toBeNull();
    // A variant without an action graph has no edges to restrict.
    expect(
      () =>
        new AgilePPOAgent(make("DigLava-v0"), { ...small, variant: "utility-policy", graphEdges: "variable-actions" }),
    ).toThrow(/graphEdges "variable-actions" needs an action graph; variant "utility-policy"/);
  });

  it("the agile-domain-edges bench entry acts only with available actions and updates on Dig Lava", () => {
    const env = make("DigLava-v0");
    const entry = agileAlgorithms.find((a) => a.id === "agile-domain-edges");
    const { agent } = entry!.create(env, {
      seed: 4,
      hidden: [16],
      warmupSteps: 0,
      config: { numEnvs: 1, numSteps: 16, epochs: 1 },
    });
    if (!(agent instanceof AgilePPOAgent)) throw new Error("agile-domain-edges should build an AgilePPOAgent");
    expect(agent.config.graphEdges).toBe("variable-actions");
    expect(agent.config.variant).toBe("agile");
    let [obs] = env.reset({ seed: 0 });
    for (let step = 0; step < 16; step++) {
      const allowed = new Set(Array.from(obs.actionIds as Int32Array).filter((id) => id >= 0));
      const action = agent.act(obs, { explore: true });
      expect(allowed.has(action)).toBe(true);
      const [next, reward, terminated, truncated] = env.step(action);
      agent.observe({ obs, action, reward, nextObs: next, terminated, truncated });
      obs = terminated || truncated ? env.reset({ seed: step + 1 })[0] : next;
    }
    const before = tf.memory().numTensors;
    expect(Number.isFinite(agent.update().loss)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    agent.dispose();
  });
});

describe("AgilePPOAgent", () => {
  it.each([...AGILE_VARIANTS])(
    "%s acts only with available actions (greedy and sampled) and updates without leaking tensors",
    (variant) => {
      const env = make("DigLava-v0");
      const agent = new AgilePPOAgent(env, { ...small, variant, numEnvs: 1, numSteps: 24 });
      let [obs] = env.reset({ seed: 0 });
      for (let step = 0; step < 24; step++) {
        const allowed = new Set(Array.from(obs.actionIds as Int32Array).filter((id) => id >= 0));
        expect(allowed.has(agent.act(obs, { explore: false }))).toBe(true);
        const action = agent.act(obs, { explore: true });
        expect(allowed.has(action)).toBe(true);
        const [next, reward, terminated, truncated] = env.step(action);
        agent.observe({ obs, action, reward, nextObs: next, terminated, truncated });
        obs = terminated || truncated ? env.reset({ seed: step + 1 })[0] : next;
      }
      const before = tf.memory().numTensors;
      const metrics = agent.update();
      expect(tf.memory().numTensors).toBe(before);
      expect(Number.isFinite(metrics.loss)).toBe(true);
      expect(metrics.entropy).toBeLessThanOrEqual(Math.log(7) + 1e-4);
      expect(agent.counters().gradientUpdates).toBe(4 * 4);
      agent.dispose();
    },
  );

  it("save/load resumes a run exactly (mid-rollout, through core's TrainingLoop)", () => {
    const loopConfig = { totalSteps: 112, evalEvery: 0, evalEpisodes: 2, seed: 9, updateEvery: 32 };
    const build = () => {
      const agent = new AgilePPOAgent(make("DigLava-v0"), small);
      const loop = new TrainingLoop(loopConfig, { env: make("DigLava-v0"), agent });
      return { agent, loop };
    };
    const a = build();
    a.loop.runUntil(40, { toEpisodeEnd: true });
    expect(a.agent.rolloutLength).toBeGreaterThan(0); // the checkpoint falls inside a rollout
    const snapshot = structuredClone({ agent: a.agent.save(), loop: a.loop.save() }) as {
      agent: Snapshot;
      loop: Snapshot;
    };
    const first = a.loop.run();

    const b = build();
    b.agent.load(snapshot.agent);
    b.loop.load(snapshot.loop);
    const second = b.loop.run();
    expect(second.evals.at(-1)?.returns).toEqual(first.evals.at(-1)?.returns);
    expect(second.episodes).toEqual(first.episodes);
    const weights = (agent: AgilePPOAgent) =>
      [...readParameters(agent.actor), ...readParameters(agent.critic)].map((t) => Array.from(t.data));
    expect(weights(b.agent)).toEqual(weights(a.agent));
    expect(b.agent.counters()).toEqual(a.agent.counters());
    a.agent.dispose();
    b.agent.dispose();
  });
});
