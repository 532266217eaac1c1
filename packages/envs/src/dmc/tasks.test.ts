import { Rng } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../env.js";
import { loadMujoco } from "../mujoco/adapter.js";
import { make } from "../registry.js";
import type { Box } from "../spaces.js";
import type { DmcEnv } from "./base.js";
import { DMC_TASKS, dmcIdFromName } from "./index.js";
import { DmcAcrobotEnv } from "./tasks/acrobot.js";
import { DmcBallInCupEnv } from "./tasks/ball-in-cup.js";
import { DmcCartpoleEnv } from "./tasks/cartpole.js";
import { DmcCheetahEnv } from "./tasks/cheetah.js";
import { DmcFingerEnv } from "./tasks/finger.js";
import { DmcHopperEnv } from "./tasks/hopper.js";
import { DmcPendulumEnv } from "./tasks/pendulum.js";
import { DmcReacherEnv } from "./tasks/reacher.js";
import { DmcWalkerEnv } from "./tasks/walker.js";

beforeAll(async () => {
  await loadMujoco();
});

function randomPolicy(env: Env, seed: number): () => Float32Array {
  const rng = new Rng(seed);
  const n = (env.actionSpace as Box).size;
  return () => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
}

/** Sum of rewards over `steps` steps of `policy` (no reset in between). */
function episodeReturn(env: Env, steps: number, policy: () => ArrayLike<number>): number {
  let total = 0;
  for (let t = 0; t < steps; t++) total += env.step(policy())[1];
  return total;
}

// [observation size, action size] per id, from dm_control's observation and action specs.
const SIZES: Record<string, [number, number]> = {
  "dmc/cartpole-swingup": [5, 1],
  "dmc/cartpole-swingup_sparse": [5, 1],
  "dmc/cartpole-balance": [5, 1],
  "dmc/cartpole-balance_sparse": [5, 1],
  "dmc/reacher-easy": [6, 2],
  "dmc/reacher-hard": [6, 2],
  "dmc/cheetah-run": [17, 6],
  "dmc/walker-stand": [24, 6],
  "dmc/walker-walk": [24, 6],
  "dmc/walker-run": [24, 6],
  "dmc/hopper-stand": [15, 4],
  "dmc/hopper-hop": [15, 4],
  "dmc/finger-spin": [9, 2],
  "dmc/finger-turn_easy": [12, 2],
  "dmc/finger-turn_hard": [12, 2],
  "dmc/ball_in_cup-catch": [8, 2],
  "dmc/pendulum-swingup": [3, 1],
  "dmc/acrobot-swingup": [6, 1],
  "dmc/acrobot-swingup_sparse": [6, 1],
};

describe("every DMC task", () => {
  it("has its expected sizes listed here", () => {
    expect(DMC_TASKS.map((t) => t.id).sort()).toEqual(Object.keys(SIZES).sort());
  });

  it.each(DMC_TASKS.map((t) => t.id))(
    "%s: sizes, [−1, 1] actions, rewards in [0, 1], 1000-step truncation, seeded resets",
    (id) => {
      const [obsSize, actSize] = SIZES[id] as [number, number];
      const env = make(id);
      const [obs] = env.reset({ seed: 1 });
      const unwrapped = env.unwrapped as DmcEnv;
      expect(obs).toBeInstanceOf(Float32Array);
      expect(obs.length).toBe(obsSize);
      expect(env.observationSpace.shape).toEqual([obsSize]);
      expect(unwrapped.observationLayout.reduce((n, e) => n + e.size, 0)).toBe(obsSize);
      const actions = env.actionSpace as Box;
      expect(actions.shape).toEqual([actSize]);
      expect(Array.from(actions.low)).toEqual(new Array(actSize).fill(-1));
      expect(Array.from(actions.high)).toEqual(new Array(actSize).fill(1));

      const policy = randomPolicy(env, 2);
      for (let t = 1; t <= 1000; t++) {
        const [next, reward, terminated, truncated] = env.step(policy());
        expect(reward).toBeGreaterThanOrEqual(0);
        expect(reward).toBeLessThanOrEqual(1);
        expect(terminated).toBe(false);
        expect(truncated).toBe(t === 1000);
        if (t % 100 === 0) expect(next.every(Number.isFinite)).toBe(true);
      }

      const rollout = (seed: number) => {
        const [first] = env.reset({ seed });
        const act = randomPolicy(env, 3);
        const trace = [Array.from(first)];
        for (let t = 0; t < 10; t++) trace.push(Array.from(env.step(act())[0]));
        return trace;
      };
      const a = rollout(7);
      expect(rollout(7)).toEqual(a);
      expect(rollout(8)[0]).not.toEqual(a[0]);
      env.close();
    },
  );

  it("maps QMLE's domain_task names to ids and rejects unknown ones", () => {
    expect(dmcIdFromName("cartpole_swingup")).toBe("dmc/cartpole-swingup");
    expect(dmcIdFromName("finger_turn_hard")).toBe("dmc/finger-turn_hard");
    expect(dmcIdFromName("ball_in_cup_catch")).toBe("dmc/ball_in_cup-catch");
    expect(() => dmcIdFromName("cartpole_fly")).toThrow(/no DMC task named "cartpole_fly"/);
    expect(() => make("dmc/cartpole-swingup", { task: "balance" })).toThrow(/the id fixes the task/);
    expect(() => make("dmc/cartpole-swingup", { gravity: 2 })).toThrow(/dmc\/cartpole: invalid options/);
  });
});

