/**
 * Small envs for the package's own tests: a counter env whose episode length, observation and
 * reward are easy to predict, and deliberately broken envs for the checkers.
 */
import type { BoxAction, Info, ResetArgs, StepResult } from "./env.js";
import { Env } from "./env.js";
import { register } from "./registry.js";
import { Box } from "./spaces.js";

/**
 * obs = [t, u] with t the step count and u a seeded uniform draw made at reset; reward = the sum
 * of the action's elements; terminates after `length` steps. Records every action it receives.
 */
export class CounterEnv extends Env<Float32Array, BoxAction> {
  readonly observationSpace = new Box([0, 0], [1000, 1]);
  readonly actionSpace: Box;
  readonly actions: Float32Array[] = [];
  t = 0;
  private u = 0;

  constructor(
    readonly length = 5,
    actionLow = -1,
    actionHigh = 1,
  ) {
    super();
    this.actionSpace = new Box(actionLow, actionHigh, [2]);
  }

  reset({ seed }: ResetArgs = {}): [Float32Array, Info] {
    this.seedRng(seed);
    this.t = 0;
    this.u = this.rng.random();
    return [Float32Array.of(this.t, this.u), { resetInfo: 1 }];
  }

  step(action: BoxAction): StepResult<Float32Array> {
    this.actions.push(Float32Array.from(action));
    this.t += 1;
    const reward = Array.from(action).reduce((a, b) => a + b, 0);
    return [Float32Array.of(this.t, this.u), reward, this.t >= this.length, false, { t: this.t }];
  }
}

register({
  id: "Test/Counter-v0",
  entryPoint: (kw) => new CounterEnv(kw.length as number | undefined),
  maxEpisodeSteps: 3,
});
