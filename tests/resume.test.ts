/**
 * A whole training state survives a checkpoint: N steps straight and N/2 + save + load (into a
 * fresh agent, through the on-disk checkpoint format) + N/2 give identical weights on the same
 * backend — weights, optimizer moments, RNG, replay contents and loop counters all round-trip.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { TD3Agent } from "@qscape/baselines";
import {
  type Agent,
  initBackend,
  loadCheckpoint,
  type Rng,
  readParameters,
  type Snapshot,
  saveCheckpoint,
  TrainingLoop,
} from "@qscape/core";
import { make } from "@qscape/envs";
import { SavoAgent, SavoSacAgent } from "@qscape/savo";
import { beforeAll, describe, expect, it } from "vitest";

beforeAll(async () => {
  await initBackend();
});

const total = 900;
const loopConfig = { totalSteps: total, warmupSteps: 200, evalEvery: 300, evalEpisodes: 1, seed: 4 };
const randomAction = (rng: Rng) => Float32Array.of(rng.uniform(-2, 2));

type Maker = () => Agent<Float32Array, Float32Array>;
type Params = Parameters<typeof readParameters>[0];

/** Actor(s) and critics: TD3-style learners hold `actors`, SAC-style ones one stochastic `actor`; SAVO holds either. */
function weightsOf(agent: Agent<Float32Array, Float32Array>): number[][] {
  type Learner = { actors?: Params[]; actor?: Params; critics: Params };
  const holder = agent as unknown as Learner & { td3?: Learner; sac?: Learner };
  const a = holder.td3 ?? holder.sac ?? holder;
  const actors = a.actors ?? (a.actor ? [a.actor] : []);
  return [...actors.flatMap((m) => readParameters(m)), ...readParameters(a.critics)].map((p) => Array.from(p.data));
}

const makers: Record<string, Maker> = {
  td3: () =>
    new TD3Agent(make("Pendulum-v1"), {
      seed: 1,
      actorHidden: [16],
      criticHidden: [16],
      batchSize: 32,
    }) as never,
  savo: () =>
    new SavoAgent(make("Pendulum-v1"), {
      seed: 1,
      actorHidden: [16],
      criticHidden: [16],
      batchSize: 32,
    }) as never,
  "savo-sac": () =>
    new SavoSacAgent(make("Pendulum-v1"), {
      seed: 1,
      actorHidden: [16],
      criticHidden: [16],
      batchSize: 32,
    }) as never,
};

describe.each(Object.keys(makers))("%s checkpoint/resume", (name) => {
  it("continues exactly as if it had not stopped", () => {
    const mk = makers[name] as Maker;
    const straightAgent = mk();
    const straight = new TrainingLoop(loopConfig, {
      env: make("Pendulum-v1"),
      evalEnv: make("Pendulum-v1"),
      agent: straightAgent,
      randomAction,
    }).run();

    const first = mk();
    const loopA = new TrainingLoop(loopConfig, {
      env: make("Pendulum-v1"),
      evalEnv: make("Pendulum-v1"),
      agent: first,
      randomAction,
    });
    loopA.runUntil(total / 2, { toEpisodeEnd: true });
    const dir = mkdtempSync(path.join(os.tmpdir(), "qscape-resume-"));
    saveCheckpoint(dir, { agent: first.save(), loop: loopA.save() });
    first.dispose();

    const second = mk();
    const restored = loadCheckpoint(dir) as { agent: Snapshot; loop: Snapshot };
    second.load(restored.agent);
    const loopB = new TrainingLoop(loopConfig, {
      env: make("Pendulum-v1"),
      evalEnv: make("Pendulum-v1"),
      agent: second,
      randomAction,
    });
    loopB.load(restored.loop);
    const resumed = loopB.run();

    expect(resumed.updates).toBe(straight.updates);
    expect(resumed.evals.map((e) => e.mean)).toEqual(straight.evals.map((e) => e.mean));
    expect(weightsOf(second)).toEqual(weightsOf(straightAgent));
  });
});
