/**
 * InvertedDoublePendulum-v5 / -v4 (Gymnasium `inverted_double_pendulum_v5.py`): balance two stacked poles.
 * reward = 10 · alive − (0.01 · x_tip² + (y_tip − 2)²) − (1e-3 · ω₁² + 5e-3 · ω₂²), tip = site "tip";
 * terminates when y_tip ≤ 1. dt = 5 × 0.01 s; reset qpos + U(±0.1), qvel + 0.1 · N(0, 1).
 * v5 observes [x, sin θ₁, sin θ₂, cos θ₁, cos θ₂, clip(qvel, ±10), clip(qfrc_constraint[0], ±10)] (9) and pays
 * the alive bonus only when not terminated; v4 observes all 3 qfrc_constraint (11) and always pays it.
 */
import { z } from "zod";
import type { Info, StepResult } from "../../env.js";
import { Box } from "../../spaces.js";
import { clip, MujocoEnv, type MujocoVersion, parseOptions, put, renderModeOption } from "../base.js";
import { INVERTED_DOUBLE_PENDULUM_XML } from "../models/inverted-double-pendulum.js";

export const InvertedDoublePendulumOptionsSchema = z.strictObject({
  renderMode: renderModeOption,
  version: z.enum(["v4", "v5"]).default("v5"),
  frameSkip: z.number().int().positive().default(5),
  healthyReward: z.number().default(10),
  resetNoiseScale: z.number().nonnegative().default(0.1),
});
export type InvertedDoublePendulumOptions = z.input<typeof InvertedDoublePendulumOptionsSchema>;

export class InvertedDoublePendulumEnv extends MujocoEnv {
  readonly version: MujocoVersion;
  readonly observationSpace: Box;
  private readonly o: z.output<typeof InvertedDoublePendulumOptionsSchema>;
  private readonly tip: number;
  private readonly qpos: Float64Array;
  private readonly qvel: Float64Array;
  private readonly qfrcConstraint: Float64Array;

  constructor(options: InvertedDoublePendulumOptions = {}) {
    const o = parseOptions(InvertedDoublePendulumOptionsSchema, options, "InvertedDoublePendulum");
    super(INVERTED_DOUBLE_PENDULUM_XML, o.frameSkip, "InvertedDoublePendulum", o.renderMode);
    this.o = o;
    this.version = o.version;
    this.tip = 3 * this.sim.siteId("tip");
    this.qpos = new Float64Array(this.sim.nq);
    this.qvel = new Float64Array(this.sim.nv);
    this.qfrcConstraint = new Float64Array(this.sim.nv);
    const size = o.version === "v5" ? 9 : 11;
    this.observationSpace = new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, [size]);
  }

  step(action: ArrayLike<number>): StepResult<Float32Array> {
    this.doSimulation(action);
    const x = this.sim.at("site_xpos", this.tip);
    const y = this.sim.at("site_xpos", this.tip + 2);
    const terminated = y <= 1;
    const v1 = this.sim.at("qvel", 1);
    const v2 = this.sim.at("qvel", 2);
    const distPenalty = 0.01 * x * x + (y - 2) ** 2;
    const velPenalty = 1e-3 * v1 * v1 + 5e-3 * v2 * v2;
    const aliveBonus = this.version === "v5" && terminated ? 0 : this.o.healthyReward;
    const info: Info = {
      reward_survive: aliveBonus,
      distance_penalty: -distPenalty,
      velocity_penalty: -velPenalty,
    };
    return [this.observation(), aliveBonus - distPenalty - velPenalty, terminated, false, info];
  }

  protected resetModel(): void {
    const s = this.o.resetNoiseScale;
    this.sim.setState(this.uniformAround(this.sim.initQpos, s), this.normalAround(this.sim.initQvel, s));
  }

  protected observation(): Float32Array {
    const qpos = this.sim.read("qpos", this.qpos);
    const out = new Float32Array(this.observationSpace.size);
    out[0] = qpos[0] as number;
    for (let j = 1; j < qpos.length; j++) {
      out[j] = Math.sin(qpos[j] as number);
      out[j + 2] = Math.cos(qpos[j] as number);
    }
    const o = put(out, 5, this.sim.read("qvel", this.qvel), 0, 10);
    const qfrc = this.sim.read("qfrc_constraint", this.qfrcConstraint);
    if (this.version === "v5") out[o] = clip(qfrc[0] as number, -10, 10);
    else put(out, o, qfrc, 0, 10);
    return out;
  }
}
