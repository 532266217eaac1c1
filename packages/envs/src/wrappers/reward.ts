import type { Env, StepResult } from "../env.js";
import { RewardWrapper, Wrapper } from "../env.js";
import { EnvError } from "../errors.js";
import { RunningMeanStd, type RunningMeanStdState } from "./running-mean-std.js";

/** Applies `fn` to every reward. */
export class TransformReward<Obs, Act> extends RewardWrapper<Obs, Act> {
  constructor(
    env: Env<Obs, Act>,
    private readonly fn: (reward: number) => number,
  ) {
    super(env);
  }

  reward(reward: number): number {
    return this.fn(reward);
  }
}

export interface NormalizeRewardState {
  returnRms: RunningMeanStdState;
  discountedReward: number;
}

/**
 * Scales rewards by the running standard deviation of the discounted return (Gymnasium 1.x
 * `NormalizeReward`): G ← γ·G·(1 − terminated) + r; r / √(Var[G] + ε). The statistics freeze
 * while `updateRunningMean` is false (evaluation); `getState`/`setState` carry them in checkpoints.
 */
export class NormalizeReward<Obs, Act> extends Wrapper<Obs, Act> {
  readonly returnRms = new RunningMeanStd(1);
  updateRunningMean = true;
  private discountedReward = 0;

  constructor(
    env: Env<Obs, Act>,
    readonly gamma = 0.99,
    readonly epsilon = 1e-8,
  ) {
    super(env);
    if (!(gamma >= 0 && gamma <= 1)) throw new EnvError(`NormalizeReward: gamma must be in [0, 1], got ${gamma}`);
  }

  override step(action: Act): StepResult<Obs> {
    const [obs, reward, terminated, truncated, info] = this.env.step(action);
    this.discountedReward = this.discountedReward * this.gamma * (terminated ? 0 : 1) + reward;
    if (this.updateRunningMean) this.returnRms.update([this.discountedReward]);
    const normalized = reward / Math.sqrt((this.returnRms.var[0] as number) + this.epsilon);
    return [obs, normalized, terminated, truncated, info];
  }

  getState(): NormalizeRewardState {
    return { returnRms: this.returnRms.getState(), discountedReward: this.discountedReward };
  }

  setState(state: NormalizeRewardState): void {
    this.returnRms.setState(state.returnRms);
    this.discountedReward = state.discountedReward;
  }
}
