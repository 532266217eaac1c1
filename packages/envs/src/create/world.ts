/**
 * CREATE's physics (new-actions paper App. A.3) on planck.js, a TypeScript Box2D port
 * (chosen over matter-js in bench/create-physics.ts). The paper uses Pymunk, so trajectories and
 * success rates are not comparable numerically, only in trend (§A6.3 "Feasibility").
 *
 * Units: the screen [−1, 1]² is 20 m × 20 m (`CREATE_SCALE` metres per screen unit), y up, gravity
 * 10 m/s², a fixed step of 1/60 s (never a variable dt, so runs are reproducible), 40 physics steps per
 * agent action (§A6.3).
 *
 * Every fixture carries a `FixtureTag` (role, grey level for the rasteriser, whether it blocks a
 * placement), so rendering and overlap checks read the world itself.
 */
import * as planck from "planck";
import type { Rgb } from "../discrete/grid-render.js";
import type { CreateActivator, CreateTool } from "./tools.js";

export const CREATE_SCALE = 10;
export const CREATE_DT = 1 / 60;
export const CREATE_GRAVITY = 10;
export const CREATE_PHYSICS_STEPS_PER_ACTION = 40;

export type CreateRole = "level" | "tool" | "target" | "marker" | "goal" | "subgoal";

export interface FixtureTag {
  role: CreateRole;
  colour: Rgb;
  /**
   * Air regions (fan wind, cannon mouth) and goal markers do not block placements; everything
   * else does (§A6.3 "overlap with existing object").
   */
  solid: boolean;
  /** Fan: acceleration (m/s²) along `dir` of the bodies inside; cannon: their new speed (m/s). */
  field?: { kind: "fan" | "cannon"; strength: number; dir: planck.Vec2 };
  /** Conveyor belt surface speed (m/s). */
  beltSpeed?: number;
  /** Activator variant (§B4.2): the activator this general tool needs, and the tool's placement number. */
  needs?: CreateActivator;
  group?: number;
  /** An activator tool of this kind (a sensor pad). */
  activator?: CreateActivator;
}

export const CREATE_COLOURS: Record<string, Rgb> = {
  level: [150, 150, 150],
  tool: [230, 200, 60],
  dynamicTool: [200, 120, 230],
  target: [230, 40, 40],
  marker: [40, 90, 240],
  goal: [40, 200, 60],
  subgoal: [30, 90, 40],
  field: [70, 70, 90],
  fire: [255, 110, 0],
  water: [60, 170, 255],
  electric: [255, 255, 120],
  magnet: [120, 120, 255],
  spring: [255, 150, 200],
};

const DENSITY = 1;
const THICKNESS = 0.3;

/** A planck world with CREATE's gravity, fans, cannons and conveyor belts. */
export class CreateWorld {
  readonly world: planck.World;
  private readonly fields: planck.Fixture[] = [];
  private readonly activators: planck.Fixture[] = [];
  /** Placement numbers of the general tools touching their activator (activator variant only). */
  private readonly activeGroups = new Set<number>();

  /** `gravity` in m/s² downwards (the play scene of play.ts has none). */
  constructor(gravity = CREATE_GRAVITY) {
    this.world = new planck.World({ gravity: planck.Vec2(0, -gravity) });
    // Conveyor belts move their surface along the belt's angle: Box2D's per-contact tangent speed
    // (the speed of B's surface relative to A's along the tangent (n.y, −n.x)), set before solving.
    this.world.on("pre-solve", (contact) => {
      const fa = contact.getFixtureA();
      const fb = contact.getFixtureB();
      // §B4.2: a tool without its activator is pass-through for the other objects (loose ones
      // still rest on the level, so they can be activated later).
      for (const [f, g] of [
        [fa, fb],
        [fb, fa],
      ] as const) {
        if (!this.isActive(tagOf(f)) && !(f.getBody().isDynamic() && tagOf(g).role === "level")) {
          contact.setEnabled(false);
          return;
        }
      }
      const beltA = tagOf(fa).beltSpeed;
      const belt = beltA !== undefined ? fa : tagOf(fb).beltSpeed !== undefined ? fb : null;
      const manifold = belt ? contact.getWorldManifold(null) : undefined;
      if (!belt || !manifold) return;
      const angle = belt.getBody().getAngle();
      const along = Math.cos(angle) * manifold.normal.y - Math.sin(angle) * manifold.normal.x;
      contact.setTangentSpeed((tagOf(belt).beltSpeed as number) * along * (belt === fa ? 1 : -1));
    });
  }

