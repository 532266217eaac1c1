import { QscapeError, Rng } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { loadMujoco, MujocoSim, wasmHeapBytes } from "./adapter.js";
import {
  ANT_XML,
  HALF_CHEETAH_XML,
  HOPPER_XML,
  HUMANOID_XML,
  INVERTED_DOUBLE_PENDULUM_XML,
  INVERTED_PENDULUM_XML,
  REACHER_XML,
  SWIMMER_XML,
  walker2dXml,
} from "./models/index.js";

beforeAll(async () => {
  await loadMujoco();
});

describe("MJCF models", () => {
  // Sizes of the Gymnasium assets: (nq, nv, nu, nbody, timestep).
  const cases: [string, string, number, number, number, number, number][] = [
    ["hopper", HOPPER_XML, 6, 6, 3, 5, 0.002],
    ["walker2d v5", walker2dXml("v5"), 9, 9, 6, 8, 0.002],
    ["walker2d v4", walker2dXml("v4"), 9, 9, 6, 8, 0.002],
    ["half_cheetah", HALF_CHEETAH_XML, 9, 9, 6, 8, 0.01],
    ["ant", ANT_XML, 15, 14, 8, 14, 0.01],
    ["swimmer", SWIMMER_XML, 5, 5, 2, 4, 0.01],
    ["humanoid", HUMANOID_XML, 24, 23, 17, 14, 0.003],
    ["inverted_pendulum", INVERTED_PENDULUM_XML, 2, 2, 1, 3, 0.02],
    ["inverted_double_pendulum", INVERTED_DOUBLE_PENDULUM_XML, 3, 3, 1, 4, 0.01],
    ["reacher", REACHER_XML, 4, 4, 2, 5, 0.01],
  ];
  it.each(cases)("%s compiles with the Gymnasium sizes", (name, xml, nq, nv, nu, nbody, timestep) => {
    const sim = MujocoSim.fromXml(xml, name);
    try {
      expect([sim.nq, sim.nv, sim.nu, sim.nbody]).toEqual([nq, nv, nu, nbody]);
      expect(sim.timestep).toBeCloseTo(timestep, 12);
      expect(sim.size("cfrc_ext")).toBe(6 * nbody);
    } finally {
      sim.dispose();
    }
  });

  it("HalfCheetah's settotalmass gives 14 kg and the hopper starts at z = 1.25 via the rootz ref", () => {
    const cheetah = MujocoSim.fromXml(HALF_CHEETAH_XML);
    const hopper = MujocoSim.fromXml(HOPPER_XML);
    expect(cheetah.bodyMass.reduce((a, b) => a + b, 0)).toBeCloseTo(14, 9);
    expect(Array.from(hopper.initQpos)).toEqual([0, 1.25, 0, 0, 0, 0]);
    cheetah.dispose();
    hopper.dispose();
  });
});