describe("cartpole", () => {
  it("swing-up starts centred with the pole hanging down, and an uncontrolled pole earns little", () => {
    const env = new DmcCartpoleEnv({ task: "swingup" });
    const [obs] = env.reset({ seed: 0 });
    expect(Math.abs(obs[0] as number)).toBeLessThan(0.05);
    expect(obs[1]).toBeLessThan(-0.99); // cos θ
    expect(Math.abs(obs[2] as number)).toBeLessThan(0.05); // sin θ
    expect(episodeReturn(env, 1000, () => [0])).toBeLessThan(10);
    env.close();
  });

  it("balance starts near upright and pays ≈1 per step at first; sparse pays exactly 1", () => {
    const env = new DmcCartpoleEnv({ task: "balance" });
    env.reset({ seed: 0 });
    expect(env.step([0])[1]).toBeGreaterThan(0.9);
    env.close();
    const sparse = new DmcCartpoleEnv({ task: "balance_sparse" });
    sparse.reset({ seed: 0 });
    expect(sparse.step([0])[1]).toBe(1);
    sparse.close();
  });

  it("the smooth reward is 1 upright at rest without control, and control costs up to a fifth", () => {
    const env = new DmcCartpoleEnv();
    env.reset({ seed: 0 });
    env.sim.setState([0, 0], [0, 0]);
    expect(env.reward()).toBeCloseTo(1, 12);
    env.sim.step([1], 0); // writes ctrl without stepping
    expect(env.reward()).toBeCloseTo(0.8, 12);
    // Pole horizontal: upright = 1/2; observation shows cos θ = 0, sin θ = 1.
    env.sim.step([0], 0);
    env.sim.setState([0, Math.PI / 2], [0, 0]);
    expect(env.reward()).toBeCloseTo(0.5, 12);
    const [obs] = env.step([0]);
    expect(obs[1]).toBeCloseTo(0, 2);
    expect(obs[2]).toBeCloseTo(1, 3);
    env.close();
  });

  it("pushing the cart moves it: a constant push to the right gives a positive cart velocity", () => {
    const env = new DmcCartpoleEnv({ task: "balance" });
    env.reset({ seed: 3 });
    let obs = env.step([1])[0];
    for (let t = 0; t < 20; t++) obs = env.step([1])[0];
    expect(obs[3]).toBeGreaterThan(0.5);
    env.close();
  });
});

/** Joint angles of the two-link reacher (both links 0.12 m) that put the fingertip at (x, y). */
function reacherIk(x: number, y: number): [number, number] {
  const link = 0.12;
  const elbow = Math.acos((x * x + y * y - 2 * link * link) / (2 * link * link));
  return [Math.atan2(y, x) - elbow / 2, elbow];
}

