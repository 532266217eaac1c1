/**
 * CREATE's tool inventory (new-actions paper App. A.3): tool classes generated over
 * angle, size, friction and elasticity (or a class's own strength parameter), every pair of tools
 * that differ only in angle at least 15° apart.
 *
 * The thesis counts 2,111 tools including the No-Op (Part C #12: generate the thesis's set and
 * record the count): the grids below give exactly 2,110 general tools, and the No-Op is inventory
 * index 2,110. Angles of rotationally symmetric polygons stop before the symmetry repeats, so no
 * two tools are the same body.
 */
import { EnvError } from "../errors.js";

export const CREATE_TOOL_CLASSES = [
  "ramp",
  "trampoline",
  "seesaw",
  "lever",
  "ball",
  "bouncy_ball",
  "conveyor",
  "funnel",
  "bucket",
  "triangle",
  "bouncy_triangle",
  "square",
  "pentagon",
  "hexagon",
  "cannon",
  "fan",
] as const;
export type CreateToolClass = (typeof CREATE_TOOL_CLASSES)[number];

/**
 * Table A.1's "full" split by class: these train, the held-out classes below are split between
 * validation and test; square, pentagon and hexagon are in neither list and so in no split.
 */
export const CREATE_FULL_SPLIT_TRAIN: readonly CreateToolClass[] = [
  "ramp",
  "trampoline",
  "ball",
  "bouncy_ball",
  "seesaw",
  "cannon",
  "bucket",
];
export const CREATE_FULL_SPLIT_HELD_OUT: readonly CreateToolClass[] = [
  "triangle",
  "bouncy_triangle",
  "lever",
  "fan",
  "conveyor",
  "funnel",
];

/** §B4.2's activator tools, in the order of their one-hot features (after the no-op slot). */
export const CREATE_ACTIVATORS = ["fire", "water", "electric", "magnet", "spring"] as const;
export type CreateActivator = (typeof CREATE_ACTIVATORS)[number];

/**
 * The activator each class needs in the activator variant (§B4.2, Fig. B.1). The thesis names two
 * pairs, cannon ← fire and trampoline ← spring; the other classes are assigned here by theme.
 */
export const CREATE_TOOL_ACTIVATOR: Record<CreateToolClass, CreateActivator> = {
  ramp: "water",
  trampoline: "spring",
  seesaw: "spring",
  lever: "spring",
  ball: "fire",
  bouncy_ball: "fire",
  conveyor: "electric",
  funnel: "water",
  bucket: "water",
  triangle: "magnet",
  bouncy_triangle: "spring",
  square: "magnet",
  pentagon: "magnet",
  hexagon: "magnet",
  cannon: "fire",
  fan: "electric",
};

/** One general tool. Lengths in world metres (the screen [−1, 1]² is 20 m × 20 m). */
export interface CreateTool {
  id: number;
  cls: CreateToolClass;
  /** Rotation in degrees, counter-clockwise (the direction of a cannon, fan or conveyor). */
  angle: number;
  /** Length (ramps, trampolines, planks, conveyors, cannons), opening width (funnel, bucket) or radius. */
  size: number;
  friction: number;
  /** Restitution (bounciness). */
  elasticity: number;
  /** Class parameter: conveyor belt speed (m/s), cannon muzzle speed (m/s), fan acceleration (m/s²); 0 otherwise. */
  strength: number;
}

interface ClassGrid {
  cls: CreateToolClass;
  /** Number of 15° angles (24 = full circle; fewer for symmetric shapes). */
  angles: number;
  sizes: readonly number[];
  frictions: readonly number[];
  elasticities: readonly number[];
  strengths?: readonly number[];
}

