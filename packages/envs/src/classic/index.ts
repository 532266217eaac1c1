import { register } from "../registry.js";
import { AcrobotEnv, type AcrobotOptions } from "./acrobot.js";
import { CartPoleEnv, type CartPoleOptions } from "./cartpole.js";
import { MountainCarContinuousEnv, MountainCarEnv, type MountainCarOptions } from "./mountain-car.js";
import { PendulumEnv, type PendulumOptions } from "./pendulum.js";

export * from "./acrobot.js";
export * from "./cartpole.js";
export * from "./mountain-car.js";
export * from "./pendulum.js";

// Time limits and reward thresholds as registered in Gymnasium's `envs/__init__.py`.
register({
  id: "CartPole-v1",
  entryPoint: (kwargs) => new CartPoleEnv(kwargs as CartPoleOptions),
  maxEpisodeSteps: 500,
  rewardThreshold: 475.0,
});
register({
  id: "Pendulum-v1",
  entryPoint: (kwargs) => new PendulumEnv(kwargs as PendulumOptions),
  maxEpisodeSteps: 200,
});
register({
  id: "MountainCar-v0",
  entryPoint: (kwargs) => new MountainCarEnv(kwargs as MountainCarOptions),
  maxEpisodeSteps: 200,
  rewardThreshold: -110.0,
});
register({
  id: "MountainCarContinuous-v0",
  entryPoint: (kwargs) => new MountainCarContinuousEnv(kwargs as MountainCarOptions),
  maxEpisodeSteps: 999,
  rewardThreshold: 90.0,
});
register({
  id: "Acrobot-v1",
  entryPoint: (kwargs) => new AcrobotEnv(kwargs as AcrobotOptions),
  maxEpisodeSteps: 500,
  rewardThreshold: -100.0,
});
