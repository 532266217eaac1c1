/**
 * Ant-v5 / Ant-v4 (Gymnasium `ant_v5.py`): walk forward on four legs.
 * reward = healthy_reward + w_fwd · ẋ − 0.5 · Σa² − 5e-4 · Σ clip(cfrc_ext, −1, 1)², ẋ from the torso's xpos
 * over dt = 5 × 0.01 s. Unhealthy (terminates): a non-finite state or torso z ∉ [0.2, 1.0].
 * v5 observes qpos[2:], qvel and the clipped cfrc_ext of bodies 1… (13 + 14 + 78 = 105) and pays healthy_reward
 * only while healthy. v4 observes 27 values and has no contact cost, unless `useContactForces` (then it adds
 * all 14 bodies' clipped cfrc_ext, 111 values, and the contact cost); it pays healthy_reward on every step.
 */
import { z } from "zod";
import type { Info, StepResult } from "../../env.js";
import { EnvError } from "../../errors.js";
import { Box } from "../../spaces.js";
import { clip, MujocoEnv, type MujocoVersion, parseOptions, put, renderModeOption, squaredNorm } from "../base.js";
import { ANT_XML } from "../models/ant.js";

export const AntOptionsSchema = z.strictObject({
  renderMode: renderModeOption,
  version: z.enum(["v4", "v5"]).default("v5"),
  frameSkip: z.number().int().positive().default(5),
  forwardRewardWeight: z.number().default(1),
  ctrlCostWeight: z.number().default(0.5),
  contactCostWeight: z.number().default(5e-4),
  healthyReward: z.number().default(1),
  mainBody: z.union([z.string(), z.number().int().nonnegative()]).default(1),
  terminateWhenUnhealthy: z.boolean().default(true),
  healthyZRange: z.tuple([z.number(), z.number()]).default([0.2, 1.0]),
  contactForceRange: z.tuple([z.number(), z.number()]).default([-1, 1]),
  resetNoiseScale: z.number().nonnegative().default(0.1),
  excludeCurrentPositionsFromObservation: z.boolean().default(true),
  /** v5 only. */
  includeCfrcExtInObservation: z.boolean().default(true),
  /** v4 only. */
  useContactForces: z.boolean().default(false),
});
export type AntOptions = z.input<typeof AntOptionsSchema>;

export class AntEnv extends MujocoEnv {
  readonly version: MujocoVersion;
  readonly observationSpace: Box;
  private readonly o: z.output<typeof AntOptionsSchema>;
  private readonly mainBody: number;
  /** Whether contact forces enter the observation / the reward, after resolving v4 vs v5 options. */
  private readonly observeContacts: boolean;
  private readonly costContacts: boolean;
  private readonly qpos: Float64Array;
  private readonly qvel: Float64Array;
  private readonly cfrc: Float64Array;

  constructor(options: AntOptions = {}) {
    const o = parseOptions(AntOptionsSchema, options, "Ant");
    super(ANT_XML, o.frameSkip, "Ant", o.renderMode);
    this.o = o;
    this.version = o.version;
    this.mainBody = typeof o.mainBody === "string" ? this.sim.bodyId(o.mainBody) : o.mainBody;
    if (this.mainBody >= this.sim.nbody) throw new EnvError(`Ant: mainBody ${this.mainBody} is not a body id`);
    this.observeContacts = o.version === "v5" ? o.includeCfrcExtInObservation : o.useContactForces;
    this.costContacts = o.version === "v5" || o.useContactForces;
    this.qpos = new Float64Array(this.sim.nq);
    this.qvel = new Float64Array(this.sim.nv);
    this.cfrc = new Float64Array(6 * this.sim.nbody);
    const contactSize = !this.observeContacts ? 0 : o.version === "v5" ? 6 * (this.sim.nbody - 1) : 6 * this.sim.nbody;
    const size = this.sim.nq + this.sim.nv - (o.excludeCurrentPositionsFromObservation ? 2 : 0) + contactSize;
    this.observationSpace = new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, [size]);
  }

  get isHealthy(): boolean {
    const [lo, hi] = this.o.healthyZRange;
    const qpos = this.sim.read("qpos", this.qpos);
    const qvel = this.sim.read("qvel", this.qvel);
    const z = qpos[2] as number;
    return qpos.every(Number.isFinite) && qvel.every(Number.isFinite) && lo <= z && z <= hi;
  }

  step(action: ArrayLike<number>): StepResult<Float32Array> {
    const b = 3 * this.mainBody;
    const xBefore = this.sim.at("xpos", b);
    const yBefore = this.sim.at("xpos", b + 1);
    this.doSimulation(action);
    if (this.observeContacts || this.costContacts) this.readContactForces();
    const xVelocity = (this.sim.at("xpos", b) - xBefore) / this.dt;
    const yVelocity = (this.sim.at("xpos", b + 1) - yBefore) / this.dt;

    const healthy = this.isHealthy;
    const forwardReward = this.o.forwardRewardWeight * xVelocity;
    const paysHealthy = this.version === "v5" ? healthy : healthy || this.o.terminateWhenUnhealthy;
    const healthyReward = paysHealthy ? this.o.healthyReward : 0;
    const ctrlCost = this.o.ctrlCostWeight * squaredNorm(action);
    const contactCost = this.costContacts ? this.o.contactCostWeight * squaredNorm(this.cfrc) : 0;
    const reward = forwardReward + healthyReward - ctrlCost - contactCost;
    const terminated = !healthy && this.o.terminateWhenUnhealthy;
    const info: Info = {
      reward_forward: forwardReward,
      reward_ctrl: -ctrlCost,
      reward_contact: -contactCost,
      reward_survive: healthyReward,
      ...this.resetInfo(),
      x_velocity: xVelocity,
      y_velocity: yVelocity,
    };
    return [this.observation(), reward, terminated, false, info];
  }

  /** cfrc_ext clipped to contactForceRange (stale after mj_step until rnePostConstraint). */
  private readContactForces(): void {
    const [lo, hi] = this.o.contactForceRange;
    this.sim.rnePostConstraint();
    this.sim.read("cfrc_ext", this.cfrc);
    for (let i = 0; i < this.cfrc.length; i++) this.cfrc[i] = clip(this.cfrc[i] as number, lo, hi);
  }

  protected resetModel(): void {
    const s = this.o.resetNoiseScale;
    this.sim.setState(this.uniformAround(this.sim.initQpos, s), this.normalAround(this.sim.initQvel, s));
    // mj_resetData zeroed cfrc_ext and mj_forward does not compute it, as in Gymnasium.
    this.cfrc.fill(0);
  }

  protected observation(): Float32Array {
    const out = new Float32Array(this.observationSpace.size);
    let o = put(out, 0, this.sim.read("qpos", this.qpos), this.o.excludeCurrentPositionsFromObservation ? 2 : 0);
    o = put(out, o, this.sim.read("qvel", this.qvel));
    if (this.observeContacts) put(out, o, this.cfrc, this.version === "v5" ? 6 : 0);
    return out;
  }

  protected override resetInfo(): Info {
    const x = this.sim.at("qpos", 0);
    const y = this.sim.at("qpos", 1);
    return { x_position: x, y_position: y, distance_from_origin: Math.hypot(x, y) };
  }
}
