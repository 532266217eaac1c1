/**
 * A software renderer for MuJoCo models (the WASM build has no OpenGL context in Node): each geom's
 * silhouette under an orthographic camera, painted far to near, over a checkered floor. It reads only
 * `geom_xpos` / `geom_xmat` / `xpos` from the data and the `GeomTable` from the model, so a frame costs a
 * few copies out of the WASM heap and no allocation there.
 *
 * Orthographic rather than perspective: a planar walker seen side-on is then an exact x–z plot of its
 * geoms, so pixel positions can be checked against qpos.
 */
import type { Rgb, RgbFrame } from "../render/frame.js";
import { Raster, shade } from "../render/raster.js";
import { GeomType, type MujocoSim } from "./adapter.js";

export interface MujocoCamera {
  width: number;
  height: number;
  /** Pixels per metre. */
  scale: number;
  /** Degrees about +z; 0 looks along +y, so x runs right and z up (the planar tasks' side view). */
  azimuth: number;
  /** Degrees the camera looks down; 90 is a top view with +y up the image. */
  elevation: number;
  /** World point drawn at the image centre. */
  lookat: readonly [number, number, number];
  /** Body the camera follows: its x (or x and y) replace lookat's each frame. Null for a fixed camera. */
  track: { body: string; axes: "x" | "xy" } | null;
  /** Floor checker tile, metres; the tiles are what show a tracked walker moving. */
  tile: number;
}

/** Gymnasium's MuJoCo frame size is 480 × 480. */
const SIZE = { width: 480, height: 480 } as const;
const SIDE = { ...SIZE, azimuth: 0, elevation: 0, tile: 1 } as const;

/** Cameras of the registered tasks, by the name each task gives its `MujocoEnv`. */
export const MUJOCO_CAMERAS: Readonly<Record<string, MujocoCamera>> = {
  Hopper: { ...SIDE, scale: 150, lookat: [0, 0, 1], track: { body: "torso", axes: "x" } },
  Walker2d: { ...SIDE, scale: 150, lookat: [0, 0, 1], track: { body: "torso", axes: "x" } },
  HalfCheetah: { ...SIDE, scale: 200, lookat: [0, 0, 0.5], track: { body: "torso", axes: "x" }, tile: 0.5 },
  InvertedPendulum: { ...SIDE, scale: 200, lookat: [0, 0, 0.25], track: null },
  InvertedDoublePendulum: { ...SIDE, scale: 160, lookat: [0, 0, 0.55], track: null },
  Ant: {
    ...SIZE,
    azimuth: 0,
    elevation: 45,
    scale: 110,
    lookat: [0, 0, 0.5],
    track: { body: "torso", axes: "xy" },
    tile: 1,
  },
  Humanoid: {
    ...SIZE,
    azimuth: 0,
    elevation: 20,
    scale: 140,
    lookat: [0, 0, 1],
    track: { body: "torso", axes: "xy" },
    tile: 1,
  },
  Swimmer: {
    ...SIZE,
    azimuth: 0,
    elevation: 90,
    scale: 120,
    lookat: [0, 0, 0],
    track: { body: "torso", axes: "xy" },
    tile: 1,
  },
  Reacher: { ...SIZE, azimuth: 0, elevation: 90, scale: 900, lookat: [0, 0, 0], track: null, tile: 0.1 },
};

/** A side view for models without an entry in `MUJOCO_CAMERAS`. */
export const DEFAULT_MUJOCO_CAMERA: MujocoCamera = { ...SIDE, scale: 150, lookat: [0, 0, 1], track: null };

const SKY: Rgb = [100, 150, 200];
// MuJoCo's default floor checker colours (Gymnasium's `grid` texture).
const FLOOR: readonly [Rgb, Rgb] = [
  [26, 51, 77],
  [51, 77, 102],
];
const BODY: Rgb = [204, 153, 102]; // Gymnasium's "0.8 0.6 0.4" body colour
const LEFT: Rgb = [179, 77, 153]; // Gymnasium's Walker2d left leg, ".7 .3 .6"

type Vec3 = [number, number, number];

export class MujocoRenderer {
  /** Camera basis in world coordinates: image right, image up, and the viewing direction. */
  private readonly right: Vec3;
  private readonly up: Vec3;
  private readonly forward: Vec3;
  private readonly trackBody: number | null;
  private readonly colors: Rgb[];
  private readonly xpos: Float64Array;
  private readonly xmat: Float64Array;
  private readonly bodyPos: Float64Array;

