/**
 * MuJoCo tasks on the official WASM build. `await loadMujoco()` once before `make("Hopper-v5")` etc.
 * Ids: `<Task>-v5` (current Gymnasium) and `<Task>-v4` (the version the papers used) for Hopper, Walker2d,
 * HalfCheetah, Ant, Swimmer, Humanoid, InvertedPendulum, InvertedDoublePendulum, Reacher; and SAVO's
 * `<Task>Restricted-v5` / `-v4` for Hopper, Walker2d, HalfCheetah, Ant, InvertedPendulum, InvertedDoublePendulum.
 */
import type { Env } from "../env.js";
import { register } from "../registry.js";
import type { MujocoEnv, MujocoVersion } from "./base.js";
import {
  type InvalidActionMode,
  RESTRICTED_OPTION_KEYS,
  RestrictedActionWrapper,
  type RestrictedOptions,
} from "./restricted.js";
import { AntEnv } from "./tasks/ant.js";
import { HalfCheetahEnv } from "./tasks/half-cheetah.js";
import { HopperEnv } from "./tasks/hopper.js";
import { HumanoidEnv } from "./tasks/humanoid.js";
import { InvertedDoublePendulumEnv } from "./tasks/inverted-double-pendulum.js";
import { InvertedPendulumEnv } from "./tasks/inverted-pendulum.js";
import { ReacherEnv } from "./tasks/reacher.js";
import { SwimmerEnv } from "./tasks/swimmer.js";
import { Walker2dEnv } from "./tasks/walker2d.js";

export { loadMujoco, MujocoSim, type SimField, wasmHeapBytes } from "./adapter.js";
export { MujocoEnv, type MujocoVersion } from "./base.js";
export * from "./models/index.js";
export * from "./restricted.js";
export * from "./tasks/ant.js";
export * from "./tasks/half-cheetah.js";
export * from "./tasks/hopper.js";
export * from "./tasks/humanoid.js";
export * from "./tasks/inverted-double-pendulum.js";
export * from "./tasks/inverted-pendulum.js";
export * from "./tasks/reacher.js";
export * from "./tasks/swimmer.js";
export * from "./tasks/walker2d.js";

type Kwargs = Record<string, unknown>;

interface MujocoTask {
  name: string;
  create: (kwargs: Kwargs) => MujocoEnv;
  maxEpisodeSteps: number;
  rewardThreshold: number | null;
  /** Replacement for invalid actions in the restricted variant; absent when there is none. */
  restricted?: InvalidActionMode;
}

// Time limits and reward thresholds as registered in Gymnasium's `envs/__init__.py`.
export const MUJOCO_TASKS: readonly MujocoTask[] = [
  { name: "Hopper", create: (k) => new HopperEnv(k), maxEpisodeSteps: 1000, rewardThreshold: 3800, restricted: "zero" },
  {
    name: "Walker2d",
    create: (k) => new Walker2dEnv(k),
    maxEpisodeSteps: 1000,
    rewardThreshold: null,
    restricted: "zero",
  },
  {
    name: "HalfCheetah",
    create: (k) => new HalfCheetahEnv(k),
    maxEpisodeSteps: 1000,
    rewardThreshold: 4800,
    restricted: "zero",
  },
  { name: "Ant", create: (k) => new AntEnv(k), maxEpisodeSteps: 1000, rewardThreshold: 6000, restricted: "zero" },
  { name: "Swimmer", create: (k) => new SwimmerEnv(k), maxEpisodeSteps: 1000, rewardThreshold: 360 },
  { name: "Humanoid", create: (k) => new HumanoidEnv(k), maxEpisodeSteps: 1000, rewardThreshold: null },
  {
    name: "InvertedPendulum",
    create: (k) => new InvertedPendulumEnv(k),
    maxEpisodeSteps: 1000,
    rewardThreshold: 950,
    restricted: "minusOne",
  },
  {
    name: "InvertedDoublePendulum",
    create: (k) => new InvertedDoublePendulumEnv(k),
    maxEpisodeSteps: 1000,
    rewardThreshold: 9100,
    restricted: "minusOne",
  },
  { name: "Reacher", create: (k) => new ReacherEnv(k), maxEpisodeSteps: 50, rewardThreshold: -3.75 },
];

/** Builds a restricted task; restriction kwargs go to the wrapper, the rest to the task. */
function restricted(task: MujocoTask, mode: InvalidActionMode, version: MujocoVersion, kwargs: Kwargs): Env {
  const own: Kwargs = {};
  const rest: Kwargs = {};
  for (const [k, v] of Object.entries(kwargs)) {
    if ((RESTRICTED_OPTION_KEYS as string[]).includes(k)) own[k] = v;
    else rest[k] = v;
  }
  return new RestrictedActionWrapper(task.create({ ...rest, version }), mode, own as RestrictedOptions);
}

for (const task of MUJOCO_TASKS) {
  for (const version of ["v4", "v5"] as const) {
    register({
      id: `${task.name}-${version}`,
      entryPoint: (kwargs) => task.create({ ...kwargs, version }),
      maxEpisodeSteps: task.maxEpisodeSteps,
      rewardThreshold: task.rewardThreshold,
    });
    const mode = task.restricted;
    if (mode === undefined) continue;
    register({
      id: `${task.name}Restricted-${version}`,
      entryPoint: (kwargs) => restricted(task, mode, version, kwargs),
      maxEpisodeSteps: task.maxEpisodeSteps,
    });
  }
}
