/** Named errors for inputs AGILE cannot use, raised before anything runs. */
import { QscapeError } from "@qscape/core";

/** The action representations are not as wide as the config (or the networks) expect. */
export class RepresentationSizeError extends QscapeError {
  override name = "RepresentationSizeError";
}

/** An action list longer than the configured maximum (`maxActions`). */
export class ActionListTooLongError extends QscapeError {
  override name = "ActionListTooLongError";
}

/** An env whose observation is not a padded action set (`state`, `actionIds`, `actionFeatures`, `actionMask`). */
export class ActionSetSpaceError extends QscapeError {
  override name = "ActionSetSpaceError";
}

/**
 * `graphEdges: "variable-actions"` (App. B.1's domain-knowledge edges) on an env that does not say
 * which of its actions are the variable ones (a `variableActions` list of inventory ids).
 */
export class VariableActionsUnknownError extends QscapeError {
  override name = "VariableActionsUnknownError";
}

/**
 * Ch. 2's Nearest-Neighbor baseline on an env whose training split cannot be read (an action
 * inventory with `ids("train")`, read through wrappers): its output head has one logit per
 * training action.
 */
export class TrainingSplitUnknownError extends QscapeError {
  override name = "TrainingSplitUnknownError";
}

/**
 * An action space AGILE-PPO cannot act in: a Dict other than CREATE's hybrid `{ tool, position }`
 * (Ch. 2 §2.4), or the hybrid space with a policy head that chooses no placement.
 */
export class HybridActionSpaceError extends QscapeError {
  override name = "HybridActionSpaceError";
}
