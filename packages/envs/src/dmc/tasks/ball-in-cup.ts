/**
 * DMC ball-in-cup catch: swing the ball on its string into the cup. Ten 0.002 s physics steps per agent step
 * (DMC's control step 0.02 s); 1000 steps (DMC's 20 s).
 *
 * Observation (8): position = [cup x, cup z, ball x, ball z] (slide positions relative to the model pose),
 * velocity = their four velocities.
 * Reward: 1 while the ball's centre is within (target half-size − ball radius) of the target centre in both x
 * and z, else 0.
 * Reset: cup at rest in place; ball x ~ U(±0.2), z ~ U(0.2, 0.5) (slide coordinates), redrawn until it touches
 * nothing.
 */
import { z } from "zod";
import { parseOptions, renderModeOption } from "../../mujoco/base.js";
import { DMC_CAMERAS, DmcEnv, type ObservationEntry, type ObservationPart } from "../base.js";
import { BALL_IN_CUP_BALL_RADIUS, BALL_IN_CUP_TARGET_HALF_SIZE, DMC_BALL_IN_CUP_XML } from "../models/ball-in-cup.js";

export const DmcBallInCupOptionsSchema = z.strictObject({
  renderMode: renderModeOption,
  task: z.enum(["catch"]).default("catch"),
});
export type DmcBallInCupOptions = z.input<typeof DmcBallInCupOptionsSchema>;

export const DMC_BALL_IN_CUP_OBSERVATION: readonly ObservationEntry[] = [
  { name: "position", size: 4 },
  { name: "velocity", size: 4 },
];

const BALL_X = 2;
const BALL_Z = 3;

export class DmcBallInCupEnv extends DmcEnv {
  readonly task = "catch";
  private readonly ball: number;
  private readonly targetSite: number;

  constructor(options: DmcBallInCupOptions = {}) {
    const o = parseOptions(DmcBallInCupOptionsSchema, options, "dmc/ball_in_cup");
    super(
      DMC_BALL_IN_CUP_XML,
      10,
      `dmc/ball_in_cup-${o.task}`,
      DMC_BALL_IN_CUP_OBSERVATION,
      o.renderMode,
      DMC_CAMERAS.ballInCup,
    );
    this.ball = this.sim.bodyId("ball");
    this.targetSite = this.sim.siteId("target");
  }

  /** Target centre minus ball centre (x, z). */
  ballToTarget(): [number, number] {
    const t = 3 * this.targetSite;
    const b = 3 * this.ball;
    return [
      this.sim.at("site_xpos", t) - this.sim.at("xpos", b),
      this.sim.at("site_xpos", t + 2) - this.sim.at("xpos", b + 2),
    ];
  }

  reward(): number {
    const [dx, dz] = this.ballToTarget();
    const [sx, sz] = BALL_IN_CUP_TARGET_HALF_SIZE;
    return Math.abs(dx) < sx - BALL_IN_CUP_BALL_RADIUS && Math.abs(dz) < sz - BALL_IN_CUP_BALL_RADIUS ? 1 : 0;
  }

  protected resetModel(): void {
    const qpos = new Float64Array(4);
    const qvel = new Float64Array(4);
    this.drawCollisionFree(() => {
      qpos[BALL_X] = this.rng.uniform(-0.2, 0.2);
      qpos[BALL_Z] = this.rng.uniform(0.2, 0.5);
      this.sim.setState(qpos, qvel);
    });
  }

  protected observationParts(): ObservationPart[] {
    return [this.qpos(), this.qvel()];
  }
}
