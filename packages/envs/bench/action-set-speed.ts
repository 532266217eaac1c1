/**
 * Speed of the envs with varying action sets and of their action-observation ("play") data:
 * - env steps per second through `make()` (default wrappers), a random available action each
 *   step (RecSimSlate: a random slate; CREATE: a random tool at a uniform position), CREATE with
 *   the 102-d state and with the 84 × 84 × 3 image observation;
 * - play-data collection time per 1,000 actions at the papers' 1,024 trajectories per action
 *   (SkillGridWorld: 5-move skills on the 80 × 80 grid; CREATE: probe-ball trajectories), and the
 *   time to read the same data back from the disk cache (`playObservations`).
 *
 *   tsx --conditions=@qscape/source packages/envs/bench/action-set-speed.ts [--quick]
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Rng } from "@qscape/core";
import { collectCreatePlayObservations } from "../src/create/play.js";
import "../src/create/index.js";
import type { ActionSetObservation } from "../src/discrete/action-set.js";
import "../src/discrete/index.js";
import { collectSkillPlayObservations } from "../src/discrete/skill-grid-world.js";
import { playObservations } from "../src/play-cache.js";
import { make } from "../src/registry.js";
import { randomAvailableAction, randomSlate } from "./action-sets.js";

type Act = (obs: ActionSetObservation, rng: Rng) => unknown;

const createAct: Act = (obs, rng) => ({
  tool: randomAvailableAction(obs, rng),
  position: [rng.uniform(-1, 1), rng.uniform(-1, 1)],
});

export const SPEED_CASES: readonly [string, string, Record<string, unknown>, Act][] = [
  ["DigLava-v0", "DigLava-v0", {}, randomAvailableAction],
  ["SkillGridWorld-v0", "SkillGridWorld-v0", {}, randomAvailableAction],
  ["RecoGym-v0", "RecoGym-v0", {}, randomAvailableAction],
  ["RecSimSlate-v0", "RecSimSlate-v0", {}, randomSlate],
  ["RecSimSlatePairing-v0", "RecSimSlatePairing-v0", {}, randomSlate],
  ["CreatePush-v0 (state)", "CreatePush-v0", {}, createAct],
  ["CreatePush-v0 (image)", "CreatePush-v0", { observation: "image" }, createAct],
  ["CreateObstacle-v0 (state)", "CreateObstacle-v0", {}, createAct],
  ["CreateObstacle-v0 (image)", "CreateObstacle-v0", { observation: "image" }, createAct],
  ["CreateSeesaw-v0 (state)", "CreateSeesaw-v0", {}, createAct],
  ["CreateSeesaw-v0 (image)", "CreateSeesaw-v0", { observation: "image" }, createAct],
  ["CreateActivatorsPush-v0 (state)", "CreateActivatorsPush-v0", {}, createAct],
  ["CreateActivatorsPush-v0 (image)", "CreateActivatorsPush-v0", { observation: "image" }, createAct],
];

export interface SpeedRow {
  env: string;
  steps: number;
  stepsPerSecond: number;
}

/** Steps per second of `id` over about `seconds` of stepping (at least 50 steps), resets included. */
export function envStepsPerSecond(id: string, options: Record<string, unknown>, act: Act, seconds: number): SpeedRow {
  const env = make(id, options);
  const rng = new Rng(0);
  let [obs] = env.reset({ seed: 0 }) as [ActionSetObservation, unknown];
  let steps = 0;
  const t0 = performance.now();
  let ep = 1;
  while (steps < 50 || performance.now() - t0 < seconds * 1000) {
    const [next, , terminated, truncated] = env.step(act(obs, rng));
    steps++;
    obs = next as ActionSetObservation;
    if (terminated || truncated) [obs] = env.reset({ seed: ep++ }) as [ActionSetObservation, unknown];
  }
  const elapsed = (performance.now() - t0) / 1000;
  return {
    env: `${id}${options.observation ? ` (${options.observation})` : ""}`,
    steps,
    stepsPerSecond: Math.round(steps / elapsed),
  };
}

export interface PlayRow {
  what: string;
  actions: number;
  perAction: number;
  /** Seconds per 1,000 actions at `perAction` trajectories each. */
  secondsPer1000Actions: number;
}

export function runPlayBench({ skills = 64, tools = 4, perAction = 1024 } = {}): PlayRow[] {
  const rows: PlayRow[] = [];
  const time = (f: () => unknown) => {
    const t0 = performance.now();
    f();
    return (performance.now() - t0) / 1000;
  };
  const skillIds = Int32Array.from({ length: skills }, (_, i) => i * 16);
  const s = time(() => collectSkillPlayObservations({ seed: 0, skills: skillIds, trajectoriesPerSkill: perAction }));
  rows.push({ what: "SkillGridWorld collect", actions: skills, perAction, secondsPer1000Actions: (s * 1000) / skills });
  const c = time(() =>
    collectCreatePlayObservations({
      seed: 0,
      tools: Int32Array.from({ length: tools }, (_, i) => i * 500),
      trajectoriesPerTool: perAction,
    }),
  );
  rows.push({ what: "CREATE collect", actions: tools, perAction, secondsPer1000Actions: (c * 1000) / tools });
  // Through the cache: SkillGridWorld's validation split (256 skills), collected and written, then read back.
  const dir = mkdtempSync(path.join(os.tmpdir(), "qscape-play-bench-"));
  try {
    const key = { envId: "SkillGridWorld-v0", split: "validation" as const, seed: 0, perAction };
    let n = 0;
    const w = time(() => {
      n = playObservations(key, { dir }).data.actions.length;
    });
    rows.push({
      what: "SkillGridWorld collect + write cache",
      actions: n,
      perAction,
      secondsPer1000Actions: (w * 1000) / n,
    });
    const r = time(() => playObservations(key, { dir }));
    rows.push({ what: "SkillGridWorld read cache", actions: n, perAction, secondsPer1000Actions: (r * 1000) / n });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export function runActionSetSpeedBench({ seconds = 2, quick = false } = {}): { speed: SpeedRow[]; play: PlayRow[] } {
  envStepsPerSecond("CreatePush-v0", {}, createAct, 0.5); // JIT warm-up
  const speed = SPEED_CASES.map(([label, id, options, act]) => ({
    ...envStepsPerSecond(id, options, act, seconds),
    env: label,
  }));
  console.table(speed);
  const play = runPlayBench(quick ? { skills: 16, tools: 1, perAction: 256 } : {});
  console.table(play.map((r) => ({ ...r, secondsPer1000Actions: Number(r.secondsPer1000Actions.toFixed(3)) })));
  return { speed, play };
}

if (process.argv[1]?.endsWith("action-set-speed.ts")) {
  const quick = process.argv.includes("--quick");
  runActionSetSpeedBench(quick ? { seconds: 0.5, quick } : {});
}
