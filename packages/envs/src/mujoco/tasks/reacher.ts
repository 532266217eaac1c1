/**
 * Reacher-v5 / -v4 (Gymnasium `reacher_v5.py`): move a two-link arm's fingertip to a random target.
 * reward = −‖fingertip − target‖ − Σa² (weights 1, 1), dt = 2 × 0.01 s, never terminates (50-step limit).
 * Reset: arm qpos + U(±0.1), target drawn from U(±0.2)² until inside the 0.2 disc, arm qvel + U(±0.005).
 * v5 observes [cos θ, sin θ, target xy, arm ω, (fingertip − target)xy] (10) and measures the distance after
 * the physics step; v4 adds the (always 0) z difference (11) and measures the distance before the step.
 */
import { z } from "zod";
import type { Info, StepResult } from "../../env.js";
import { Box } from "../../spaces.js";
import { MujocoEnv, type MujocoVersion, parseOptions, renderModeOption, squaredNorm } from "../base.js";
import { REACHER_XML } from "../models/reacher.js";

export const ReacherOptionsSchema = z.strictObject({
  renderMode: renderModeOption,
  version: z.enum(["v4", "v5"]).default("v5"),
  frameSkip: z.number().int().positive().default(2),
  rewardDistWeight: z.number().default(1),
  rewardControlWeight: z.number().default(1),
});
export type ReacherOptions = z.input<typeof ReacherOptionsSchema>;

export class ReacherEnv extends MujocoEnv {
  readonly version: MujocoVersion;
  readonly observationSpace: Box;
  private readonly o: z.output<typeof ReacherOptionsSchema>;
  private readonly fingertip: number;
  private readonly target: number;
  private readonly qpos: Float64Array;

  constructor(options: ReacherOptions = {}) {
    const o = parseOptions(ReacherOptionsSchema, options, "Reacher");
    super(REACHER_XML, o.frameSkip, "Reacher", o.renderMode);
    this.o = o;
    this.version = o.version;
    this.fingertip = 3 * this.sim.bodyId("fingertip");
    this.target = 3 * this.sim.bodyId("target");
    this.qpos = new Float64Array(this.sim.nq);
    this.observationSpace = new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, [o.version === "v5" ? 10 : 11]);
  }

  /** fingertip − target in world coordinates (body xpos). */
  private offset(): [number, number, number] {
    const d = (k: number) => this.sim.at("xpos", this.fingertip + k) - this.sim.at("xpos", this.target + k);
    return [d(0), d(1), d(2)];
  }

  step(action: ArrayLike<number>): StepResult<Float32Array> {
    let rewardDist = 0;
    if (this.version === "v4") rewardDist = -Math.hypot(...this.offset()) * this.o.rewardDistWeight;
    this.doSimulation(action);
    if (this.version === "v5") rewardDist = -Math.hypot(...this.offset()) * this.o.rewardDistWeight;
    const rewardCtrl = -squaredNorm(action) * this.o.rewardControlWeight;
    const info: Info = { reward_dist: rewardDist, reward_ctrl: rewardCtrl };
    return [this.observation(), rewardDist + rewardCtrl, false, false, info];
  }

  protected resetModel(): void {
    const qpos = this.uniformAround(this.sim.initQpos, 0.1);
    let gx: number;
    let gy: number;
    do {
      gx = this.rng.uniform(-0.2, 0.2);
      gy = this.rng.uniform(-0.2, 0.2);
    } while (Math.hypot(gx, gy) >= 0.2);
    qpos[2] = gx;
    qpos[3] = gy;
    const qvel = this.uniformAround(this.sim.initQvel, 0.005);
    qvel[2] = 0;
    qvel[3] = 0;
    this.sim.setState(qpos, qvel);
  }

  protected observation(): Float32Array {
    const qpos = this.sim.read("qpos", this.qpos);
    const [dx, dy, dz] = this.offset();
    const values = [
      Math.cos(qpos[0] as number),
      Math.cos(qpos[1] as number),
      Math.sin(qpos[0] as number),
      Math.sin(qpos[1] as number),
      qpos[2] as number,
      qpos[3] as number,
      this.sim.at("qvel", 0),
      this.sim.at("qvel", 1),
      dx,
      dy,
    ];
    if (this.version === "v4") values.push(dz);
    return Float32Array.from(values);
  }
}
