import { resetResultProblems, spaceProblems, stepResultProblems } from "../checker.js";
import type { Env, Info, ResetArgs, StepResult } from "../env.js";
import { envLabel, Wrapper } from "../env.js";
import { EnvCheckError } from "../errors.js";

/**
 * Checks the spaces at construction and the first reset() and step() results (types, observation
 * inside the observation space, finite reward), as Gymnasium's PassiveEnvChecker does; later calls
 * pass straight through. Violations throw `EnvCheckError` naming the env.
 */
export class PassiveEnvChecker<Obs, Act> extends Wrapper<Obs, Act> {
  private checkedReset = false;
  private checkedStep = false;

  constructor(env: Env<Obs, Act>) {
    super(env);
    this.raise([
      ...spaceProblems(env.observationSpace, "observationSpace"),
      ...spaceProblems(env.actionSpace, "actionSpace"),
    ]);
  }

  private raise(problems: string[]): void {
    if (problems.length > 0) throw new EnvCheckError(`${envLabel(this)}: ${problems.join("; ")}`);
  }

  override reset(args?: ResetArgs): [Obs, Info] {
    const result = this.env.reset(args);
    if (!this.checkedReset) {
      this.checkedReset = true;
      this.raise(resetResultProblems(this.env as Env<unknown, unknown>, result));
    }
    return result;
  }

  override step(action: Act): StepResult<Obs> {
    const result = this.env.step(action);
    if (!this.checkedStep) {
      this.checkedStep = true;
      this.raise(stepResultProblems(this.env as Env<unknown, unknown>, result));
    }
    return result;
  }
}
