import { describe, expect, it } from "vitest";
import "../classic/index.js";
import type { Info, ResetArgs, StepResult } from "../env.js";
import { Env } from "../env.js";
import { make } from "../registry.js";
import { Box, Dict, Discrete } from "../spaces.js";
import { CounterEnv } from "../test-envs.js";
import { ActionRepeat, ClipAction, RescaleAction, TransformAction } from "./action.js";
import { Autoreset, RecordEpisodeStatistics } from "./common.js";
import {
  FlattenObservation,
  FrameStackObservation,
  NormalizeObservation,
  TransformObservation,
} from "./observation.js";
import { OrderEnforcing } from "./order-enforcing.js";
import { NormalizeReward, TransformReward } from "./reward.js";
import { RunningMeanStd } from "./running-mean-std.js";
import { TimeLimit } from "./time-limit.js";

describe("TimeLimit", () => {
  it("truncates (not terminates) at the limit and restarts the count on reset", () => {
    const env = new TimeLimit(new CounterEnv(100), 3);
    env.reset();
    expect(env.step([0, 0]).slice(2, 4)).toEqual([false, false]);
    env.step([0, 0]);
    expect(env.step([0, 0]).slice(2, 4)).toEqual([false, true]);
    expect(env.elapsedSteps).toBe(3);
    env.reset();
    expect(env.elapsedSteps).toBe(0);
    expect(env.step([0, 0])[3]).toBe(false);
    expect(() => new TimeLimit(new CounterEnv(), 0)).toThrow(/positive integer/);
  });

  it("keeps terminated when the env ends at the limit step", () => {
    const env = new TimeLimit(new CounterEnv(2), 2);
    env.reset();
    env.step([0, 0]);
    expect(env.step([0, 0]).slice(2, 4)).toEqual([true, true]);
  });
});

describe("OrderEnforcing", () => {
  it("throws a clear error on step before reset", () => {
    const env = new OrderEnforcing(new CounterEnv());
    expect(env.hasReset).toBe(false);
    expect(() => env.step([0, 0])).toThrow(/CounterEnv: cannot call step\(\) before reset\(\)/);
    env.reset();
    expect(env.step([0, 0])[0][0]).toBe(1);
  });
});

describe("RecordEpisodeStatistics", () => {
  it("reports return, length and time at the end of each episode only", () => {
    const env = new RecordEpisodeStatistics(new CounterEnv(3), 2);
    for (let ep = 0; ep < 3; ep++) {
      env.reset();
      expect("episode" in env.step([0.5, 0])[4]).toBe(false);
      env.step([0.25, 0.25]);
      const info = env.step([1, -0.5])[4] as Info & { episode: { r: number; l: number; t: number } };
      expect(info.episode.r).toBeCloseTo(1.5, 6);
      expect(info.episode.l).toBe(3);
      expect(info.episode.t).toBeGreaterThanOrEqual(0);
      expect(info.t).toBe(3);
    }
    expect(env.episodeCount).toBe(3);
    expect(env.returnQueue.length).toBe(2);
    expect(env.lengthQueue).toEqual([3, 3]);
  });

  it("adds info.episode through make-style wrapper stacks (truncation counts)", () => {
    const env = new RecordEpisodeStatistics(make("CartPole-v1", { maxEpisodeSteps: 4 }));
    env.reset({ seed: 0 });
    let info: Info = {};
    for (let i = 0; i < 4; i++) info = env.step(i % 2)[4];
    expect(info.episode).toMatchObject({ r: 4, l: 4 });
  });
});

