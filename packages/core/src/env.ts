/**
 * The minimal environment shape the training loops need. `@qscape/envs` implements the full
 * Gymnasium-style API; core only depends on this structural subset so it needs no other package.
 */
export type StepResult<Obs> = [
  obs: Obs,
  reward: number,
  terminated: boolean,
  truncated: boolean,
  info: Record<string, unknown>,
];

export interface EnvLike<Obs = Float32Array, Act = Float32Array | number> {
  reset(options?: { seed?: number; options?: Record<string, unknown> }): [Obs, Record<string, unknown>];
  step(action: Act): StepResult<Obs>;
  close?(): void;
}
