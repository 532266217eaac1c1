/**
 * The baselines' bench entries (`pnpm bench` collects them): each maps the suite's matched settings
 * (seed, network widths) to the learner's config names and parses the suite's overrides with the
 * learner's own schema.
 */
import { actorCriticWidths, continuousControl, defineAlgorithm, discreteControl, isBox } from "@qscape/core";
import { DDPGAgent } from "./ddpg/agent.js";
import { DDPGConfig } from "./ddpg/config.js";
import { DQNAgent } from "./dqn/agent.js";
import { DQNConfig } from "./dqn/config.js";
import { PPOAgent } from "./ppo/agent.js";
import { PPOConfig } from "./ppo/config.js";
import { CEMAgent } from "./proposals/cem.js";
import {
  CEMConfig,
  EnsembleConfig,
  GreedyACConfig,
  GreedyTD3Config,
  ResetConfig,
  WolpertingerConfig,
} from "./proposals/config.js";
import { EnsembleAgent } from "./proposals/ensemble.js";
import { GreedyACAgent, GreedyTD3Agent } from "./proposals/greedy.js";
import { ResetTD3Agent } from "./proposals/resets.js";
import { WolpertingerAgent } from "./proposals/wolpertinger.js";
import { SACAgent } from "./sac/agent.js";
import { SACConfig } from "./sac/config.js";
import { TD3Agent } from "./td3/agent.js";
import { TD3Config } from "./td3/config.js";

export const baselineAlgorithms = [
  defineAlgorithm({
    id: "td3",
    description: "TD3 (Fujimoto et al. 2018), author-code defaults",
    schema: TD3Config,
    supports: continuousControl,
    matched: actorCriticWidths,
    create: (spaces, config) => new TD3Agent(spaces, config),
  }),
  defineAlgorithm({
    id: "ddpg",
    description: "DDPG (Lillicrap et al. 2016) with OU exploration",
    schema: DDPGConfig,
    supports: continuousControl,
    matched: actorCriticWidths,
    create: (spaces, config) => new DDPGAgent(spaces, config),
  }),
  defineAlgorithm({
    id: "sac",
    description: "SAC with twin critics and automatic entropy tuning",
    schema: SACConfig,
    supports: continuousControl,
    matched: actorCriticWidths,
    create: (spaces, config) => new SACAgent(spaces, config),
  }),
  defineAlgorithm({
    id: "ensemble",
    description: "k-actor ensemble on TD3, best by Q (k = 3)",
    schema: EnsembleConfig,
    supports: continuousControl,
    matched: actorCriticWidths,
    create: (spaces, config) => new EnsembleAgent(spaces, config),
  }),
  defineAlgorithm({
    id: "wolpertinger",
    description: "k-samples / Wolpertinger on TD3, best by Q (k = 3)",
    schema: WolpertingerConfig,
    supports: continuousControl,
    matched: actorCriticWidths,
    create: (spaces, config) => new WolpertingerAgent(spaces, config),
  }),
  defineAlgorithm({
    id: "cem",
    description: "CEM actor over Q on the TD3 critic",
    schema: CEMConfig,
    supports: continuousControl,
    matched: actorCriticWidths,
    create: (spaces, config) => new CEMAgent(spaces, config),
  }),
  defineAlgorithm({
    id: "greedy-ac",
    description: "Greedy Actor-Critic (proposal policy + percentile actor)",
    schema: GreedyACConfig,
    supports: continuousControl,
    matched: actorCriticWidths,
    create: (spaces, config) => new GreedyACAgent(spaces, config),
  }),
  defineAlgorithm({
    id: "greedy-td3",
    description: "Greedy-TD3 (Greedy-AC's proposal on the TD3 backbone)",
    schema: GreedyTD3Config,
    supports: continuousControl,
    matched: actorCriticWidths,
    create: (spaces, config) => new GreedyTD3Agent(spaces, config),
  }),
  defineAlgorithm({
    id: "td3-resets",
    description: "TD3 with periodic network resets",
    schema: ResetConfig,
    supports: continuousControl,
    matched: actorCriticWidths,
    create: (spaces, config) => new ResetTD3Agent(spaces, config),
  }),
  defineAlgorithm({
    id: "dqn",
    description: "Double DQN (optional dueling, PER, n-step)",
    schema: DQNConfig,
    supports: discreteControl,
    matched: ({ seed, hidden }) => ({ seed, hidden }),
    create: (spaces, config) => new DQNAgent(spaces, config),
  }),
  defineAlgorithm({
    id: "ppo",
    description: "PPO (clipped objective, GAE), discrete or continuous",
    schema: PPOConfig,
    supports: (spaces) => (isBox(spaces.observationSpace) ? null : "needs a Box observation space"),
    matched: ({ seed, hidden }) => ({ seed, hidden }),
    create: (spaces, config) => new PPOAgent(spaces, config),
    // On-policy: one update per rollout, no random warm-up.
    loop: (config) => ({ rolloutSteps: config.rolloutSteps }),
  }),
];