describe("action wrappers", () => {
  it("ClipAction clips into bounds and exposes an unbounded action space", () => {
    const inner = new CounterEnv(10);
    const env = new ClipAction(inner);
    env.reset();
    env.step([3, -0.5]);
    expect(Array.from(inner.actions[0] as Float32Array)).toEqual([1, -0.5]);
    expect(String(env.actionSpace)).toBe("Box(-inf, inf, (2,), float32)");
    expect(() => env.step([1])).toThrow(/ClipAction: CounterEnv expects an action of 2 elements/);
    expect(() => new ClipAction(make("CartPole-v1") as never)).toThrow(/needs a Box action space, has Discrete\(2\)/);
  });

  it("RescaleAction maps [-1, 1] affinely onto the env's bounds", () => {
    const inner = new CounterEnv(10, -2, 4);
    const env = new RescaleAction(inner, -1, 1);
    env.reset();
    env.step([-1, 1]);
    env.step([0, 0.5]);
    expect(Array.from(inner.actions[0] as Float32Array)).toEqual([-2, 4]);
    expect(Array.from(inner.actions[1] as Float32Array)).toEqual([1, 2.5]);
    expect(String(env.actionSpace)).toBe("Box(-1, 1, (2,), float32)");
    expect(() => new RescaleAction(inner, 1, 1)).toThrow(/minAction must be below maxAction/);
    expect(() => new RescaleAction(new CounterEnv(3, Number.NEGATIVE_INFINITY, 1), -1, 1)).toThrow(/unbounded/);
  });

  it("RescaleAction under make-validation still rejects NaN", () => {
    const env = new RescaleAction(make("Pendulum-v1"), -1, 1);
    env.reset({ seed: 0 });
    expect(() => env.step([Number.NaN])).toThrow(/contains NaN/);
    expect(env.step([1])[1]).toBeLessThanOrEqual(0);
  });

  it("TransformAction applies its function and may change the action space", () => {
    const inner = new CounterEnv(10);
    const env = new TransformAction(inner, (a: number) => [a / 10, -a / 10], new Discrete(11, -5));
    env.reset();
    env.step(3);
    expect(Array.from(inner.actions[0] as Float32Array)).toEqual([Math.fround(0.3), Math.fround(-0.3)]);
    expect(String(env.actionSpace)).toBe("Discrete(11, start=-5)");
  });

  it("ActionRepeat sums rewards over repeats and stops at the episode end", () => {
    const inner = new CounterEnv(5);
    const env = new ActionRepeat(inner, 2);
    env.reset();
    const [obs, r, term] = env.step([0.5, 0.5]);
    expect([obs[0], r, term]).toEqual([2, 2, false]);
    env.step([1, 0]);
    const last = env.step([1, 0]); // only one step left
    expect([last[0][0], last[1], last[2]]).toEqual([5, 1, true]);
    expect(inner.actions.length).toBe(5);
    expect(() => new ActionRepeat(inner, 0)).toThrow(/repeats must be an integer ≥ 1/);
  });
});

