/**
 * Bench entries of the value-based side of AGILE (App. B C.2): `agile-cdqn`, `cdqn-utility` and
 * `simple-dqn`, on list-action envs (RecSimSlate-v0). The bench calls `update()` once every
 * `updateInterval` env steps (the loop's rollout shape: no random warm-up, since ε starts at 1
 * and a list action has no uniform sampler in core), from `learningStarts` env steps on: the agent
 * takes no gradient step before its replay holds that many transitions.
 */
import { type AlgorithmContext, defineAlgorithm, type EnvSpaces } from "@qscape/core";
import { ListwiseCDQNAgent, listActionShape } from "./agent.js";
import { CDQNConfig, type CDQNVariant } from "./config.js";

/** null when the env's actions are lists of candidates with representations, else why not. */
export function listActionControl(spaces: EnvSpaces): string | null {
  try {
    listActionShape(spaces);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

// The suite's matched width sets the state encoder and the graph; the Q-network keeps 256 × 64.
const widths = ({ seed, hidden }: Omit<AlgorithmContext, "config">) => ({
  seed,
  hidden: hidden[0],
  graphHidden: hidden[0],
});

function entry(
  id: string,
  variant: CDQNVariant,
  description: string,
  graph: { layer?: "gat" | "gcn"; nodes?: "state-action" | "action-only" } = {},
) {
  return defineAlgorithm({
    id,
    description,
    // The variant (and the graph's analysis) are the entry's; a suite's config sets everything else.
    schema: CDQNConfig.extend({
      variant: CDQNConfig.shape.variant.default(variant),
      graphLayer: CDQNConfig.shape.graphLayer.default(graph.layer ?? "gat"),
      graphNodes: CDQNConfig.shape.graphNodes.default(graph.nodes ?? "state-action"),
    }),
    supports: listActionControl,
    matched: widths,
    create: (spaces, config) => new ListwiseCDQNAgent(spaces, config),
    loop: (config) => ({ rolloutSteps: config.updateInterval, learningStarts: config.learningStarts }),
  });
}

export const cdqnAlgorithms = [
  entry(
    "agile-cdqn",
    "agile",
    "AGILE listwise CDQN: the list built item by item, twin GATs over (state, list, item) nodes, shared Q across indices",
  ),
  // Fig. B.9's analyses of AGILE's graph on RecSim.
  entry(
    "agile-cdqn-gcn",
    "agile",
    "AGILE listwise CDQN with GCN message passing (zero-diagonal normalised adjacency) instead of graph attention",
    { layer: "gcn" },
  ),
  entry(
    "agile-cdqn-only-action",
    "agile",
    "AGILE listwise CDQN whose graph nodes are the items' representations alone (no state or list in the graph)",
    { nodes: "action-only" },
  ),
  entry(
    "cdqn-utility",
    "utility",
    "Listwise CDQN with the Utility Q-network: each candidate scored alone from (state, list so far, item)",
  ),
  entry("simple-dqn", "simple-dqn", "Simple DQN (top-K): items scored independently, the K best form the list"),
];
