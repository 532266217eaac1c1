import { register } from "../registry.js";
import { CartPoleEnv, type CartPoleOptions } from "./cartpole.js";

export * from "./cartpole.js";

// Time limits and reward thresholds as registered in Gymnasium's `envs/__init__.py`.
register({
  id: "CartPole-v1",
  entryPoint: (kwargs) => new CartPoleEnv(kwargs as CartPoleOptions),
  maxEpisodeSteps: 500,
  rewardThreshold: 475.0,
});
