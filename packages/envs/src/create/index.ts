import { EnvError } from "../errors.js";
import { register } from "../registry.js";
import { type CreateConfig, CreateEnv } from "./create.js";
import { CREATE_LEVELS, type CreateLevel, checkLevel } from "./levels.js";

export * from "./create.js";
export * from "./levels.js";
export * from "./play.js";
export * from "./render.js";
export * from "./tools.js";
export * from "./world.js";

/**
 * The level a `Create<Level>-v0` id fixes. A `level` kwarg that names another level is refused
 * rather than silently overridden: `UnknownLevelError` when it is no level at all, else an
 * `EnvError` pointing at the right id.
 */
function fixedLevel(id: string, level: CreateLevel, kwargs: Record<string, unknown>): CreateLevel {
  const asked = kwargs.level;
  if (asked === undefined || asked === level) return level;
  const other = checkLevel(String(asked));
  throw new EnvError(`${id}: fixes level ${level}; got level ${other} (make("Create${other}-v0") instead)`);
}

// New-actions CREATE (App. A.3): 30 actions per episode, 50 of 2,110 tools (plus the No-Op) offered.
for (const level of CREATE_LEVELS) {
  register({
    id: `Create${level}-v0`,
    entryPoint: (kwargs) =>
      new CreateEnv({ ...kwargs, level: fixedLevel(`Create${level}-v0`, level, kwargs) } as CreateConfig),
    maxEpisodeSteps: 30,
  });
}

// AGILE's CREATE with activators (thesis §3.5.2, App. B A.2): Push with 23 general tools + 2 activators per episode.
register({
  id: "CreateActivatorsPush-v0",
  entryPoint: (kwargs) =>
    new CreateEnv({
      actionsPerEpisode: 23,
      ...kwargs,
      level: fixedLevel("CreateActivatorsPush-v0", "Push", kwargs),
      activators: true,
    } as CreateConfig),
  maxEpisodeSteps: 30,
});
