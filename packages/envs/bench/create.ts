/**
 * Reference scores of the CREATE levels (the numbers in src/discrete/README.md, "CREATE"): a
 * uniformly random policy (a random available tool, No-Op included, at a uniform position) and a
 * one-tool scripted policy per Ch. 2 level (its first action places the level's preferred tool,
 * then No-Ops), seeded episodes 0..episodes−1 on the train split, plus env steps per second.
 *
 *   tsx --conditions=@qscape/source packages/envs/bench/create.ts [--episodes=50]
 */
import { Rng } from "@qscape/core";
import type { CreateAction, CreateEnv, CreateToolClass } from "../src/create/index.js";
import "../src/create/index.js";
import type { ActionSetObservation } from "../src/discrete/action-set.js";
import { make } from "../src/registry.js";

export type Policy = (obs: ActionSetObservation, env: CreateEnv, t: number, rng: Rng) => CreateAction;

const randomPolicy: Policy = (obs, _env, _t, rng) => {
  const slots = Array.from(obs.actionMask, (m, i) => (m ? i : -1)).filter((i) => i >= 0);
  return { tool: obs.actionIds[rng.choice(slots)] as number, position: [rng.uniform(-1, 1), rng.uniform(-1, 1)] };
};

const DROPPED: readonly CreateToolClass[] = [
  "ball",
  "bouncy_ball",
  "triangle",
  "bouncy_triangle",
  "square",
  "pentagon",
  "hexagon",
];

const clamp = (x: number) => Math.min(1, Math.max(-1, x));

/** The available tool of `classes` that `score` ranks highest (lower is better), else the No-Op. */
function pick(
  obs: ActionSetObservation,
  env: CreateEnv,
  classes: readonly CreateToolClass[],
  score: (id: number) => number,
) {
  const ids = Array.from(obs.actionIds).filter(
    (i) => i >= 0 && i !== env.noOp && classes.includes(env.tools[i]?.cls as CreateToolClass),
  );
  ids.sort((a, b) => score(a) - score(b));
  return ids[0] ?? env.noOp;
}

/** Level-specific first placements (found by hand on the default layouts); No-Ops afterwards. */
export const SCRIPTED: Record<string, Policy> = {
  // Drop the biggest loose body just right of the target so it knocks the target off to the left.
  "CreatePush-v0": (obs, env, t) => ({
    tool: t === 0 ? pick(obs, env, DROPPED, (i) => -(env.tools[i]?.size ?? 0)) : env.noOp,
    position: [clamp((obs.state[0] as number) + 0.04), 0.4],
  }),
  // A trampoline tilted about 30° under the falling target bounces it over the wall.
  "CreateObstacle-v0": (obs, env, t) => ({
    tool:
      t === 0 ? pick(obs, env, ["trampoline"], (i) => Math.abs(((env.tools[i]?.angle ?? 0) % 180) - 150)) : env.noOp,
    position: [clamp(obs.state[0] as number), 0.2],
  }),
  // Drop the biggest ball on the high end of the see-saw.
  "CreateSeesaw-v0": (obs, env, t) => ({
    tool: t === 0 ? pick(obs, env, ["ball", "bouncy_ball"], (i) => -(env.tools[i]?.size ?? 0)) : env.noOp,
    position: [0.3, 0.9],
  }),
};

export interface CreateScore {
  env: string;
  policy: string;
  episodes: number;
  meanReturn: number;
  stdReturn: number;
  successRate: number;
  meanLength: number;
  stepsPerSecond: number;
}

export function createScore(id: string, policyName: "random" | "scripted", episodes: number): CreateScore {
  const env = make(id);
  const create = env.unwrapped as CreateEnv;
  const policy = policyName === "random" ? randomPolicy : (SCRIPTED[id] as Policy);
  const rng = new Rng(12345);
  const returns: number[] = [];
  let successes = 0;
  let steps = 0;
  const t0 = performance.now();
  for (let ep = 0; ep < episodes; ep++) {
    let [obs] = env.reset({ seed: ep }) as [ActionSetObservation, unknown];
    let ret = 0;
    for (let t = 0; ; t++) {
      const [next, reward, terminated, truncated, info] = env.step(policy(obs, create, t, rng));
      ret += reward;
      steps++;
      obs = next as ActionSetObservation;
      if (terminated || truncated) {
        if ((info as { success?: boolean }).success) successes++;
        break;
      }
    }
    returns.push(ret);
  }
  const seconds = (performance.now() - t0) / 1000;
  const mean = returns.reduce((a, b) => a + b, 0) / episodes;
  const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / episodes);
  return {
    env: id,
    policy: policyName,
    episodes,
    meanReturn: Number(mean.toFixed(3)),
    stdReturn: Number(std.toFixed(3)),
    successRate: successes / episodes,
    meanLength: Number((steps / episodes).toFixed(1)),
    stepsPerSecond: Math.round(steps / seconds),
  };
}

export function runCreateScores({ episodes = 50 } = {}): CreateScore[] {
  const rows: CreateScore[] = [];
  createScore("CreatePush-v0", "random", 30); // JIT warm-up, so the first row's steps/s is comparable
  for (const id of [...Object.keys(SCRIPTED), "CreateActivatorsPush-v0"]) {
    rows.push(createScore(id, "random", episodes));
    if (id in SCRIPTED) rows.push(createScore(id, "scripted", episodes));
  }
  console.table(rows);
  return rows;
}

if (process.argv[1]?.endsWith("create.ts")) {
  const episodes = Number(process.argv.find((a) => a.startsWith("--episodes="))?.slice("--episodes=".length) ?? 50);
  runCreateScores({ episodes });
}
