/**
 * The agent interface (Acme's split): an agent acts and learns; it does not own an environment.
 * The loops in `loop.ts` connect agents to environments.
 */
import type { Rng } from "./rng.js";

export interface Transition<Obs = Float32Array, Act = Float32Array | number> {
  obs: Obs;
  action: Act;
  reward: number;
  nextObs: Obs;
  terminated: boolean;
  truncated: boolean;
  info?: Record<string, unknown>;
}

/**
 * A serialisable snapshot: JSON values whose leaves may also be typed arrays. Checkpoints store
 * typed arrays in a binary side file, so large replay contents stay cheap to write.
 */
export type Snapshot =
  | null
  | boolean
  | number
  | string
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint8Array
  | Uint32Array
  | Snapshot[]
  | { [key: string]: Snapshot };

export interface ActOptions {
  /** Add exploration noise / sample; false gives the deterministic evaluation action. */
  explore: boolean;
  /**
   * Sampled evaluation: with `explore`, draw the sample from this generator instead of the agent's
   * own, and keep nothing for learning, so evaluating leaves training's random stream and rollout
   * as they were. Only agents with `samplesWithGivenRng` honour it (`evaluatePolicy` checks).
   */
  rng?: Rng;
}

export interface Agent<Obs = Float32Array, Act = Float32Array | number> {
  readonly name: string;
  act(obs: Obs, opts: ActOptions): Act;
  /** Store a transition (e.g. in replay). */
  observe(t: Transition<Obs, Act>): void;
  /** One learning step; returns training metrics (losses, α, …). */
  update(): Record<string, number>;
  /** Whole learning state: weights, optimizer moments, RNG, replay. */
  save(): Snapshot;
  load(state: Snapshot): void;
  dispose(): void;
  /** Counters the compute-matched bench mode records (gradient updates, Q evaluations). */
  counters?(): Record<string, number>;
  /** True when `act` honours `ActOptions.rng` (sampled evaluation). */
  readonly samplesWithGivenRng?: boolean;
}

/** Where loops and agents report metrics: (step, name, value). */
export interface MetricSink {
  record(step: number, name: string, value: number): void;
}

export const nullSink: MetricSink = { record() {} };

/** Collects metrics in memory (tests, small runs). */
export class MemorySink implements MetricSink {
  readonly rows: { step: number; name: string; value: number }[] = [];
  record(step: number, name: string, value: number): void {
    this.rows.push({ step, name, value });
  }
  series(name: string): { step: number; value: number }[] {
    return this.rows.filter((r) => r.name === name).map(({ step, value }) => ({ step, value }));
  }
}
