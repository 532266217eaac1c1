/**
 * QMP cost figures, measured side by side with No-Sharing in the same process on the maze task
 * sets (obs 4, action 2) with the paper's networks (2 × 256) and Table D.4's Maze ratio:
 *
 *   1. data collection: ms per env step of `behave` + env step, QMP (N actor passes and one
 *      batched critic pass per step; H = 1 and H = 25) against No-Sharing (one actor pass);
 *   2. multi-task update throughput: SAC gradient steps/s over all tasks (batch 256), which QMP
 *      does not change;
 *   3. one Maze epoch per task (600 env steps + 100 gradient steps): QMP / No-Sharing time, the
 *      figure to set beside Table D.3's 14.2 h / 12.5 h = 1.14× (Multistage Reacher, GPU, garage).
 *
 * Rounds are interleaved and the best is reported; the machine may be shared, so compare ratios.
 *
 *   pnpm bench:qmp [-- --rounds=2 --quick]
 */
import { describeBackend, initBackend, Rng } from "@qscape/core";
import { makeTaskSet, type TaskSet } from "@qscape/envs";
import { QmpAgent, type QmpConfigInput } from "../src/index.js";

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, "").split("=");
    return [k as string, v ?? "true"];
  }),
);
const ROUNDS = Number(args.get("rounds") ?? 2);
const QUICK = args.get("quick") === "true";
const STEPS = QUICK ? 60 : 300;
const UPDATES = QUICK ? 10 : 50;

/** Milliseconds per call of `fn` over `n` calls. */
function msPer(n: number, fn: () => void): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t0) / n;
}

function fillBuffers(agent: QmpAgent, rng: Rng, count: number): void {
  for (let i = 0; i < agent.numTasks; i++) {
    for (let k = 0; k < count; k++) {
      agent.observe(i, {
        obs: rng.fillUniform(new Float32Array(4), 1, 7) as Float32Array,
        action: rng.fillUniform(new Float32Array(2), -1, 1) as Float32Array,
        reward: rng.uniform(-1, 0),
        nextObs: rng.fillUniform(new Float32Array(4), 1, 7) as Float32Array,
        terminated: false,
        truncated: false,
      });
    }
  }
}

/** ms per env step of data collection, cycling over the tasks with episodes running on. */
function collectMs(agent: QmpAgent, set: TaskSet, steps: number): number {
  const obs = Array.from({ length: set.numTasks }, (_, i) => set.reset(i, 0)[0]);
  let task = 0;
  return msPer(steps, () => {
    const { action } = agent.behave(task, obs[task] as Float32Array);
    const [next, , terminated, truncated] = set.step(task, action);
    obs[task] = terminated || truncated ? set.reset(task)[0] : next;
    task = (task + 1) % set.numTasks;
  });
}

async function main(): Promise<void> {
  const backend = describeBackend(await initBackend());
  console.log(`${backend}; rounds ${ROUNDS}${QUICK ? " (quick)" : ""}`);
  const sac = { bufferSize: 5000 };
  for (const id of ["MazeLargeMT3-v0", "MazeLargeMT10-v0"]) {
    const set = makeTaskSet(id);
    const variants: [string, QmpConfigInput][] = [
      ["No-Sharing", { sharing: "none", sac }],
      ["QMP H=1", { sac }],
      ["QMP H=25", { holdSteps: 25, sac }],
    ];
    const agents = variants.map(([name, config]) => {
      const agent = new QmpAgent(set, config);
      fillBuffers(agent, new Rng(1), 512);
      return { name, agent, collect: Number.POSITIVE_INFINITY, update: Number.POSITIVE_INFINITY };
    });
    for (let r = 0; r < ROUNDS; r++) {
      for (const a of agents) {
        a.collect = Math.min(a.collect, collectMs(a.agent, set, STEPS));
        let task = 0;
        a.update = Math.min(
          a.update,
          msPer(UPDATES, () => {
            a.agent.update(task);
            task = (task + 1) % set.numTasks;
          }),
        );
      }
    }
    const base = agents[0] as (typeof agents)[number];
    console.log(`\n${id} (N = ${set.numTasks}), 2 × 256 networks, batch 256`);
    console.log("variant      collect ms/step  ×No-Sharing  SAC updates/s  Maze epoch/task ms  ×No-Sharing");
    // The SAC updates are the same computation in every variant: price them once (the fastest run).
    const update = Math.min(...agents.map((a) => a.update));
    const epoch = (a: (typeof agents)[number]) => 600 * a.collect + 100 * update;
    for (const a of agents) {
      console.log(
        `${a.name.padEnd(12)} ${a.collect.toFixed(3).padStart(15)}  ${(a.collect / base.collect).toFixed(2).padStart(11)}` +
          `  ${(1000 / a.update).toFixed(1).padStart(13)}  ${epoch(a).toFixed(0).padStart(18)}  ${(epoch(a) / epoch(base)).toFixed(2).padStart(11)}`,
      );
      a.agent.dispose();
    }
    set.close();
  }
  console.log("\nTable D.3 (paper, Multistage Reacher, GPU): QMP + No-Sharing / No-Sharing = 14.2 h / 12.5 h = 1.14×");
}

await main();
