/**
 * CREATE's task-independent "play" data (new-actions paper App. A.3, §A6.3 "Action observations"):
 * each tool is placed alone at the centre of an empty scene and probed by a ball launched at it
 * from various angles, positions and speeds; an observation is the probe ball's (x, y) trajectory
 * of length 7, the default modality the paper's HVAE encodes (1,024 trajectories per tool).
 *
 * Choices not in the paper: the play scene has no gravity, so the probe reaches every tool and
 * dynamic tools (balls, polygons, planks) wait where they were placed until hit; the probe (radius
 * 0.4 m) starts 5–7 m from the tool in a uniform direction, aims at a uniform point within 1 m of
 * the tool's centre, at 6–14 m/s; positions are recorded at launch and every 8 physics steps.
 */
import { Rng } from "@qscape/core";
import type { Rgb } from "../discrete/grid-render.js";
import { EnvError } from "../errors.js";
import { generateCreateTools } from "./tools.js";
import { CREATE_COLOURS, CREATE_SCALE, CreateWorld } from "./world.js";

export const CREATE_PLAY_LENGTH = 7;
const STEPS_BETWEEN = 8;
const PROBE_RADIUS = 0.4;

export interface CreatePlayOptions {
  seed: number;
  /** General tool ids to record (default all 2,110). */
  tools?: ArrayLike<number>;
  /** Trajectories per tool (§A6.3: 1,024). */
  trajectoriesPerTool?: number;
}

export interface CreatePlayObservations {
  /** [tools × trajectoriesPerTool × 7 × 2] probe-ball (x, y) in screen units. */
  positions: Float32Array;
  tools: Int32Array;
  trajectoriesPerTool: number;
  /** Positions per trajectory (7). */
  length: number;
}

/** A seed fixes the launches and so the whole data set. */
export function collectCreatePlayObservations({
  seed,
  tools,
  trajectoriesPerTool = 1024,
}: CreatePlayOptions): CreatePlayObservations {
  if (!Number.isInteger(trajectoriesPerTool) || trajectoriesPerTool < 1) {
    throw new EnvError(
      `collectCreatePlayObservations: trajectoriesPerTool must be a positive integer, got ${trajectoriesPerTool}`,
    );
  }
  const all = generateCreateTools();
  const ids = tools === undefined ? Int32Array.from(all, (t) => t.id) : Int32Array.from(tools);
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= all.length)
      throw new EnvError(`collectCreatePlayObservations: ${id} is not a tool id in 0..${all.length - 1}`);
  }
  // One set of launches per seed, shared by every tool, so trajectories differ only by the tool.
  const rng = new Rng(seed);
  const launches = Array.from({ length: trajectoriesPerTool }, () => {
    const phi = rng.uniform(0, 2 * Math.PI);
    const dist = rng.uniform(5, 7);
    const aimR = rng.uniform(0, 1);
    const aimPhi = rng.uniform(0, 2 * Math.PI);
    const speed = rng.uniform(6, 14);
    const sx = dist * Math.cos(phi);
    const sy = dist * Math.sin(phi);
    const ax = aimR * Math.cos(aimPhi) - sx;
    const ay = aimR * Math.sin(aimPhi) - sy;
    const norm = Math.hypot(ax, ay);
    return { sx, sy, vx: (speed * ax) / norm, vy: (speed * ay) / norm };
  });
  const L = CREATE_PLAY_LENGTH;
  const positions = new Float32Array(ids.length * trajectoriesPerTool * L * 2);
  const probeTag = { role: "marker" as const, colour: CREATE_COLOURS.marker as Rgb, solid: true };
  let o = 0;
  for (const id of ids) {
    for (const { sx, sy, vx, vy } of launches) {
      const world = new CreateWorld(0);
      world.addTool(all[id] as (typeof all)[number], 0, 0);
      const probe = world.addBall(sx, sy, PROBE_RADIUS, probeTag);
      probe.setLinearVelocity({ x: vx, y: vy });
      for (let t = 0; t < L; t++) {
        if (t > 0) for (let k = 0; k < STEPS_BETWEEN; k++) world.step();
        const p = probe.getPosition();
        positions[o++] = p.x / CREATE_SCALE;
        positions[o++] = p.y / CREATE_SCALE;
      }
    }
  }
  return { positions, tools: ids, trajectoriesPerTool, length: L };
}
