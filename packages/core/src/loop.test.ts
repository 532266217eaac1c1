import { describe, expect, it } from "vitest";
import type { Agent, Snapshot, Transition } from "./agent.js";
import { MemorySink } from "./agent.js";
import type { EnvLike, StepResult } from "./env.js";
import { NonFiniteError, QscapeError } from "./errors.js";
import { evaluatePolicy, evaluationSeeds, randomActionFor, runOffPolicy, runOnPolicy, TrainingLoop } from "./loop.js";
import { Rng } from "./rng.js";

/** 1-D random walk: reward = -|x|, episode of random length from the reset seed, ends at 20 steps. */
class WalkEnv implements EnvLike<Float32Array, Float32Array> {
  private x = 0;
  private t = 0;
  private limit = 20;
  resets: number[] = [];
  reset(opts: { seed?: number } = {}): [Float32Array, Record<string, unknown>] {
    const rng = new Rng(opts.seed ?? 0);
    this.resets.push(opts.seed ?? -1);
    this.x = rng.uniform(-1, 1);
    this.t = 0;
    this.limit = rng.int(5, 20);
    return [Float32Array.of(this.x), {}];
  }
  step(a: Float32Array): StepResult<Float32Array> {
    this.x += (a[0] as number) * 0.1;
    this.t += 1;
    const terminated = Math.abs(this.x) > 3;
    return [Float32Array.of(this.x), -Math.abs(this.x), terminated, this.t >= this.limit, { success: !terminated }];
  }
}

/** A learner with state: a running average of rewards and its own noise RNG. */
class AveragingAgent implements Agent<Float32Array, Float32Array> {
  readonly name = "averaging";
  w = 0;
  n = 0;
  updates = 0;
  observed = 0;
  rng: Rng;
  buffer: number[] = [];
  constructor(seed: number) {
    this.rng = new Rng(seed);
  }
  act(obs: Float32Array, { explore }: { explore: boolean }): Float32Array {
    return Float32Array.of(-Math.sign(obs[0] as number) * 0.5 + this.w + (explore ? this.rng.normal(0, 0.3) : 0));
  }
  observe(t: Transition<Float32Array, Float32Array>): void {
    this.observed += 1;
    this.buffer.push(t.reward);
  }
  update(): Record<string, number> {
    this.updates += 1;
    const r = this.buffer[this.rng.int(0, this.buffer.length)] as number;
    this.n += 1;
    this.w += (r * 0.01 - this.w) / this.n;
    return { loss: Math.abs(this.w) };
  }
  save(): Snapshot {
    return { w: this.w, n: this.n, updates: this.updates, rng: JSON.stringify(this.rng.getState()), buf: this.buffer };
  }
  load(s: Snapshot): void {
    const o = s as { w: number; n: number; updates: number; rng: string; buf: number[] };
    this.w = o.w;
    this.n = o.n;
    this.updates = o.updates;
    this.rng = Rng.fromState(JSON.parse(o.rng));
    this.buffer = [...o.buf];
  }
  dispose(): void {}
}

const randomAction = (rng: Rng) => Float32Array.of(rng.uniform(-1, 1));

