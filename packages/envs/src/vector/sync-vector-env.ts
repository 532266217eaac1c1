import { EnvError } from "../errors.js";
import type { AnyEnv } from "../registry.js";
import type { AnySpace } from "../spaces.js";
import {
  AutoresetMode,
  addInfo,
  batchSpace,
  checkAutoresetMode,
  collectSteps,
  concatenate,
  perEnvSeeds,
  stepSubEnv,
  unbatch,
  VectorEnv,
  type VectorEnvOptions,
  type VectorInfo,
  type VectorResetArgs,
  type VectorStepResult,
} from "./vector-env.js";

/**
 * Steps `numEnvs` envs one after another in this thread (Gymnasium `SyncVectorEnv`).
 * Every sub-env must have the same observation and action spaces (compared by JSON).
 */
export class SyncVectorEnv<BObs = Float32Array, BAct = Float32Array> extends VectorEnv<BObs, BAct> {
  readonly envs: AnyEnv[];
  readonly numEnvs: number;
  readonly singleObservationSpace: AnySpace;
  readonly singleActionSpace: AnySpace;
  readonly observationSpace: AnySpace;
  readonly actionSpace: AnySpace;
  readonly metadata: { autoresetMode: AutoresetMode; [key: string]: unknown };
  private readonly autoreset: Uint8Array;
  private lastObs: unknown[] | null = null;

  constructor(envFns: (() => AnyEnv)[], { autoresetMode = AutoresetMode.NEXT_STEP }: VectorEnvOptions = {}) {
    super();
    if (envFns.length === 0) throw new EnvError("SyncVectorEnv: needs at least one env");
    this.envs = envFns.map((fn) => fn());
    this.numEnvs = this.envs.length;
    const first = this.envs[0] as AnyEnv;
    this.singleObservationSpace = first.observationSpace;
    this.singleActionSpace = first.actionSpace;
    this.envs.forEach((env, i) => {
      for (const key of ["observationSpace", "actionSpace"] as const) {
        if (JSON.stringify(env[key].toJSON()) !== JSON.stringify(first[key].toJSON())) {
          throw new EnvError(`SyncVectorEnv: env ${i} has ${key} ${env[key]}, env 0 has ${first[key]}`);
        }
      }
    });
    this.observationSpace = batchSpace(this.singleObservationSpace, this.numEnvs);
    this.actionSpace = batchSpace(this.singleActionSpace, this.numEnvs);
    this.metadata = { ...first.metadata, autoresetMode: checkAutoresetMode(autoresetMode) };
    this.autoreset = new Uint8Array(this.numEnvs);
  }

  reset({ seed, options }: VectorResetArgs = {}): [BObs, VectorInfo] {
    const seeds = perEnvSeeds(seed, this.numEnvs);
    const { resetMask, ...envOptions } = options ?? {};
    if (resetMask && resetMask.length !== this.numEnvs) {
      throw new EnvError(`SyncVectorEnv.reset: resetMask has ${resetMask.length} entries for ${this.numEnvs} envs`);
    }
    const obs = this.lastObs ?? new Array<unknown>(this.numEnvs);
    const info: VectorInfo = {};
    this.envs.forEach((env, i) => {
      if (resetMask && !resetMask[i]) return;
      const [o, inf] = env.reset({ seed: seeds[i], options: options ? envOptions : undefined });
      obs[i] = o;
      this.autoreset[i] = 0;
      addInfo(info, inf, i, this.numEnvs);
    });
    this.lastObs = obs;
    return [concatenate(this.singleObservationSpace, obs) as BObs, info];
  }

  step(actions: BAct): VectorStepResult<BObs> {
    if (this.lastObs === null) throw new EnvError("SyncVectorEnv: cannot call step() before reset()");
    const perEnv = unbatch(this.singleActionSpace, actions, this.numEnvs, "SyncVectorEnv.step actions");
    const mode = this.metadata.autoresetMode;
    const steps = this.envs.map((env, i) => stepSubEnv(env, perEnv[i], mode, this.autoreset[i] === 1));
    steps.forEach((s, i) => {
      (this.lastObs as unknown[])[i] = s.obs;
      this.autoreset[i] = s.terminated || s.truncated ? 1 : 0;
    });
    return collectSteps(steps, this.singleObservationSpace) as VectorStepResult<BObs>;
  }

  close(): void {
    for (const env of this.envs) env.close();
  }
}
