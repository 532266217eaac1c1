/**
 * A mistake in what was asked (unknown algorithm or env, a bad `--set`, a run directory holding
 * another run): reported in one line, exit code 2, before anything is written.
 */
export class UsageError extends Error {
  override name = "UsageError";
}
