/**
 * A representation stage small enough for a unit test (seconds, not the paper's hours): 4 play
 * trajectories per action, 3-d representations, width 8, 2 gradient steps. The bench-entry tests of
 * `new-actions-*` build their agents with it.
 */
export const TINY_REPRESENTATION = {
  observationsPerAction: 4,
  representationSize: 3,
  latentSize: 2,
  hidden: 8,
  actionHidden: 8,
  encoderLayers: 1,
  batchSize: 8,
  epochs: 2,
} as const;
