/** SAVO's bench entries (`pnpm bench` collects them). */
import { actorCriticWidths, continuousControl, defineAlgorithm } from "@qscape/core";
import { SavoAgent } from "./agent.js";
import { SavoConfig } from "./config.js";
import { SavoSacAgent } from "./sac-agent.js";
import { SavoSacConfig } from "./sac-config.js";

export const savoAlgorithms = [
  defineAlgorithm({
    id: "savo",
    description: "SAVO-TD3: successive actors + surrogates, maximizer actor (k = 3)",
    schema: SavoConfig,
    supports: continuousControl,
    matched: actorCriticWidths,
    create: (spaces, config) => new SavoAgent(spaces, config),
  }),
  defineAlgorithm({
    id: "savo-sac",
    description:
      "SAVO on SAC (App. D.3): SAC's mean action + successive actors and surrogates, maximizer actor (k = 3)",
    schema: SavoSacConfig,
    supports: continuousControl,
    matched: actorCriticWidths,
    create: (spaces, config) => new SavoSacAgent(spaces, config),
  }),
];
