/**
 * Walker2d-v5 / Walker2d-v4 (Gymnasium `walker2d_v5.py`): walk forward on two legs.
 * reward = healthy_reward + w_fwd · ẋ − w_ctrl · Σa² with dt = 4 × 0.002 s.
 * Unhealthy (terminates): torso z ∉ (0.8, 2.0) or torso angle ∉ (−1, 1).
 * v5 pays healthy_reward only while healthy and uses the v5 asset (both feet friction 1.9); v4 pays it on every
 * step and uses the v4 asset (right foot friction 0.9).
 */
import { z } from "zod";
import { parseOptions, renderModeOption } from "../base.js";
import { walker2dXml } from "../models/walker2d.js";
import { PlanarWalkerEnv } from "./planar-walker.js";

const range = z.tuple([z.number(), z.number()]);

export const Walker2dOptionsSchema = z.strictObject({
  renderMode: renderModeOption,
  version: z.enum(["v4", "v5"]).default("v5"),
  frameSkip: z.number().int().positive().default(4),
  forwardRewardWeight: z.number().default(1),
  ctrlCostWeight: z.number().default(1e-3),
  healthyReward: z.number().default(1),
  terminateWhenUnhealthy: z.boolean().default(true),
  healthyZRange: range.default([0.8, 2.0]),
  healthyAngleRange: range.default([-1, 1]),
  resetNoiseScale: z.number().nonnegative().default(5e-3),
  excludeCurrentPositionsFromObservation: z.boolean().default(true),
});
export type Walker2dOptions = z.input<typeof Walker2dOptionsSchema>;

export class Walker2dEnv extends PlanarWalkerEnv {
  private readonly o: z.output<typeof Walker2dOptionsSchema>;

  constructor(options: Walker2dOptions = {}) {
    const o = parseOptions(Walker2dOptionsSchema, options, "Walker2d");
    super(walker2dXml(o.version), o, "Walker2d");
    this.o = o;
  }

  get isHealthy(): boolean {
    const [zLo, zHi] = this.o.healthyZRange;
    const [aLo, aHi] = this.o.healthyAngleRange;
    const z = this.sim.at("qpos", 1);
    const angle = this.sim.at("qpos", 2);
    return zLo < z && z < zHi && aLo < angle && angle < aHi;
  }
}
