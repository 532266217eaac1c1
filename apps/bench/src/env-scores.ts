/**
 * The env lines of `pnpm bench list`: each id with the random-policy (and scripted-policy) score
 * recorded in `@qscape/envs` (`BASELINE_SCORES`, measured with fixed seeds by
 * packages/envs/bench/baseline-scores.ts), the number a suite can use as `randomScore`.
 */
import { baselineScores } from "@qscape/envs";

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(3));

/** "  <id>   random 0.067 ± 0.070 (1000 eps), scripted …" on the train split, or just the id. */
export function envListLine(id: string): string {
  const rows = baselineScores(id).filter((s) => s.split === "train");
  if (rows.length === 0) return `  ${id}`;
  const scores = rows.map((s) => `${s.policy} ${fmt(s.meanReturn)} ± ${fmt(s.stdReturn)} (${s.episodes} eps)`);
  return `  ${id.padEnd(30)} ${scores.join(", ")}`;
}
