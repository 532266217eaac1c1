/**
 * Chooses CREATE's 2-D physics engine (the numbers in src/discrete/README.md, "CREATE"): planck
 * (a TypeScript Box2D port) against matter-js on a small CREATE-like scene, a ball rolling down a
 * ramp onto a stack of 5 boxes, with a fixed time step.
 *
 * - speed: physics steps per second of that scene (best of `rounds`);
 * - determinism: two runs with the same inputs in one process, bit-identical positions?
 * - stability: the largest displacement of a settled 5-box stack over the next 1,000 steps.
 *
 *   tsx packages/envs/bench/create-physics.ts [--steps=2000] [--rounds=3]
 */
import Matter from "matter-js";
import * as planck from "planck";

/** Scene in metres, y up: floor at y = 0, 5 boxes of 1 m, ramp on the left, ball on the ramp. */
const DT = 1 / 60;
const GRAVITY = 10;
const BOXES = 5;
const BOX = 1;
const BALL_RADIUS = 0.4;

interface Scene {
  step(): void;
  /** Positions (x, y) of the ball (if any) and the boxes, in metres. */
  positions(): Float64Array;
}

function planckScene(withBall: boolean): Scene {
  const world = new planck.World({ gravity: planck.Vec2(0, -GRAVITY) });
  world.createBody().createFixture(planck.Edge(planck.Vec2(-20, 0), planck.Vec2(20, 0)), { friction: 0.6 });
  world
    .createBody()
    .createFixture(planck.Polygon([planck.Vec2(-9, 0), planck.Vec2(-3, 0), planck.Vec2(-9, 4)]), { friction: 0.6 });
  const bodies: planck.Body[] = [];
  if (withBall) {
    const ball = world.createBody({ type: "dynamic", position: planck.Vec2(-8, 4.5) });
    ball.createFixture(planck.Circle(BALL_RADIUS), { density: 1, friction: 0.6, restitution: 0.2 });
    bodies.push(ball);
  }
  for (let i = 0; i < BOXES; i++) {
    const box = world.createBody({ type: "dynamic", position: planck.Vec2(2, BOX / 2 + i * BOX) });
    box.createFixture(planck.Box(BOX / 2, BOX / 2), { density: 1, friction: 0.6 });
    bodies.push(box);
  }
  return {
    step: () => world.step(DT, 8, 3),
    positions: () => Float64Array.from(bodies.flatMap((b) => [b.getPosition().x, b.getPosition().y])),
  };
}

/** matter-js works in pixels; 1 m = 20 px, y down, gravity scaled so that 1 g = 10 m/s². */
function matterScene(withBall: boolean): Scene {
  const S = 20;
  const engine = Matter.Engine.create({ gravity: { x: 0, y: 1, scale: (GRAVITY * S) / 1e6 } });
  const { Bodies, Composite } = Matter;
  const floor = Bodies.rectangle(0, S * 0.5, 40 * S, S, { isStatic: true, friction: 0.6 });
  const ramp = Bodies.fromVertices(-7 * S, (-4 / 3) * S, [
    [
      { x: -9 * S, y: 0 },
      { x: -3 * S, y: 0 },
      { x: -9 * S, y: -4 * S },
    ],
  ]);
  Matter.Body.setStatic(ramp, true);
  const bodies: Matter.Body[] = [];
  if (withBall) bodies.push(Bodies.circle(-8 * S, -4.5 * S, BALL_RADIUS * S, { friction: 0.6, restitution: 0.2 }));
  for (let i = 0; i < BOXES; i++) {
    bodies.push(Bodies.rectangle(2 * S, -(BOX / 2 + i * BOX) * S, BOX * S, BOX * S, { friction: 0.6 }));
  }
  Composite.add(engine.world, [floor, ramp, ...bodies]);
  return {
    step: () => Matter.Engine.update(engine, DT * 1000),
    positions: () => Float64Array.from(bodies.flatMap((b) => [b.position.x / S, -b.position.y / S])),
  };
}

function run(make: (withBall: boolean) => Scene, steps: number): Float64Array {
  const scene = make(true);
  for (let i = 0; i < steps; i++) scene.step();
  return scene.positions();
}

export interface EngineReport {
  engine: string;
  stepsPerSecond: number;
  bitIdentical: boolean;
  /** Largest box displacement (m) of the settled stack over 1,000 steps. */
  stackDrift: number;
  /** The ball's x after `steps` steps (it starts at −8 on the ramp; the stack stands at 1.5..2.5). */
  ballX: number;
}

export function compareEngine(engine: string, make: (withBall: boolean) => Scene, steps: number, rounds: number) {
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    run(make, steps);
    best = Math.max(best, steps / ((performance.now() - t0) / 1000));
  }
  const a = run(make, steps);
  const b = run(make, steps);
  // Drift is measured from the settled stack (after 100 steps), so the initial contact-skin
  // settling of a few millimetres per box does not count.
  const stack = make(false);
  for (let i = 0; i < 100; i++) stack.step();
  const before = stack.positions();
  for (let i = 0; i < 1000; i++) stack.step();
  const after = stack.positions();
  let drift = 0;
  for (let i = 0; i < before.length; i += 2) {
    const dx = (after[i] as number) - (before[i] as number);
    const dy = (after[i + 1] as number) - (before[i + 1] as number);
    drift = Math.max(drift, Math.hypot(dx, dy));
  }
  return {
    engine,
    stepsPerSecond: Math.round(best),
    bitIdentical: a.every((v, i) => Object.is(v, b[i])),
    stackDrift: drift,
    ballX: a[0] as number,
  } satisfies EngineReport;
}

export function runCreatePhysicsBench({ steps = 2000, rounds = 3 } = {}): EngineReport[] {
  const reports = [
    compareEngine("planck 1.5.0", planckScene, steps, rounds),
    compareEngine("matter-js 0.20.0", matterScene, steps, rounds),
  ];
  console.table(reports);
  return reports;
}

if (process.argv[1]?.endsWith("create-physics.ts")) {
  const arg = (name: string, fallback: number) =>
    Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
  runCreatePhysicsBench({ steps: arg("steps", 2000), rounds: arg("rounds", 3) });
}