describe("reacher", () => {
  it("draws the target 0.05–0.2 m from the shoulder and pays 1 exactly when the fingertip is on it", () => {
    const env = new DmcReacherEnv({ task: "easy" });
    for (const seed of [0, 1, 2]) {
      const [obs] = env.reset({ seed });
      const [tx, ty] = env.target;
      expect(Math.hypot(tx, ty)).toBeGreaterThanOrEqual(0.05);
      expect(Math.hypot(tx, ty)).toBeLessThanOrEqual(0.2);
      const [fx, fy] = env.fingertip;
      expect(obs[2]).toBeCloseTo(tx - fx, 6);
      expect(obs[3]).toBeCloseTo(ty - fy, 6);
      env.sim.setState(reacherIk(tx, ty), [0, 0]);
      expect(Math.hypot(...env.fingerToTarget())).toBeLessThan(1e-9);
      expect(env.reward()).toBe(1);
      // Nothing pulls the arm in the horizontal plane: a zero action keeps the fingertip on the target.
      const [next, reward] = env.step([0, 0]);
      expect(reward).toBe(1);
      expect(Math.hypot(next[2] as number, next[3] as number)).toBeLessThan(1e-6);
      // Pointing the other way is far off the target.
      env.sim.setState([Math.atan2(ty, tx) + Math.PI, 0], [0, 0]);
      expect(env.reward()).toBe(0);
    }
    env.close();
  });

  it("hard shrinks the target: 3 cm off still counts for easy (0.05 + 0.01), not for hard (0.015 + 0.01)", () => {
    for (const [task, expected] of [
      ["easy", 1],
      ["hard", 0],
    ] as const) {
      const env = new DmcReacherEnv({ task });
      env.reset({ seed: 5 });
      const [tx, ty] = env.target;
      const scale = (Math.hypot(tx, ty) + 0.03) / Math.hypot(tx, ty);
      env.sim.setState(reacherIk(tx * scale, ty * scale), [0, 0]);
      expect(env.reward()).toBe(expected);
      env.close();
    }
  });
});

describe("cheetah run", () => {
  it("starts settled on the ground after DMC's 200 settling steps", () => {
    const env = new DmcCheetahEnv();
    const [obs] = env.reset({ seed: 0 });
    const velocity = obs.subarray(8);
    expect(Math.max(...Array.from(velocity, Math.abs))).toBeLessThan(0.5);
    env.close();
  });

  it("reward is the centre-of-mass speed over 10 m/s, clipped to [0, 1]", () => {
    const env = new DmcCheetahEnv();
    env.reset({ seed: 0 });
    const pose = Float64Array.from(env.sim.read("qpos"));
    const rewardAt = (speed: number) => {
      const qvel = new Float64Array(9);
      qvel[0] = speed; // every body moves with the root
      env.sim.setState(pose, qvel);
      return env.reward();
    };
    expect(rewardAt(-3)).toBe(0);
    expect(rewardAt(0)).toBe(0);
    expect(rewardAt(2)).toBeCloseTo(0.2, 9);
    expect(rewardAt(5)).toBeCloseTo(0.5, 9);
    expect(rewardAt(15)).toBe(1);
    env.close();
  });

  it("an uncontrolled cheetah stays put and earns nothing", () => {
    const env = new DmcCheetahEnv();
    env.reset({ seed: 1 });
    expect(episodeReturn(env, 200, () => new Float32Array(6))).toBeLessThan(1);
    env.close();
  });
});

