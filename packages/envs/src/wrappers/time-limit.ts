import type { Env, Info, ResetArgs, StepResult } from "../env.js";
import { Wrapper } from "../env.js";
import { EnvError } from "../errors.js";

/** Truncates episodes after `maxEpisodeSteps` steps (`truncated = true`, never `terminated`). */
export class TimeLimit<Obs, Act> extends Wrapper<Obs, Act> {
  private elapsed = 0;

  constructor(
    env: Env<Obs, Act>,
    readonly maxEpisodeSteps: number,
  ) {
    super(env);
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0) {
      throw new EnvError(`TimeLimit: maxEpisodeSteps must be a positive integer, got ${maxEpisodeSteps}`);
    }
  }

  /** Steps taken in the current episode. */
  get elapsedSteps(): number {
    return this.elapsed;
  }

  override reset(args?: ResetArgs): [Obs, Info] {
    this.elapsed = 0;
    return this.env.reset(args);
  }

  override step(action: Act): StepResult<Obs> {
    const [obs, reward, terminated, truncated, info] = this.env.step(action);
    this.elapsed += 1;
    return [obs, reward, terminated, truncated || this.elapsed >= this.maxEpisodeSteps, info];
  }
}
