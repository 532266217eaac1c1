/**
 * Measures the random-policy (and, for CREATE, scripted-policy) score of every env with a varying
 * action set, with fixed seeds (episode e resets with seed e; the policy's Rng is seeded 12345),
 * and with `--write` records them as data in src/baseline-scores.ts, which `pnpm bench list`
 * shows beside each env and suites use as `randomScore` (`randomPolicyScore(id)`).
 *
 *   tsx --conditions=@qscape/source packages/envs/bench/baseline-scores.ts [--episodes=1000] [--create-episodes=200] [--write]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { BaselineScore } from "../src/baseline-scores.js";
import { randomScore, randomSlate } from "./action-sets.js";
import { createScore } from "./create.js";

/** The envs scored, with the splits scored for each (the first is the one normalisation uses). */
export const SCORED_ENVS: readonly { id: string; splits: readonly (string | null)[]; kind: "grid" | "create" }[] = [
  { id: "DigLava-v0", splits: [null], kind: "grid" },
  { id: "SkillGridWorld-v0", splits: ["train", "test"], kind: "grid" },
  { id: "RecoGym-v0", splits: ["train", "test"], kind: "grid" },
  { id: "RecSimSlate-v0", splits: ["train", "test"], kind: "grid" },
  { id: "RecSimSlateDirectCPR-v0", splits: ["train"], kind: "grid" },
  { id: "RecSimSlatePairing-v0", splits: ["train"], kind: "grid" },
  { id: "CreatePush-v0", splits: ["train"], kind: "create" },
  { id: "CreateObstacle-v0", splits: ["train"], kind: "create" },
  { id: "CreateSeesaw-v0", splits: ["train"], kind: "create" },
  { id: "CreateActivatorsPush-v0", splits: ["train"], kind: "create" },
];

const SCRIPTED_CREATE = new Set(["CreatePush-v0", "CreateObstacle-v0", "CreateSeesaw-v0"]);

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

export function measureBaselineScores({ episodes = 1000, createEpisodes = 200 } = {}): Record<string, BaselineScore[]> {
  const out: Record<string, BaselineScore[]> = {};
  for (const { id, splits, kind } of SCORED_ENVS) {
    const rows: BaselineScore[] = [];
    if (kind === "create") {
      for (const policy of SCRIPTED_CREATE.has(id) ? (["random", "scripted"] as const) : (["random"] as const)) {
        const s = createScore(id, policy, createEpisodes);
        rows.push({
          policy,
          split: "train",
          episodes: s.episodes,
          meanReturn: round(s.meanReturn),
          stdReturn: round(s.stdReturn),
          successRate: round(s.successRate),
          meanLength: round(s.meanLength, 2),
        });
      }
    } else {
      const act = id.startsWith("RecSimSlate") ? randomSlate : undefined;
      for (const split of splits) {
        const s = randomScore(id, split, episodes, act);
        rows.push({
          policy: "random",
          split: split ?? "train",
          episodes: s.episodes,
          meanReturn: round(s.meanReturn),
          stdReturn: round(s.stdReturn),
          successRate: s.successRate === null ? null : round(s.successRate),
          meanLength: round(s.meanLength, 2),
        });
      }
    }
    out[id] = rows;
    for (const r of rows) {
      console.log(
        `${id.padEnd(26)} ${r.policy.padEnd(8)} ${r.split.padEnd(6)} ${String(r.episodes).padStart(5)} eps  return ${r.meanReturn.toFixed(3)} ± ${r.stdReturn.toFixed(3)}  success ${r.successRate?.toFixed(3) ?? "-"}  length ${r.meanLength.toFixed(1)}`,
      );
    }
  }
  return out;
}

/** The generated data module (src/baseline-scores.ts). */
export function renderScoresModule(scores: Record<string, BaselineScore[]>, header: string): string {
  const body = JSON.stringify(scores, null, 2);
  return `${header}\n\nexport const BASELINE_SCORES: Readonly<Record<string, readonly BaselineScore[]>> = ${body};\n`;
}

if (process.argv[1]?.endsWith("baseline-scores.ts")) {
  const num = (flag: string, dflt: number) =>
    Number(process.argv.find((a) => a.startsWith(`--${flag}=`))?.slice(flag.length + 3) ?? dflt);
  const scores = measureBaselineScores({
    episodes: num("episodes", 1000),
    createEpisodes: num("create-episodes", 200),
  });
  if (process.argv.includes("--write")) {
    const target = fileURLToPath(new URL("../src/baseline-scores.ts", import.meta.url));
    const current = readFileSync(target, "utf8");
    const marker = "\nexport const BASELINE_SCORES";
    const header = current.slice(0, current.lastIndexOf(marker)).trimEnd();
    writeFileSync(target, renderScoresModule(scores, header));
    console.log(`wrote ${target}; run \`pnpm exec biome format --write ${target}\``);
  }
}
