import type { Rng } from "@qscape/core";

/**
 * One index of a row of log-probs among the allowed ones (`allowed[i]` truthy): drawn with one uniform
 * from `rng` when exploring, else the most probable (the first on ties). −1 when none is allowed.
 * Disallowed entries are skipped outright, so they are never drawn even where rounding leaves them a
 * little mass; rounding at the top of the CDF falls to the last allowed index.
 */
export function pickAllowed(
  logProbs: ArrayLike<number>,
  allowed: ArrayLike<number>,
  explore: boolean,
  rng: Rng,
): number {
  let pick = -1;
  if (explore) {
    let u = rng.random();
    for (let i = 0; i < logProbs.length; i++) {
      if (!allowed[i]) continue;
      pick = i;
      u -= Math.exp(logProbs[i] as number);
      if (u < 0) break;
    }
  } else {
    for (let i = 0; i < logProbs.length; i++)
      if (allowed[i] && (pick < 0 || (logProbs[i] as number) > (logProbs[pick] as number))) pick = i;
  }
  return pick;
}
