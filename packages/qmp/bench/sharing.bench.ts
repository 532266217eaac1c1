/**
 * Cost of the DnC and UDS baselines' learning next to No-Sharing's, in the same process on the
 * Maze task sets (obs 4, action 2), with the paper's networks (2 × 256) and batch 256:
 *
 *   1. ms per SAC gradient step of one task: No-Sharing, DnC's KL-regularised step (N − 1 extra
 *      actor passes on the KL states) and UDS's step (two critic passes for the filter, a batch up
 *      to twice as large);
 *   2. one DnC distillation (App. D H: 500 epochs, a batch of 256 from every buffer per epoch).
 *
 * Rounds are interleaved and the best is reported; the machine may be shared, so compare ratios.
 *
 *   npx tsx --conditions=@qscape/source bench/sharing.bench.ts [--rounds=2 --quick]
 */
import { describeBackend, initBackend, Rng } from "@qscape/core";
import { makeTaskSet } from "@qscape/envs";
import { DncAgent, QmpAgent, UdsAgent } from "../src/index.js";

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, "").split("=");
    return [k as string, v ?? "true"];
  }),
);
const ROUNDS = Number(args.get("rounds") ?? 2);
const QUICK = args.get("quick") === "true";
const UPDATES = QUICK ? 12 : 60;
const DISTILL_EPOCHS = QUICK ? 50 : 500;

type Learner = Pick<QmpAgent, "observe" | "update" | "dispose" | "numTasks">;

function fillBuffers(agent: Learner, rng: Rng, count: number): void {
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

function msPer(n: number, fn: () => void): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t0) / n;
}

async function main(): Promise<void> {
  const backend = describeBackend(await initBackend());
  console.log(`${backend}; rounds ${ROUNDS}${QUICK ? " (quick)" : ""}`);
  const sac = { bufferSize: 5000 };
  for (const id of ["MazeLargeMT3-v0", "MazeLargeMT10-v0"]) {
    const set = makeTaskSet(id);
    const dnc = new DncAgent(set, { sac, distillEpochs: DISTILL_EPOCHS });
    const agents: { name: string; agent: Learner; ms: number }[] = [
      { name: "No-Sharing", agent: new QmpAgent(set, { sharing: "none", sac }), ms: Number.POSITIVE_INFINITY },
      { name: "DnC (KL)", agent: dnc, ms: Number.POSITIVE_INFINITY },
      { name: "UDS", agent: new UdsAgent(set, { sac }), ms: Number.POSITIVE_INFINITY },
    ];
    for (const a of agents) fillBuffers(a.agent, new Rng(1), 1024);
    let distillMs = Number.POSITIVE_INFINITY;
    for (let r = 0; r < ROUNDS; r++) {
      for (const a of agents) {
        let task = 0;
        a.ms = Math.min(
          a.ms,
          msPer(UPDATES, () => {
            a.agent.update(task);
            task = (task + 1) % set.numTasks;
          }),
        );
      }
      distillMs = Math.min(
        distillMs,
        msPer(1, () => dnc.distill()),
      );
    }
    const base = agents[0] as (typeof agents)[number];
    console.log(`\n${id} (N = ${set.numTasks}), 2 × 256 networks, batch 256`);
    console.log("variant      ms / gradient step  ×No-Sharing");
    for (const a of agents) {
      console.log(`${a.name.padEnd(12)} ${a.ms.toFixed(2).padStart(18)}  ${(a.ms / base.ms).toFixed(2).padStart(11)}`);
      a.agent.dispose();
    }
    console.log(
      `one distillation (${DISTILL_EPOCHS} epochs, ${256 * set.numTasks} rows each): ${(distillMs / 1000).toFixed(1)} s` +
        ` = ${(distillMs / base.ms).toFixed(0)} No-Sharing gradient steps`,
    );
    set.close();
  }
}

await main();