  constructor(
    private readonly sim: MujocoSim,
    private readonly camera: MujocoCamera,
  ) {
    const a = (camera.azimuth * Math.PI) / 180;
    const e = (camera.elevation * Math.PI) / 180;
    const level: Vec3 = [-Math.sin(a), Math.cos(a), 0];
    this.right = [Math.cos(a), Math.sin(a), 0];
    this.forward = [level[0] * Math.cos(e), level[1] * Math.cos(e), -Math.sin(e)];
    this.up = [level[0] * Math.sin(e), level[1] * Math.sin(e), Math.cos(e)];
    this.trackBody = camera.track === null ? null : sim.bodyId(camera.track.body);
    const { geoms } = sim;
    this.colors = Array.from({ length: geoms.count }, (_, g) => geomColor(geoms.rgba, geoms.bodyName[g] ?? "", g));
    this.xpos = new Float64Array(sim.size("geom_xpos"));
    this.xmat = new Float64Array(sim.size("geom_xmat"));
    this.bodyPos = new Float64Array(sim.size("xpos"));
  }

  render(): RgbFrame {
    const { width, height, scale } = this.camera;
    const { geoms } = this.sim;
    const xpos = this.sim.read("geom_xpos", this.xpos);
    const xmat = this.sim.read("geom_xmat", this.xmat);
    const center = this.center();
    const img = new Raster(width, height);

    let floorZ: number | null = null;
    const order: { g: number; depth: number }[] = [];
    for (let g = 0; g < geoms.count; g++) {
      if (geoms.type[g] === GeomType.plane) {
        // The models' planes are all horizontal floors; the first one is the ground.
        floorZ ??= xpos[3 * g + 2] as number;
        continue;
      }
      // MuJoCo hides groups 3–5 by default, and a zero alpha is invisible.
      if ((geoms.group[g] as number) >= 3 || geoms.rgba[4 * g + 3] === 0) continue;
      const p: Vec3 = [xpos[3 * g] as number, xpos[3 * g + 1] as number, xpos[3 * g + 2] as number];
      order.push({ g, depth: dot(sub(p, center), this.forward) });
    }
    this.background(img, center, floorZ);

    // Painter's algorithm by geom centre, farthest first; farther geoms are also drawn a little darker.
    order.sort((u, v) => v.depth - u.depth || u.g - v.g);
    const near = order.at(-1)?.depth ?? 0;
    const far = order[0]?.depth ?? 0;
    const project = (p: Vec3): [number, number] => {
      const d = sub(p, center);
      return [width / 2 + scale * dot(d, this.right), height / 2 - scale * dot(d, this.up)];
    };
    for (const { g, depth } of order) {
      const fill = shade(this.colors[g] as Rgb, far - near > 1e-6 ? 1 - (0.3 * (depth - near)) / (far - near) : 1);
      const edge = shade(fill, 0.55);
      const c: Vec3 = [xpos[3 * g] as number, xpos[3 * g + 1] as number, xpos[3 * g + 2] as number];
      // geom_xmat is the row-major rotation from the geom's frame to the world: world = c + M · local.
      const m = xmat.subarray(9 * g, 9 * g + 9);
      const local = (x: number, y: number, z: number): Vec3 => [
        c[0] + (m[0] as number) * x + (m[1] as number) * y + (m[2] as number) * z,
        c[1] + (m[3] as number) * x + (m[4] as number) * y + (m[5] as number) * z,
        c[2] + (m[6] as number) * x + (m[7] as number) * y + (m[8] as number) * z,
      ];
      const [sx, sy, sz] = [
        geoms.size[3 * g] as number,
        geoms.size[3 * g + 1] as number,
        geoms.size[3 * g + 2] as number,
      ];
      switch (geoms.type[g]) {
        case GeomType.sphere: {
          const [px, py] = project(c);
          img.fillCircle(px, py, sx * scale + 1, edge);
          img.fillCircle(px, py, sx * scale, fill);
          break;
        }
        case GeomType.capsule: {
          // An orthographic capsule is exactly a 2-D capsule between its projected end centres.
          const [ax, ay] = project(local(0, 0, sy));
          const [bx, by] = project(local(0, 0, -sy));
          img.capsule(ax, ay, bx, by, sx * scale + 1, edge);
          img.capsule(ax, ay, bx, by, sx * scale, fill);
          break;
        }
        case GeomType.box: {
          const corners: Vec3[] = [];
          for (const i of [-1, 1])
            for (const j of [-1, 1]) for (const k of [-1, 1]) corners.push(local(i * sx, j * sy, k * sz));
          drawHull(img, corners.map(project), fill, edge);
          break;
        }
        case GeomType.cylinder: {
          const rim: Vec3[] = [];
          for (let i = 0; i < 16; i++) {
            const t = (i * Math.PI) / 8;
            rim.push(local(sx * Math.cos(t), sx * Math.sin(t), sy), local(sx * Math.cos(t), sx * Math.sin(t), -sy));
          }
          drawHull(img, rim.map(project), fill, edge);
          break;
        }
        case GeomType.ellipsoid: {
          const surface: Vec3[] = [];
          for (let i = 0; i < 12; i++) {
            for (let j = 0; j <= 6; j++) {
              const t = (i * Math.PI) / 6;
              const s = (j * Math.PI) / 6;
              surface.push(local(sx * Math.sin(s) * Math.cos(t), sy * Math.sin(s) * Math.sin(t), sz * Math.cos(s)));
            }
          }
          drawHull(img, surface.map(project), fill, edge);
          break;
        }
        // Meshes and height fields do not occur in the registered models.
      }
    }
    return img;
  }

