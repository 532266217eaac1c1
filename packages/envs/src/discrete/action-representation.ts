/**
 * Action representations: one vector per discrete action (item), published by an env so agents
 * can act in representation space and map proto-actions back to items with a `KnnIndex`.
 */
import { QscapeError } from "@qscape/core";
import type { AnyEnv } from "../registry.js";

export interface ActionRepresentation {
  /** [numItems × dim] row-major, one row per action. */
  itemEmbeddings: Float32Array;
  numItems: number;
  dim: number;
  /** For varying action sets: 1 for actions available this episode, 0 otherwise (length numItems). */
  available?: Uint8Array | Int32Array;
}

/** Envs that publish their action representation (read through wrappers with `getActionRepresentation`). */
export interface HasActionRepresentation {
  readonly actionRepresentation: ActionRepresentation;
}

/** Throws unless `rep` is a consistent representation; `what` names it in the message. */
export function checkActionRepresentation(rep: ActionRepresentation, what: string): void {
  if (rep.itemEmbeddings.length !== rep.numItems * rep.dim) {
    throw new QscapeError(
      `${what}: itemEmbeddings has ${rep.itemEmbeddings.length} values, expected numItems × dim = ${rep.numItems} × ${rep.dim}`,
    );
  }
  if (rep.available !== undefined && rep.available.length !== rep.numItems) {
    throw new QscapeError(`${what}: available has length ${rep.available.length}, expected ${rep.numItems}`);
  }
}

/** The action representation of `env` or of the env it wraps. */
export function getActionRepresentation(env: AnyEnv): ActionRepresentation {
  let rep: unknown;
  try {
    rep = env.getWrapperAttr("actionRepresentation");
  } catch {
    throw new QscapeError(`${env.toString()} publishes no actionRepresentation`);
  }
  return rep as ActionRepresentation;
}

/** Row `i` of the embedding matrix (a view, not a copy). */
export function actionVector(rep: ActionRepresentation, i: number): Float32Array {
  if (!Number.isInteger(i) || i < 0 || i >= rep.numItems) {
    throw new QscapeError(`actionVector: index ${i} is outside 0..${rep.numItems - 1}`);
  }
  return rep.itemEmbeddings.subarray(i * rep.dim, (i + 1) * rep.dim);
}