describe("walker", () => {
  it("standing upright in the initial pose earns the full stand reward; walk and run need speed", () => {
    const rewards: Record<string, number[]> = {};
    for (const task of ["stand", "walk", "run"] as const) {
      const env = new DmcWalkerEnv({ task });
      env.reset({ seed: 0 });
      const upright = new Float64Array(9); // torso at z = 1.3, legs straight
      env.sim.setState(upright, new Float64Array(9));
      const atRest = env.reward();
      const moving = new Float64Array(9);
      moving[1] = 1; // rootx velocity 1 m/s
      env.sim.setState(upright, moving);
      rewards[task] = [atRest, env.reward()];
      env.close();
    }
    expect(rewards.stand?.[0]).toBeCloseTo(1, 9);
    expect(rewards.walk?.[0]).toBeCloseTo(1 / 6, 9); // move term 0 at rest
    expect(rewards.walk?.[1]).toBeCloseTo(1, 9); // 1 m/s is walking speed
    expect(rewards.run?.[1]).toBeCloseTo((5 * 0.125 + 1) / 6, 9); // 1 m/s is 7/8 of a margin 4 short of 8 m/s
  });

  it("orientations are (cos, sin) of each body's pitch; upside down halves the upright term", () => {
    const env = new DmcWalkerEnv({ task: "stand" });
    env.reset({ seed: 0 });
    const qpos = new Float64Array(9);
    qpos[2] = 0.3; // torso pitch (about +y)
    qpos[3] = 0.2; // right hip (about −y): the thigh pitches 0.3 − 0.2
    env.sim.setState(qpos, new Float64Array(9));
    const [obs] = env.step(new Float32Array(6));
    expect(obs[0]).toBeCloseTo(Math.cos(0.3), 2);
    expect(obs[1]).toBeCloseTo(Math.sin(0.3), 2);
    expect(obs[2]).toBeCloseTo(Math.cos(0.1), 2);
    expect(obs[3]).toBeCloseTo(Math.sin(0.1), 2);
    qpos.fill(0);
    qpos[2] = Math.PI;
    env.sim.setState(qpos, new Float64Array(9));
    expect(env.torsoHeight).toBeCloseTo(1.3, 9);
    expect(env.reward()).toBeCloseTo(3 / 4, 9);
    env.close();
  });

  it("without control the walker collapses and the stand reward drops", () => {
    const env = new DmcWalkerEnv({ task: "stand" });
    env.reset({ seed: 0 });
    env.sim.setState(new Float64Array(9), new Float64Array(9));
    expect(env.step(new Float32Array(6))[1]).toBeCloseTo(1, 3);
    for (let t = 0; t < 100; t++) env.step(new Float32Array(6));
    expect(env.torsoHeight).toBeLessThan(0.6);
    expect(env.step(new Float32Array(6))[1]).toBeLessThan(0.5);
    env.close();
  });
});

describe("hopper", () => {
  it("upright is standing: stand pays 1 without control, less with it; hop needs 2 m/s", () => {
    const stand = new DmcHopperEnv({ task: "stand" });
    stand.reset({ seed: 0 });
    stand.sim.setState(new Float64Array(7), new Float64Array(7));
    expect(stand.height).toBeGreaterThan(0.9);
    expect(stand.reward()).toBeCloseTo(1, 12);
    stand.sim.step([1, 0, 0, 0], 0); // writes ctrl only: mean small_control = 3/4
    expect(stand.reward()).toBeCloseTo((0.75 + 4) / 5, 12);
    stand.close();

    const hop = new DmcHopperEnv({ task: "hop" });
    hop.reset({ seed: 0 });
    const qvel = new Float64Array(7);
    const at = (speed: number) => {
      qvel[0] = speed;
      hop.sim.setState(new Float64Array(7), qvel);
      return hop.reward();
    };
    expect(at(0)).toBe(0);
    expect(at(1.5)).toBeCloseTo(0.75, 9);
    expect(at(2.5)).toBe(1);
    const lying = new Float64Array(7);
    lying[2] = Math.PI / 2;
    hop.sim.setState(lying, qvel);
    expect(hop.reward()).toBe(0); // fast but not standing
    hop.close();
  });

  it("dropped without control it lands (touch sensors fire) and stops standing", () => {
    const env = new DmcHopperEnv({ task: "stand" });
    env.reset({ seed: 0 });
    env.sim.setState(new Float64Array(7), new Float64Array(7));
    let touched = 0;
    for (let t = 0; t < 100; t++) {
      const [obs] = env.step([0, 0, 0, 0]);
      touched = Math.max(touched, obs[13] as number, obs[14] as number);
    }
    expect(touched).toBeGreaterThan(0.5);
    expect(env.step([0, 0, 0, 0])[1]).toBe(0);
    env.close();
  });
});

