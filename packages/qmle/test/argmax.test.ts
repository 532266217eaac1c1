/**
 * The argmax machinery on a fixed, known Q: Q(s, a) = −‖a − a*(s)‖² with a*(s) = (s₁, −s₀).
 * The learned Q is replaced (`fixedQ`), so only the candidate search, the stored a^max and the
 * MLE predictors are at work.
 */
import { actionsToBins, initBackend, Rng } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { type FixedQ, QmleAgent } from "../src/index.js";
import { boxEnv, fillReplay } from "./fixtures.js";

beforeAll(async () => {
  await initBackend();
});

const OBS = 3;
const D = 2;

function bestAction(obs: Float32Array, row: number): [number, number] {
  return [obs[row * OBS + 1] as number, -(obs[row * OBS] as number)];
}

const toyQ: FixedQ = (obs, actions, batch, perState) => {
  const q = new Float32Array(batch * perState);
  for (let b = 0; b < batch; b++) {
    const [x, y] = bestAction(obs, b);
    for (let i = 0; i < perState; i++) {
      const k = (b * perState + i) * D;
      q[b * perState + i] = -(((actions[k] as number) - x) ** 2 + ((actions[k + 1] as number) - y) ** 2);
    }
  }
  return q;
};

/** Nine next states with s₀, s₁ ∈ {−0.8, 0, 0.8} (one per bang-off-bang cell) and a noise coordinate. */
const STATES: Float32Array[] = [];
for (const s0 of [-0.8, 0, 0.8]) for (const s1 of [-0.8, 0, 0.8]) STATES.push(Float32Array.of(s0, s1, 0.3 * s0 * s1));
const statesFlat = Float32Array.from(STATES.flatMap((s) => Array.from(s)));
const targets = Float32Array.from(STATES.flatMap((_, i) => bestAction(statesFlat, i)));
const targetBins = actionsToBins(targets, [-1, -1], [1, 1], 3);

function predictorErrors(agent: QmleAgent): { delta: number; wrongBins: number } {
  const { deltaMean, categoricalProbs } = agent.predictions(statesFlat, STATES.length);
  let delta = 0;
  for (let i = 0; i < targets.length; i++)
    delta = Math.max(delta, Math.abs((deltaMean[i] as number) - (targets[i] as number)));
  let wrongBins = 0;
  for (let i = 0; i < targets.length; i++) {
    const p = categoricalProbs.subarray(i * 3, i * 3 + 3);
    if (p.indexOf(Math.max(...p)) !== targetBins[i]) wrongBins += 1;
  }
  return { delta, wrongBins };
}

describe("QMLE argmax machinery under a fixed Q", () => {
  it("the delta and factored categorical predictors learn the fixed argmax", () => {
    const agent = new QmleAgent(
      boxEnv(OBS, D),
      { width: 32, batchSize: 32, bufferSize: 200, seed: 1, lr: 3e-3, targetCandidates: 30, targetUpdateInterval: 10 },
      { fixedQ: toyQ },
    );
    fillReplay(agent, new Rng(1), 180, 1, STATES);
    const initial = predictorErrors(agent);
    for (let i = 0; i < 400; i++) agent.learn();
    const final = predictorErrors(agent);
    console.log(`predictor errors: initial ${JSON.stringify(initial)}, after 400 updates ${JSON.stringify(final)}`);
    expect(initial.delta).toBeGreaterThan(0.5);
    expect(initial.wrongBins).toBeGreaterThan(4);
    expect(final.delta).toBeLessThan(0.1);
    expect(final.wrongBins).toBe(0);
    // Greedy acting (online predictors + uniform candidates) now lands on the argmax.
    const greedy = agent.greedyActions(statesFlat, STATES.length);
    for (let i = 0; i < targets.length; i++)
      expect(Math.abs((greedy[i] as number) - (targets[i] as number))).toBeLessThan(0.1);
    agent.dispose();
  });

  function storedQualityTrace(storedArgmaxPrior: boolean): number[][] {
    const agent = new QmleAgent(
      boxEnv(OBS, D),
      { width: 16, batchSize: 64, bufferSize: 64, seed: 2, targetCandidates: 4, storedArgmaxPrior },
      { fixedQ: toyQ },
    );
    const nextStates = Array.from(
      { length: 64 },
      (_, i) => new Rng(100 + i).fillUniform(new Float32Array(OBS), -1, 1) as Float32Array,
    );
    fillReplay(agent, new Rng(3), 64, 1, nextStates);
    const all = Int32Array.from({ length: 64 }, (_, i) => i);
    const quality = () => {
      const rows = agent.replay.gather(all);
      return Array.from(toyQ(rows.nextObs as Float32Array, rows.argmax as Float32Array, 64, 1));
    };
    const trace = [quality()];
    for (let i = 0; i < 40; i++) {
      agent.learn();
      trace.push(quality());
    }
    agent.dispose();
    return trace;
  }

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  it("the stored a^max of every transition improves monotonically", () => {
    const trace = storedQualityTrace(true);
    for (let t = 1; t < trace.length; t++) {
      (trace[t] as number[]).forEach((q, i) => {
        expect(q).toBeGreaterThanOrEqual((trace[t - 1] as number[])[i] as number);
      });
    }
    expect(mean(trace.at(-1) as number[])).toBeGreaterThan(mean(trace[0] as number[]) + 0.3);
  });

  it("without the stored prior among the candidates (broken amortisation) it does not", () => {
    const trace = storedQualityTrace(false);
    let decreases = 0;
    for (let t = 1; t < trace.length; t++) {
      (trace[t] as number[]).forEach((q, i) => {
        if (q < ((trace[t - 1] as number[])[i] as number)) decreases += 1;
      });
    }
    expect(decreases).toBeGreaterThan(10);
  });
});
