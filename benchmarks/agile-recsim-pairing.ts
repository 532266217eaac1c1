import type { SuiteDefinition } from "../apps/bench/src/suite.js";
import { scaledCdqn } from "./agile-recsim.js";

/**
 * Fig. B.9 (right) of the thesis: AGILE's graph analyses on RecSim-Pairing (App. B.4), the RecSim
 * task whose item relations are the most complex (a click needs both items of a predefined pair in
 * the list). AGILE listwise CDQN against the same agent with GCN message passing (`agile-cdqn-gcn`)
 * and with action-only graph nodes (`agile-cdqn-only-action`), on training and unseen test items.
 * Claims checked: "AGILE outperforming AGILE-GCN shows that a GAT is capable of modeling the action
 * relations correctly"; "AGILE converges faster than AGILE Only-Action".
 *
 * Settings: `agile-recsim`'s scaled ones (15,000 env steps, one update of batch 128 per 15-step
 * session after a 1,500-transition warm start, ε 1 → 0.1 over 3,000 steps, target sync every 100
 * updates, hidden 64), 3 seeds. Random lists: 2.91 reward per session.
 *
 * Time: ≈ 40 min on 2 cores: its first run (2026-12-07) took 39 min in one sitting; `pnpm bench list`
 * prices it from that run's speeds. Run: inconclusive (packages/agile/README.md).
 */

export default {
  name: "agile-recsim-pairing",
  description:
    "Fig. B.9: AGILE listwise CDQN vs its GCN and Only-Action analyses on RecSim-Pairing, train and test items (15k steps)",
  estimatedMinutes: 40,
  algorithms: [
    { algo: "agile-cdqn", config: scaledCdqn },
    { algo: "agile-cdqn-gcn", config: scaledCdqn },
    { algo: "agile-cdqn-only-action", config: scaledCdqn },
  ],
  envs: [{ id: "RecSimSlatePairing-v0", randomScore: 2.913, evalSplits: ["test"] }],
  seeds: [0, 1, 2],
  budget: { envSteps: 15_000, warmupSteps: 0 },
  evaluation: { every: 3_000, episodes: 10 },
  hidden: [64, 64],
  baseline: "agile-cdqn",
} satisfies SuiteDefinition;
