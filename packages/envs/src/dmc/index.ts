/**
 * DeepMind Control Suite tasks (state observations) on the MuJoCo WASM build, for QMLE. `await loadMujoco()`
 * once, then `make("dmc/cartpole-swingup")` etc. Ids are `dmc/<domain>-<task>` with dm_control's domain and
 * task names; every task has a 1000-step time limit (a truncation) and actions in [−1, 1].
 */
import { EnvError } from "../errors.js";
import { register } from "../registry.js";
import type { DmcEnv } from "./base.js";
import { DmcAcrobotEnv } from "./tasks/acrobot.js";
import { DmcBallInCupEnv } from "./tasks/ball-in-cup.js";
import { DmcCartpoleEnv } from "./tasks/cartpole.js";
import { DmcCheetahEnv } from "./tasks/cheetah.js";
import { DmcFingerEnv } from "./tasks/finger.js";
import { DmcHopperEnv } from "./tasks/hopper.js";
import { DmcPendulumEnv } from "./tasks/pendulum.js";
import { DmcReacherEnv } from "./tasks/reacher.js";
import { DmcWalkerEnv } from "./tasks/walker.js";

export { DmcEnv, type ObservationEntry, type RandomizedJoint } from "./base.js";
export * from "./models/acrobot.js";
export * from "./models/ball-in-cup.js";
export * from "./models/cartpole.js";
export * from "./models/cheetah.js";
export * from "./models/finger.js";
export * from "./models/hopper.js";
export * from "./models/pendulum.js";
export * from "./models/reacher.js";
export * from "./models/walker.js";
export * from "./rewards.js";
export * from "./tasks/acrobot.js";
export * from "./tasks/ball-in-cup.js";
export * from "./tasks/cartpole.js";
export * from "./tasks/cheetah.js";
export * from "./tasks/finger.js";
export * from "./tasks/hopper.js";
export * from "./tasks/pendulum.js";
export * from "./tasks/reacher.js";
export * from "./tasks/walker.js";

export interface DmcTask {
  /** dm_control domain name, e.g. "cartpole". */
  readonly domain: string;
  /** dm_control task name, e.g. "swingup". */
  readonly task: string;
  /** Registered id: `dmc/<domain>-<task>`. */
  readonly id: string;
  readonly create: (kwargs: Record<string, unknown>) => DmcEnv;
}

/** DMC's episode length: every suite task runs 1000 agent steps. */
export const DMC_EPISODE_STEPS = 1000;

/** The id fixes the task, so a `task` kwarg (which would silently pick another one) is refused. */
function task(domain: string, name: string, create: (kwargs: Record<string, unknown>) => DmcEnv): DmcTask {
  const id = `dmc/${domain}-${name}`;
  const checked = (kwargs: Record<string, unknown>) => {
    if ("task" in kwargs) throw new EnvError(`${id}: the id fixes the task; drop the "task" option`);
    return create(kwargs);
  };
  return { domain, task: name, id, create: checked };
}

export const DMC_TASKS: readonly DmcTask[] = [
  ...(["swingup", "swingup_sparse", "balance", "balance_sparse"] as const).map((t) =>
    task("cartpole", t, (k) => new DmcCartpoleEnv({ ...k, task: t })),
  ),
  ...(["easy", "hard"] as const).map((t) => task("reacher", t, (k) => new DmcReacherEnv({ ...k, task: t }))),
  task("cheetah", "run", (k) => new DmcCheetahEnv({ ...k, task: "run" })),
  ...(["stand", "walk", "run"] as const).map((t) => task("walker", t, (k) => new DmcWalkerEnv({ ...k, task: t }))),
  ...(["stand", "hop"] as const).map((t) => task("hopper", t, (k) => new DmcHopperEnv({ ...k, task: t }))),
  ...(["spin", "turn_easy", "turn_hard"] as const).map((t) =>
    task("finger", t, (k) => new DmcFingerEnv({ ...k, task: t })),
  ),
  task("ball_in_cup", "catch", (k) => new DmcBallInCupEnv({ ...k, task: "catch" })),
  task("pendulum", "swingup", (k) => new DmcPendulumEnv({ ...k, task: "swingup" })),
  ...(["swingup", "swingup_sparse"] as const).map((t) =>
    task("acrobot", t, (k) => new DmcAcrobotEnv({ ...k, task: t })),
  ),
];

/** The registered id of a dm_control `<domain>_<task>` name as QMLE's code spells it, e.g. "walker_walk". */
export function dmcIdFromName(name: string): string {
  const found = DMC_TASKS.find((t) => `${t.domain}_${t.task}` === name);
  if (found === undefined) {
    const known = DMC_TASKS.map((t) => `${t.domain}_${t.task}`).join(", ");
    throw new EnvError(`dmcIdFromName: no DMC task named "${name}" (known: ${known})`);
  }
  return found.id;
}

for (const t of DMC_TASKS) {
  register({ id: t.id, entryPoint: t.create, maxEpisodeSteps: DMC_EPISODE_STEPS });
}