  /** One fixed physics step, then fans push and cannons fire what is inside them. */
  step(): void {
    if (this.activators.length > 0) this.updateActivation();
    this.world.step(CREATE_DT, 8, 3);
    for (const f of this.fields) {
      const tag = tagOf(f);
      const field = tag.field;
      if (!field || !this.isActive(tag)) continue;
      for (let e = f.getBody().getContactList(); e; e = e.next ?? null) {
        const c = e.contact;
        if (!c.isTouching() || (c.getFixtureA() !== f && c.getFixtureB() !== f)) continue;
        const other = e.other;
        if (!other?.isDynamic()) continue;
        if (field.kind === "fan") {
          other.applyForceToCenter(planck.Vec2.mul(other.getMass() * field.strength, field.dir), true);
        } else {
          other.setLinearVelocity(planck.Vec2.mul(field.strength, field.dir));
        }
      }
    }
  }

  /** False for a general tool of the activator variant that does not touch its activator. */
  isActive(tag: FixtureTag): boolean {
    return tag.needs === undefined || this.activeGroups.has(tag.group as number);
  }

  private updateActivation(): void {
    this.activeGroups.clear();
    for (let b = this.world.getBodyList(); b; b = b.getNext()) {
      for (let f = b.getFixtureList(); f; f = f.getNext()) {
        const tag = tagOf(f);
        if (tag.needs === undefined || this.activeGroups.has(tag.group as number)) continue;
        for (const a of this.activators) {
          if (tagOf(a).activator !== tag.needs) continue;
          if (planck.testOverlap(f.getShape(), 0, a.getShape(), 0, b.getTransform(), a.getBody().getTransform())) {
            this.activeGroups.add(tag.group as number);
            break;
          }
        }
      }
    }
  }

  /** An activator pad (§B4.2): a 1.2 m square sensor at (x, y) metres that activates the tools it touches. */
  addActivator(kind: CreateActivator, x: number, y: number): planck.Body[] {
    const body = this.world.createBody({ type: "static", position: planck.Vec2(x, y) });
    const pad = body.createFixture(planck.Box(0.6, 0.6), {
      isSensor: true,
      userData: {
        role: "tool",
        colour: CREATE_COLOURS[kind] as Rgb,
        solid: false,
        activator: kind,
      } satisfies FixtureTag,
    });
    this.activators.push(pad);
    return [body];
  }

  /** Marks `bodies` (one placed general tool) as needing activator `needs`; `group` is its placement number. */
  requireActivator(bodies: readonly planck.Body[], needs: CreateActivator, group: number): void {
    for (const b of bodies) {
      for (let f = b.getFixtureList(); f; f = f.getNext()) f.setUserData({ ...tagOf(f), needs, group });
    }
  }

  /** A static box (floors, walls) centred at (x, y) metres. */
  addStaticBox(
    x: number,
    y: number,
    w: number,
    h: number,
    angle: number,
    tag: FixtureTag,
    friction = 0.6,
  ): planck.Body {
    const body = this.world.createBody({ type: "static", position: planck.Vec2(x, y), angle });
    body.createFixture(planck.Box(w / 2, h / 2), { friction, restitution: 0.1, userData: tag });
    return body;
  }

  /** A dynamic ball (target, marker). */
  addBall(x: number, y: number, radius: number, tag: FixtureTag, friction = 0.5, restitution = 0.2): planck.Body {
    const body = this.world.createBody({ type: "dynamic", position: planck.Vec2(x, y), bullet: true });
    body.createFixture(planck.Circle(radius), { density: DENSITY, friction, restitution, userData: tag });
    return body;
  }

  /** A circular sensor (goal, subgoal) that nothing collides with. */
  addSensorDisc(x: number, y: number, radius: number, tag: FixtureTag): planck.Body {
    const body = this.world.createBody({ type: "static", position: planck.Vec2(x, y) });
    body.createFixture(planck.Circle(radius), { isSensor: true, userData: tag });
    return body;
  }