describe("finger", () => {
  it("resets to a collision-free pose; turn draws the target on the tip's circle", () => {
    for (const task of ["spin", "turn_hard"] as const) {
      const env = new DmcFingerEnv({ task });
      for (const seed of [0, 1, 2, 3]) {
        const [obs] = env.reset({ seed });
        expect(env.sim.read("qfrc_constraint").every((f) => f === 0)).toBe(true);
        expect(obs[7]).toBe(0); // log1p(touch top)
        expect(Math.hypot(obs[2] as number, obs[3] as number)).toBeCloseTo(0.13, 6); // tip on its circle
        if (task !== "spin") expect(Math.hypot(obs[9] as number, obs[10] as number)).toBeCloseTo(0.13, 6);
      }
      env.close();
    }
  });

  it("spin pays while the spinner turns at ≤ −15 rad/s, and its lower damping lets it coast longer", () => {
    const spin = new DmcFingerEnv({ task: "spin" });
    const turn = new DmcFingerEnv({ task: "turn_easy" });
    const speedAfter = (env: DmcFingerEnv) => {
      env.reset({ seed: 0 });
      const qpos = env.sim.read("qpos");
      env.sim.setState(qpos, [0, 0, -20]);
      for (let t = 0; t < 5; t++) env.step([0, 0]);
      return env.hingeVelocity;
    };
    spin.reset({ seed: 0 });
    const qpos = spin.sim.read("qpos");
    spin.sim.setState(qpos, [0, 0, -20]);
    expect(spin.reward()).toBe(1);
    spin.sim.setState(qpos, [0, 0, 20]);
    expect(spin.reward()).toBe(0);
    spin.sim.setState(qpos, [0, 0, -10]);
    expect(spin.reward()).toBe(0);
    const coasting = speedAfter(spin);
    const damped = speedAfter(turn);
    expect(coasting).toBeLessThan(-10);
    expect(coasting).toBeLessThan(damped - 5);
    spin.close();
    turn.close();
  });

  it("turn pays when the tip is in the target; 5 cm away is inside easy's 7 cm but not hard's 3 cm", () => {
    for (const [task, offByFive] of [
      ["turn_easy", 1],
      ["turn_hard", 0],
    ] as const) {
      const env = new DmcFingerEnv({ task });
      env.reset({ seed: 4 });
      const [tx, tz] = env.target;
      const angle = Math.atan2(tx - 0.2, tz - 0.4); // target = hinge + 0.13 (sin α, cos α)
      const qpos = env.sim.read("qpos");
      const at = (hinge: number) => {
        qpos[2] = hinge; // the hinge turns about −y: the tip sits at 0.13 (−sin θ, cos θ)
        env.sim.setState(qpos, [0, 0, 0]);
        return env.reward();
      };
      expect(at(-angle)).toBe(1);
      expect(env.distToTarget()).toBeCloseTo(-env.targetSize, 9);
      expect(at(-angle + Math.PI)).toBe(0);
      expect(at(-angle + 2 * Math.asin(0.05 / 0.26))).toBe(offByFive); // chord of 5 cm
      env.close();
    }
  });
});

describe("ball_in_cup catch", () => {
  it("pays 1 with the ball in the cup and 0 beside it", () => {
    const env = new DmcBallInCupEnv();
    env.reset({ seed: 0 });
    env.sim.setState([0, 0, 0, 0.35], [0, 0, 0, 0]); // ball centre at z = 0.55, the target's centre
    expect(env.reward()).toBe(1);
    env.sim.setState([0.1, -0.05, 0.1, 0.3], [0, 0, 0, 0]); // the cup moved with it
    expect(env.reward()).toBe(1);
    env.sim.setState([0, 0, 0.03, 0.35], [0, 0, 0, 0]); // 3 cm sideways: the ball would cut the wall
    expect(env.reward()).toBe(0);
    env.sim.setState([0, 0, 0, 0.45], [0, 0, 0, 0]); // above the cup's rim
    expect(env.reward()).toBe(0);
    env.close();
  });

  it("starts with the ball free near the cup; a ball dropped beside the cup hangs from the string, one dropped above it lands in it", () => {
    const env = new DmcBallInCupEnv();
    for (const seed of [0, 1, 2]) {
      const [obs] = env.reset({ seed });
      expect(env.sim.read("qfrc_constraint").every((f) => f === 0)).toBe(true);
      expect(Array.from(obs.subarray(0, 2))).toEqual([0, 0]);
      expect(Math.abs(obs[2] as number)).toBeLessThanOrEqual(0.2);
      expect(obs[3]).toBeGreaterThanOrEqual(0.2);
      expect(obs[3]).toBeLessThanOrEqual(0.5);
    }
    env.sim.setState([0, 0, 0.15, 0.2], [0, 0, 0, 0]); // beside the cup, 0.2 m below its rim
    let lowest = Number.POSITIVE_INFINITY;
    let longest = 0;
    let total = 0;
    for (let t = 0; t < 150; t++) {
      const [obs, reward] = env.step([0, 0]);
      total += reward;
      lowest = Math.min(lowest, 0.2 + (obs[3] as number));
      longest = Math.max(longest, env.sim.at("ten_length", 0));
    }
    expect(total).toBe(0);
    expect(lowest).toBeLessThan(0.3); // it fell …
    expect(lowest).toBeGreaterThan(0.1); // … and hangs from the 0.3 m string below the cup (bottom at 0.49)
    expect(longest).toBeLessThan(0.32);
    env.sim.setState([0, 0, 0, 0.45], [0, 0, 0, 0]); // 5 cm above the rim, centred
    expect(env.reward()).toBe(0);
    expect(episodeReturn(env, 50, () => [0, 0])).toBeGreaterThan(40);
    env.close();
  });
});

