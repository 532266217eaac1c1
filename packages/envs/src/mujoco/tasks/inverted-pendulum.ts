/**
 * InvertedPendulum-v5 / -v4 (Gymnasium `inverted_pendulum_v5.py`): balance a pole on a cart.
 * Observation (qpos, qvel) = [cart x, pole angle, cart ẋ, pole ω]; action = force in [−3, 3];
 * dt = 2 × 0.02 s. Terminates when the observation is non-finite or |angle| > 0.2 rad.
 * Reward 1 per step; v5 gives 0 on the terminating step, v4 gives 1 there too.
 */
import { z } from "zod";
import type { Info, StepResult } from "../../env.js";
import { Box } from "../../spaces.js";
import { MujocoEnv, type MujocoVersion, parseOptions, put, renderModeOption } from "../base.js";
import { INVERTED_PENDULUM_XML } from "../models/inverted-pendulum.js";

export const InvertedPendulumOptionsSchema = z.strictObject({
  renderMode: renderModeOption,
  version: z.enum(["v4", "v5"]).default("v5"),
  frameSkip: z.number().int().positive().default(2),
  resetNoiseScale: z.number().nonnegative().default(0.01),
});
export type InvertedPendulumOptions = z.input<typeof InvertedPendulumOptionsSchema>;

export class InvertedPendulumEnv extends MujocoEnv {
  readonly version: MujocoVersion;
  readonly observationSpace = new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, [4]);
  private readonly o: z.output<typeof InvertedPendulumOptionsSchema>;

  constructor(options: InvertedPendulumOptions = {}) {
    const o = parseOptions(InvertedPendulumOptionsSchema, options, "InvertedPendulum");
    super(INVERTED_PENDULUM_XML, o.frameSkip, "InvertedPendulum", o.renderMode);
    this.o = o;
    this.version = o.version;
  }

  step(action: ArrayLike<number>): StepResult<Float32Array> {
    this.doSimulation(action);
    const obs = this.observation();
    const terminated = !obs.every(Number.isFinite) || Math.abs(obs[1] as number) > 0.2;
    const reward = this.version === "v5" && terminated ? 0 : 1;
    const info: Info = this.version === "v5" ? { reward_survive: reward } : {};
    return [obs, reward, terminated, false, info];
  }

  protected resetModel(): void {
    const s = this.o.resetNoiseScale;
    this.sim.setState(this.uniformAround(this.sim.initQpos, s), this.uniformAround(this.sim.initQvel, s));
  }

  protected observation(): Float32Array {
    const out = new Float32Array(4);
    put(out, put(out, 0, this.sim.read("qpos")), this.sim.read("qvel"));
    return out;
  }
}
