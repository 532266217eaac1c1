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

/** An action that is a valid inventory index but not in the action set available this episode. */
export class UnavailableActionError extends InvalidActionError {
  override name = "UnavailableActionError";
}

/** A train/validation/test action split that does not exist (reset option or config `split`). */
export class UnknownSplitError extends EnvError {
  override name = "UnknownSplitError";
}

/** A per-episode action-set size that the chosen split (or the padding) cannot hold. */
export class ActionSetSizeError extends EnvError {
  override name = "ActionSetSizeError";
}

/** A CREATE level name that does not exist (config `level`). */
export class UnknownLevelError extends EnvError {
  override name = "UnknownLevelError";
}

/** A CREATE placement position outside the screen box [−1, 1]² (a NaN included). */
export class PositionOutOfRangeError extends InvalidActionError {
  override name = "PositionOutOfRangeError";
}

/** A render mode the env does not support, or `render()` on an env made without a render mode. */
export class RenderModeError extends EnvError {
  override name = "RenderModeError";
}

/** Frames an image encoder cannot take: none at all, sizes that differ, or data of the wrong length. */
export class FrameError extends EnvError {
  override name = "FrameError";
}
