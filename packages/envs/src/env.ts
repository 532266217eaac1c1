/**
 * The Gymnasium 1.x `Env` / `Wrapper` API in TypeScript.
 *
 * - `reset({ seed?, options? }) → [obs, info]`, `step(action) → [obs, reward, terminated, truncated, info]`.
 * - Each env owns a seeded `Rng` (`this.rng`, Gymnasium's `np_random`). Implementations call
 *   `this.seedRng(seed)` first thing in `reset`: an integer seed re-creates the stream, `undefined`
 *   keeps the current one. Before any seeded reset the stream is `new Rng(DEFAULT_ENV_SEED)`, so an
 *   env that is never seeded still behaves the same on every run (Gymnasium would draw OS entropy).
 * - Box observations are `Float32Array`s; Box actions are any `ArrayLike<number>` (Float32Array or
 *   number[]); Discrete values are integers. `info` is a plain object.
 */
import type { EnvLike, StepResult } from "@qscape/core";
import { Rng } from "@qscape/core";
import { EnvError, RenderModeError } from "./errors.js";
import type { EnvSpec } from "./registry.js";
import type { RgbFrame } from "./render/frame.js";
import type { Space } from "./spaces.js";

export type { StepResult } from "@qscape/core";

export type Info = Record<string, unknown>;

/** Action type of envs whose action space is a Box. */
export type BoxAction = ArrayLike<number>;

export interface ResetArgs {
  seed?: number;
  options?: Record<string, unknown>;
}

export interface EnvMetadata {
  /** The values `renderMode` may take (Gymnasium `metadata["render_modes"]`). */
  renderModes: string[];
  renderFps?: number;
  [key: string]: unknown;
}

/** What `render()` returns: an RGB frame in `rgb_array` mode, SVG text in `svg` mode. */
export type RenderFrame = RgbFrame | string;

/** Seed of the env RNG before the first seeded reset. */
export const DEFAULT_ENV_SEED = 0;

export abstract class Env<Obs = Float32Array, Act = BoxAction> implements EnvLike<Obs, Act> {
  abstract observationSpace: Space<Obs>;
  abstract actionSpace: Space<Act>;
  metadata: EnvMetadata = { renderModes: [] };
  /** Set by `make()`; null for envs constructed directly. */
  spec: EnvSpec | null = null;
  /** The env's random stream (Gymnasium `np_random`). */
  protected rng: Rng = new Rng(DEFAULT_ENV_SEED);
  private rngSeed: number | null = null;
  private chosenRenderMode: string | null = null;

  abstract reset(args?: ResetArgs): [Obs, Info];
  abstract step(action: Act): StepResult<Obs>;

  /** Releases resources (WASM memory, workers). Safe to call twice. */
  close(): void {}

  /** The render mode chosen at construction (Gymnasium `render_mode`), null when none was. */
  get renderMode(): string | null {
    return this.chosenRenderMode;
  }

  /**
   * The current frame in `renderMode` (Gymnasium `render()`). Gymnasium warns and returns None when no
   * mode was chosen; qscape throws `RenderModeError`, since a missing frame is always a setup mistake.
   */
  render(): RenderFrame {
    throw new RenderModeError(`${envLabel(this)} does not render (metadata.renderModes is empty)`);
  }

  /**
   * Stores the render mode passed to the constructor. Call it after `metadata` is set: a mode outside
   * `metadata.renderModes` throws here, at construction, as Gymnasium's envs assert.
   */
  protected initRenderMode(mode: string | null | undefined): void {
    if (mode === undefined || mode === null) return;
    if (!this.metadata.renderModes.includes(mode)) {
      const modes = this.metadata.renderModes.map((m) => `"${m}"`).join(", ");
      throw new RenderModeError(`${envLabel(this)}: render mode "${mode}" is not one of [${modes}]`);
    }
    this.chosenRenderMode = mode;
  }

  /** The chosen render mode; throws `RenderModeError` naming the fix when there is none. */
  protected requireRenderMode(): string {
    if (this.chosenRenderMode === null) {
      const mode = this.metadata.renderModes[0] ?? "rgb_array";
      throw new RenderModeError(
        `${envLabel(this)}: render() needs a render mode chosen at construction, e.g. make(id, { renderMode: "${mode}" })`,
      );
    }
    return this.chosenRenderMode;
  }

  /** Re-seeds `this.rng` when `seed` is given (Gymnasium `super().reset(seed=seed)`). */
  protected seedRng(seed: number | undefined): void {
    if (seed === undefined) return;
    if (!Number.isInteger(seed) || seed < 0) {
      throw new EnvError(`${envLabel(this)}: reset seed must be a non-negative integer, got ${seed}`);
    }
    this.rng = new Rng(seed);
    this.rngSeed = seed;
  }

  get npRandom(): Rng {
    return this.rng;
  }

  set npRandom(rng: Rng) {
    this.rng = rng;
    this.rngSeed = null;
  }