describe("TrainingLoop", () => {
  it("flushMetrics records the training metrics since the last logEvery boundary (what runUntil alone leaves)", () => {
    const sink = new MemorySink();
    const loop = new TrainingLoop(
      { totalSteps: 250, warmupSteps: 50, updateEvery: 1, evalEvery: 0, seed: 3, logEvery: 100 },
      { env: new WalkEnv(), agent: new AveragingAgent(1), randomAction, sink },
    );
    loop.runUntil(250);
    // Logged at steps 100 and 200; the updates of steps 201–250 are still pending.
    expect(sink.series("train/loss").map((p) => p.step)).toEqual([100, 200]);
    loop.flushMetrics();
    expect(sink.series("train/loss").map((p) => p.step)).toEqual([100, 200, 250]);
    loop.flushMetrics(); // nothing new: no record
    expect(sink.series("train/loss")).toHaveLength(3);
  });

  it("warms up, respects the update schedule and evaluates on schedule", () => {
    const agent = new AveragingAgent(1);
    const sink = new MemorySink();
    const res = runOffPolicy(
      {
        totalSteps: 300,
        warmupSteps: 50,
        updateEvery: 2,
        updatesPerBurst: 3,
        evalEvery: 100,
        evalEpisodes: 3,
        seed: 3,
      },
      { env: new WalkEnv(), evalEnv: new WalkEnv(), agent, randomAction, sink },
    );
    expect(res.step).toBe(300);
    expect(agent.observed).toBe(300);
    // Updates at steps 50, 52, …, 300: 126 bursts of 3.
    expect(res.updates).toBe(126 * 3);
    expect(res.evals.map((e) => e.step)).toEqual([100, 200, 300]);
    expect(res.evals[0]?.returns).toHaveLength(3);
    expect(res.evals[0]?.successRate).not.toBeNull();
    expect(sink.series("eval/mean_return")).toHaveLength(3);
    expect(sink.series("train/loss").length).toBeGreaterThan(0);
    expect(res.episodes.reduce((a, e) => a + e.length, 0)).toBeLessThanOrEqual(300);
  });

  it("defers evaluation on the training env to the end of the running episode", () => {
    const res = runOffPolicy(
      { totalSteps: 120, evalEvery: 50, evalEpisodes: 1, seed: 1 },
      { env: new WalkEnv(), agent: new AveragingAgent(2) },
    );
    for (const e of res.evals) expect(res.episodes.some((ep) => ep.step === e.step) || e.step === 120).toBe(true);
  });

  it("resumes from a checkpoint exactly as if it had not stopped", () => {
    const cfg = { totalSteps: 400, warmupSteps: 20, evalEvery: 100, evalEpisodes: 2, seed: 11 };
    const straightAgent = new AveragingAgent(5);
    const straight = new TrainingLoop(cfg, {
      env: new WalkEnv(),
      evalEnv: new WalkEnv(),
      agent: straightAgent,
      randomAction,
    }).run();

    const agentA = new AveragingAgent(5);
    const loopA = new TrainingLoop(cfg, { env: new WalkEnv(), evalEnv: new WalkEnv(), agent: agentA, randomAction });
    loopA.runUntil(200, { toEpisodeEnd: true });
    expect(loopA.atEpisodeBoundary).toBe(true);
    const saved = JSON.parse(JSON.stringify({ loop: loopA.save(), agent: agentA.save() }));

    const agentB = new AveragingAgent(999);
    const loopB = new TrainingLoop(cfg, { env: new WalkEnv(), evalEnv: new WalkEnv(), agent: agentB, randomAction });
    loopB.load(saved.loop);
    agentB.load(saved.agent);
    const resumed = loopB.run();
    expect(agentB.w).toBe(straightAgent.w);
    expect(resumed.updates).toBe(straight.updates);
    expect(resumed.evals.map((e) => e.mean)).toEqual(straight.evals.map((e) => e.mean));
  });

  it("a resumed loop's timings go on from the checkpoint's (all the work behind the result), not from 0", () => {
    const cfg = { totalSteps: 300, warmupSteps: 20, evalEvery: 100, evalEpisodes: 2, seed: 11 };
    const slow = (agent: AveragingAgent) => {
      const update = agent.update.bind(agent);
      agent.update = () => {
        const until = performance.now() + 1;
        while (performance.now() < until) {} // 1 ms of learning per update, so the phase is measurable
        return update();
      };
      return agent;
    };
    const agentA = slow(new AveragingAgent(5));
    const loopA = new TrainingLoop(cfg, { env: new WalkEnv(), evalEnv: new WalkEnv(), agent: agentA, randomAction });
    loopA.runUntil(200, { toEpisodeEnd: true });
    const atSave = loopA.result().timings;
    expect(atSave.update).toBeGreaterThan(0.1);
    const saved = JSON.parse(JSON.stringify(loopA.save()));

    const loopB = new TrainingLoop(cfg, {
      env: new WalkEnv(),
      evalEnv: new WalkEnv(),
      agent: slow(new AveragingAgent(5)),
      randomAction,
    });
    loopB.load(saved);
    expect(loopB.result().timings).toEqual(atSave);
    const after = loopB.run().timings;
    for (const phase of ["env", "act", "update", "eval"] as const)
      expect(after[phase]).toBeGreaterThanOrEqual(atSave[phase]);
    expect(after.update).toBeGreaterThan(atSave.update);

    // A snapshot written before timings were saved resumes with them counted from 0.
    const { timings: _, ...older } = saved;
    const loopC = new TrainingLoop(cfg, { env: new WalkEnv(), agent: new AveragingAgent(5), randomAction });
    loopC.load(older);
    expect(loopC.result().timings).toEqual({ env: 0, act: 0, update: 0, eval: 0 });
  });

  it("refuses to checkpoint mid-episode", () => {
    const loop = new TrainingLoop({ totalSteps: 100, seed: 0 }, { env: new WalkEnv(), agent: new AveragingAgent(0) });
    loop.runUntil(3);
    expect(loop.atEpisodeBoundary).toBe(false);
    expect(() => loop.save()).toThrow(/episode boundary/);
  });

  it("stops on a non-finite action with an error naming the agent", () => {
    const agent = new AveragingAgent(0);
    agent.act = () => Float32Array.of(Number.NaN);
    expect(() => runOffPolicy({ totalSteps: 10, seed: 0 }, { env: new WalkEnv(), agent })).toThrow(NonFiniteError);
    expect(() => runOffPolicy({ totalSteps: 10, seed: 0 }, { env: new WalkEnv(), agent })).toThrow(/averaging/);
  });

  it("validates its config with messages naming the field", () => {
    const hooks = { env: new WalkEnv(), agent: new AveragingAgent(0) };
    expect(() => new TrainingLoop({ totalSteps: -5, seed: 0 }, hooks)).toThrow(/totalSteps/);
    expect(() => new TrainingLoop({ totalSteps: 5, seed: 0, warmupSteps: 3 }, hooks)).toThrow(QscapeError);
    expect(() => new TrainingLoop({ totalSteps: 5, seed: 0, evalEpisodes: 0 }, hooks)).toThrow(/evalEpisodes/);
  });

  it("supports early stopping from hooks", () => {
    const res = runOffPolicy(
      { totalSteps: 1000, evalEvery: 50, evalEpisodes: 1, seed: 0 },
      { env: new WalkEnv(), evalEnv: new WalkEnv(), agent: new AveragingAgent(0), onEval: () => "stop" },
    );
    expect(res.stoppedEarly).toBe(true);
    expect(res.step).toBe(50);
    const capped = runOffPolicy(
      { totalSteps: 1000, evalEvery: 0, seed: 0 },
      { env: new WalkEnv(), agent: new AveragingAgent(0), shouldStop: (s) => s >= 77 },
    );
    expect(capped.step).toBe(77);
  });

  it("runs on-policy updates once per rollout", () => {
    const agent = new AveragingAgent(0);
    const res = runOnPolicy(
      { totalSteps: 256, rolloutSteps: 64, evalEvery: 0, seed: 0 },
      { env: new WalkEnv(), agent },
    );
    expect(res.updates).toBe(4);
    expect(agent.updates).toBe(4);
  });
});

