import { describe, expect, it } from "vitest";
import type { Transition } from "../agent.js";
import { Rng } from "../rng.js";
import { NStepAccumulator, type NStepTransition } from "./n-step.js";

/** Step t of an episode: obs [t], action t, reward r, next obs [t+1]. */
function step(t: number, reward: number, end: "" | "terminated" | "truncated" = ""): Transition<number[], number> {
  return {
    obs: [t],
    action: t,
    reward,
    nextObs: [t + 1],
    terminated: end === "terminated",
    truncated: end === "truncated",
  };
}

/** The fields a learner reads, for compact comparisons. */
function summary(x: NStepTransition<number[], number>) {
  return {
    obs: x.obs[0],
    next: x.nextObs[0],
    reward: Number(x.reward.toFixed(10)),
    discount: Number(x.discount.toFixed(10)),
    steps: x.steps,
    terminated: x.terminated,
    truncated: x.truncated,
  };
}

function run(acc: NStepAccumulator<number[], number>, stream: Transition<number[], number>[]) {
  return stream.flatMap((t) => acc.push(t).map(summary));
}

describe("NStepAccumulator", () => {
  const rewards = [1, 2, 3, 4, 5];

  it("matches hand-computed 3-step returns and truncates the tail at a termination", () => {
    const acc = new NStepAccumulator<number[], number>({ n: 3, gamma: 0.9 });
    const out = run(
      acc,
      rewards.map((r, t) => step(t, r, t === 4 ? "terminated" : "")),
    );
    expect(out).toEqual([
      // 1 + 0.9·2 + 0.81·3, bootstrapping from s3 with 0.9³.
      { obs: 0, next: 3, reward: 5.23, discount: 0.729, steps: 3, terminated: false, truncated: false },
      { obs: 1, next: 4, reward: 7.94, discount: 0.729, steps: 3, terminated: false, truncated: false },
      // The episode ends: windows reaching the terminal state never bootstrap.
      { obs: 2, next: 5, reward: 10.65, discount: 0.729, steps: 3, terminated: true, truncated: false },
      { obs: 3, next: 5, reward: 8.5, discount: 0.81, steps: 2, terminated: true, truncated: false },
      { obs: 4, next: 5, reward: 5, discount: 0.9, steps: 1, terminated: true, truncated: false },
    ]);
    expect(acc.pendingCount).toBe(0);
  });

  it("bootstraps after a truncation from the final observation with γ^k", () => {
    const acc = new NStepAccumulator<number[], number>({ n: 3, gamma: 0.9 });
    const out = run(
      acc,
      rewards.map((r, t) => step(t, r, t === 4 ? "truncated" : "")),
    );
    expect(out.slice(2)).toEqual([
      { obs: 2, next: 5, reward: 10.65, discount: 0.729, steps: 3, terminated: false, truncated: true },
      { obs: 3, next: 5, reward: 8.5, discount: 0.81, steps: 2, terminated: false, truncated: true },
      { obs: 4, next: 5, reward: 5, discount: 0.9, steps: 1, terminated: false, truncated: true },
    ]);
  });

  it("handles episodes shorter than n and never mixes episodes", () => {
    const acc = new NStepAccumulator<number[], number>({ n: 4, gamma: 0.5 });
    const first = run(acc, [step(0, 1), step(1, 2, "terminated")]);
    expect(first).toEqual([
      { obs: 0, next: 2, reward: 2, discount: 0.25, steps: 2, terminated: true, truncated: false },
      { obs: 1, next: 2, reward: 2, discount: 0.5, steps: 1, terminated: true, truncated: false },
    ]);
    // The next episode starts fresh: its first window holds only its own rewards.
    const second = run(acc, [step(10, 8), step(11, 8), step(12, 8), step(13, 8)]);
    expect(second).toEqual([
      { obs: 10, next: 14, reward: 8 + 4 + 2 + 1, discount: 0.0625, steps: 4, terminated: false, truncated: false },
    ]);
    // flush ends the episode where it stands: pending windows bootstrap as truncated.
    expect(acc.flush().map(summary)).toEqual([
      { obs: 11, next: 14, reward: 14, discount: 0.125, steps: 3, terminated: false, truncated: true },
      { obs: 12, next: 14, reward: 12, discount: 0.25, steps: 2, terminated: false, truncated: true },
      { obs: 13, next: 14, reward: 8, discount: 0.5, steps: 1, terminated: false, truncated: true },
    ]);
    expect(acc.flush()).toEqual([]);
  });

  it("with n = 1 passes transitions through with discount γ", () => {
    const acc = new NStepAccumulator<number[], number>({ n: 1, gamma: 0.99 });
    expect(run(acc, [step(0, 3), step(1, -1, "terminated")])).toEqual([
      { obs: 0, next: 1, reward: 3, discount: 0.99, steps: 1, terminated: false, truncated: false },
      { obs: 1, next: 2, reward: -1, discount: 0.99, steps: 1, terminated: true, truncated: false },
    ]);
  });

  it("agrees with a direct computation on random episodes, one output per input", () => {
    const rng = new Rng(8);
    const n = 5;
    const gamma = 0.97;
    const acc = new NStepAccumulator<number[], number>({ n, gamma });
    const stream: Transition<number[], number>[] = [];
    for (let t = 0; t < 400; t++) {
      const u = rng.random();
      stream.push(step(t, rng.normal(), u < 0.03 ? "terminated" : u < 0.06 ? "truncated" : ""));
    }
    const out = stream.flatMap((t) => acc.push(t));
    out.push(...acc.flush());
    expect(out.length).toBe(stream.length);
    for (const x of out) {
      const start = x.obs[0] as number;
      let reward = 0;
      let k = 0;
      let end = start;
      // Windows stop at n steps, an episode end, or the end of the stream (which flush closes).
      for (; k < n && start + k < stream.length; k++) {
        const s = stream[start + k] as Transition<number[], number>;
        reward += gamma ** k * s.reward;
        end = start + k;
        if (s.terminated || s.truncated) break;
      }
      const last = stream[end] as Transition<number[], number>;
      expect(x.steps).toBe(end - start + 1);
      expect(x.reward).toBeCloseTo(reward, 10);
      expect(x.discount).toBeCloseTo(gamma ** x.steps, 12);
      expect(x.nextObs).toBe(last.nextObs);
      expect(x.terminated).toBe(last.terminated);
    }
  });

  it("rejects bad options and rewards", () => {
    expect(() => new NStepAccumulator({ n: 0, gamma: 0.9 })).toThrow(/n must be an integer ≥ 1/);
    expect(() => new NStepAccumulator({ n: 3, gamma: 1.5 })).toThrow(/gamma must be in \[0, 1\]/);
    const acc = new NStepAccumulator<number[], number>({ n: 2, gamma: 0.9 });
    expect(() => acc.push(step(0, Number.NaN))).toThrow(/reward is NaN/);
  });
});
