import { register } from "../registry.js";
import { type CreateConfig, CreateEnv } from "./create.js";
import { CREATE_LEVELS } from "./levels.js";

export * from "./create.js";
export * from "./levels.js";
export * from "./play.js";
export * from "./render.js";
export * from "./tools.js";
export * from "./world.js";

// New-actions CREATE (App. A.3): 30 actions per episode, 50 of 2,110 tools (plus the No-Op) offered.
for (const level of CREATE_LEVELS) {
  register({
    id: `Create${level}-v0`,
    entryPoint: (kwargs) => new CreateEnv({ ...kwargs, level } as CreateConfig),
    maxEpisodeSteps: 30,
  });
}

// AGILE's CREATE with activators (thesis §3.5.2, App. B A.2): Push with 23 general tools + 2 activators per episode.
register({
  id: "CreateActivatorsPush-v0",
  entryPoint: (kwargs) =>
    new CreateEnv({ actionsPerEpisode: 23, ...kwargs, level: "Push", activators: true } as CreateConfig),
  maxEpisodeSteps: 30,
});
