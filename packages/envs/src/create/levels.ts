/**
 * CREATE levels (new-actions paper App. A.3, Fig. A.7), in screen units ([−1, 1]², y
 * up). Only Push's layout is given in the paper's sources (target (0.1, −0.25), goal (−0.7, −0.75), marker
 * ball dropped from (0.6, 0.75), two medium floors); Obstacle and Seesaw follow the figure's idea
 * with a layout of our own (Seesaw: the goal floats above the see-saw, a star in the figure). Initial positions get uniform noise (±`LEVEL_NOISE`), as the level
 * files do; the subgoal is a region on the intended path that pays once (§A6.3 "subgoal, once").
 */
import type { Rng } from "@qscape/core";
import type * as planck from "planck";
import type { Rgb } from "../discrete/grid-render.js";
import { UnknownLevelError } from "../errors.js";
import { CREATE_COLOURS, CREATE_SCALE, type CreateWorld, type FixtureTag } from "./world.js";

export const CREATE_LEVELS = ["Push", "Obstacle", "Seesaw"] as const;
export type CreateLevel = (typeof CREATE_LEVELS)[number];

export const TARGET_RADIUS = 0.05;
export const GOAL_RADIUS = 0.08;
export const SUBGOAL_RADIUS = 0.1;
const MARKER_RADIUS = 0.06;
const LEVEL_NOISE = 0.03;
/** A "medium floor" is 0.6 screen units wide. */
const MEDIUM_FLOOR = 0.6;
const FLOOR_THICKNESS = 0.04;
/** The level see-saw rests on its left end: tilt (rad) for a 0.1 pivot height and 0.8 length. */
const SEESAW_TILT = Math.asin(0.09 / 0.4);

export interface LevelScene {
  target: planck.Body;
  marker: planck.Body | null;
  /** Goal centre, screen units. */
  goal: readonly [number, number];
  /** Subgoal centres, screen units. */
  subgoals: readonly (readonly [number, number])[];
  /** The subgoal sensors, removed from the world when reached (so frames show what remains). */
  subgoalBodies: planck.Body[];
}

export function checkLevel(level: string): CreateLevel {
  if (!(CREATE_LEVELS as readonly string[]).includes(level)) {
    throw new UnknownLevelError(
      `CREATE: unknown level ${JSON.stringify(level)}; expected one of ${CREATE_LEVELS.join(", ")}`,
    );
  }
  return level as CreateLevel;
}

const tag = (role: FixtureTag["role"], solid = true): FixtureTag => ({
  role,
  colour: CREATE_COLOURS[role] as Rgb,
  solid,
});

/** Builds `level` into `world` (positions jittered with `rng`), with its subgoal regions when `subgoals`. */
export function buildLevel(level: CreateLevel, world: CreateWorld, rng: Rng, subgoals: boolean): LevelScene {
  const S = CREATE_SCALE;
  const jitter = () => rng.uniform(-LEVEL_NOISE, LEVEL_NOISE);
  const floor = (x: number, topY: number, width: number) =>
    world.addStaticBox(x * S, (topY - FLOOR_THICKNESS / 2) * S, width * S, FLOOR_THICKNESS * S, 0, tag("level"));
  const ball = (x: number, y: number, r: number, role: "target" | "marker") =>
    world.addBall(x * S, y * S, r * S, tag(role));
  let scene: Omit<LevelScene, "subgoalBodies">;
  switch (level) {
    case "Push": {
      // Knock the target off its floor to the left, down onto the goal's floor.
      floor(0.1, -0.3, MEDIUM_FLOOR);
      floor(-0.7, -0.8, MEDIUM_FLOOR);
      scene = {
        target: ball(0.1 + jitter(), -0.3 + TARGET_RADIUS, TARGET_RADIUS, "target"),
        marker: ball(0.6 + jitter(), 0.75, MARKER_RADIUS, "marker"),
        goal: [-0.7, -0.75],
        subgoals: [[-0.35, -0.45]],
      };
      break;
    }
    case "Obstacle": {
      // The target falls on the left; a wall separates it from the goal on the right.
      floor(0, -0.9, 2);
      world.addStaticBox(0.05 * S, -0.55 * S, 0.08 * S, 0.7 * S, 0, tag("level"));
      scene = {
        target: ball(-0.6 + jitter(), 0.7, TARGET_RADIUS, "target"),
        marker: null,
        goal: [0.6, -0.82],
        subgoals: [[0.05, -0.05]],
      };
      break;
    }
    case "Seesaw": {
      // The target waits at the low left end of a see-saw, held by a stop; something heavy dropped
      // on the high right end launches it up into the goal.
      floor(0, -0.9, 2);
      world.addStaticBox(-0.45 * S, -0.85 * S, 0.03 * S, 0.1 * S, 0, tag("level"));
      world.addPivotPlank(0, -0.8 * S, 0.8 * S, SEESAW_TILT, 0.5, tag("level"), 0.8);
      scene = {
        target: ball(-0.38, -0.78, TARGET_RADIUS, "target"),
        marker: ball(0.55 + jitter(), 0.8, MARKER_RADIUS, "marker"),
        goal: [-0.25, -0.1],
        subgoals: [[-0.35, -0.45]],
      };
      break;
    }
  }
  world.addSensorDisc(scene.goal[0] * S, scene.goal[1] * S, GOAL_RADIUS * S, tag("goal", false));
  if (!subgoals) return { ...scene, subgoals: [], subgoalBodies: [] };
  const subgoalBodies = scene.subgoals.map(([x, y]) =>
    world.addSensorDisc(x * S, y * S, SUBGOAL_RADIUS * S, tag("subgoal", false)),
  );
  return { ...scene, subgoalBodies };
}
