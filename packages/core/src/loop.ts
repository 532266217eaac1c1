/**
 * The loop that connects an agent to an environment (Acme's EnvironmentLoop, CleanRL's main loop).
 * One class serves off-policy learners (random warm-up, update-to-data ratio) and on-policy ones
 * (an update every `rolloutSteps` env steps). Evaluation runs deterministic episodes (or, with
 * `evalPolicy: "sampled"`, episodes sampled from the policy) on a separate env every `evalEvery` steps.
 *
 * Reproducibility: every training episode is reset with a seed drawn from the loop's RNG, so the
 * loop's state at an episode boundary is just counters + RNG state. Checkpoints are taken there
 * (`runUntil(step, {toEpisodeEnd: true})`), and a resumed run continues exactly as if it had not
 * stopped.
 */
import { z } from "zod";
import type { ActOptions, Agent, MetricSink, Snapshot } from "./agent.js";
import { nullSink } from "./agent.js";
import type { EnvLike } from "./env.js";
import { NonFiniteError, QscapeError } from "./errors.js";
import { isBox, isDiscrete } from "./kit/spaces.js";
import { Rng, type RngState } from "./rng.js";

export interface EvalResult {
  step: number;
  returns: number[];
  lengths: number[];
  mean: number;
  /** Fraction of episodes whose final info had `success: true` (null when the env reports none). */
  successRate: number | null;
}

export interface EpisodeRecord {
  step: number;
  return: number;
  length: number;
}

export const LoopConfig = z
  .object({
    totalSteps: z.number().int().positive(),
    /** Env steps taken with `randomAction` before the agent acts (off-policy warm-up). */
    warmupSteps: z.number().int().nonnegative().default(0),
    /** No updates before this many env steps (defaults to warmupSteps). */
    learningStarts: z.number().int().nonnegative().optional(),
    /** Env steps between update bursts (on-policy: the rollout length). */
    updateEvery: z.number().int().positive().default(1),
    /** Updates per burst; updatesPerBurst / updateEvery is the update-to-data ratio. */
    updatesPerBurst: z.number().int().positive().default(1),
    /** Evaluate every N env steps (0 disables periodic evaluation; a final one still runs). */
    evalEvery: z.number().int().nonnegative().default(5000),
    evalEpisodes: z.number().int().positive().default(10),
    /**
     * "greedy": the deterministic action (`explore: false`). "sampled": a ∼ π, each episode drawing
     * from a generator derived from its own reset seed, never the agent's, so training is unchanged by
     * it and a resumed run re-makes the same evaluation. Needs an agent with `samplesWithGivenRng`.
     */
    evalPolicy: z.enum(["greedy", "sampled"]).default("greedy"),
    /** Average and report training metrics every N env steps. */
    logEvery: z.number().int().positive().default(1000),
    seed: z.number().int(),
  })
  .strict();
export type LoopConfig = z.input<typeof LoopConfig>;

export interface LoopHooks<Obs, Act> {
  env: EnvLike<Obs, Act>;
  /** Env for evaluation episodes; defaults to `env` (then evaluation happens between episodes only). */
  evalEnv?: EnvLike<Obs, Act>;
  agent: Agent<Obs, Act>;
  /** Action for warm-up steps, drawn from the loop's RNG. Required when warmupSteps > 0. */
  randomAction?: (rng: Rng) => Act;
  sink?: MetricSink;
  /** Called after each evaluation; return "stop" to end training early. */
  onEval?: (result: EvalResult) => undefined | "stop";
  onEpisode?: (episode: EpisodeRecord) => void;
  /** Polled once per env step; true ends training early (e.g. a wall-clock or compute cap). */
  shouldStop?: (step: number) => boolean;
}

export interface LoopTimings {
  /** Seconds spent in env.step / env.reset. */
  env: number;
  /** Seconds spent choosing actions. */
  act: number;
  /** Seconds spent in agent.update. */
  update: number;
  /** Seconds spent in evaluation episodes. */
  eval: number;
}

export interface LoopResult {
  step: number;
  updates: number;
  evals: EvalResult[];
  episodes: EpisodeRecord[];
  timings: LoopTimings;
  stoppedEarly: boolean;
}

interface LoopState {
  step: number;
  updates: number;
  episodesDone: number;
  evalsDone: number;
  rng: RngState;
  evals: EvalResult[];
  episodes: EpisodeRecord[];
  /** Training metrics accumulated since the last log: a resumed run logs the same averages. */
  metricSums?: [string, { sum: number; n: number }][];
  /** Seconds per phase up to the save: a resumed run's timings cover all the work behind its result. */
  timings?: LoopTimings;
}

