import { describe, expect, it } from "vitest";
import { checkEnv } from "../checker.js";
import { make, spec } from "../registry.js";
import "./index.js";
import { AcrobotEnv } from "./acrobot.js";
import { CartPoleEnv } from "./cartpole.js";
import { MountainCarContinuousEnv, MountainCarEnv } from "./mountain-car.js";
import { angleNormalize, PendulumEnv } from "./pendulum.js";

const registered = [
  { id: "CartPole-v1", obs: 4, maxSteps: 500, threshold: 475 },
  { id: "Pendulum-v1", obs: 3, maxSteps: 200, threshold: null },
  { id: "MountainCar-v0", obs: 2, maxSteps: 200, threshold: -110 },
  { id: "MountainCarContinuous-v0", obs: 2, maxSteps: 999, threshold: 90 },
  { id: "Acrobot-v1", obs: 6, maxSteps: 500, threshold: -100 },
];

describe.each(registered)("$id", ({ id, obs, maxSteps, threshold }) => {
  it("is registered with Gymnasium's time limit and reward threshold", () => {
    expect(spec(id).maxEpisodeSteps).toBe(maxSteps);
    expect(spec(id).rewardThreshold).toBe(threshold);
  });

  it("passes checkEnv", () => {
    const env = make(id).unwrapped;
    expect(() => checkEnv(env)).not.toThrow();
  });

  it("returns Float32Array observations of the right shape inside the space; seeded resets repeat", () => {
    const env = make(id);
    const [o1] = env.reset({ seed: 5 });
    expect(o1).toBeInstanceOf(Float32Array);
    expect(o1.length).toBe(obs);
    expect(env.observationSpace.contains(o1)).toBe(true);
    const [o2] = env.reset({ seed: 5 });
    expect(Array.from(o2)).toEqual(Array.from(o1));
    const [o3] = env.reset({ seed: 6 });
    expect(Array.from(o3)).not.toEqual(Array.from(o1));
  });

  it("random rollouts stay in the observation space and end by the time limit", () => {
    const env = make(id);
    env.reset({ seed: 1 });
    env.actionSpace.seed(1);
    let steps = 0;
    for (;;) {
      const [o, r, term, trunc] = env.step(env.actionSpace.sample());
      steps++;
      expect(env.observationSpace.contains(o)).toBe(true);
      expect(Number.isFinite(r)).toBe(true);
      if (term || trunc) {
        if (trunc) expect(steps).toBe(maxSteps);
        break;
      }
    }
    expect(steps).toBeLessThanOrEqual(maxSteps);
  });
});

