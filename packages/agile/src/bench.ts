/**
 * AGILE's bench entries (`pnpm bench` collects them): AGILE-PPO and the §3.6.1 baselines as one
 * learner with a `variant` switch. The bench drives them one env at a time through the core
 * `Agent` interface, one PPO update per numSteps · numEnvs env steps (the same batch the vector
 * trainer collects from numEnvs envs in parallel).
 */
import { type AlgorithmContext, defineAlgorithm, type EnvSpaces } from "@qscape/core";
import { AgilePPOAgent, actionSetShape, variableActionsOf } from "./agent.js";
import { cdqnAlgorithms } from "./cdqn/bench.js";
import { AgileConfig, type AgileVariant, type GraphEdges } from "./config.js";
import {
  NewActionsAgent,
  NewActionsConfig,
  type NewActionsPolicy,
  nearestNeighborControl,
  newActionsControl,
} from "./representations/agent.js";

/** null when the env lists its available actions with representations, else why not. */
export function actionSetControl(spaces: EnvSpaces): string | null {
  try {
    actionSetShape(spaces, {});
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** null when the env is an action-set env that says which of its actions are variable (App. B.1), else why not. */
export function variableActionsControl(spaces: EnvSpaces): string | null {
  try {
    variableActionsOf(spaces, actionSetShape(spaces, {}).numItems);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

const widths = ({ seed, hidden }: Omit<AlgorithmContext, "config">) => ({
  seed,
  hidden: hidden[0],
  graphHidden: hidden[0],
});

function entry(id: string, variant: AgileVariant, description: string, graphEdges: GraphEdges = "complete") {
  return defineAlgorithm({
    id,
    description,
    // The variant (and the edges) are the entry's; a suite's config sets everything else.
    schema: AgileConfig.extend({
      variant: AgileConfig.shape.variant.default(variant),
      graphEdges: AgileConfig.shape.graphEdges.default(graphEdges),
    }),
    supports: graphEdges === "variable-actions" ? variableActionsControl : actionSetControl,
    sampledEvaluation: true,
    matched: widths,
    create: (spaces, config) => new AgilePPOAgent(spaces, config),
    loop: (config) => ({ rolloutSteps: config.numSteps * config.numEnvs }),
  });
}

/**
 * A Ch. 2 entry: `policy` over representations learned with the run's seed before the first step
 * and kept in the checkpoint (the HVAE by default; `representation: { model: "flat-vae" }` gives
 * the non-hierarchical baseline, `{ model: "hand-engineered" }` the env's own codes with nothing
 * learned, Ch. 2's hand-engineered analysis). The entries differ in the policy only.
 */
function newActionsEntry(id: string, policy: NewActionsPolicy, description: string) {
  return defineAlgorithm({
    id,
    description,
    schema: NewActionsConfig.extend({ policy: NewActionsConfig.shape.policy.default(policy) }),
    supports: policy === "nearest-neighbor" ? nearestNeighborControl : newActionsControl,
    sampledEvaluation: true,
    matched: widths,
    create: (spaces, config) => new NewActionsAgent(spaces, config),
    loop: (config) => ({ rolloutSteps: config.numSteps * config.numEnvs }),
  });
}

export const agileAlgorithms = [
  entry(
    "agile-ppo",
    "agile",
    "AGILE-PPO: twin GAT over (state, action) nodes, relational features + summary, utility softmax over the available actions",
  ),
  entry(
    "utility-policy",
    "utility-policy",
    "Utility-Policy: each available action scored alone from (state, representation), no action-set input",
  ),
  entry("mask-output", "mask-output", "Mask-Output: a fixed head over the base action set, unavailable actions masked"),
  entry(
    "mask-input-output",
    "mask-input-output",
    "Mask-Input-Output: Mask-Output plus the availability mask through an MLP (hidden 64)",
  ),
  entry(
    "summary-gat",
    "summary-gat",
    "Summary-GAT: AGILE's GAT only for a set summary; the utility sees raw representations",
  ),
  entry(
    "summary-deepset",
    "summary-deepset",
    "Summary-DeepSet: a mean-pooled DeepSet summary of the set; raw representations",
  ),
  entry("summary-lstm", "summary-lstm", "Summary-LSTM: a 2-layer Bi-LSTM summary of the set; raw representations"),
  // The §3.6.3 / App. B.1 analyses of AGILE's graph.
  entry(
    "agile-gcn",
    "agile-gcn",
    "AGILE-GCN: AGILE with GCN message passing (zero-diagonal normalised adjacency) instead of graph attention",
  ),
  entry(
    "agile-only-action",
    "agile-only-action",
    "AGILE-Only-Action: AGILE whose graph nodes are the action representations alone (state-independent relations)",
  ),
  entry(
    "agile-domain-edges",
    "agile",
    "AGILE with domain-knowledge edges: only edges to and from the env's variable actions (Dig Lava: 29 of 49)",
    "variable-actions",
  ),
  // The value-based side (listwise CDQN, Simple DQN), src/cdqn/.
  ...cdqnAlgorithms,
  // Ch. 2 (new actions) and its §2.5.3 policy baselines over the same representations.
  newActionsEntry(
    "new-actions-hvae",
    "utility-policy",
    "New actions (Ch. 2): Utility-Policy over HVAE action representations learned from play trajectories (SkillGridWorld), or over an action-set env's own features (representation.model hand-engineered)",
  ),
  newActionsEntry(
    "new-actions-nn",
    "nearest-neighbor",
    "New actions (Ch. 2 baseline): a discrete policy over the training actions; on new actions, the one nearest to its chosen action's HVAE representation",
  ),
  newActionsEntry(
    "new-actions-continuous",
    "continuous-output",
    "New actions (Ch. 2 baseline): a Gaussian policy in HVAE representation space; the available action nearest to its output is executed",
  ),
];
