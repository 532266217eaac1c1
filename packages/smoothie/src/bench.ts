/** Smoothie's bench entry (`pnpm bench` collects it). */
import { actorCriticWidths, continuousControl, defineAlgorithm } from "@qscape/core";
import { SmoothieAgent } from "./agent.js";
import { SmoothieConfig } from "./config.js";

export const smoothieAlgorithms = [
  defineAlgorithm({
    id: "smoothie",
    description: "Smoothie (Nachum et al. 2018): Gaussian policy on a smoothed critic, exact diagonal action-Hessian",
    schema: SmoothieConfig,
    supports: continuousControl,
    matched: actorCriticWidths,
    create: (spaces, config) => new SmoothieAgent(spaces, config),
  }),
];
