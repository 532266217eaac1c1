import { QscapeError } from "@qscape/core";

/** A misuse of an environment (bad action, wrong call order, bad reset options). */
export class EnvError extends QscapeError {
  override name = "EnvError";
}

/** `step()` called before the first `reset()` or after the episode ended (Gymnasium `ResetNeeded`). */
export class ResetNeededError extends EnvError {
  override name = "ResetNeededError";
}

/** An action that is NaN, of the wrong shape or outside the action space (Gymnasium `InvalidAction`). */
export class InvalidActionError extends EnvError {
  override name = "InvalidActionError";
}

/** An environment that breaks the API contract (found by `checkEnv` or `PassiveEnvChecker`). */
export class EnvCheckError extends EnvError {
  override name = "EnvCheckError";
}

/** `make()` or `spec()` with an id that is not registered. */
export class UnregisteredEnvError extends EnvError {
  override name = "UnregisteredEnvError";
}