  /** The world point at the image centre: lookat, with the tracked body's x (and y) substituted. */
  private center(): Vec3 {
    const [x, y, z] = this.camera.lookat;
    if (this.trackBody === null || this.camera.track === null) return [x, y, z];
    const pos = this.sim.read("xpos", this.bodyPos);
    const b = this.trackBody;
    return [pos[3 * b] as number, this.camera.track.axes === "xy" ? (pos[3 * b + 1] as number) : y, z];
  }

  /**
   * Sky and floor. A pixel's ray runs along `forward` through its point on the image plane; where it meets
   * the floor gives the checker tile. Seen exactly side-on the ray never meets the floor, and the floor is
   * then the half-plane below z = floorZ, tiled by x alone.
   */
  private background(img: Raster, center: Vec3, floorZ: number | null): void {
    if (floorZ === null) {
      img.clear(SKY);
      return;
    }
    const { width, height, scale, tile } = this.camera;
    const [r, u, f] = [this.right, this.up, this.forward];
    const data = img.data;
    for (let py = 0; py < height; py++) {
      const v = (height / 2 - (py + 0.5)) / scale;
      for (let px = 0; px < width; px++) {
        const h = (px + 0.5 - width / 2) / scale;
        let x = center[0] + r[0] * h + u[0] * v;
        let y = center[1] + r[1] * h + u[1] * v;
        const z = center[2] + r[2] * h + u[2] * v;
        let color = SKY;
        if (Math.abs(f[2]) > 1e-9) {
          const t = (floorZ - z) / f[2];
          x += f[0] * t;
          y += f[1] * t;
          color = FLOOR[(Math.floor(x / tile) + Math.floor(y / tile)) & 1] as Rgb;
        } else if (z < floorZ) {
          color = FLOOR[Math.floor(x / tile) & 1] as Rgb;
        }
        const o = (py * width + px) * 3;
        data[o] = color[0];
        data[o + 1] = color[1];
        data[o + 2] = color[2];
      }
    }
  }
}

/** The geom's own colour, or, for MuJoCo's default grey (the models carry no materials), Gymnasium's palette. */
function geomColor(rgba: Float32Array, bodyName: string, g: number): Rgb {
  const [r, gr, b] = [rgba[4 * g] as number, rgba[4 * g + 1] as number, rgba[4 * g + 2] as number];
  if (r === 0.5 && gr === 0.5 && b === 0.5) return /^left_|_left$/.test(bodyName) ? LEFT : BODY;
  return [Math.round(r * 255), Math.round(gr * 255), Math.round(b * 255)];
}

/** Fills the convex hull of the points (Andrew's monotone chain) and outlines it. */
function drawHull(img: Raster, points: [number, number][], fill: Rgb, edge: Rgb): void {
  const pts = [...points].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const cross = (o: [number, number], a: [number, number], b: [number, number]) =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (list: [number, number][]) => {
    const out: [number, number][] = [];
    for (const p of list) {
      while (
        out.length >= 2 &&
        cross(out[out.length - 2] as [number, number], out[out.length - 1] as [number, number], p) <= 0
      )
        out.pop();
      out.push(p);
    }
    out.pop();
    return out;
  };
  const hull = [...half(pts), ...half(pts.reverse())];
  img.fillPolygon(hull.flat(), fill);
  for (let i = 0; i < hull.length; i++) {
    const [ax, ay] = hull[i] as [number, number];
    const [bx, by] = hull[(i + 1) % hull.length] as [number, number];
    img.line(ax, ay, bx, by, 2, edge);
  }
}

function sub(a: Vec3, b: Vec3): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}

function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
