import { Rng } from "@qscape/core";
import { afterAll, describe, expect, it } from "vitest";
import "../classic/index.js";
import { make } from "../registry.js";
import { type Box, MultiDiscrete } from "../spaces.js";
import "../test-envs.js";
import type { CounterEnv } from "../test-envs.js";
import { RecordEpisodeStatistics } from "../wrappers/common.js";
import { AsyncVectorEnv } from "./async-vector-env.js";
import { makeVec } from "./make-vec.js";
import { SyncVectorEnv } from "./sync-vector-env.js";
import { AutoresetMode, type VectorEnv, type VectorStepResult } from "./vector-env.js";

/** Two counter envs with episode lengths 2 and 3 (the registered TimeLimit is 3). */
const counters = () => [() => make("Test/Counter-v0", { length: 2 }), () => make("Test/Counter-v0", { length: 3 })];
const u = (seed: number, draw = 0) => {
  const rng = new Rng(seed);
  for (let i = 0; i < draw; i++) rng.random();
  return Math.fround(rng.random());
};
const act = Float32Array.of(0.5, 0, 0.25, 0.25);

describe("SyncVectorEnv", () => {
  it("batches spaces and observations into flat typed arrays", () => {
    const v = new SyncVectorEnv(counters());
    expect(v.numEnvs).toBe(2);
    expect((v.observationSpace as Box).shape).toEqual([2, 2]);
    expect(String(v.singleActionSpace)).toBe("Box(-1, 1, (2,), float32)");
    const [obs, info] = v.reset({ seed: 10 });
    expect(obs).toBeInstanceOf(Float32Array);
    expect(Array.from(obs)).toEqual([0, u(10), 0, u(11)]);
    expect(info.resetInfo).toEqual(Float64Array.of(1, 1));
    expect(info._resetInfo).toEqual(Uint8Array.of(1, 1));
    const cart = new SyncVectorEnv([() => make("CartPole-v1"), () => make("CartPole-v1")]);
    expect(cart.actionSpace).toBeInstanceOf(MultiDiscrete);
    cart.reset({ seed: 0 });
    expect(() => cart.step(Int32Array.of(0) as unknown as Float32Array)).toThrow(/expected 2 per-env values/);
    expect(() => v.step(Float32Array.of(0, 0))).toThrow(/expected 2 × 2 = 4 values/);
  });

  it("NEXT_STEP: the step after an episode ends resets that env with reward 0", () => {
    const v = new SyncVectorEnv(counters());
    v.reset({ seed: 10 });
    v.step(act);
    const [o2, r2, term2, trunc2, info2] = v.step(act);
    expect(Array.from(o2)).toEqual([2, u(10), 2, u(11)]);
    expect(Array.from(r2)).toEqual([0.5, 0.5]);
    expect(Array.from(term2)).toEqual([1, 0]);
    expect(Array.from(trunc2)).toEqual([0, 0]);
    expect(info2.t).toEqual(Float64Array.of(2, 2));
    const [o3, r3, term3, trunc3, info3] = v.step(act);
    expect(Array.from(o3)).toEqual([0, u(10, 1), 3, u(11)]); // env 0 reset with its stream's next draw
    expect(Array.from(r3)).toEqual([0, 0.5]);
    expect(Array.from(term3)).toEqual([0, 1]);
    expect(Array.from(trunc3)).toEqual([0, 1]); // length 3 and TimeLimit 3 coincide
    expect(info3._resetInfo).toEqual(Uint8Array.of(1, 0));
    expect(info3._t).toEqual(Uint8Array.of(0, 1));
    const [o4, r4] = v.step(act);
    expect(Array.from(o4)).toEqual([1, u(10, 1), 0, u(11, 1)]);
    expect(Array.from(r4)).toEqual([0.5, 0]);
  });

  it("SAME_STEP: resets in the ending step and puts the last obs/info in final_obs/final_info", () => {
    const v = new SyncVectorEnv(counters(), { autoresetMode: AutoresetMode.SAME_STEP });
    expect(v.metadata.autoresetMode).toBe("SameStep");
    v.reset({ seed: 10 });
    v.step(act);
    const [o2, r2, term2, , info2] = v.step(act);
    expect(Array.from(o2)).toEqual([0, u(10, 1), 2, u(11)]);
    expect(Array.from(r2)).toEqual([0.5, 0.5]);
    expect(Array.from(term2)).toEqual([1, 0]);
    expect(info2._final_obs).toEqual(Uint8Array.of(1, 0));
    expect(Array.from((info2.final_obs as Float32Array[])[0] as Float32Array)).toEqual([2, u(10)]);
    expect((info2.final_obs as unknown[])[1]).toBeUndefined();
    expect((info2.final_info as { t: Float64Array }).t[0]).toBe(2);
    expect(info2._resetInfo).toEqual(Uint8Array.of(1, 0));
    const [o3, r3] = v.step(act);
    expect(Array.from(o3)).toEqual([1, u(10, 1), 0, u(11, 1)]);
    expect(Array.from(r3)).toEqual([0.5, 0.5]);
  });

  it("DISABLED: no autoreset; resetMask resets only the chosen envs", () => {
    const v = new SyncVectorEnv(counters(), { autoresetMode: AutoresetMode.DISABLED });
    v.reset({ seed: 10 });
    v.step(act);
    v.step(act);
    expect(() => v.step(act)).toThrow(/Test\/Counter-v0: step\(\) called after the episode was terminated/);
    const [obs, info] = v.reset({ options: { resetMask: [1, 0] } });
    expect(Array.from(obs)).toEqual([0, u(10, 1), 2, u(11)]);
    expect(info._resetInfo).toEqual(Uint8Array.of(1, 0));
  });

  it("merges nested infos (RecordEpisodeStatistics) into dict-of-arrays with masks", () => {
    const v = new SyncVectorEnv([
      () => new RecordEpisodeStatistics(make("Test/Counter-v0", { length: 1 })),
      () => new RecordEpisodeStatistics(make("Test/Counter-v0", { length: 2 })),
    ]);
    v.reset({ seed: 0 });
    const info = v.step(act)[4] as {
      episode: { r: Float64Array; l: Float64Array; _r: Uint8Array };
      _episode: Uint8Array;
    };
    expect(info._episode).toEqual(Uint8Array.of(1, 0));
    expect(info.episode.r[0]).toBe(0.5);
    expect(info.episode.l[0]).toBe(1);
    expect(info.episode._r).toEqual(Uint8Array.of(1, 0));
  });

  it("accepts per-env action arrays as well as one flat Float32Array", () => {
    const v = new SyncVectorEnv(counters());
    v.reset({ seed: 1 });
    expect(
      Array.from(
        v.step([
          [0.5, 0.5],
          [-1, 0],
        ] as unknown as Float32Array)[1],
      ),
    ).toEqual([1, -1]);
  });
});