describe("MujocoSim", () => {
  it("reports MuJoCo's compile error for bad XML", () => {
    expect(() => MujocoSim.fromXml("<mujoco><worldbody><geom type='nonsense'/></worldbody></mujoco>", "bad")).toThrow(
      QscapeError,
    );
  });

  it("looks up ids by name and rejects unknown names", () => {
    const sim = MujocoSim.fromXml(INVERTED_DOUBLE_PENDULUM_XML);
    expect(sim.bodyId("cart")).toBe(1);
    expect(sim.siteId("tip")).toBe(0);
    expect(sim.jointId("hinge2")).toBe(2);
    expect(sim.geomId("cpole")).toBeGreaterThan(0);
    expect(() => sim.bodyId("no_such_body")).toThrow(/no body named "no_such_body"/);
    sim.dispose();
  });

  it("steps the physics: a free-falling hopper torso loses height and gains downward velocity", () => {
    const sim = MujocoSim.fromXml(HOPPER_XML);
    const z0 = sim.at("qpos", 1);
    sim.step([0, 0, 0], 25);
    expect(sim.time).toBeCloseTo(0.05, 12);
    expect(sim.at("qpos", 1)).toBeLessThan(z0);
    expect(sim.at("qvel", 1)).toBeLessThan(-0.3);
    expect(() => sim.step([0, 0])).toThrow(/ctrl has length 2, the model has 3 actuators/);
    sim.dispose();
  });

  it("setState round-trips and reset restores the default pose", () => {
    const sim = MujocoSim.fromXml(REACHER_XML);
    sim.setState([0.3, -0.2, 0.05, 0.1], [1, 2, 0, 0]);
    expect(Array.from(sim.read("qpos"))).toEqual([0.3, -0.2, 0.05, 0.1]);
    // mj_forward ran: the target body sits at its joint coordinates (the slide joints' ref is the body offset).
    expect(sim.at("xpos", 3 * sim.bodyId("target"))).toBeCloseTo(0.05, 12);
    const out = new Float32Array(4);
    expect(sim.read("qvel", out)).toBe(out);
    expect(Array.from(out)).toEqual([1, 2, 0, 0]);
    sim.reset();
    expect(Array.from(sim.read("qpos"))).toEqual(Array.from(sim.initQpos));
    expect(sim.time).toBe(0);
    sim.dispose();
  });

  it("computes cfrc_ext only after rnePostConstraint, and the ant's feet then carry its weight", () => {
    const sim = MujocoSim.fromXml(ANT_XML);
    sim.step(new Float64Array(8), 100);
    sim.rnePostConstraint();
    const cfrc = sim.read("cfrc_ext");
    // Row b holds [torque(3), force(3)] of body b; the vertical contact force over all bodies ≈ m·g at rest.
    let fz = 0;
    for (let b = 0; b < sim.nbody; b++) fz += cfrc[6 * b + 5] as number;
    const weight = 9.81 * sim.bodyMass.reduce((a, c) => a + c, 0);
    expect(fz).toBeGreaterThan(0.8 * weight);
    expect(fz).toBeLessThan(1.2 * weight);
    sim.dispose();
  });

  it("keeps reading correct values after the WASM heap grows (views are re-fetched)", () => {
    const a = MujocoSim.fromXml(INVERTED_PENDULUM_XML);
    const b = MujocoSim.fromXml(INVERTED_PENDULUM_XML);
    a.step([0.5], 10);
    const heapBefore = wasmHeapBytes();
    const others: MujocoSim[] = [];
    while (wasmHeapBytes() === heapBefore && others.length < 400) others.push(MujocoSim.fromXml(HUMANOID_XML));
    expect(wasmHeapBytes()).toBeGreaterThan(heapBefore);
    a.step([0.5], 10);
    b.step([0.5], 20);
    expect(Array.from(a.read("qpos"))).toEqual(Array.from(b.read("qpos")));
    for (const o of others) o.dispose();
    a.dispose();
    b.dispose();
  });

  it("refuses use after dispose, and dispose twice is harmless", () => {
    const sim = MujocoSim.fromXml(SWIMMER_XML);
    sim.dispose();
    sim.dispose();
    expect(sim.disposed).toBe(true);
    expect(() => sim.step([0, 0])).toThrow(/after dispose/);
  });

  it("keeps memory flat over 100k physics steps and 300 create/dispose cycles", () => {
    const rng = new Rng(1);
    const sim = MujocoSim.fromXml(INVERTED_DOUBLE_PENDULUM_XML);
    const ctrl = new Float64Array(1);
    const qpos = new Float64Array(sim.nq);
    const run = (steps: number) => {
      for (let i = 0; i < steps; i++) {
        ctrl[0] = rng.uniform(-1, 1);
        sim.step(ctrl, 1);
        sim.read("qpos", qpos);
        if (i % 500 === 0) sim.setState(sim.initQpos, sim.initQvel);
      }
    };
    run(5_000);
    const heap = wasmHeapBytes();
    const rss = process.memoryUsage().rss;
    run(100_000);
    expect(wasmHeapBytes()).toBe(heap);
    expect(process.memoryUsage().rss - rss).toBeLessThan(32 * 2 ** 20);
    sim.dispose();

    for (let i = 0; i < 20; i++) MujocoSim.fromXml(HUMANOID_XML).dispose();
    const heapAfterWarmup = wasmHeapBytes();
    for (let i = 0; i < 300; i++) {
      const s = MujocoSim.fromXml(HUMANOID_XML);
      s.step(new Float64Array(17), 2);
      s.dispose();
    }
    expect(wasmHeapBytes()).toBe(heapAfterWarmup);
  });
});
