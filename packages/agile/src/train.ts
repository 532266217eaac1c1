/**
 * Training and evaluation over vector envs (Gymnasium-style `makeVec`, SAME_STEP autoreset so an
 * ended episode's true last observation arrives in `info.final_obs`): `numEnvs` copies step in
 * lockstep, every `numSteps` steps the agent makes one PPO update on the numSteps × numEnvs batch
 * (Table B.4: 64 × 128 = 8192 for Dig Lava).
 */
import {
  type ActionSetObservation,
  AutoresetMode,
  type Env,
  makeVec,
  type StackedActionSetObservation,
  SyncVectorEnv,
  stackActionSetObservations,
  type VectorEnv,
} from "@qscape/envs";
import { type AgileAction, type AgilePPOAgent, envActions, type HybridAction } from "./agent.js";

export interface EpisodeStats {
  /** Env steps (all envs) when the episode ended. */
  step: number;
  return: number;
  length: number;
  success: boolean;
  /** Dig Lava: number of successful digs in the episode. */
  digs: number;
  /** Inventory ids of the episode's action set. */
  actionIds: number[];
}

export interface TrainVectorOptions {
  /** Registered env id (e.g. "DigLava-v0") or an env factory. */
  env: EnvSource;
  /** Env steps in total (all envs together). */
  totalSteps: number;
  /** Seed of the first vector reset (env i gets seed + i). */
  seed: number;
  makeOptions?: Record<string, unknown>;
  /** Called after every PPO update. */
  onUpdate?: (info: { step: number; updates: number; metrics: Record<string, number> }) => void;
}

export interface TrainVectorResult {
  steps: number;
  updates: number;
  episodes: EpisodeStats[];
  seconds: number;
}

type Obs = ActionSetObservation[];
/** A step's actions: inventory ids, or one `{ tool, position }` per env on CREATE's hybrid action space. */
type Acts = Int32Array | HybridAction[];

/** A registered env id, or a factory for envs built another way (a wrapper, a custom start). */
export type EnvSource = string | (() => Env<ActionSetObservation, number>);

/** Builds the vector env the trainer uses: `numEnvs` copies, SAME_STEP autoreset. */
export function makeActionSetVec(
  env: EnvSource,
  numEnvs: number,
  makeOptions: Record<string, unknown> = {},
): VectorEnv<Obs, Acts> {
  const autoresetMode = AutoresetMode.SAME_STEP;
  if (typeof env === "string") return makeVec<Obs, Acts>(env, numEnvs, { autoresetMode, makeOptions });
  return new SyncVectorEnv<Obs, Acts>(
    Array.from({ length: numEnvs }, () => env),
    { autoresetMode },
  );
}

/** The inventory ids an observation lists. */
const listed = (o: ActionSetObservation): number[] => Array.from(o.actionIds).filter((_, k) => o.actionMask[k] === 1);

/**
 * Vector infos hold a sub-env's dict entries as dicts of per-env arrays (Gymnasium's layout), so
 * `final_obs` is `{state: [...], actionIds: [...], ...}` and `final_info` `{success: [...], ...}`.
 */
function perEnv(info: Record<string, unknown>, key: string): Record<string, unknown[] | undefined> {
  const v = info[key];
  return v !== null && typeof v === "object" ? (v as Record<string, unknown[] | undefined>) : {};
}

/** The observation each env's step led to: the pre-reset one for envs whose episode just ended. */
function finalObservations(obs: Obs, info: Record<string, unknown>, done: Uint8Array): Obs {
  const finals = perEnv(info, "final_obs");
  return obs.map((o, i) => {
    const state = finals.state?.[i];
    if (!done[i] || !(state instanceof Float32Array)) return o;
    return {
      state,
      actionIds: finals.actionIds?.[i] as Int32Array,
      actionFeatures: finals.actionFeatures?.[i] as Float32Array,
      actionMask: finals.actionMask?.[i] as Uint8Array,
    };
  });
}

/** A boolean info field of env i at this step (from `final_info` where its episode ended). */
function stepFlag(info: Record<string, unknown>, key: string, i: number, ended: boolean): boolean {
  const v = ended ? perEnv(info, "final_info")[key]?.[i] : (info[key] as ArrayLike<unknown> | undefined)?.[i];
  return v === true || v === 1;
}

