import type { SuiteDefinition } from "../apps/bench/src/suite.js";
import { scaledCdqn } from "./agile-recsim.js";

/**
 * AGILE's value-based side on the two further RecSim tasks of App. B.3 and B.4 (thesis Fig. B.7):
 * Direct CPR (reward = click + the list's CPR, so the list's coherence is rewarded directly) and
 * Pairing (predefined item pairs; a click needs both items of a pair in the list, the task with the
 * most complex action relations). AGILE listwise CDQN vs CDQN with the Utility Q-network vs Simple
 * DQN (top-K), on the training items and on the unseen test items at every evaluation.
 * Claim checked (Fig. B.7): "AGILE consistently outperforms all the baselines on both train and test
 * actions", most clearly on Pairing.
 *
 * Settings: `agile-recsim`'s scaled ones (15,000 env steps, one update of batch 128 per 15-step
 * session after a 1,500-transition warm start, ε 1 → 0.1 over 3,000 steps, target sync every 100
 * updates, hidden 64), 3 seeds per env (the paper: 5) to keep the time to one sitting's worth.
 * Random lists: 10.54 (Direct CPR) and 2.91 (Pairing) reward per session (packages/envs baseline
 * scores, 1,000 episodes).
 *
 * Time: ≈ 40 min on 2 cores, `pnpm bench list`'s figure from the suite's own runs (its first run,
 * 2026-12-07, about 1 h in four sittings; priced at 3 h before, from the entries' RecSimSlate-v0
 * speeds). Run: inconclusive on both envs (packages/agile/README.md).
 */

export default {
  name: "agile-recsim-variants",
  description:
    "AGILE listwise CDQN vs CDQN-Utility vs Simple DQN on RecSim Direct CPR and Pairing (App. B.3, B.4), train and test items (15k steps)",
  estimatedMinutes: 40,
  algorithms: [
    { algo: "agile-cdqn", config: scaledCdqn },
    { algo: "cdqn-utility", config: scaledCdqn },
    { algo: "simple-dqn", config: scaledCdqn },
  ],
  envs: [
    { id: "RecSimSlateDirectCPR-v0", randomScore: 10.5401, evalSplits: ["test"] },
    { id: "RecSimSlatePairing-v0", randomScore: 2.913, evalSplits: ["test"] },
  ],
  seeds: [0, 1, 2],
  budget: { envSteps: 15_000, warmupSteps: 0 },
  evaluation: { every: 3_000, episodes: 10 },
  hidden: [64, 64],
  baseline: "cdqn-utility",
} satisfies SuiteDefinition;
