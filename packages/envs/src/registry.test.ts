import { describe, expect, it } from "vitest";
import { checkEnv } from "./checker.js";
import "./classic/index.js";
import type { Info, ResetArgs, StepResult } from "./env.js";
import { Env, findWrapper } from "./env.js";
import { EnvCheckError, InvalidActionError, ResetNeededError, UnregisteredEnvError } from "./errors.js";
import { make, register, registry, spec } from "./registry.js";
import { Box, Discrete } from "./spaces.js";
import { CounterEnv } from "./test-envs.js";
import { OrderEnforcing } from "./wrappers/order-enforcing.js";
import { PassiveEnvChecker } from "./wrappers/passive-env-checker.js";
import { TimeLimit } from "./wrappers/time-limit.js";
import { ValidateStep } from "./wrappers/validate-step.js";

register({
  id: "Test/Counter-v0",
  entryPoint: (kw) => new CounterEnv(kw.length as number | undefined),
  maxEpisodeSteps: 3,
});

describe("register / make / spec", () => {
  it("wraps in PassiveEnvChecker → OrderEnforcing → TimeLimit → ValidateStep and sets the spec", () => {
    const env = make("CartPole-v1");
    expect(String(env)).toBe("<ValidateStep<TimeLimit<OrderEnforcing<PassiveEnvChecker<CartPoleEnv<CartPole-v1>>>>>>");
    expect(env.spec?.id).toBe("CartPole-v1");
    expect(env.unwrapped.spec?.maxEpisodeSteps).toBe(500);
    expect(findWrapper(env, TimeLimit)?.maxEpisodeSteps).toBe(500);
    expect(registry.has("Pendulum-v1")).toBe(true);
  });

  it("honours maxEpisodeSteps, disableEnvChecker, validateSteps and kwargs overrides", () => {
    const env = make("Test/Counter-v0", {
      maxEpisodeSteps: 10,
      disableEnvChecker: true,
      validateSteps: false,
      length: 7,
    });
    expect(findWrapper(env, PassiveEnvChecker)).toBeNull();
    expect(findWrapper(env, ValidateStep)).toBeNull();
    expect(findWrapper(env, OrderEnforcing)).not.toBeNull();
    expect((env.unwrapped as CounterEnv).length).toBe(7);
    expect(env.spec?.kwargs).toEqual({ length: 7 });
    expect(findWrapper(make("Test/Counter-v0", { maxEpisodeSteps: null }), TimeLimit)).toBeNull();
  });

  it("unknown ids list close matches", () => {
    expect(() => make("Cartpole-v1")).toThrow(UnregisteredEnvError);
    expect(() => spec("CartPole-v0")).toThrow(
      /No environment registered with id "CartPole-v0". Did you mean: CartPole-v1/,
    );
    expect(() => spec("Zzzzzzzzzz")).toThrow(/"Zzzzzzzzzz"\.$/);
  });

  it("rejects malformed specs naming the field", () => {
    expect(() => register({ id: "bad id with spaces", entryPoint: () => new CounterEnv() })).toThrow(
      /id: env id must look like/,
    );
    expect(() => register({ id: "Ok-v0", entryPoint: 3 as never })).toThrow(
      /entryPoint: entryPoint must be a function/,
    );
    expect(() => register({ id: "Ok-v0", entryPoint: () => new CounterEnv(), maxEpisodeSteps: -1 })).toThrow(
      /maxEpisodeSteps/,
    );
  });
});

describe("step validation (on by default through make)", () => {
  it("rejects step before reset, naming the env", () => {
    expect(() => make("CartPole-v1").step(0)).toThrow(ResetNeededError);
    expect(() => make("CartPole-v1").step(0)).toThrow(/CartPole-v1: cannot call step\(\) before reset\(\)/);
    expect(() => make("CartPole-v1", { validateSteps: false }).step(0)).toThrow(
      /CartPole-v1: cannot call step\(\) before reset\(\)/,
    );
  });

  it("rejects NaN, wrong-shape, out-of-range and wrongly typed actions", () => {
    const env = make("Pendulum-v1");
    env.reset({ seed: 0 });
    expect(() => env.step([Number.NaN])).toThrow(InvalidActionError);
    expect(() => env.step([Number.NaN])).toThrow(
      /Pendulum-v1: invalid action for Box\(-2, 2, \(1,\), float32\): contains NaN at index 0/,
    );
    expect(() => env.step([1, 1])).toThrow(/has 2 elements, expected shape \[1\]/);
    expect(() => env.step([2.5])).toThrow(/element 0 = 2.5 is outside \[-2, 2\]/);
    expect(() => env.step(1 as unknown as number[])).toThrow(/expected a Float32Array or number\[\]/);
    expect(env.step([1.5])[0]).toBeInstanceOf(Float32Array);
    expect(env.step(Float32Array.of(-2))[1]).toBeLessThan(0);
    const cart = make("CartPole-v1");
    cart.reset();
    expect(() => cart.step(2)).toThrow(/CartPole-v1: invalid action for Discrete\(2\): 2 is outside \{0, …, 1\}/);
    expect(() => cart.step(0.5)).toThrow(/expected an integer, got number 0.5/);
  });

  it("rejects stepping after termination or truncation until reset", () => {
    const env = make("Test/Counter-v0", { length: 2 });
    env.reset();
    env.step([0, 0]);
    expect(env.step([0, 0])[2]).toBe(true);
    expect(() => env.step([0, 0])).toThrow(
      /Test\/Counter-v0: step\(\) called after the episode was terminated; call reset\(\) first/,
    );
    const long = make("Test/Counter-v0", { length: 100 });
    long.reset();
    for (let i = 0; i < 3; i++) long.step([0, 0]);
    expect(() => long.step([0, 0])).toThrow(/after the episode was truncated/);
    long.reset();
    expect(long.step([0.5, 0.25])[1]).toBe(0.75);
  });
});