/** Trains `agent` on `numEnvs` (= agent.config.numEnvs) copies of an action-set env. */
export function trainVector(agent: AgilePPOAgent<AgileAction>, opts: TrainVectorOptions): TrainVectorResult {
  const t0 = performance.now();
  const E = agent.config.numEnvs;
  const vec: VectorEnv<Obs, Acts> = makeActionSetVec(opts.env, E, opts.makeOptions);
  let [obs] = vec.reset({ seed: opts.seed });
  let stacked = stackActionSetObservations(obs);
  const returns = new Float64Array(E);
  const lengths = new Int32Array(E);
  const digs = new Int32Array(E);
  const sets = obs.map(listed);
  const episodes: EpisodeStats[] = [];
  let steps = 0;
  let updates = 0;
  while (steps < opts.totalSteps) {
    const act = agent.actBatch(stacked, E, true);
    const [nextObs, rewards, terminated, truncated, info] = vec.step(envActions(act));
    const done = Uint8Array.from({ length: E }, (_, i) => (terminated[i] || truncated[i] ? 1 : 0));
    const finals = finalObservations(nextObs, info, done);
    const nextStacked = stackActionSetObservations(nextObs);
    agent.recordBatch({
      obs: stacked,
      act,
      rewards,
      terminated,
      truncated,
      next: done.includes(1) ? stackActionSetObservations(finals) : nextStacked,
    });
    steps += E;
    for (let i = 0; i < E; i++) {
      returns[i] = (returns[i] as number) + (rewards[i] as number);
      lengths[i] = (lengths[i] as number) + 1;
      if (stepFlag(info, "dug", i, done[i] === 1)) digs[i] = (digs[i] as number) + 1;
      if (done[i]) {
        episodes.push({
          step: steps,
          return: returns[i] as number,
          length: lengths[i] as number,
          success: stepFlag(info, "success", i, true),
          digs: digs[i] as number,
          actionIds: sets[i] as number[],
        });
        sets[i] = listed(nextObs[i] as ActionSetObservation);
        returns[i] = 0;
        lengths[i] = 0;
        digs[i] = 0;
      }
    }
    obs = nextObs;
    stacked = nextStacked;
    if (agent.rolloutLength >= agent.config.numSteps) {
      const metrics = agent.update();
      updates += 1;
      opts.onUpdate?.({ step: steps, updates, metrics });
    }
  }
  vec.close();
  return { steps, updates, episodes, seconds: (performance.now() - t0) / 1000 };
}

export interface EvaluateOptions {
  env: EnvSource;
  episodes: number;
  seed: number;
  makeOptions?: Record<string, unknown>;
  /** Parallel envs for evaluation (default 16). */
  numEnvs?: number;
  /** Sample instead of taking the most probable action. */
  explore?: boolean;
}

export interface EvaluationResult {
  episodes: EpisodeStats[];
  meanReturn: number;
  successRate: number;
  /** Fraction of episodes with at least one successful dig (Dig Lava). */
  digRate: number;
}

/** Runs `episodes` episodes (greedy by default) on a vector env; each env stops after its share. */
export function evaluateVector(agent: AgilePPOAgent<AgileAction>, opts: EvaluateOptions): EvaluationResult {
  const E = Math.min(opts.numEnvs ?? 16, opts.episodes);
  const vec = makeActionSetVec(opts.env, E, opts.makeOptions);
  let [obs] = vec.reset({ seed: opts.seed });
  const quota = Array.from({ length: E }, (_, i) => Math.floor(opts.episodes / E) + (i < opts.episodes % E ? 1 : 0));
  const ret = new Float64Array(E);
  const len = new Int32Array(E);
  const dug = new Int32Array(E);
  const sets = obs.map(listed);
  const episodes: EpisodeStats[] = [];
  while (quota.some((q) => q > 0)) {
    const stacked: StackedActionSetObservation = stackActionSetObservations(obs);
    const act = agent.actBatch(stacked, E, opts.explore ?? false);
    const [next, rewards, terminated, truncated, info] = vec.step(envActions(act));
    for (let i = 0; i < E; i++) {
      if ((quota[i] as number) <= 0) continue;
      ret[i] = (ret[i] as number) + (rewards[i] as number);
      len[i] = (len[i] as number) + 1;
      const ended = Boolean(terminated[i] || truncated[i]);
      if (stepFlag(info, "dug", i, ended)) dug[i] = (dug[i] as number) + 1;
      if (ended) {
        episodes.push({
          step: 0,
          return: ret[i] as number,
          length: len[i] as number,
          success: stepFlag(info, "success", i, true),
          digs: dug[i] as number,
          actionIds: sets[i] as number[],
        });
        sets[i] = listed(next[i] as ActionSetObservation);
        quota[i] = (quota[i] as number) - 1;
        ret[i] = 0;
        len[i] = 0;
        dug[i] = 0;
      }
    }
    obs = next;
  }
  vec.close();
  const n = episodes.length;
  return {
    episodes,
    meanReturn: episodes.reduce((s, e) => s + e.return, 0) / n,
    successRate: episodes.filter((e) => e.success).length / n,
    digRate: episodes.filter((e) => e.digs > 0).length / n,
  };
}

export interface EvaluateSplitsOptions extends Omit<EvaluateOptions, "env"> {
  /** A registered env id whose config takes `split` (SkillGridWorld-v0, RecoGym-v0, CreatePush-v0, …). */
  env: string;
  /** Default: the training actions and the unseen test actions. */
  splits?: readonly ("train" | "validation" | "test")[];
}

/**
 * The same evaluation on several action splits (Ch. 2 §A8, Ch. 3 §B6: train-action and unseen
 * test-action performance side by side): each split's envs draw every episode's action set from
 * that split only.
 */
export function evaluateSplits(
  agent: AgilePPOAgent<AgileAction>,
  opts: EvaluateSplitsOptions,
): Record<string, EvaluationResult> {
  const out: Record<string, EvaluationResult> = {};
  for (const split of opts.splits ?? ["train", "test"]) {
    out[split] = evaluateVector(agent, { ...opts, makeOptions: { ...opts.makeOptions, split } });
  }
  return out;
}
