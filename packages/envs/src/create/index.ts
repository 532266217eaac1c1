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