class BrokenEnv extends Env<Float32Array, number> {
  observationSpace = new Box(-1, 1, [2]);
  actionSpace = new Discrete(2);
  private buffer = new Float32Array(2);
  private counter = 0;

  constructor(
    private readonly flaw:
      | "obs-range"
      | "reward-type"
      | "aliased"
      | "unseeded"
      | "ignores-seed"
      | "wrong-array"
      | "none",
  ) {
    super();
  }

  reset({ seed }: ResetArgs = {}): [Float32Array, Info] {
    if (this.flaw !== "ignores-seed") this.seedRng(seed);
    this.buffer = Float32Array.of(this.rng.uniform(-0.5, 0.5), 0);
    if (this.flaw === "unseeded") this.buffer[1] = (this.counter++ % 7) / 10;
    if (this.flaw === "wrong-array") return [Float64Array.of(0, 0) as unknown as Float32Array, {}];
    return [this.buffer.slice(), {}];
  }

  step(action: number): StepResult<Float32Array> {
    this.buffer[1] = action * 0.5;
    const obs = this.flaw === "aliased" ? this.buffer : this.buffer.slice();
    if (this.flaw === "obs-range") obs[0] = 3;
    const reward = (this.flaw === "reward-type" ? "1" : 1) as number;
    return [obs, reward, false, false, {}];
  }
}

describe("checkEnv", () => {
  it("passes a correct env and reports advice as warnings", () => {
    expect(checkEnv(new BrokenEnv("none")).warnings).toEqual([]);
    expect(checkEnv(new CounterEnv(5, -2, 2)).warnings[0]).toMatch(/not the symmetric normalised Box/);
  });

  it.each([
    ["obs-range", /step\(\) observation is not in Box\(-1, 1, \(2,\), float32\): element 0 = 3/],
    ["reward-type", /reward must be a number, got string "1"/],
    ["aliased", /aliased to internal state/],
    ["unseeded", /reset\(\{ seed: 123 \}\) twice gave different observations/],
    ["ignores-seed", /reset\(\{ seed: 123 \}\) twice gave different observations/],
    ["wrong-array", /observation must be a Float32Array for Box/],
  ] as const)("finds %s", (flaw, message) => {
    expect(() => checkEnv(new BrokenEnv(flaw))).toThrow(EnvCheckError);
    expect(() => checkEnv(new BrokenEnv(flaw))).toThrow(message);
  });

  it("PassiveEnvChecker catches the first bad step result through make", () => {
    register({ id: "Test/BrokenReward-v0", entryPoint: () => new BrokenEnv("reward-type") });
    const env = make("Test/BrokenReward-v0");
    env.reset();
    expect(() => env.step(0)).toThrow(/Test\/BrokenReward-v0: step\(\) reward must be a number/);
    register({ id: "Test/BrokenReset-v0", entryPoint: () => new BrokenEnv("wrong-array") });
    expect(() => make("Test/BrokenReset-v0").reset()).toThrow(/reset\(\) observation must be a Float32Array/);
  });
});

describe("Env seeding", () => {
  it("uses a fixed default stream before the first seed and keeps the stream on unseeded resets", () => {
    const a = new CounterEnv();
    const b = new CounterEnv();
    expect(a.reset()[0][1]).toBe(b.reset()[0][1]);
    expect(a.npRandomSeed).toBeNull();
    const first = a.reset({ seed: 9 })[0][1];
    expect(a.npRandomSeed).toBe(9);
    const next = a.reset()[0][1];
    expect(next).not.toBe(first);
    expect(a.npRandomSeed).toBe(9);
    expect(() => a.reset({ seed: -1 })).toThrow(/CounterEnv: reset seed must be a non-negative integer, got -1/);
    expect(() => a.reset({ seed: 1.5 })).toThrow(/non-negative integer/);
  });

  it("wrappers forward npRandom, attributes and close", () => {
    const env = make("Test/Counter-v0");
    env.reset({ seed: 4 });
    expect(env.npRandomSeed).toBe(4);
    expect(env.npRandom).toBe(env.unwrapped.npRandom);
    expect(env.getWrapperAttr("maxEpisodeSteps")).toBe(3);
    expect(env.getWrapperAttr("length")).toBe(5);
    expect(() => env.getWrapperAttr("nope")).toThrow(/has no attribute "nope"/);
    env.setWrapperAttr("t", 42);
    expect((env.unwrapped as CounterEnv).t).toBe(42);
  });
});