  /** The seed of the last seeded reset, or null when the stream is the default or was set by hand. */
  get npRandomSeed(): number | null {
    return this.rngSeed;
  }

  /** The innermost env (this env when it is not a wrapper). */
  get unwrapped(): Env<unknown, unknown> {
    return this as Env<unknown, unknown>;
  }

  /** Reads an attribute from the first env in the wrapper chain that has it. */
  getWrapperAttr(name: string): unknown {
    if (name in this) return (this as unknown as Record<string, unknown>)[name];
    throw new EnvError(`${envLabel(this)} has no attribute "${name}"`);
  }

  /** Sets an attribute on the first env in the wrapper chain that has it (else on this one). */
  setWrapperAttr(name: string, value: unknown): void {
    (this as unknown as Record<string, unknown>)[name] = value;
  }

  toString(): string {
    return `<${this.constructor.name}${this.spec ? `<${this.spec.id}>` : ""}>`;
  }
}

/** A name for error messages: the registered id, else the class name. */
export function envLabel(env: Env<unknown, unknown>): string {
  return env.spec?.id ?? env.unwrapped.constructor.name;
}

/**
 * Base wrapper: forwards everything to `env`. Subclasses replace `observationSpace` /
 * `actionSpace` in their constructor when they change them, and override what they modify.
 * Type parameters follow Gymnasium: the wrapper's own obs/action types first, then the inner env's.
 */
export class Wrapper<WObs, WAct, Obs = WObs, Act = WAct> extends Env<WObs, WAct> {
  observationSpace: Space<WObs>;
  actionSpace: Space<WAct>;

  constructor(readonly env: Env<Obs, Act>) {
    super();
    if (!(env instanceof Env)) throw new EnvError(`Wrapper: expected an Env, got ${String(env)}`);
    this.observationSpace = env.observationSpace as unknown as Space<WObs>;
    this.actionSpace = env.actionSpace as unknown as Space<WAct>;
    this.metadata = env.metadata;
    this.spec = env.spec;
  }

  reset(args?: ResetArgs): [WObs, Info] {
    return this.env.reset(args) as unknown as [WObs, Info];
  }

  step(action: WAct): StepResult<WObs> {
    return this.env.step(action as unknown as Act) as unknown as StepResult<WObs>;
  }

  override close(): void {
    this.env.close();
  }

  override get renderMode(): string | null {
    return this.env.renderMode;
  }

  override render(): RenderFrame {
    return this.env.render();
  }

  override get npRandom(): Rng {
    return this.env.npRandom;
  }

  override set npRandom(rng: Rng) {
    this.env.npRandom = rng;
  }

  override get npRandomSeed(): number | null {
    return this.env.npRandomSeed;
  }

  override get unwrapped(): Env<unknown, unknown> {
    return this.env.unwrapped;
  }

  override getWrapperAttr(name: string): unknown {
    if (name in this) return (this as unknown as Record<string, unknown>)[name];
    return this.env.getWrapperAttr(name);
  }

  override setWrapperAttr(name: string, value: unknown): void {
    if (Object.hasOwn(this, name)) (this as unknown as Record<string, unknown>)[name] = value;
    else this.env.setWrapperAttr(name, value);
  }

  override toString(): string {
    return `<${this.constructor.name}${this.env.toString()}>`;
  }
}

/** Transforms observations with `observation(obs)` (reset and step). */
export abstract class ObservationWrapper<WObs, Act, Obs> extends Wrapper<WObs, Act, Obs, Act> {
  abstract observation(obs: Obs): WObs;

  override reset(args?: ResetArgs): [WObs, Info] {
    const [obs, info] = this.env.reset(args);
    return [this.observation(obs), info];
  }

  override step(action: Act): StepResult<WObs> {
    const [obs, reward, terminated, truncated, info] = this.env.step(action);
    return [this.observation(obs), reward, terminated, truncated, info];
  }
}

/** Transforms rewards with `reward(r)`. */
export abstract class RewardWrapper<Obs, Act> extends Wrapper<Obs, Act> {
  abstract reward(reward: number): number;

  override step(action: Act): StepResult<Obs> {
    const [obs, reward, terminated, truncated, info] = this.env.step(action);
    return [obs, this.reward(reward), terminated, truncated, info];
  }
}

/** Transforms actions with `action(a)` before they reach the inner env. */
export abstract class ActionWrapper<Obs, WAct, Act> extends Wrapper<Obs, WAct, Obs, Act> {
  abstract action(action: WAct): Act;

  override step(action: WAct): StepResult<Obs> {
    return this.env.step(this.action(action));
  }
}

/** The outermost wrapper of class `cls` in the chain around `env`, or null. */
export function findWrapper<W>(env: Env<unknown, unknown>, cls: abstract new (...args: never[]) => W): W | null {
  let e: Env<unknown, unknown> = env;
  for (;;) {
    if (e instanceof cls) return e as W;
    if (!(e instanceof Wrapper)) return null;
    e = e.env as Env<unknown, unknown>;
  }
}
