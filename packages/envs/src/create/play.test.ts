import { describe, expect, it } from "vitest";
import { EnvError } from "../errors.js";
import { CREATE_PLAY_LENGTH, collectCreatePlayObservations } from "./play.js";
import { generateCreateTools } from "./tools.js";

const tools = generateCreateTools();
const first = (cls: string, size: number, angle: number, elasticity?: number) =>
  tools.findIndex(
    (t) => t.cls === cls && t.size === size && t.angle === angle && (elasticity ?? t.elasticity) === t.elasticity,
  );

describe("collectCreatePlayObservations", () => {
  const ids = [first("ramp", 3, 0), first("trampoline", 3, 0, 1.3), first("cannon", 2, 90)];

  it("records trajectories of length 7 per tool, deterministic per seed", () => {
    const a = collectCreatePlayObservations({ seed: 4, tools: ids, trajectoriesPerTool: 16 });
    expect(a.length).toBe(CREATE_PLAY_LENGTH);
    expect(Array.from(a.tools)).toEqual(ids);
    expect(a.positions.length).toBe(3 * 16 * 7 * 2);
    expect(a.positions.every(Number.isFinite)).toBe(true);
    const b = collectCreatePlayObservations({ seed: 4, tools: ids, trajectoriesPerTool: 16 });
    expect(b.positions).toEqual(a.positions);
    const c = collectCreatePlayObservations({ seed: 5, tools: ids, trajectoriesPerTool: 16 });
    expect(c.positions).not.toEqual(a.positions);
    // Launches start 5–7 m (0.5–0.7 screen units) from the tool at the centre.
    for (let j = 0; j < 3 * 16; j++) {
      const r = Math.hypot(a.positions[j * 14] as number, a.positions[j * 14 + 1] as number);
      expect(r).toBeGreaterThanOrEqual(0.5);
      expect(r).toBeLessThanOrEqual(0.7);
    }
  });

  it("probes every tool with the same launches, which end differently on a ramp, a trampoline and a cannon", () => {
    const obs = collectCreatePlayObservations({ seed: 0, tools: ids, trajectoriesPerTool: 32 });
    const per = 32 * 7 * 2;
    const tool = (k: number) => obs.positions.subarray(k * per, (k + 1) * per);
    const at = (k: number, step: number) => tool(k).filter((_, i) => Math.floor((i % 14) / 2) === step);
    expect(at(1, 0)).toEqual(at(0, 0));
    expect(at(2, 0)).toEqual(at(0, 0));
    expect(at(1, 6)).not.toEqual(at(0, 6));
    expect(at(2, 6)).not.toEqual(at(0, 6));
  });

  it("rejects unknown tool ids and bad trajectory counts", () => {
    expect(() => collectCreatePlayObservations({ seed: 0, tools: [2110] })).toThrow(EnvError);
    expect(() => collectCreatePlayObservations({ seed: 0, tools: [0], trajectoriesPerTool: 0 })).toThrow(EnvError);
  });
});