const GRIDS: readonly ClassGrid[] = [
  { cls: "ramp", angles: 24, sizes: [2, 3, 4, 5], frictions: [0.2, 0.6, 1], elasticities: [0.2] },
  { cls: "trampoline", angles: 24, sizes: [2, 3, 4], frictions: [0.5], elasticities: [1, 1.15, 1.3] },
  { cls: "seesaw", angles: 24, sizes: [3, 4, 5], frictions: [0.4, 0.8], elasticities: [0.2] },
  { cls: "lever", angles: 24, sizes: [3, 4, 5], frictions: [0.4, 0.8], elasticities: [0.2] },
  { cls: "ball", angles: 1, sizes: [0.3, 0.4, 0.5, 0.6, 0.7, 0.8], frictions: [0.2, 0.6, 1], elasticities: [0.2, 0.4] },
  {
    cls: "bouncy_ball",
    angles: 1,
    sizes: [0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
    frictions: [0.2, 0.6, 1],
    elasticities: [0.8, 0.95],
  },
  { cls: "conveyor", angles: 24, sizes: [3, 4], frictions: [0.8], elasticities: [0.1], strengths: [1, 2, 3, 4] },
  { cls: "funnel", angles: 24, sizes: [2, 2.5, 3], frictions: [0.3, 0.8], elasticities: [0.2] },
  { cls: "bucket", angles: 24, sizes: [1.5, 2, 2.5], frictions: [0.3, 0.8], elasticities: [0.2] },
  { cls: "triangle", angles: 8, sizes: [0.5, 0.7, 0.9, 1.1], frictions: [0.2, 0.6, 1], elasticities: [0.2] },
  { cls: "bouncy_triangle", angles: 8, sizes: [0.5, 0.7, 0.9], frictions: [0.2, 0.6, 1], elasticities: [0.8, 0.95] },
  { cls: "square", angles: 6, sizes: [0.5, 0.7, 0.9], frictions: [0.2, 0.6, 1], elasticities: [0.2] },
  { cls: "pentagon", angles: 5, sizes: [0.5, 0.7, 0.9, 1.1], frictions: [0.3, 0.8], elasticities: [0.2] },
  { cls: "hexagon", angles: 4, sizes: [0.5, 0.7, 0.9, 1.1], frictions: [0.2, 0.6, 1], elasticities: [0.2] },
  { cls: "cannon", angles: 24, sizes: [1.5, 2], frictions: [0.5], elasticities: [0.1], strengths: [6, 9, 12, 15] },
  { cls: "fan", angles: 24, sizes: [3, 5], frictions: [0.5], elasticities: [0], strengths: [8, 14, 20, 26] },
];

/** The general tools in a fixed order (class, then size, friction, elasticity, strength, angle). */
export function generateCreateTools(): CreateTool[] {
  const tools: CreateTool[] = [];
  for (const g of GRIDS) {
    for (const size of g.sizes) {
      for (const friction of g.frictions) {
        for (const elasticity of g.elasticities) {
          for (const strength of g.strengths ?? [0]) {
            for (let a = 0; a < g.angles; a++) {
              tools.push({ id: tools.length, cls: g.cls, angle: 15 * a, size, friction, elasticity, strength });
            }
          }
        }
      }
    }
  }
  return tools;
}

/** Number of general tools (the No-Op's inventory index). */
export const CREATE_NUM_TOOLS = generateCreateTools().length;

const MAX_SIZE = 5;
const MAX_STRENGTH = 26;
const MAX_ELASTICITY = 1.3;

/** Width of `createToolFeatures` rows. */
export const CREATE_FEATURE_DIM = CREATE_TOOL_CLASSES.length + 1 + 6;

/**
 * Ground-truth tool features, the stand-in for the paper's 128-d HVAE embeddings (§B4.2 allows
 * "ground-truth tool parameters"): a one-hot over the 16 classes plus the No-Op, then cos/sin of
 * the angle, size, friction, elasticity and strength scaled into [0, 1]. Row `tools.length`
 * is the No-Op (its one-hot only). [(tools + 1) × 23].
 */
export function createToolFeatures(tools: readonly CreateTool[]): Float32Array {
  const d = CREATE_FEATURE_DIM;
  const out = new Float32Array((tools.length + 1) * d);
  const k = CREATE_TOOL_CLASSES.length + 1;
  for (const t of tools) {
    const row = t.id * d;
    out[row + CREATE_TOOL_CLASSES.indexOf(t.cls)] = 1;
    const rad = (t.angle * Math.PI) / 180;
    out[row + k] = Math.cos(rad);
    out[row + k + 1] = Math.sin(rad);
    out[row + k + 2] = t.size / MAX_SIZE;
    out[row + k + 3] = t.friction;
    out[row + k + 4] = t.elasticity / MAX_ELASTICITY;
    out[row + k + 5] = t.strength / MAX_STRENGTH;
  }
  out[tools.length * d + CREATE_TOOL_CLASSES.length] = 1;
  return out;
}

/** The ids of the tools whose class is in `classes`, ascending. */
export function toolIdsOfClasses(tools: readonly CreateTool[], classes: readonly CreateToolClass[]): Int32Array {
  for (const c of classes) {
    if (!CREATE_TOOL_CLASSES.includes(c)) throw new EnvError(`CREATE: unknown tool class ${JSON.stringify(c)}`);
  }
  return Int32Array.from(tools.filter((t) => classes.includes(t.cls)).map((t) => t.id));
}