describe("CartPole-v1 dynamics", () => {
  it("matches a hand-computed Euler step from the zero state (push right)", () => {
    const env = new CartPoleEnv();
    const [o0] = env.reset({ options: { low: 0, high: 0 } });
    expect(Array.from(o0)).toEqual([0, 0, 0, 0]);
    // force 10: temp = 10/1.1; θ̈ = −temp / (0.5·(4/3 − 0.1/1.1)); ẍ = temp − 0.05·θ̈/1.1
    const temp = 10 / 1.1;
    const thetaAcc = -temp / (0.5 * (4 / 3 - 0.1 / 1.1));
    const xAcc = temp - (0.05 * thetaAcc) / 1.1;
    const [o1, r, term] = env.step(1);
    expect(o1[0]).toBe(0);
    expect(o1[1]).toBeCloseTo(0.02 * xAcc, 6);
    expect(o1[2]).toBe(0);
    expect(o1[3]).toBeCloseTo(0.02 * thetaAcc, 6);
    expect(xAcc).toBeCloseTo(9.7561, 4);
    expect(thetaAcc).toBeCloseTo(-14.6341, 4);
    expect([r, term]).toEqual([1, false]);
    // second step: positions move by the previous velocities
    const [o2] = env.step(0);
    expect(o2[0]).toBeCloseTo(0.02 * (o1[1] as number), 6);
    expect(o2[2]).toBeCloseTo(0.02 * (o1[3] as number), 6);
  });

  it("terminates past 12 degrees or |x| > 2.4 and rewards the terminal step with 1 (0 per step, −1 with suttonBartoReward)", () => {
    const env = new CartPoleEnv();
    env.reset({ options: { low: 0.21, high: 0.21 } });
    const [, r, term] = env.step(1);
    expect(term).toBe(true); // θ = 0.21 + 0.02·0.21 > 12° = 0.2094
    expect(r).toBe(1);
    const sb = new CartPoleEnv({ suttonBartoReward: true });
    sb.reset({ options: { low: 0, high: 0 } });
    expect(sb.step(1)[1]).toBe(0);
    sb.reset({ options: { low: 0.21, high: 0.21 } });
    expect(sb.step(1)[1]).toBe(-1);
  });

  it("resets inside U(−0.05, 0.05) and rejects bad reset options", () => {
    const env = new CartPoleEnv();
    for (let s = 0; s < 50; s++) {
      const [o] = env.reset({ seed: s });
      for (const v of o) expect(Math.abs(v)).toBeLessThanOrEqual(0.05);
    }
    expect(() => env.reset({ options: { low: 0.1, high: 0 } })).toThrow(/low = 0.1 is greater than high = 0/);
    expect(() => env.reset({ options: { low: "x" } })).toThrow(/"low" must be a finite number/);
  });
});

describe("Pendulum-v1 dynamics", () => {
  it("matches a hand-computed step with torque 2 from rest at the top", () => {
    const env = new PendulumEnv();
    env.reset({ options: { x_init: 0, y_init: 0 } });
    const [o, r, term, trunc] = env.step([2]);
    // θ̇' = (3g/2l·sin 0 + 3/(ml²)·2)·0.05 = 0.3; θ' = 0.015; cost = 0.001·4
    expect(o[2]).toBeCloseTo(0.3, 6);
    expect(o[0]).toBeCloseTo(Math.cos(0.015), 6);
    expect(o[1]).toBeCloseTo(Math.sin(0.015), 6);
    expect(r).toBeCloseTo(-0.004, 10);
    expect([term, trunc]).toEqual([false, false]);
  });

  it("clips torque to ±2 and speed to ±8, and normalises the angle in the cost", () => {
    const env = new PendulumEnv();
    env.reset({ options: { x_init: 0, y_init: 0 } });
    const [, r] = env.step([5]);
    expect(r).toBeCloseTo(-0.004, 10);
    expect(angleNormalize(3 * Math.PI)).toBeCloseTo(-Math.PI, 10);
    expect(angleNormalize(-0.5)).toBeCloseTo(-0.5, 12);
    env.reset({ seed: 0 });
    for (let t = 0; t < 300; t++) expect(Math.abs(env.step([2])[0][2] as number)).toBeLessThanOrEqual(8);
  });

  it("resets θ in [−π, π] and θ̇ in [−1, 1]; reward never above 0", () => {
    const env = new PendulumEnv();
    for (let s = 0; s < 30; s++) {
      env.reset({ seed: s });
      expect(Math.abs(env.state[0] as number)).toBeLessThanOrEqual(Math.PI);
      expect(Math.abs(env.state[1] as number)).toBeLessThanOrEqual(1);
      expect(env.step([0])[1]).toBeLessThanOrEqual(0);
    }
  });
});

