/** QMLE's bench entry (`pnpm bench` collects it). */
import { continuousControl, defineAlgorithm } from "@qscape/core";
import { QmleAgent } from "./agent.js";
import { QmleConfig } from "./config.js";

export const qmleAlgorithms = [
  defineAlgorithm({
    id: "qmle",
    description: "QMLE: action-in Q with best-of-m search and maximum-likelihood argmax predictors",
    schema: QmleConfig,
    supports: continuousControl,
    // QMLE's two streams are half the matched width, so its joint head is as wide as the critics'
    // layers; it updates every 10 env steps on its own schedule (paper), after the loop's warm-up.
    matched: ({ seed, hidden, warmupSteps }) => ({
      seed,
      width: Math.max(1, Math.round((hidden[0] ?? 256) / 2)),
      learningStarts: warmupSteps,
    }),
    create: (spaces, config) => new QmleAgent(spaces, config),
  }),
];
