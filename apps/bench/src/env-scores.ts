/**
 * The env lines of `pnpm bench list`: each id with the random-policy (and scripted-policy) score
 * recorded in `@qscape/envs` (`BASELINE_SCORES`, measured with fixed seeds by
 * packages/envs/bench/baseline-scores.ts), the number a suite can use as `randomScore`.
 */
import { baselineScores } from "@qscape/envs";

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(3));

/**
 * "  <id>   random 0.067 ± 0.070 (1000 eps), scripted …" on the train split, or just the id; with
 * `spaces` (the env's observation → action spaces) they come first: "  <id>   Box(…) → Discrete(9); random …".
 */
export function envListLine(id: string, spaces?: string): string {
  const rows = baselineScores(id).filter((s) => s.split === "train");
  const scores = rows
    .map((s) => `${s.policy} ${fmt(s.meanReturn)} ± ${fmt(s.stdReturn)} (${s.episodes} eps)`)
    .join(", ");
  if (spaces !== undefined) return `  ${id.padEnd(36)} ${spaces}${scores ? `; ${scores}` : ""}`;
  return rows.length === 0 ? `  ${id}` : `  ${id.padEnd(30)} ${scores}`;
}
