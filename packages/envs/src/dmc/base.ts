/**
 * Shell of the DeepMind Control Suite tasks on qscape's MuJoCo adapter (dm_control `control.Environment` +
 * `base.Task`):
 * - one agent step writes the action to `ctrl` and runs `nSubSteps` physics steps (DMC's control timestep over
 *   the model timestep), then recomputes positions, velocities and sensors for the new state, as dm_control's
 *   `Physics.step` does, so observations and rewards read the state the step produced;
 * - reward from the task (always in [0, 1]); never terminates: the 1000-step limit is a truncation applied by
 *   `make()`'s `TimeLimit`, so learners bootstrap at the limit (no DMC task has terminal states);
 * - the observation is DMC's observation dict flattened in spec order into one Float32Array, with the entry
 *   names and sizes in `observationLayout`.
 */
import type { Info, StepResult } from "../env.js";
import { EnvError } from "../errors.js";
import { MujocoEnv } from "../mujoco/base.js";
import type { MujocoCamera } from "../mujoco/render.js";
import { Box } from "../spaces.js";

const SIDE = { width: 480, height: 480, azimuth: 0, elevation: 0, tile: 1 } as const;
const FOLLOW_TORSO = { body: "torso", axes: "x" } as const;

/**
 * Views of the DMC domains for `render()`: side-on (the x–z plane) for the planar ones, following the torso for
 * the locomotion domains, and from the top for the reacher, whose arm moves in the x–y plane.
 */
export const DMC_CAMERAS = {
  acrobot: { ...SIDE, scale: 100, lookat: [0, 0, 2], track: null },
  ballInCup: { ...SIDE, scale: 500, lookat: [0, 0, 0.4], track: null, tile: 0.2 },
  cartpole: { ...SIDE, scale: 120, lookat: [0, 0, 1], track: null },
  cheetah: { ...SIDE, scale: 200, lookat: [0, 0, 0.5], track: FOLLOW_TORSO, tile: 0.5 },
  finger: { ...SIDE, scale: 550, lookat: [0, 0, 0.35], track: null, tile: 0.2 },
  hopper: { ...SIDE, scale: 150, lookat: [0, 0, 0.9], track: FOLLOW_TORSO },
  pendulum: { ...SIDE, scale: 300, lookat: [0, 0, 0.6], track: null },
  reacher: { ...SIDE, elevation: 90, scale: 700, lookat: [0, 0, 0], track: null, tile: 0.1 },
  walker: { ...SIDE, scale: 150, lookat: [0, 0, 1], track: FOLLOW_TORSO },
} as const satisfies Record<string, MujocoCamera>;

/** One entry of DMC's observation dict: its key and its flattened size. */
export interface ObservationEntry {
  readonly name: string;
  readonly size: number;
}

/** A part of the observation: a scalar or an array, in layout order. */
export type ObservationPart = number | ArrayLike<number>;

export abstract class DmcEnv extends MujocoEnv {
  readonly observationSpace: Box;
  readonly observationLayout: readonly ObservationEntry[];
  /** Seconds of simulated time per agent step (DMC's `control_timestep`). */
  get controlTimestep(): number {
    return this.dt;
  }
  protected readonly qposBuffer: Float64Array;
  protected readonly qvelBuffer: Float64Array;
  private readonly label: string;

  protected constructor(
    xml: string,
    nSubSteps: number,
    name: string,
    layout: readonly ObservationEntry[],
    renderMode: "rgb_array" | undefined,
    camera: MujocoCamera,
  ) {
    super(xml, nSubSteps, name, renderMode, camera);
    this.label = name;
    this.observationLayout = layout;
    const size = layout.reduce((n, e) => n + e.size, 0);
    this.observationSpace = new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, [size]);
    this.qposBuffer = new Float64Array(this.sim.nq);
    this.qvelBuffer = new Float64Array(this.sim.nv);
  }

  step(action: ArrayLike<number>): StepResult<Float32Array> {
    this.sim.step(action, this.frameSkip);
    this.syncDerivedQuantities();
    const reward = this.reward();
    return [this.observation(), reward, false, false, {} as Info];
  }

  /** The task's reward for the current physics state (DMC `Task.get_reward`), in [0, 1]. */
  abstract reward(): number;

  /** The observation entries, in `observationLayout` order. */
  protected abstract observationParts(): ObservationPart[];

  protected observation(): Float32Array {
    const out = new Float32Array(this.observationSpace.size);
    const parts = this.observationParts();
    let offset = 0;
    for (let k = 0; k < this.observationLayout.length; k++) {
      const entry = this.observationLayout[k] as ObservationEntry;
      const part = parts[k];
      const size = typeof part === "number" ? 1 : (part?.length ?? 0);
      if (size !== entry.size) {
        throw new EnvError(
          `${this.label}: observation entry "${entry.name}" has ${size} values, expected ${entry.size}`,
        );
      }
      if (typeof part === "number") out[offset] = part;
      else if (part !== undefined) for (let i = 0; i < size; i++) out[offset + i] = part[i] as number;
      offset += size;
    }
    return out;
  }

  /**
   * `mj_step` leaves positions, velocities and sensors at the state before its last integration; re-applying the
   * new qpos/qvel runs `mj_forward` so they describe the state just reached (dm_control's legacy step).
   */
  protected syncDerivedQuantities(): void {
    this.sim.setState(this.sim.read("qpos", this.qposBuffer), this.sim.read("qvel", this.qvelBuffer));
  }

  /**
   * Draws the listed joints as DMC's `randomize_limited_and_rotational_joints` does: limited joints uniformly
   * in their range, unlimited hinges uniformly in [−π, π]; other coordinates of `qpos` are left as they are.
   */
  protected randomizeJoints(qpos: Float64Array, joints: readonly RandomizedJoint[]): void {
    for (const joint of joints) {
      const [low, high] = joint.range ?? [-Math.PI, Math.PI];
      qpos[joint.qpos] = this.rng.uniform(low, high);
    }
  }

  /**
   * Repeats `draw` (which must set a state with `sim.setState`) until the state has no contact, as DMC's
   * rejection loops on `ncon == 0` do. The adapter does not expose `ncon`; at rest every contact between
   * penetrating geoms pushes back, so a state with contacts is one with a non-zero constraint force. Callers
   * only use this where no joint limit or tendon limit can be active in the drawn states.
   */
  protected drawCollisionFree(draw: () => void, maxAttempts = 1000): void {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      draw();
      const force = this.sim.read("qfrc_constraint", this.qvelBuffer);
      if (force.every((f) => f === 0)) return;
    }
    throw new EnvError(`${this.label}: no collision-free initial state in ${maxAttempts} attempts`);
  }

  /** The current qpos (a copy in a reused buffer). */
  protected qpos(): Float64Array {
    return this.sim.read("qpos", this.qposBuffer);
  }

  /** The current qvel (a copy in a reused buffer). */
  protected qvel(): Float64Array {
    return this.sim.read("qvel", this.qvelBuffer);
  }
}

/** A joint whose initial angle DMC's `randomize_limited_and_rotational_joints` draws. */
export interface RandomizedJoint {
  /** Index into qpos (every DMC joint used here has one coordinate). */
  readonly qpos: number;
  /** Inclusive range in radians for a limited joint; absent for an unlimited hinge (drawn in [−π, π]). */
  readonly range?: readonly [number, number];
}

/** Degrees to radians (MJCF ranges are in degrees, qpos in radians). */
export function radians(degrees: number): number {
  return (degrees * Math.PI) / 180;
}
