import { EnvError } from "../errors.js";
import { register } from "../registry.js";
import { type DigLavaConfig, DigLavaEnv } from "./dig-lava.js";
import { type MineWorldConfig, MineWorldEnv } from "./mineworld.js";
import { type RecoGymConfig, RecoGymEnv } from "./recogym.js";
import { type RecSimConfig, RecSimEnv } from "./recsim.js";
import { type RecSimSlateConfig, RecSimSlateEnv } from "./recsim-slate.js";
import { type SkillGridWorldConfig, SkillGridWorldEnv } from "./skill-grid-world.js";

export * from "./action-representation.js";
export * from "./action-set.js";
export * from "./dig-lava.js";
export * from "./grid-render.js";
export * from "./knn.js";
export * from "./mineworld.js";
export * from "./nearest-item.js";
export * from "./recogym.js";
export * from "./recsim.js";
export * from "./recsim-slate.js";
export * from "./skill-grid-world.js";

register({
  id: "MineWorld-v0",
  entryPoint: (kwargs) => new MineWorldEnv(kwargs as MineWorldConfig),
  maxEpisodeSteps: 100,
});

// SAVO Table 2: 20-step sessions; numItems 10,000 by default (100,000 / 500,000 via kwargs).
register({
  id: "RecSim-v0",
  entryPoint: (kwargs) => new RecSimEnv(kwargs as RecSimConfig),
  maxEpisodeSteps: 20,
});

// AGILE (thesis App. B A.3): slates of 6 from 20 candidates, 15-step sessions; the implicit-CPR
// default and the Direct-CPR (App. B.3) and Pairing (App. B.4) variants (also `variant` kwargs).
register({
  id: "RecSimSlate-v0",
  entryPoint: (kwargs) => new RecSimSlateEnv(kwargs as RecSimSlateConfig),
  maxEpisodeSteps: 15,
});
for (const [id, variant] of [
  ["RecSimSlateDirectCPR-v0", "direct-cpr"],
  ["RecSimSlatePairing-v0", "pairing"],
] as const) {
  register({
    id,
    entryPoint: (kwargs) => {
      if (kwargs.variant !== undefined && kwargs.variant !== variant) {
        throw new EnvError(`${id}: fixes variant ${variant}; got variant ${String(kwargs.variant)}`);
      }
      return new RecSimSlateEnv({ ...(kwargs as RecSimSlateConfig), variant });
    },
    maxEpisodeSteps: 15,
  });
}

// AGILE Dig Lava (thesis §3.5.1, App. B A.1): 50-step episodes, 7 of 9 skills per episode.
register({
  id: "DigLava-v0",
  entryPoint: (kwargs) => new DigLavaEnv(kwargs as DigLavaConfig),
  maxEpisodeSteps: 50,
});

// New-actions Grid World (App. A.1): 10 five-move skills per episode, 50 of 1,024 skills offered.
register({
  id: "SkillGridWorld-v0",
  entryPoint: (kwargs) => new SkillGridWorldEnv(kwargs as SkillGridWorldConfig),
  maxEpisodeSteps: 10,
});

// New-actions recommender (App. A.2): up to 100 recommendations per user, 500 of 10,000 products offered.
register({
  id: "RecoGym-v0",
  entryPoint: (kwargs) => new RecoGymEnv(kwargs as RecoGymConfig),
  maxEpisodeSteps: 100,
});