export class TrainingLoop<Obs, Act> {
  readonly config: z.output<typeof LoopConfig> & { learningStarts: number };
  private readonly hooks: LoopHooks<Obs, Act>;
  private readonly sink: MetricSink;
  private rng: Rng;
  private step = 0;
  private updates = 0;
  private episodesDone = 0;
  private evalsDone = 0;
  private evals: EvalResult[] = [];
  private episodes: EpisodeRecord[] = [];
  private timings: LoopTimings = { env: 0, act: 0, update: 0, eval: 0 };
  // Mid-episode state (not part of checkpoints: those are taken at episode boundaries).
  private obs: Obs | null = null;
  private epReturn = 0;
  private epLength = 0;
  private metricSums = new Map<string, { sum: number; n: number }>();
  private stopped = false;
  private evalPending = false;

  constructor(config: LoopConfig, hooks: LoopHooks<Obs, Act>) {
    const parsed = LoopConfig.safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new QscapeError(`loop config: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
    }
    this.config = { ...parsed.data, learningStarts: parsed.data.learningStarts ?? parsed.data.warmupSteps };
    if (this.config.warmupSteps > 0 && !hooks.randomAction) {
      throw new QscapeError("loop config: warmupSteps > 0 needs a randomAction hook");
    }
    this.hooks = hooks;
    this.sink = hooks.sink ?? nullSink;
    this.rng = new Rng(this.config.seed);
  }

  get currentStep(): number {
    return this.step;
  }
  get atEpisodeBoundary(): boolean {
    return this.obs === null;
  }
  get done(): boolean {
    return this.stopped || this.step >= this.config.totalSteps;
  }

  /** Train to the end of the budget (or an early stop) and run a final evaluation. */
  run(): LoopResult {
    this.runUntil(this.config.totalSteps);
    this.flushMetrics();
    if (!this.stopped && (this.evals.length === 0 || this.evals.at(-1)?.step !== this.step)) this.evaluate();
    return this.result();
  }

  /**
   * Train until `step` env steps. With `toEpisodeEnd`, keep going until the running episode ends
   * (or the budget is used up) so the loop can be checkpointed.
   */
  runUntil(step: number, opts: { toEpisodeEnd?: boolean } = {}): void {
    const { totalSteps, warmupSteps, learningStarts, updateEvery, updatesPerBurst, evalEvery, logEvery } = this.config;
    const { env, agent } = this.hooks;
    const limit = Math.min(step, totalSteps);
    while (!this.stopped && this.step < totalSteps && (this.step < limit || (opts.toEpisodeEnd && this.obs !== null))) {
      if (this.obs === null) {
        const t0 = performance.now();
        this.obs = env.reset({ seed: this.rng.seed() })[0];
        this.timings.env += (performance.now() - t0) / 1000;
        this.epReturn = 0;
        this.epLength = 0;
      }
      const obs = this.obs;
      const ta = performance.now();
      const action =
        this.step < warmupSteps
          ? (this.hooks.randomAction as (rng: Rng) => Act)(this.rng)
          : agent.act(obs, { explore: true });
      if (action instanceof Float32Array || typeof action === "number") {
        const bad = typeof action === "number" ? !Number.isFinite(action) : action.some((v) => !Number.isFinite(v));
        if (bad)
          throw new NonFiniteError(`${agent.name}: action at step ${this.step} is not finite: ${String(action)}`);
      }
      const te = performance.now();
      const [nextObs, reward, terminated, truncated, info] = env.step(action);
      const tu = performance.now();
      this.timings.act += (te - ta) / 1000;
      this.timings.env += (tu - te) / 1000;
      agent.observe({ obs, action, reward, nextObs, terminated, truncated, info });
      this.step += 1;
      this.epReturn += reward;
      this.epLength += 1;
      this.obs = terminated || truncated ? null : nextObs;
      if (this.obs === null) {
        const ep = { step: this.step, return: this.epReturn, length: this.epLength };
        this.episodes.push(ep);
        this.episodesDone += 1;
        this.sink.record(this.step, "episode/return", ep.return);
        this.sink.record(this.step, "episode/length", ep.length);
        this.hooks.onEpisode?.(ep);
        if (this.evalPending) {
          this.evalPending = false;
          this.evaluate();
        }
      }
      if (this.step >= learningStarts && this.step % updateEvery === 0) {
        const t1 = performance.now();
        for (let u = 0; u < updatesPerBurst; u++) {
          const metrics = agent.update();
          this.updates += 1;
          for (const [k, v] of Object.entries(metrics)) {
            const acc = this.metricSums.get(k) ?? { sum: 0, n: 0 };
            acc.sum += v;
            acc.n += 1;
            this.metricSums.set(k, acc);
          }
        }
        this.timings.update += (performance.now() - t1) / 1000;
      }
      if (this.step % logEvery === 0) this.flushMetrics();
      if (evalEvery > 0 && this.step % evalEvery === 0) {
        // Evaluating on the training env mid-episode would cut that episode short: defer it.
        if (this.hooks.evalEnv !== undefined || this.obs === null) this.evaluate();
        else this.evalPending = true;
      }
      if (this.hooks.shouldStop?.(this.step)) this.stopped = true;
    }
  }

  /**
   * Records the training metrics averaged since the last record (the loop does so every `logEvery`
   * steps and at the end of `run`); a harness that drives `runUntil` itself calls it when the run ends,
   * so the last stretch's metrics are not lost.
   */
  flushMetrics(): void {
    for (const [k, { sum, n }] of this.metricSums) this.sink.record(this.step, `train/${k}`, sum / n);
    this.metricSums.clear();
  }

  /** Run `evalEpisodes` evaluation episodes; seeds depend only on (seed, evaluation index). */
  evaluate(): EvalResult {
    const t0 = performance.now();
    const env = this.hooks.evalEnv ?? this.hooks.env;
    const seeds = evaluationSeeds(this.config.seed, this.evalsDone, this.config.evalEpisodes);
    const { returns, lengths, successRate, episodeMetrics } = evaluatePolicy(env, this.hooks.agent, seeds, {
      sampled: this.config.evalPolicy === "sampled",
    });
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    const result: EvalResult = {
      step: this.step,
      returns,
      lengths,
      mean,
      successRate,
    };
    this.evals.push(result);
    this.evalsDone += 1;
    this.timings.eval += (performance.now() - t0) / 1000;
    this.sink.record(this.step, "eval/mean_return", mean);
    if (result.successRate !== null) this.sink.record(this.step, "eval/success_rate", result.successRate);
    for (const [name, value] of Object.entries(episodeMetrics)) this.sink.record(this.step, `eval/${name}`, value);
    if (this.hooks.onEval?.(result) === "stop") this.stopped = true;
    return result;
  }

  result(): LoopResult {
    return {
      step: this.step,
      updates: this.updates,
      evals: this.evals,
      episodes: this.episodes,
      timings: { ...this.timings },
      stoppedEarly: this.stopped,
    };
  }

  /** Loop state at an episode boundary (throws mid-episode). */
  save(): Snapshot {
    if (this.obs !== null) {
      throw new QscapeError(
        "TrainingLoop.save: only at an episode boundary (use runUntil(step, {toEpisodeEnd: true}))",
      );
    }
    const state: LoopState = {
      step: this.step,
      updates: this.updates,
      episodesDone: this.episodesDone,
      evalsDone: this.evalsDone,
      rng: this.rng.getState(),
      evals: this.evals,
      episodes: this.episodes,
      metricSums: [...this.metricSums],
      timings: { ...this.timings },
    };
    return JSON.parse(JSON.stringify(state)) as Snapshot;
  }

  load(snapshot: Snapshot): void {
    const s = snapshot as unknown as LoopState;
    if (typeof s?.step !== "number" || !s.rng) throw new QscapeError("TrainingLoop.load: not a loop snapshot");
    this.step = s.step;
    this.updates = s.updates;
    this.episodesDone = s.episodesDone;
    this.evalsDone = s.evalsDone;
    this.rng = Rng.fromState(s.rng);
    this.evals = s.evals;
    this.episodes = s.episodes;
    this.metricSums = new Map(s.metricSums ?? []);
    // Snapshots from before timings were saved resume with the phases counted from here.
    this.timings = { env: 0, act: 0, update: 0, eval: 0, ...s.timings };
    this.obs = null;
  }
}

/**
 * Reset seeds of the evaluation numbered `index` (0 = the first) of a run seeded `seed`: the
 * schedule `TrainingLoop.evaluate` follows, so a saved policy can be evaluated again on exactly
 * the episodes it was scored on. The first k of n seeds do not depend on n.
 */
export function evaluationSeeds(seed: number, index: number, episodes: number): number[] {
  const rng = new Rng(seed * 7919 + 104729 + index);
  return Array.from({ length: episodes }, () => rng.seed());
}

export interface PolicyEvaluation {
  returns: number[];
  lengths: number[];
  /** Fraction of episodes whose final info had `success: true` (null when the env reports none). */
  successRate: number | null;
  /**
   * Mean over episodes of each finite number in the final step's `info.episodeMetrics`: statistics an env
   * keeps of the episode so far (e.g. RecSimSlate-v0's `majorityShare`), averaged over the episodes that
   * reported them. Empty when the env reports none.
   */
  episodeMetrics: Record<string, number>;
}

/**
 * One episode per seed on `env`, reset with that seed: deterministic (`explore: false`), or with
 * `sampled` drawn from the policy with a generator derived from the episode's seed (`ActOptions.rng`),
 * so the agent's own random stream is not touched.
 */
export function evaluatePolicy<Obs, Act>(
  env: EnvLike<Obs, Act>,
  agent: Pick<Agent<Obs, Act>, "act" | "samplesWithGivenRng"> & { readonly name?: string },
  seeds: readonly number[],
  opts: { sampled?: boolean } = {},
): PolicyEvaluation {
  if (opts.sampled && agent.samplesWithGivenRng !== true) {
    throw new QscapeError(
      `sampled evaluation: ${agent.name ?? "this agent"} does not sample from a given generator (samplesWithGivenRng), so sampling would change its training`,
    );
  }
  const returns: number[] = [];
  const lengths: number[] = [];
  let successes = 0;
  let reported = 0;
  const metricSums = new Map<string, { sum: number; count: number }>();
  for (const seed of seeds) {
    let [obs] = env.reset({ seed });
    // A fork, not the reset seed's own stream: an env seeded with the same generator would share it.
    const act: ActOptions = opts.sampled ? { explore: true, rng: new Rng(seed).fork() } : { explore: false };
    let ret = 0;
    let len = 0;
    for (;;) {
      const [next, reward, terminated, truncated, info] = env.step(agent.act(obs, act));
      ret += reward;
      len += 1;
      obs = next;
      if (terminated || truncated) {
        if (typeof info.success === "boolean") {
          reported += 1;
          if (info.success) successes += 1;
        }
        const stats = info.episodeMetrics;
        if (stats !== null && typeof stats === "object") {
          for (const [name, value] of Object.entries(stats as Record<string, unknown>)) {
            if (typeof value !== "number" || !Number.isFinite(value)) continue;
            const acc = metricSums.get(name) ?? { sum: 0, count: 0 };
            acc.sum += value;
            acc.count += 1;
            metricSums.set(name, acc);
          }
        }
        break;
      }
    }
    returns.push(ret);
    lengths.push(len);
  }
  const episodeMetrics = Object.fromEntries([...metricSums].map(([name, { sum, count }]) => [name, sum / count]));
  return { returns, lengths, successRate: reported > 0 ? successes / reported : null, episodeMetrics };
}

/**
 * Uniform random actions from a Box or Discrete space, drawn from the loop's RNG (the off-policy
 * warm-up). Unbounded Box dimensions draw from [−1, 1].
 */
export function randomActionFor(space: unknown): (rng: Rng) => unknown {
  if (isDiscrete(space)) {
    const { n } = space;
    const startValue = (space as { start?: unknown }).start;
    const start = typeof startValue === "number" ? startValue : 0;
    return (rng) => start + rng.int(0, n);
  }
  if (isBox(space)) {
    const { low, high } = space;
    return (rng) => {
      const a = new Float32Array(low.length);
      for (let i = 0; i < a.length; i++) {
        const lo = Number.isFinite(low[i]) ? (low[i] as number) : -1;
        const hi = Number.isFinite(high[i]) ? (high[i] as number) : 1;
        a[i] = rng.uniform(lo, hi);
      }
      return a;
    };
  }
  throw new QscapeError("random warm-up actions need a Box or Discrete action space");
}

/** Off-policy training (TD3, SAC, DQN, …): warm-up with random actions, then act and update. */
export function runOffPolicy<Obs, Act>(config: LoopConfig, hooks: LoopHooks<Obs, Act>): LoopResult {
  return new TrainingLoop(config, hooks).run();
}

/**
 * On-policy training (PPO): the agent collects `rolloutSteps` transitions through `observe` and
 * learns from them in one `update()` call.
 */
export function runOnPolicy<Obs, Act>(
  config: Omit<LoopConfig, "warmupSteps" | "learningStarts" | "updateEvery" | "updatesPerBurst"> & {
    rolloutSteps: number;
  },
  hooks: Omit<LoopHooks<Obs, Act>, "randomAction">,
): LoopResult {
  const { rolloutSteps, ...rest } = config;
  return new TrainingLoop({ ...rest, warmupSteps: 0, updateEvery: rolloutSteps, updatesPerBurst: 1 }, hooks).run();
}
