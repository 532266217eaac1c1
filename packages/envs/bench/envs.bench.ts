/**
 * All @qscape/envs benchmarks, one section each (`bench/<section>.ts` exports `run<Section>Bench`).
 *
 *   pnpm --filter @qscape/envs run bench [-- --quick] [-- --only=classic,mujoco,dmc,discrete,action-sets,action-set-speed,create-physics,create,render]
 */
import { runActionSetSpeedBench } from "./action-set-speed.js";
import { runActionSetScores } from "./action-sets.js";
import { runClassicBench } from "./classic.js";
import { runCreateScores } from "./create.js";
import { runCreatePhysicsBench } from "./create-physics.js";
import { runDiscreteBench } from "./discrete.js";
import { runDmcBench } from "./dmc.js";
import { runMujocoBench } from "./mujoco.js";
import { runRenderBench } from "./render.js";

const quick = process.argv.includes("--quick");
const only = process.argv
  .find((a) => a.startsWith("--only="))
  ?.slice("--only=".length)
  .split(",");

const sections: Record<string, () => Promise<unknown>> = {
  classic: () => runClassicBench(quick ? { steps: 20_000, rounds: 2, vectorSteps: 500 } : {}),
  mujoco: () => runMujocoBench(quick ? { envSteps: 1000, physicsSteps: 5000, rounds: 1, validSamples: 5000 } : {}),
  dmc: () => runDmcBench(quick ? { steps: 1000, rounds: 1 } : {}),
  discrete: () => runDiscreteBench(quick ? { itemCounts: [10_000, 100_000], repeats: 3, envSteps: 5000 } : {}),
  "action-sets": async () => runActionSetScores(quick ? { episodes: 20 } : {}),
  "action-set-speed": async () => runActionSetSpeedBench(quick ? { seconds: 0.5, quick } : {}),
  "create-physics": async () => runCreatePhysicsBench(quick ? { steps: 500, rounds: 1 } : {}),
  create: async () => runCreateScores(quick ? { episodes: 10 } : {}),
  render: () => runRenderBench(quick ? { frames: 50, rounds: 1 } : {}),
};

for (const [name, run] of Object.entries(sections)) {
  if (only && !only.includes(name)) continue;
  console.log(`\n======== ${name} ========`);
  await run();
}