describe("pendulum swingup", () => {
  it("pays within 8° of vertical only; the motor alone cannot hold the bob horizontal", () => {
    const env = new DmcPendulumEnv();
    env.reset({ seed: 0 });
    const at = (angle: number) => {
      env.sim.setState([angle], [0]);
      return env.reward();
    };
    expect(at(0)).toBe(1);
    expect(at((7.9 * Math.PI) / 180)).toBe(1);
    expect(at((8.1 * Math.PI) / 180)).toBe(0);
    expect(at(Math.PI)).toBe(0);
    // Gravity torque at horizontal is 1 kg · 9.81 · 0.5 m ≈ 4.9 N·m, the motor gives at most 1: the bob falls.
    env.sim.setState([Math.PI / 2], [0]);
    let obs = env.step([-1])[0];
    for (let t = 0; t < 10; t++) obs = env.step([-1])[0];
    expect(obs[1]).toBeLessThan(0.99); // sin θ left 1
    expect(obs[2]).toBeGreaterThan(0); // falling towards larger θ despite the opposing torque
    env.close();
  });
});

describe("acrobot swingup", () => {
  it("pays 1 with the arm straight up, decays with distance (shaped) or drops to 0 (sparse)", () => {
    const shaped = new DmcAcrobotEnv({ task: "swingup" });
    const sparse = new DmcAcrobotEnv({ task: "swingup_sparse" });
    for (const env of [shaped, sparse]) env.reset({ seed: 0 });
    const both = (q: [number, number]) =>
      [shaped, sparse].map((env) => {
        env.sim.setState(q, [0, 0]);
        return env.reward();
      });
    expect(both([0, 0])).toEqual([1, 1]);
    const [bentShaped, bentSparse] = both([0, Math.PI / 2]); // tip 1 m right of the shoulder's top: √2 from target
    expect(bentSparse).toBe(0);
    // gaussian with margin 1: 0.1^((√2 − 0.2)²)
    expect(bentShaped).toBeCloseTo(0.1 ** ((Math.SQRT2 - 0.2) ** 2), 6);
    const [downShaped] = both([Math.PI, 0]); // hanging: 4 m from the target
    expect(downShaped).toBeLessThan(1e-9);
    shaped.close();
    sparse.close();
  });

  it("observes (sin, cos) of each link's absolute angle", () => {
    const env = new DmcAcrobotEnv();
    env.reset({ seed: 0 });
    env.sim.setState([0.4, 0.3], [0, 0]);
    const [obs] = env.step([0]);
    const [shoulder, elbow] = [env.sim.at("qpos", 0), env.sim.at("qpos", 1)];
    expect(obs[0]).toBeCloseTo(Math.sin(shoulder), 5);
    expect(obs[1]).toBeCloseTo(Math.sin(shoulder + elbow), 5);
    expect(obs[2]).toBeCloseTo(Math.cos(shoulder), 5);
    expect(obs[3]).toBeCloseTo(Math.cos(shoulder + elbow), 5);
    env.close();
  });
});