describe("evaluating a saved policy", () => {
  it("evaluatePolicy on evaluationSeeds(seed, i, n) repeats the loop's i-th evaluation", () => {
    const agent = new AveragingAgent(1);
    const evalEnv = new WalkEnv();
    const res = runOffPolicy(
      { totalSteps: 200, warmupSteps: 20, evalEvery: 50, evalEpisodes: 4, seed: 11 },
      { env: new WalkEnv(), evalEnv, agent, randomAction },
    );
    const last = res.evals.length - 1;
    const again = evaluatePolicy(new WalkEnv(), agent, evaluationSeeds(11, last, 4));
    expect(again.returns).toEqual(res.evals[last]?.returns);
    expect(again.lengths).toEqual(res.evals[last]?.lengths);
    expect(again.successRate).toBe(res.evals[last]?.successRate);
    // The loop reset its evaluation episodes with exactly these seeds.
    expect(evalEnv.resets.slice(-4)).toEqual(evaluationSeeds(11, last, 4));
    // Fewer episodes are a prefix of more.
    expect(evaluationSeeds(11, last, 2)).toEqual(evaluationSeeds(11, last, 4).slice(0, 2));
    expect(evaluationSeeds(11, 0, 4)).not.toEqual(evaluationSeeds(11, 1, 4));
  });

  it("sampled evaluation draws a ∼ π from the episodes' own generators: training is unchanged, evaluations repeat, and an agent that cannot take a generator is refused", () => {
    /** AveragingAgent that samples from a given generator (ActOptions.rng) instead of its own. */
    class SamplingAgent extends AveragingAgent {
      readonly samplesWithGivenRng = true;
      override act(obs: Float32Array, opts: { explore: boolean; rng?: Rng }): Float32Array {
        if (!opts.rng) return super.act(obs, opts);
        return Float32Array.of(-Math.sign(obs[0] as number) * 0.5 + this.w + opts.rng.normal(0, 0.3));
      }
    }
    const train = (evalPolicy: "greedy" | "sampled") => {
      const agent = new SamplingAgent(3);
      const sink = new MemorySink();
      const res = runOffPolicy(
        { totalSteps: 300, warmupSteps: 20, evalEvery: 60, evalEpisodes: 4, seed: 5, evalPolicy },
        { env: new WalkEnv(), evalEnv: new WalkEnv(), agent, randomAction, sink },
      );
      return { agent, res, sink };
    };
    const greedy = train("greedy");
    const sampled = train("sampled");
    // Training saw the same episodes and made the same updates: evaluation drew nothing from the
    // agent's generator or the loop's.
    expect(sampled.res.episodes).toEqual(greedy.res.episodes);
    expect(sampled.agent.w).toBe(greedy.agent.w);
    expect(sampled.agent.rng.getState()).toEqual(greedy.agent.rng.getState());
    expect(sampled.sink.series("loss")).toEqual(greedy.sink.series("loss"));
    // The evaluations did differ: sampled actions are not the greedy ones.
    const last = greedy.res.evals.length - 1;
    expect(sampled.res.evals[last]?.returns).not.toEqual(greedy.res.evals[last]?.returns);
    // A sampled evaluation depends only on the policy and the seeds: evaluated again, the same numbers.
    const again = evaluatePolicy(new WalkEnv(), sampled.agent, evaluationSeeds(5, last, 4), { sampled: true });
    expect(again.returns).toEqual(sampled.res.evals[last]?.returns);
    // An agent that would sample from its own generator (and so change its training) is refused by name.
    expect(() => evaluatePolicy(new WalkEnv(), new AveragingAgent(3), [1], { sampled: true })).toThrow(
      /sampled evaluation: averaging does not sample from a given generator/,
    );
    expect(
      () =>
        new TrainingLoop(
          { totalSteps: 10, seed: 0, evalPolicy: "random" as never },
          { env: new WalkEnv(), agent: new AveragingAgent(0) },
        ),
    ).toThrow(/evalPolicy/);
  });

  it("averages the final info's episodeMetrics over the episodes that report them; the loop records them as eval/<name>", () => {
    // The walk's episode statistics: its final |x| always, and the episode's length only from even seeds.
    class StatsWalk extends WalkEnv {
      seed = 0;
      override reset(opts: { seed?: number } = {}): [Float32Array, Record<string, unknown>] {
        this.seed = opts.seed ?? 0;
        return super.reset(opts);
      }
      override step(a: Float32Array): StepResult<Float32Array> {
        const [obs, r, term, trunc, info] = super.step(a);
        const x = Math.abs(obs[0] as number);
        const episodeMetrics = this.seed % 2 === 0 ? { finalAbsX: x, even: 1 } : { finalAbsX: x, ignored: Number.NaN };
        return [obs, r, term, trunc, { ...info, episodeMetrics }];
      }
    }
    const agent = new AveragingAgent(1);
    const seeds = [4, 5, 6, 7];
    const e = evaluatePolicy(new StatsWalk(), agent, seeds);
    const finals = seeds.map((seed) => {
      const env = new StatsWalk();
      let [obs] = env.reset({ seed });
      for (;;) {
        const [next, , term, trunc] = env.step(agent.act(obs, { explore: false }));
        obs = next;
        if (term || trunc) return Math.abs(obs[0] as number);
      }
    });
    expect(e.episodeMetrics).toEqual({ finalAbsX: finals.reduce((a, b) => a + b, 0) / 4, even: 1 });
    expect(evaluatePolicy(new WalkEnv(), agent, seeds).episodeMetrics).toEqual({});

    const sink = new MemorySink();
    const loop = new TrainingLoop(
      { totalSteps: 100, warmupSteps: 20, evalEvery: 50, evalEpisodes: 4, seed: 11 },
      { env: new WalkEnv(), evalEnv: new StatsWalk(), agent: new AveragingAgent(1), randomAction, sink },
    );
    loop.runUntil(100);
    expect(sink.series("eval/finalAbsX").map((p) => p.step)).toEqual(
      sink.series("eval/mean_return").map((p) => p.step),
    );
    expect(sink.series("eval/even").length).toBeGreaterThan(0);
    expect(sink.series("eval/ignored")).toEqual([]);
  });

  it("randomActionFor draws inside Box bounds and from a Discrete range", () => {
    const rng = new Rng(0);
    const box = randomActionFor({ shape: [2], low: Float32Array.of(-2, 0), high: Float32Array.of(2, 1) });
    for (let i = 0; i < 50; i++) {
      const a = box(rng) as Float32Array;
      expect(a[0]).toBeGreaterThanOrEqual(-2);
      expect(a[0]).toBeLessThanOrEqual(2);
      expect(a[1]).toBeGreaterThanOrEqual(0);
      expect(a[1]).toBeLessThanOrEqual(1);
    }
    const discrete = randomActionFor({ n: 3, start: 1 });
    const seen = new Set(Array.from({ length: 60 }, () => discrete(rng)));
    expect([...seen].sort()).toEqual([1, 2, 3]);
    expect(() => randomActionFor({})).toThrow(QscapeError);
  });
});
