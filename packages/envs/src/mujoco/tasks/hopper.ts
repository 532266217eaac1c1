/**
 * Hopper-v5 / Hopper-v4 (Gymnasium `hopper_v5.py`): hop forward on one leg.
 * reward = healthy_reward + w_fwd · ẋ − w_ctrl · Σa², ẋ from the torso's x over dt = 4 × 0.002 s.
 * Unhealthy (terminates): any of qpos[2:], qvel outside (−100, 100), z ≤ 0.7, or |torso angle| ≥ 0.2.
 * v5 pays healthy_reward only while healthy; v4 pays it on every step, the terminating one included.
 */
import { z } from "zod";
import { parseOptions, renderModeOption } from "../base.js";
import { HOPPER_XML } from "../models/hopper.js";
import { PlanarWalkerEnv } from "./planar-walker.js";

const range = z.tuple([z.number(), z.number()]);

export const HopperOptionsSchema = z.strictObject({
  renderMode: renderModeOption,
  version: z.enum(["v4", "v5"]).default("v5"),
  frameSkip: z.number().int().positive().default(4),
  forwardRewardWeight: z.number().default(1),
  ctrlCostWeight: z.number().default(1e-3),
  healthyReward: z.number().default(1),
  terminateWhenUnhealthy: z.boolean().default(true),
  healthyStateRange: range.default([-100, 100]),
  healthyZRange: range.default([0.7, Number.POSITIVE_INFINITY]),
  healthyAngleRange: range.default([-0.2, 0.2]),
  resetNoiseScale: z.number().nonnegative().default(5e-3),
  excludeCurrentPositionsFromObservation: z.boolean().default(true),
});
export type HopperOptions = z.input<typeof HopperOptionsSchema>;

export class HopperEnv extends PlanarWalkerEnv {
  private readonly o: z.output<typeof HopperOptionsSchema>;

  constructor(options: HopperOptions = {}) {
    const o = parseOptions(HopperOptionsSchema, options, "Hopper");
    super(HOPPER_XML, o, "Hopper");
    this.o = o;
  }

  get isHealthy(): boolean {
    const { healthyStateRange: s, healthyZRange: zr, healthyAngleRange: ar } = this.o;
    const qpos = this.sim.read("qpos", this.qpos);
    const qvel = this.sim.read("qvel", this.qvel);
    const inside = (v: number, [lo, hi]: [number, number]) => lo < v && v < hi;
    for (let i = 2; i < qpos.length; i++) if (!inside(qpos[i] as number, s)) return false;
    for (let i = 0; i < qvel.length; i++) if (!inside(qvel[i] as number, s)) return false;
    return inside(qpos[1] as number, zr) && inside(qpos[2] as number, ar);
  }
}