describe("observation wrappers", () => {
  it("NormalizeObservation standardises observations and its state round-trips", () => {
    const env = new NormalizeObservation(make("Pendulum-v1"));
    env.reset({ seed: 0 });
    env.actionSpace.seed(0);
    const outs: Float32Array[] = [];
    for (let i = 0; i < 2000; i++) {
      const [o, , , trunc] = env.step(env.actionSpace.sample());
      outs.push(o);
      if (trunc) env.reset();
    }
    const late = outs.slice(1000);
    for (let d = 0; d < 3; d++) {
      const mean = late.reduce((a, o) => a + (o[d] as number), 0) / late.length;
      const sd = Math.sqrt(late.reduce((a, o) => a + ((o[d] as number) - mean) ** 2, 0) / late.length);
      expect(Math.abs(mean)).toBeLessThan(0.25);
      expect(sd).toBeGreaterThan(0.7);
      expect(sd).toBeLessThan(1.3);
    }
    const state = env.getState();
    const copy = new NormalizeObservation(make("Pendulum-v1"));
    copy.setState(JSON.parse(JSON.stringify(state)));
    copy.updateRunningMean = false;
    env.updateRunningMean = false;
    const [a] = env.reset({ seed: 3 });
    const [b] = copy.reset({ seed: 3 });
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(copy.getState()).toEqual(state);
  });

  it("RunningMeanStd matches the batch mean and variance", () => {
    const rms = new RunningMeanStd(1, 0);
    const xs = [1, 2, 4, 8, 16];
    for (const x of xs) rms.update([x]);
    const mean = xs.reduce((a, b) => a + b) / xs.length;
    expect(rms.mean[0]).toBeCloseTo(mean, 10);
    expect(rms.var[0]).toBeCloseTo(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length, 10);
  });

  it("FlattenObservation flattens Dict observations", () => {
    class DictEnv extends Env<{ a: Float32Array; b: number }, number> {
      observationSpace = new Dict({ a: new Box(0, 1, [2]), b: new Discrete(3) });
      actionSpace = new Discrete(2);
      reset(_: ResetArgs = {}): [{ a: Float32Array; b: number }, Info] {
        return [{ a: Float32Array.of(0.5, 0.25), b: 2 }, {}];
      }
      step(action: number): StepResult<{ a: Float32Array; b: number }> {
        return [{ a: Float32Array.of(1, 0), b: action }, 0, false, false, {}];
      }
    }
    const env = new FlattenObservation(new DictEnv());
    expect(Array.from(env.reset()[0])).toEqual([0.5, 0.25, 0, 0, 1]);
    expect(Array.from(env.step(1)[0])).toEqual([1, 0, 0, 1, 0]);
    expect(env.observationSpace.shape).toEqual([5]);
  });

  it("TransformObservation and FrameStackObservation", () => {
    const doubled = new TransformObservation(new CounterEnv(), (o: Float32Array) => o.map((v) => 2 * v));
    doubled.reset();
    expect(doubled.step([0, 0])[0][0]).toBe(2);
    const stacked = new FrameStackObservation(new CounterEnv(), 3);
    expect(stacked.observationSpace.shape).toEqual([3, 2]);
    const [o0] = stacked.reset({ seed: 1 });
    const u = o0[1] as number;
    expect(Array.from(o0)).toEqual([0, u, 0, u, 0, u]);
    stacked.step([0, 0]);
    const [o2] = stacked.step([0, 0]);
    expect(Array.from(o2)).toEqual([0, u, 1, u, 2, u]);
    expect(stacked.observationSpace.contains(o2)).toBe(true);
  });
});

describe("reward wrappers", () => {
  it("TransformReward applies its function", () => {
    const env = new TransformReward(new CounterEnv(), (r) => r * 10);
    env.reset();
    expect(env.step([0.5, 0])[1]).toBe(5);
  });

  it("NormalizeReward divides by the running std of the discounted return and checkpoints its state", () => {
    const env = new NormalizeReward(new CounterEnv(1000), 0.9);
    env.reset();
    // constant reward 1: G_t = 1 + 0.9 G_{t-1}
    const rewards: number[] = [];
    let g = 0;
    const returns: number[] = [];
    for (let t = 0; t < 50; t++) {
      rewards.push(env.step([0.5, 0.5])[1]);
      g = 0.9 * g + 1;
      returns.push(g);
    }
    const rms = new RunningMeanStd(1);
    for (const x of returns) rms.update([x]);
    expect(rewards.at(-1)).toBeCloseTo(1 / Math.sqrt((rms.var[0] as number) + 1e-8), 8);
    const copy = new NormalizeReward(new CounterEnv(1000), 0.9);
    copy.setState(env.getState());
    copy.reset();
    expect(copy.step([0.5, 0.5])[1]).toBeCloseTo(env.step([0.5, 0.5])[1], 12);
    expect(() => new NormalizeReward(new CounterEnv(), 1.5)).toThrow(/gamma must be in \[0, 1\]/);
  });
});

describe("Autoreset", () => {
  it("resets in the step after the episode ends (NEXT_STEP semantics)", () => {
    const env = new Autoreset(new CounterEnv(2));
    env.reset({ seed: 0 });
    env.step([1, 0]);
    expect(env.step([1, 0])[2]).toBe(true);
    const [obs, r, term, trunc, info] = env.step([1, 0]);
    expect([obs[0], r, term, trunc]).toEqual([0, 0, false, false]);
    expect(info).toEqual({ resetInfo: 1 });
    expect(env.step([1, 0])[0][0]).toBe(1);
  });
});
