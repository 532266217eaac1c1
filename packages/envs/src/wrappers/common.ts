import type { Env, Info, ResetArgs, StepResult } from "../env.js";
import { Wrapper } from "../env.js";

export interface EpisodeStatistics {
  /** Undiscounted return. */
  r: number;
  /** Length in steps. */
  l: number;
  /** Wall-clock seconds since the episode's reset. */
  t: number;
}

/**
 * Adds `info.episode = { r, l, t }` on the step that ends an episode and keeps the last
 * `bufferLength` returns, lengths and times (Gymnasium `RecordEpisodeStatistics`).
 */
export class RecordEpisodeStatistics<Obs, Act> extends Wrapper<Obs, Act> {
  readonly returnQueue: number[] = [];
  readonly lengthQueue: number[] = [];
  readonly timeQueue: number[] = [];
  episodeCount = 0;
  private episodeReturn = 0;
  private episodeLength = 0;
  private episodeStart = performance.now();

  constructor(
    env: Env<Obs, Act>,
    readonly bufferLength = 100,
  ) {
    super(env);
  }

  override reset(args?: ResetArgs): [Obs, Info] {
    const out = this.env.reset(args);
    this.episodeReturn = 0;
    this.episodeLength = 0;
    this.episodeStart = performance.now();
    return out;
  }

  override step(action: Act): StepResult<Obs> {
    const [obs, reward, terminated, truncated, info] = this.env.step(action);
    this.episodeReturn += reward;
    this.episodeLength += 1;
    if (!(terminated || truncated)) return [obs, reward, terminated, truncated, info];
    if ("episode" in info)
      throw new Error("RecordEpisodeStatistics: info already has an `episode` key (wrapped twice?)");
    const episode: EpisodeStatistics = {
      r: this.episodeReturn,
      l: this.episodeLength,
      t: Math.round((performance.now() - this.episodeStart) * 1000) / 1e6,
    };
    this.episodeCount += 1;
    for (const [queue, v] of [
      [this.returnQueue, episode.r],
      [this.lengthQueue, episode.l],
      [this.timeQueue, episode.t],
    ] as const) {
      queue.push(v);
      if (queue.length > this.bufferLength) queue.shift();
    }
    return [obs, reward, terminated, truncated, { ...info, episode }];
  }
}

/**
 * Resets automatically in the step after an episode ends (Gymnasium 1.x `Autoreset`, NEXT_STEP
 * semantics): that step ignores its action and returns the reset observation with reward 0,
 * `terminated = truncated = false` and the reset info.
 */
export class Autoreset<Obs, Act> extends Wrapper<Obs, Act> {
  private needsReset = false;

  constructor(env: Env<Obs, Act>) {
    super(env);
  }

  override reset(args?: ResetArgs): [Obs, Info] {
    this.needsReset = false;
    return this.env.reset(args);
  }

  override step(action: Act): StepResult<Obs> {
    if (this.needsReset) {
      const [obs, info] = this.reset();
      return [obs, 0, false, false, info];
    }
    const result = this.env.step(action);
    this.needsReset = result[2] || result[3];
    return result;
  }
}
