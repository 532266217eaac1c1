import { register } from "../registry.js";
import { type MineWorldConfig, MineWorldEnv } from "./mineworld.js";

export * from "./action-representation.js";
export * from "./knn.js";
export * from "./mineworld.js";

register({
  id: "MineWorld-v0",
  entryPoint: (kwargs) => new MineWorldEnv(kwargs as MineWorldConfig),
  maxEpisodeSteps: 100,
});
