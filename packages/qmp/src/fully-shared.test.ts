import { SACAgent } from "@qscape/baselines";
import { initBackend, QscapeError, Rng, tf } from "@qscape/core";
import { makeTaskSet } from "@qscape/envs";
import { beforeAll, describe, expect, it } from "vitest";
import { QMP_SAC_DEFAULTS, resolveFullySharedConfig } from "./config.js";
import { FullySharedAgent } from "./fully-shared.js";
import { MultiTaskTrainer } from "./train.js";

beforeAll(async () => {
  await initBackend();
});

const sac = { actorHidden: [16, 16], criticHidden: [16, 16], batchSize: 8, bufferSize: 100 };

function transitions(n: number, seed: number) {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, k) => ({
    task: k % 3,
    t: {
      obs: rng.fillUniform(new Float32Array(4), 0, 1) as Float32Array,
      action: rng.fillUniform(new Float32Array(2), -1, 1) as Float32Array,
      reward: rng.random(),
      nextObs: rng.fillUniform(new Float32Array(4), 0, 1) as Float32Array,
      terminated: false,
      truncated: false,
    },
  }));
}

describe("Fully-Shared-Behaviors", () => {
  it("config: QMP's SAC defaults; errors name the field; fixed-policy tasks are refused", () => {
    expect(resolveFullySharedConfig().sac).toMatchObject(QMP_SAC_DEFAULTS);
    expect(() => resolveFullySharedConfig({ sharing: "none" } as never)).toThrow(QscapeError);
    expect(() => resolveFullySharedConfig({ sharing: "none" } as never)).toThrow(/sharing/);
    expect(() => resolveFullySharedConfig({ sac: { gamma: 2 } })).toThrow(/fully-shared sac config: gamma/);
    expect(() => resolveFullySharedConfig({ sac: { seed: 1 } as never })).toThrow(/sac.seed/);
    expect(() => new FullySharedAgent(makeTaskSet("PointReachMT-v0"), { sac })).toThrow(
      /task 1 \(up\) has a fixed policy/,
    );
  });

  it("one policy, one buffer: the same action for a state whatever the task, every task's data in one buffer of N × capacity", () => {
    const agent = new FullySharedAgent(makeTaskSet("MazeLargeMT3-v0"), { seed: 1, sac });
    expect(agent.learner.replay.capacity).toBe(300);
    const obs = new Float32Array([2, 3, 0.1, 0.2]);
    expect(Array.from(agent.evalAction(0, obs))).toEqual(Array.from(agent.evalAction(2, obs)));
    for (const { task, t } of transitions(7, 2)) agent.observe(task, t);
    expect(agent.learner.replay.size).toBe(7);
    expect([0, 1, 2].map((i) => agent.replaySize(i))).toEqual([2, 2, 2]);
    agent.dispose();
  });

  it("its updates are a standalone SAC's on the same data (the task only picks whose turn it is)", () => {
    const agent = new FullySharedAgent(makeTaskSet("MazeLargeMT3-v0"), { seed: 5, sac });
    const alone = new SACAgent(
      makeTaskSet("MazeLargeMT3-v0"),
      {
        ...QMP_SAC_DEFAULTS,
        ...sac,
        bufferSize: 300,
        seed: 5,
      },
      { name: "fully-shared" },
    );
    for (const { task, t } of transitions(30, 3)) {
      agent.observe(task, t);
      alone.observe(t);
    }
    const ours = [0, 1, 2, 0, 1, 2].map((i) => agent.update(i).criticLoss);
    const theirs = Array.from({ length: 6 }, () => alone.update().criticLoss);
    expect(ours).toEqual(theirs);
    expect((agent.save() as { learner: unknown }).learner).toEqual(alone.save());
    agent.dispose();
    alone.dispose();
  });

  it("in the loop: N× env and gradient steps per epoch into one learner, the minimum buffer is N× per task; no leaks", () => {
    const taskSet = makeTaskSet("MazeLargeMT3-v0");
    const evalSet = makeTaskSet("MazeLargeMT3-v0");
    const agent = new FullySharedAgent(taskSet, { seed: 2, sac });
    const trainer = new MultiTaskTrainer(
      agent,
      taskSet,
      evalSet,
      { seed: 2, totalEnvSteps: 90, envStepsPerUpdate: 10, gradStepsPerUpdate: 4, minBufferSize: 20, evalEpisodes: 1 },
      { evalMixture: false },
    );
    trainer.runEpoch(); // 30 transitions: 10 per task, below the minimum of 20 per task
    expect(agent.gradientUpdates()).toBe(0);
    trainer.runEpoch();
    expect(agent.learner.replay.size).toBe(60);
    expect(agent.gradientUpdates()).toBe(12);
    const before = tf.memory().numTensors;
    trainer.runEpoch();
    expect(tf.memory().numTensors).toBe(before);
    expect(agent.gradientUpdates()).toBe(24);
    expect(agent.selectionCounts()).toEqual([
      [30, 0, 0],
      [0, 30, 0],
      [0, 0, 30],
    ]);
    agent.dispose();
    taskSet.close();
    evalSet.close();
  });
});