describe("makeVec", () => {
  it("builds a SyncVectorEnv of made envs with the given kwargs and autoreset mode", () => {
    const v = makeVec("Test/Counter-v0", 3, { makeOptions: { length: 4 }, autoresetMode: AutoresetMode.SAME_STEP });
    expect(v).toBeInstanceOf(SyncVectorEnv);
    expect(v.numEnvs).toBe(3);
    expect(v.metadata.autoresetMode).toBe("SameStep");
    const inner = (v as SyncVectorEnv).envs[0]?.unwrapped as unknown as CounterEnv;
    expect(inner.length).toBe(4);
    expect(() => makeVec("CartPole-v1", 0)).toThrow(/numEnvs must be an integer ≥ 1, got 0/);
    expect(() => makeVec("CartPole-v1", 2, { vectorizationMode: "threads" as never })).toThrow(
      /vectorizationMode must be "sync" or "async"/,
    );
  });
});

/** Rolls a vector env with seeded random actions and returns every step result. */
function rollout(
  v: VectorEnv<Float32Array, Float32Array | Int32Array>,
  steps: number,
): VectorStepResult<Float32Array>[] {
  v.reset({ seed: 3 });
  v.actionSpace.seed(5);
  const out: VectorStepResult<Float32Array>[] = [];
  for (let t = 0; t < steps; t++)
    out.push(v.step(v.actionSpace.sample() as Float32Array) as VectorStepResult<Float32Array>);
  return out;
}

describe("AsyncVectorEnv (worker threads loading the TypeScript sources)", () => {
  const opened: AsyncVectorEnv<Float32Array, Float32Array>[] = [];
  afterAll(() => {
    for (const v of opened) v.close();
  });

  it("matches SyncVectorEnv exactly on CartPole with NEXT_STEP autoreset", () => {
    const asyncEnv = new AsyncVectorEnv<Float32Array, Float32Array>("CartPole-v1", 2);
    opened.push(asyncEnv);
    expect(String(asyncEnv.singleObservationSpace)).toBe(String(make("CartPole-v1").observationSpace));
    const syncEnv = new SyncVectorEnv<Float32Array, Float32Array>([
      () => make("CartPole-v1"),
      () => make("CartPole-v1"),
    ]);
    const a = rollout(asyncEnv, 60);
    const s = rollout(syncEnv, 60);
    expect(a.some((step) => step[2].some((x) => x === 1))).toBe(true);
    expect(a).toEqual(s);
  });

  it("matches SyncVectorEnv with SAME_STEP on an env registered by a worker import, and reports worker errors", () => {
    const asyncEnv = new AsyncVectorEnv<Float32Array, Float32Array>("Test/Counter-v0", 2, {
      autoresetMode: AutoresetMode.SAME_STEP,
      makeOptions: { length: 2 },
      workerImports: [new URL("../test-envs.ts", import.meta.url)],
    });
    opened.push(asyncEnv);
    const syncEnv = new SyncVectorEnv<Float32Array, Float32Array>(
      [() => make("Test/Counter-v0", { length: 2 }), () => make("Test/Counter-v0", { length: 2 })],
      {
        autoresetMode: AutoresetMode.SAME_STEP,
      },
    );
    const a = rollout(asyncEnv, 7);
    const s = rollout(syncEnv, 7);
    expect(a[1]?.[4]._final_obs).toEqual(Uint8Array.of(1, 1));
    expect(a).toEqual(s);
    asyncEnv.stepAsync(Float32Array.of(0, 0, 0, 0));
    expect(() => asyncEnv.step(Float32Array.of(0, 0, 0, 0))).toThrow(/while a step is pending/);
    asyncEnv.stepWait();
    expect(() => asyncEnv.step(Float32Array.of(Number.NaN, 0, 0, 0))).toThrow(
      /AsyncVectorEnv\(Test\/Counter-v0\) worker 0 failed during step: InvalidActionError: Test\/Counter-v0: invalid action .* contains NaN at index 0/,
    );
    // the other worker's reply was drained, so the env keeps working
    expect(asyncEnv.step(Float32Array.of(0.5, 0, 0, 0))[1].length).toBe(2);
  });

  it("fails fast with the worker's error for an unknown id", () => {
    expect(() => new AsyncVectorEnv("NoSuchEnv-v0", 1)).toThrow(
      /worker 0 failed during start: UnregisteredEnvError: No environment registered with id "NoSuchEnv-v0"/,
    );
  });
});
