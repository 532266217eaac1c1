import type { Env, Info, ResetArgs, StepResult } from "../env.js";
import { envLabel, Wrapper } from "../env.js";
import { InvalidActionError, ResetNeededError, UnavailableActionError } from "../errors.js";
import { ActionSlate, ActionSubset, type AnySpace, Dict, explainValue } from "../spaces.js";

/**
 * Checks every step: the action must be in the action space (right type and shape, no NaN,
 * within bounds) and the episode must not have ended. `make()` adds it outermost by default, so
 * a bad action fails loudly with the env id instead of silently corrupting the physics.
 */
export class ValidateStep<Obs, Act> extends Wrapper<Obs, Act> {
  private ended: "never reset" | "terminated" | "truncated" | null = "never reset";

  constructor(env: Env<Obs, Act>) {
    super(env);
  }

  override reset(args?: ResetArgs): [Obs, Info] {
    const out = this.env.reset(args);
    this.ended = null;
    return out;
  }

  override step(action: Act): StepResult<Obs> {
    if (this.ended === "never reset") {
      throw new ResetNeededError(`${envLabel(this)}: cannot call step() before reset()`);
    }
    if (this.ended !== null) {
      throw new ResetNeededError(
        `${envLabel(this)}: step() called after the episode was ${this.ended}; call reset() first`,
      );
    }
    const why = explainValue(this.actionSpace, action);
    if (why !== null) {
      const space = this.actionSpace;
      // A valid index outside this episode's action set gets its own error class (envs with varying action sets).
      const ErrorClass = isUnavailable(space, action) ? UnavailableActionError : InvalidActionError;
      throw new ErrorClass(`${envLabel(this)}: invalid action for ${space}: ${why}`);
    }
    const result = this.env.step(action);
    if (result[2]) this.ended = "terminated";
    else if (result[3]) this.ended = "truncated";
    return result;
  }
}

/**
 * A valid index outside this episode's action set, the action itself or, for hybrid Dict actions
 * (CREATE's `{ tool, position }`), one of its entries.
 */
function isUnavailable(space: AnySpace, action: unknown): boolean {
  if (space instanceof ActionSubset || space instanceof ActionSlate) return space.isUnavailable(action);
  if (!(space instanceof Dict) || typeof action !== "object" || action === null) return false;
  return space.keys.some((k) => isUnavailable(space.spaces[k] as AnySpace, (action as Record<string, unknown>)[k]));
}
