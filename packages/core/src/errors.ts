/** Errors with a cause a user can act on. */
export class QscapeError extends Error {
  override name = "QscapeError";
}

/** A loss, gradient, action or observation that is NaN or infinite. Training stops on it. */
export class NonFiniteError extends QscapeError {
  override name = "NonFiniteError";
}

/** Throws NonFiniteError naming `what` when any value is NaN or ±Inf. */
export function assertFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i] as number)) {
      throw new NonFiniteError(`${what} contains ${values[i]} at index ${i}`);
    }
  }
}

/** Throws when `got` (a shape) differs from `expected`; -1 in expected matches any size. */
export function assertShape(got: readonly number[], expected: readonly number[], what: string): void {
  const ok = got.length === expected.length && expected.every((e, i) => e === -1 || e === got[i]);
  if (!ok) throw new QscapeError(`${what} has shape [${got.join(", ")}], expected [${expected.join(", ")}]`);
}