  /**
   * A plank on a revolute pivot at `pivot` (fraction of its length from its left end): the
   * see-saw (0.5) and lever (0.25) tools and the Seesaw level's see-saw.
   */
  addPivotPlank(
    x: number,
    y: number,
    length: number,
    angle: number,
    pivot: number,
    tag: FixtureTag,
    friction: number,
  ): planck.Body[] {
    const base = this.world.createBody({ type: "static", position: planck.Vec2(x, y) });
    base.createFixture(planck.Polygon([planck.Vec2(-0.4, -0.9), planck.Vec2(0.4, -0.9), planck.Vec2(0, -0.1)]), {
      friction,
      userData: tag,
    });
    const offset = (0.5 - pivot) * length;
    const centre = planck.Vec2(x + offset * Math.cos(angle), y + offset * Math.sin(angle));
    const plank = this.world.createBody({ type: "dynamic", position: centre, angle });
    plank.createFixture(planck.Box(length / 2, 0.1), { density: DENSITY, friction, userData: tag });
    this.world.createJoint(planck.RevoluteJoint({}, base, plank, planck.Vec2(x, y)));
    return [base, plank];
  }

  /** Builds a general tool at (x, y) metres; returns its bodies (placed even when they overlap). */
  addTool(tool: CreateTool, x: number, y: number): planck.Body[] {
    const angle = (tool.angle * Math.PI) / 180;
    const dir = planck.Vec2(Math.cos(angle), Math.sin(angle));
    const solid: FixtureTag = { role: "tool", colour: CREATE_COLOURS.tool as Rgb, solid: true };
    const fixture = { friction: tool.friction, restitution: tool.elasticity, userData: solid };
    const staticBody = () => this.world.createBody({ type: "static", position: planck.Vec2(x, y), angle });
    switch (tool.cls) {
      case "ramp":
      case "trampoline": {
        const body = staticBody();
        body.createFixture(planck.Box(tool.size / 2, THICKNESS / 2), fixture);
        return [body];
      }
      case "conveyor": {
        const body = staticBody();
        body.createFixture(planck.Box(tool.size / 2, THICKNESS / 2), {
          ...fixture,
          userData: { ...solid, beltSpeed: tool.strength },
        });
        return [body];
      }
      case "seesaw":
      case "lever": {
        const tag = { ...solid, colour: CREATE_COLOURS.dynamicTool as Rgb };
        return this.addPivotPlank(x, y, tool.size, angle, tool.cls === "seesaw" ? 0.5 : 0.25, tag, tool.friction);
      }
      case "funnel": {
        // Two boards in a V with a 0.9 m gap at the bottom, opening `size` wide at the top.
        const body = staticBody();
        const half = tool.size / 2;
        for (const s of [-1, 1]) {
          const a = planck.Vec2(s * 0.45, -half / 2);
          const b = planck.Vec2(s * half, half / 2);
          const mid = planck.Vec2((a.x + b.x) / 2, (a.y + b.y) / 2);
          const len = Math.hypot(b.x - a.x, b.y - a.y);
          body.createFixture(planck.Box(len / 2, 0.1, mid, Math.atan2(b.y - a.y, b.x - a.x)), fixture);
        }
        return [body];
      }
      case "bucket": {
        const body = staticBody();
        const half = tool.size / 2;
        body.createFixture(planck.Box(half, 0.1, planck.Vec2(0, -0.6 * half)), fixture);
        for (const s of [-1, 1]) body.createFixture(planck.Box(0.1, 0.6 * half, planck.Vec2(s * half, 0)), fixture);
        return [body];
      }
      case "ball":
      case "bouncy_ball": {
        const body = this.world.createBody({ type: "dynamic", position: planck.Vec2(x, y) });
        body.createFixture(planck.Circle(tool.size), {
          ...fixture,
          density: DENSITY,
          userData: { ...solid, colour: CREATE_COLOURS.dynamicTool as Rgb },
        });
        return [body];
      }
      case "triangle":
      case "bouncy_triangle":
      case "square":
      case "pentagon":
      case "hexagon": {
        const sides = { triangle: 3, bouncy_triangle: 3, square: 4, pentagon: 5, hexagon: 6 }[tool.cls];
        const body = this.world.createBody({ type: "dynamic", position: planck.Vec2(x, y), angle });
        const verts = Array.from({ length: sides }, (_, i) => {
          const t = Math.PI / 2 + (2 * Math.PI * i) / sides;
          return planck.Vec2(tool.size * Math.cos(t), tool.size * Math.sin(t));
        });
        body.createFixture(planck.Polygon(verts), {
          ...fixture,
          density: DENSITY,
          userData: { ...solid, colour: CREATE_COLOURS.dynamicTool as Rgb },
        });
        return [body];
      }
      case "cannon": {
        // A barrel whose inside (a sensor) fires whatever enters it along the barrel.
        const body = staticBody();
        const len = tool.size;
        body.createFixture(planck.Box(len / 2, 0.1, planck.Vec2(0, 0.6)), fixture);
        body.createFixture(planck.Box(len / 2, 0.1, planck.Vec2(0, -0.6)), fixture);
        body.createFixture(planck.Box(0.1, 0.7, planck.Vec2(-len / 2, 0)), fixture);
        const mouth = body.createFixture(planck.Box(len / 2 - 0.1, 0.5), {
          isSensor: true,
          userData: {
            role: "tool",
            colour: CREATE_COLOURS.field as Rgb,
            solid: false,
            field: { kind: "cannon", strength: tool.strength, dir },
          } satisfies FixtureTag,
        });
        this.fields.push(mouth);
        return [body];
      }
      case "fan": {
        // A fan housing and the wind region in front of it, `size` metres long.
        const body = staticBody();
        body.createFixture(planck.Box(0.3, 0.7), fixture);
        const wind = body.createFixture(planck.Box(tool.size / 2, 0.7, planck.Vec2(0.3 + tool.size / 2, 0)), {
          isSensor: true,
          userData: {
            role: "tool",
            colour: CREATE_COLOURS.field as Rgb,
            solid: false,
            field: { kind: "fan", strength: tool.strength, dir },
          } satisfies FixtureTag,
        });
        this.fields.push(wind);
        return [body];
      }
    }
  }

