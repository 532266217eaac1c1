import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The TD3 paper learning curves (sfujim/TD3 @ 34770cc, MIT): 7 envs × 10 seeds × 201 deterministic
 * evaluations, one every 5000 env steps. See fixtures/td3-paper-learning-curves/README.md.
 */
export interface Td3Curves {
  envs: string[];
  steps: number[];
  /** env → seeds × evaluations returns */
  returns: Map<string, number[][]>;
}

export const TD3_ENVS = [
  "Ant",
  "HalfCheetah",
  "Hopper",
  "InvertedDoublePendulum",
  "InvertedPendulum",
  "Reacher",
  "Walker",
];

export function loadTd3Curves(): Td3Curves {
  const path = fileURLToPath(new URL("./fixtures/td3-paper-learning-curves/td3_paper_curves.csv", import.meta.url));
  const lines = readFileSync(path, "utf8").trim().split("\n");
  if (lines[0] !== "env,seed,eval_index,timestep,avg_return_10eps") throw new Error(`unexpected header ${lines[0]}`);
  const returns = new Map<string, number[][]>();
  const stepsSet = new Map<number, number>();
  for (const line of lines.slice(1)) {
    const [env, seed, evalIndex, timestep, value] = line.split(",") as [string, string, string, string, string];
    const bySeed = returns.get(env) ?? [];
    returns.set(env, bySeed);
    const row = (bySeed[Number(seed)] ??= []);
    row[Number(evalIndex)] = Number(value);
    stepsSet.set(Number(evalIndex), Number(timestep));
  }
  const steps = [...stepsSet.entries()].sort((a, b) => a[0] - b[0]).map(([, t]) => t);
  return { envs: [...returns.keys()].sort(), steps, returns };
}