describe("MountainCar dynamics", () => {
  it("MountainCar-v0: hand-computed push-right step, −1 reward, termination at the goal", () => {
    const env = new MountainCarEnv();
    env.reset({ options: { low: -0.5, high: -0.5 } });
    const [o, r, term] = env.step(2);
    const v = 0.001 - 0.0025 * Math.cos(-1.5);
    expect(o[1]).toBeCloseTo(v, 8);
    expect(o[0]).toBeCloseTo(-0.5 + v, 7);
    expect([r, term]).toEqual([-1, false]);
    env.reset({ options: { low: 0.5, high: 0.5 } });
    expect(env.step(2)[2]).toBe(true);
  });

  it("MountainCar-v0: the left wall stops the car", () => {
    const env = new MountainCarEnv();
    env.reset({ options: { low: -1.19, high: -1.19 } });
    env.state[1] = -0.07;
    const [o] = env.step(0);
    expect(o[0]).toBeCloseTo(-1.2, 6);
    expect(o[1]).toBe(0);
  });

  it("MountainCarContinuous-v0: +100 at the goal minus 0.1·a², state rounded to float32", () => {
    const env = new MountainCarContinuousEnv();
    env.reset({ options: { low: 0.45, high: 0.45 } });
    const [o, r, term] = env.step([1]);
    expect(term).toBe(true);
    expect(r).toBeCloseTo(99.9, 10);
    expect(o[1]).toBeCloseTo(0.0015 - 0.0025 * Math.cos(1.35), 7);
    env.reset({ options: { low: -0.5, high: -0.5 } });
    const [, r2, term2] = env.step([-0.5]);
    expect(term2).toBe(false);
    expect(r2).toBeCloseTo(-0.025, 10);
    expect(env.state[0]).toBe(Math.fround(env.state[0] as number));
  });
});

describe("Acrobot-v1 dynamics", () => {
  it("derivative at rest with torque +1 matches the book equations by hand", () => {
    const env = new AcrobotEnv();
    const d = env.dsdt([0, 0, 0, 0], 1);
    // d1 = 4.5, d2 = 1.75, φ1 = φ2 = 0 ⇒ θ̈2 = 1/(1.25 − 1.75²/4.5), θ̈1 = −1.75·θ̈2/4.5
    const dd2 = 1 / (1.25 - 1.75 ** 2 / 4.5);
    expect(d[3]).toBeCloseTo(dd2, 9);
    expect(d[2]).toBeCloseTo((-1.75 * dd2) / 4.5, 9);
  });

  it("one RK4 step agrees with a fine-grained integration of the same equations", () => {
    const env = new AcrobotEnv();
    env.reset({ options: { low: 0, high: 0 } });
    env.state.set([0.3, -0.2, 0.5, -1.0]);
    const start = Float64Array.from(env.state);
    env.step(2);
    const midpoint = (n: number) => {
      let y = start;
      const h = 0.2 / n;
      for (let k = 0; k < n; k++) {
        const k1 = env.dsdt(y, 1);
        const mid = y.map((v, i) => v + (h / 2) * (k1[i] as number));
        const k2 = env.dsdt(mid, 1);
        y = y.map((v, i) => v + h * (k2[i] as number));
      }
      return y;
    };
    const reference = midpoint(4000);
    const coarse = midpoint(1);
    const err = (y: Float64Array) => Math.max(...y.map((v, i) => Math.abs(v - (reference[i] as number))));
    // Fourth-order accurate: within 2e-3 over one 0.2 s step, far closer than a second-order step.
    expect(err(env.state)).toBeLessThan(2e-3);
    expect(err(env.state) * 20).toBeLessThan(err(coarse));
  });

  it("reward −1 until the tip is above the bar, then 0 and terminated", () => {
    const env = new AcrobotEnv();
    env.reset({ options: { low: 0, high: 0 } });
    expect(env.step(1).slice(1, 3)).toEqual([-1, false]);
    env.state.set([Math.PI, 0, 0, 0]); // both links pointing up
    const [, r, term] = env.step(1);
    expect([r, term]).toEqual([0, true]);
  });

  it("resets to float32-rounded U(−0.1, 0.1) states", () => {
    const env = new AcrobotEnv();
    env.reset({ seed: 3 });
    for (const v of env.state) {
      expect(Math.abs(v)).toBeLessThanOrEqual(0.1);
      expect(v).toBe(Math.fround(v));
    }
  });
});
