/**
 * Shared shell of the MuJoCo tasks (Gymnasium `MujocoEnv`): one `MujocoSim`, `frameSkip` physics steps per
 * env step (dt = frameSkip × timestep), an action space read from the actuators' ctrlrange, and
 * `reset = mj_resetData + resetModel()` where each task draws its reset noise from `this.rng`.
 *
 * Observations are Float32Array (the package convention); physics state stays float64 inside the sim.
 */
import { z } from "zod";
import { Env, type Info, type ResetArgs, type StepResult } from "../env.js";
import { EnvError } from "../errors.js";
import type { RgbFrame } from "../render/frame.js";
import { Box } from "../spaces.js";
import { MujocoSim } from "./adapter.js";
import { DEFAULT_MUJOCO_CAMERA, MUJOCO_CAMERAS, type MujocoCamera, MujocoRenderer } from "./render.js";

/** Gymnasium MuJoCo version whose task definition to follow. The papers used v4; v5 is current. */
export type MujocoVersion = "v4" | "v5";

/** The `renderMode` kwarg every task schema accepts (Gymnasium `render_mode`; only "rgb_array" here). */
export const renderModeOption = z.literal("rgb_array").optional();

export abstract class MujocoEnv extends Env<Float32Array, ArrayLike<number>> {
  readonly sim: MujocoSim;
  readonly frameSkip: number;
  /** Seconds of simulated time per env step. */
  readonly dt: number;
  readonly actionSpace: Box;
  abstract override readonly observationSpace: Box;
  /** The view `render()` draws; the Gymnasium tasks' come from `MUJOCO_CAMERAS`, the DMC domains' from `DMC_CAMERAS`. */
  protected readonly camera: MujocoCamera;
  /** Built on the first `render()`, so envs that never render pay nothing. */
  private renderer: MujocoRenderer | null = null;

  protected constructor(
    xml: string,
    frameSkip: number,
    name: string,
    renderMode: "rgb_array" | undefined,
    camera: MujocoCamera = MUJOCO_CAMERAS[name] ?? DEFAULT_MUJOCO_CAMERA,
  ) {
    super();
    if (!Number.isInteger(frameSkip) || frameSkip < 1) {
      throw new EnvError(`${name}: frameSkip must be a positive integer, got ${frameSkip}`);
    }
    this.sim = MujocoSim.fromXml(xml, name);
    this.frameSkip = frameSkip;
    this.dt = this.sim.timestep * frameSkip;
    const range = this.sim.ctrlRange;
    const low = Array.from({ length: this.sim.nu }, (_, i) => range[2 * i] as number);
    const high = Array.from({ length: this.sim.nu }, (_, i) => range[2 * i + 1] as number);
    this.actionSpace = new Box(low, high);
    this.metadata = { renderModes: ["rgb_array"], renderFps: Math.round(1 / this.dt) };
    this.initRenderMode(renderMode);
    this.camera = camera;
  }

  reset({ seed }: ResetArgs = {}): [Float32Array, Info] {
    this.seedRng(seed);
    this.sim.reset();
    this.resetModel();
    return [this.observation(), this.resetInfo()];
  }

  abstract override step(action: ArrayLike<number>): StepResult<Float32Array>;

  override close(): void {
    this.sim.dispose();
  }

  override render(): RgbFrame {
    this.requireRenderMode();
    this.renderer ??= new MujocoRenderer(this.sim, this.camera);
    return this.renderer.render();
  }

  /** Draws the initial state with `this.rng` and applies it with `sim.setState`. */
  protected abstract resetModel(): void;

  protected abstract observation(): Float32Array;

  protected resetInfo(): Info {
    return {};
  }

  /** Applies `action` as ctrl for `frameSkip` physics steps (MuJoCo clamps it to the ctrlrange). */
  protected doSimulation(action: ArrayLike<number>): void {
    this.sim.step(action, this.frameSkip);
  }

  /** base + U(−scale, scale), element-wise (Gymnasium `np_random.uniform`). */
  protected uniformAround(base: Float64Array, scale: number): Float64Array {
    const out = new Float64Array(base.length);
    for (let i = 0; i < base.length; i++) out[i] = (base[i] as number) + this.rng.uniform(-scale, scale);
    return out;
  }

  /** base + scale · N(0, 1), element-wise (Gymnasium `scale * np_random.standard_normal`). */
  protected normalAround(base: Float64Array, scale: number): Float64Array {
    const out = new Float64Array(base.length);
    for (let i = 0; i < base.length; i++) out[i] = (base[i] as number) + scale * this.rng.normal();
    return out;
  }
}

/** Σ aᵢ² (the control cost before its weight). */
export function squaredNorm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (a[i] as number);
  return s;
}

export function clip(v: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, v));
}

/** Writes `src[from:]` (optionally clipped to ±limit) into `out` at `offset`; returns the next offset. */
export function put(out: Float32Array, offset: number, src: ArrayLike<number>, from = 0, limit = Infinity): number {
  let o = offset;
  for (let i = from; i < src.length; i++) out[o++] = clip(src[i] as number, -limit, limit);
  return o;
}

/** Validates task kwargs with a zod schema; failures name the env and the offending fields. */
export function parseOptions<S extends z.ZodType>(schema: S, options: unknown, envName: string): z.output<S> {
  const parsed = schema.safeParse(options ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "options"}: ${i.message}`).join("; ");
    throw new EnvError(`${envName}: invalid options: ${issues}`);
  }
  return parsed.data;
}
