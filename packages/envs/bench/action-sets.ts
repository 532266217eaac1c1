/**
 * Random-policy reference scores of the envs with varying action sets (the numbers in
 * src/discrete/README.md): a uniformly random available action every step, seeded episodes
 * 0..episodes−1, per split where the env has splits.
 *
 *   tsx --conditions=@qscape/source packages/envs/bench/action-sets.ts [--episodes=100]
 */
import { Rng } from "@qscape/core";
import type { ActionSetObservation } from "../src/discrete/action-set.js";
import "../src/discrete/index.js";
import { make } from "../src/registry.js";

export interface RandomScore {
  env: string;
  split: string;
  episodes: number;
  meanReturn: number;
  stdReturn: number;
  /** Share of episodes with `info.success` (null for envs without a success flag). */
  successRate: number | null;
  meanLength: number;
}

/** A uniformly random available action (an inventory index) from the padded observation. */
export function randomAvailableAction(obs: ActionSetObservation, rng: Rng): number {
  const slots = Array.from(obs.actionMask, (m, i) => (m ? i : -1)).filter((i) => i >= 0);
  return obs.actionIds[rng.choice(slots)] as number;
}

/** A random slate of `size` distinct available actions (RecSimSlate). */
export function randomSlate(obs: ActionSetObservation, rng: Rng, size = 6): Int32Array {
  const ids = Array.from(obs.actionIds).filter((i) => i >= 0);
  return Int32Array.from(rng.permutation(ids.length).subarray(0, size), (j) => ids[j] as number);
}

export function randomScore(
  id: string,
  split: string | null,
  episodes: number,
  act: (obs: ActionSetObservation, rng: Rng) => unknown = randomAvailableAction,
): RandomScore {
  const env = make(id);
  const rng = new Rng(12345);
  const returns: number[] = [];
  let successes = 0;
  let hasSuccess = false;
  let steps = 0;
  for (let ep = 0; ep < episodes; ep++) {
    let [obs] = env.reset({ seed: ep, options: split === null ? undefined : { split } }) as [
      ActionSetObservation,
      unknown,
    ];
    let ret = 0;
    for (;;) {
      const [next, reward, terminated, truncated, info] = env.step(act(obs, rng));
      ret += reward;
      steps++;
      obs = next as ActionSetObservation;
      if (terminated || truncated) {
        hasSuccess ||= "success" in info;
        if ((info as { success?: boolean }).success) successes++;
        break;
      }
    }
    returns.push(ret);
  }
  const mean = returns.reduce((a, b) => a + b, 0) / episodes;
  const std = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / episodes);
  return {
    env: id,
    split: split ?? "-",
    episodes,
    meanReturn: mean,
    stdReturn: std,
    successRate: hasSuccess ? successes / episodes : null,
    meanLength: steps / episodes,
  };
}

export function runActionSetScores({ episodes = 100 }: { episodes?: number } = {}): RandomScore[] {
  const rows = [
    randomScore("DigLava-v0", null, episodes),
    ...["train", "test"].map((s) => randomScore("SkillGridWorld-v0", s, episodes)),
    ...["train", "test"].map((s) => randomScore("RecoGym-v0", s, episodes)),
  ];
  console.log("env                split  episodes  return (mean ± std)  success  length");
  for (const r of rows) {
    console.log(
      `${r.env.padEnd(18)} ${r.split.padEnd(6)} ${String(r.episodes).padStart(8)}  ${r.meanReturn.toFixed(3).padStart(8)} ± ${r.stdReturn.toFixed(3).padEnd(8)}  ${(r.successRate?.toFixed(3) ?? "-").padStart(7)}  ${r.meanLength.toFixed(1).padStart(6)}`,
    );
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = process.argv.find((a) => a.startsWith("--episodes="));
  runActionSetScores({ episodes: arg ? Number(arg.slice("--episodes=".length)) : 100 });
}
