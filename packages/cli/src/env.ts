/**
 * The env a run trains, evaluates and renders: `make(id, kwargs)`, optionally acting in the env's
 * action-representation space (continuous proto-actions snapped to the nearest item, Dulac-Arnold
 * et al. 2015), so continuous-control learners run on large discrete action sets such as MineWorld and
 * RecSim — as `pnpm bench` suites do with `actionRepresentation: true`.
 */
import { type AnyEnv, getActionRepresentation, make, NearestItemWrapper } from "@qscape/envs";

export interface EnvSettings {
  env: string;
  envKwargs: Record<string, unknown>;
  actionRepresentation: boolean;
}

export function makeRunEnv(s: EnvSettings, renderMode?: "rgb_array"): AnyEnv {
  const env = make(s.env, { ...s.envKwargs, ...(renderMode ? { renderMode } : {}) });
  return s.actionRepresentation ? new NearestItemWrapper(env) : env;
}

/** Whether the env publishes an action representation (then `--action-representation` can be offered). */
export function hasActionRepresentation(env: AnyEnv): boolean {
  try {
    getActionRepresentation(env);
    return true;
  } catch {
    return false;
  }
}