  /** Removes bodies (a rejected placement) and their air regions and activator pads. */
  removeBodies(bodies: readonly planck.Body[]): void {
    for (const b of bodies) {
      for (let f = b.getFixtureList(); f; f = f.getNext()) {
        for (const list of [this.fields, this.activators]) {
          const i = list.indexOf(f);
          if (i >= 0) list.splice(i, 1);
        }
      }
      this.world.destroyBody(b);
    }
  }

  /**
   * True when a fixture of `bodies` overlaps a fixture of any other body, both `blocking` (by
   * default solid ones; activator pads only block each other, §B4.2).
   */
  overlapsOthers(bodies: readonly planck.Body[], blocking = (t: FixtureTag) => t.solid): boolean {
    for (const b of bodies) {
      for (let f = b.getFixtureList(); f; f = f.getNext()) {
        if (!blocking(tagOf(f))) continue;
        for (let o = this.world.getBodyList(); o; o = o.getNext()) {
          if (bodies.includes(o)) continue;
          for (let g = o.getFixtureList(); g; g = g.getNext()) {
            if (!blocking(tagOf(g))) continue;
            if (planck.testOverlap(f.getShape(), 0, g.getShape(), 0, b.getTransform(), o.getTransform())) return true;
          }
        }
      }
    }
    return false;
  }

  /** True when a fixture of `bodies` reaches outside the square |x|, |y| ≤ `half` metres. */
  outside(bodies: readonly planck.Body[], half: number): boolean {
    for (const b of bodies) {
      for (let f = b.getFixtureList(); f; f = f.getNext()) {
        const box = f.getAABB(0);
        if (box.lowerBound.x < -half || box.lowerBound.y < -half || box.upperBound.x > half || box.upperBound.y > half)
          return true;
      }
    }
    return false;
  }
}

export function tagOf(f: planck.Fixture): FixtureTag {
  return f.getUserData() as FixtureTag;
}
