import { Rng } from "@qscape/core";
import { describe, expect, it } from "vitest";
import { RenderModeError } from "../errors.js";
import { make } from "../registry.js";
import type { RgbFrame } from "../render/frame.js";
import { getActionRepresentation } from "./action-representation.js";
import "./index.js";
import {
  BROKEN,
  EMPTY,
  GOAL,
  MINE_TYPES,
  MineWorldEnv,
  makeTools,
  mineWorldOracleAction,
  NUM_NAV_ACTIONS,
  WALL,
} from "./mineworld.js";
import { NearestItemWrapper } from "./nearest-item.js";

/** Runs one episode of `policy` on a fresh `make("MineWorld-v0")`; returns success and length. */
function runEpisode(seed: number, policy: (env: MineWorldEnv, rng: Rng) => number) {
  const env = make("MineWorld-v0");
  const inner = env.unwrapped as MineWorldEnv;
  const rng = new Rng(seed + 1);
  env.reset({ seed });
  let ret = 0;
  for (let t = 1; ; t++) {
    const [, reward, terminated, truncated, info] = env.step(policy(inner, rng));
    ret += reward;
    if (terminated || truncated) return { success: info.success === true, steps: t, ret, truncated };
  }
}

describe("MineWorld", () => {
  it("a scripted oracle (shortest path + correct tools) reaches the goal; random play rarely does", () => {
    const oracle = Array.from({ length: 40 }, (_, s) => runEpisode(s, (env) => mineWorldOracleAction(env)));
    const random = Array.from({ length: 40 }, (_, s) => runEpisode(100 + s, (_env, rng) => rng.int(0, 54)));
    expect(oracle.filter((r) => r.success).length).toBeGreaterThanOrEqual(38);
    // The goal reward dominates the oracle's return: 10·(1 − 0.9·t/100) with t well below 100.
    for (const r of oracle.filter((o) => o.success)) expect(r.ret).toBeGreaterThan(10 * (1 - (0.9 * r.steps) / 100));
    expect(random.filter((r) => r.success).length).toBeLessThanOrEqual(2);
    // Random episodes end by the 100-step time limit (a truncation, not a termination).
    expect(random.filter((r) => r.truncated && r.steps === 100).length).toBeGreaterThanOrEqual(38);
  });

  it("re-generates the layout on every reset with fixed start and goal; same seed, same layout", () => {
    const env = new MineWorldEnv();
    env.reset({ seed: 1 });
    const first = env.grid.slice();
    env.reset({ seed: 2 });
    const second = env.grid.slice();
    env.reset({ seed: 1 });
    expect(env.grid).toEqual(first);
    expect(second).not.toEqual(first);
    for (const g of [first, second]) {
      expect(g[0]).toBe(EMPTY);
      expect(g[g.length - 1]).toBe(GOAL);
      const mines = g.filter((v) => v >= 0).length / g.length;
      expect(mines).toBeGreaterThan(0.3);
      expect(mines).toBeLessThan(0.7);
    }
    expect([env.x, env.y, env.dir]).toEqual([0, 0, 0]);
  });

  it("has 50 one-to-one tools: 8 basic breakers and 6 complex tools per complex mine", () => {
    const tools = makeTools(0);
    expect(tools).toHaveLength(50);
    expect(new Set(tools.map((t) => `${t.before}>${t.after}`)).size).toBe(50);
    for (let m = 7; m < MINE_TYPES; m++)
      expect(tools.filter((t) => t.before === m)).toEqual([{ before: m, after: BROKEN }]);
    for (let m = 0; m < 7; m++) {
      const mine = tools.filter((t) => t.before === m);
      expect(mine).toHaveLength(6);
      for (const t of mine) expect(t.after).toBeGreaterThanOrEqual(7);
    }
    expect(makeTools(1)).not.toEqual(tools);
  });

  it("publishes the paper's 4-D action representation, plus optional noise dims", () => {
    const env = make("MineWorld-v0");
    const rep = getActionRepresentation(env);
    expect([rep.numItems, rep.dim]).toEqual([54, 4]);
    const row = (i: number) => Array.from(rep.itemEmbeddings.subarray(i * 4, i * 4 + 4));
    expect(row(0)).toEqual([1, 0, 0, 0]);
    expect(row(3)).toEqual([1, 1, 0, 0]);
    // Tool 0 breaks basic mine 7: [tool, no direction, 7/15, 15/15].
    expect(row(NUM_NAV_ACTIONS)).toEqual([0, 0, Math.fround(7 / 15), 1]);
    const rows = new Set(Array.from({ length: 54 }, (_, i) => row(i).join(",")));
    expect(rows.size).toBe(54);
    for (const v of rep.itemEmbeddings) expect(v >= 0 && v <= 1).toBe(true);
    const noisy = getActionRepresentation(make("MineWorld-v0", { extraActionDims: 5 }));
    expect(noisy.dim).toBe(9);
    expect(noisy.itemEmbeddings[4 * 9 + 2]).toBeCloseTo(7 / 15, 6);
    expect(new Set(Array.from({ length: 54 }, (_, i) => noisy.itemEmbeddings[i * 9 + 6])).size).toBe(54);
  });

  it("pays Eq. 12: tool, bonus, distance shaping and the decaying goal reward", () => {
    const env = new MineWorldEnv();
    env.reset({ seed: 0 });
    const n = env.config.gridSize;
    env.grid.fill(EMPTY);
    env.grid[n * n - 1] = GOAL;
    env.grid[1] = 3; // complex mine right of the start
    const toComplexBasic = env.tools.findIndex((t) => t.before === 3 && t.after !== BROKEN);
    const basic = env.tools[toComplexBasic]?.after as number;
    const wrong = env.tools.findIndex((t) => t.before === 5);
    let [obs, r] = env.step(NUM_NAV_ACTIONS + wrong);
    expect(r).toBe(0);
    expect(obs[7 + 3]).toBe(1); // facing the complex mine
    expect(obs[3]).toBe(0); // right is blocked
    [obs, r] = env.step(NUM_NAV_ACTIONS + toComplexBasic);
    expect(r).toBeCloseTo(0.1, 10);
    expect(env.grid[1]).toBe(basic);
    expect(obs[7 + basic]).toBe(1);
    [obs, r] = env.step(NUM_NAV_ACTIONS + env.tools.findIndex((t) => t.before === basic));
    expect(r).toBeCloseTo(0.2, 10); // correct tool + break bonus
    expect(env.grid[1]).toBe(EMPTY);
    [obs, r] = env.step(0); // step right: Manhattan distance to the goal drops by 1
    expect(r).toBeCloseTo(0.1, 10);
    expect(obs[0]).toBeCloseTo(1 / (n - 1), 6);
    [, r] = env.step(2); // back left: shaping is symmetric
    expect(r).toBeCloseTo(-0.1, 10);
    env.x = n - 2;
    env.y = n - 1;
    const [last, rGoal, terminated, , info] = env.step(0);
    expect(terminated).toBe(true);
    expect(info.success).toBe(true);
    expect(rGoal).toBeCloseTo(0.1 + 10 * (1 - (0.9 * 6) / 100), 10);
    expect(last[0]).toBe(1);
    expect(() => env.step(0)).toThrow(/reset\(\)/);
  });

  it("walls and the border block moves; the agent only turns", () => {
    const env = new MineWorldEnv({ rewardPreset: "code" });
    env.reset({ seed: 3 });
    env.grid.fill(EMPTY);
    env.grid[env.config.gridSize] = WALL; // below the start
    let [obs, r] = env.step(3); // up: border
    expect([env.x, env.y, env.dir, r]).toEqual([0, 0, 3, 0]);
    [obs, r] = env.step(1); // down: wall
    expect([env.x, env.y, env.dir, r]).toEqual([0, 0, 1, 0]);
    expect(Array.from(obs.subarray(3, 7))).toEqual([1, 0, 0, 0]);
    expect(env.config.rewardGoal).toBe(30);
    expect(env.config.rewardTool).toBe(0.05);
  });

  it("rejects bad configs and actions with messages naming the problem", () => {
    expect(() => make("MineWorld-v0", { gridSize: 2 })).toThrow(/gridSize/);
    expect(() => new MineWorldEnv({ mineDensity: 0.8, wallDensity: 0.3 })).toThrow(/mineDensity \+ wallDensity/);
    expect(() => new MineWorldEnv({ bogus: 1 } as never)).toThrow(/bogus/);
    const env = new MineWorldEnv();
    expect(() => env.step(0)).toThrow(/reset\(\) before step/);
    env.reset({ seed: 0 });
    expect(() => env.step(54)).toThrow(/action 54 is not in Discrete\(54\)/);
  });
});

describe("NearestItemWrapper on MineWorld", () => {
  it("executes the nearest action of a proto-action and reports it", () => {
    const env = new NearestItemWrapper(make("MineWorld-v0"));
    env.reset({ seed: 0 });
    expect(env.actionSpace.shape).toEqual([4]);
    // Slightly off the "down" navigation vector [1, 1/3, 0, 0].
    const [, , , , info] = env.step(Float32Array.from([0.9, 0.3, 0.05, 0]));
    expect(info.item).toBe(1);
    expect((env.unwrapped as MineWorldEnv).dir).toBe(1);
    // Near tool 0's vector [0, 0, 7/15, 1].
    expect(env.nearestItem([0.1, 0, 0.45, 0.95])).toBe(NUM_NAV_ACTIONS);
    expect(() => env.nearestItem([0, 0])).toThrow(/expected dim 4/);
    env.close();
  });
});

describe("MineWorld rgb_array", () => {
  it("draws the agent in its tile, pointing along its heading, and refuses render() without a mode", () => {
    const env = make("MineWorld-v0", { renderMode: "rgb_array" });
    env.reset({ seed: 3 });
    const mw = env.unwrapped as MineWorldEnv;
    const redBox = (frame: RgbFrame) => {
      let [x0, y0, x1, y1] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, -1, -1];
      for (let p = 0; p < frame.width * frame.height; p++) {
        const [r, g, b] = frame.data.subarray(3 * p, 3 * p + 3);
        if (r !== 255 || g !== 0 || b !== 0) continue;
        const [x, y] = [p % frame.width, Math.floor(p / frame.width)];
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
      }
      return { x0, y0, x1, y1 };
    };
    for (const [x, y, dir] of [
      [0, 0, 0],
      [5, 9, 1],
      [13, 2, 3],
    ] as const) {
      [mw.x, mw.y, mw.dir] = [x, y, dir];
      const frame = env.render() as RgbFrame;
      expect(frame).toMatchObject({ width: 14 * 32, height: 14 * 32 });
      const box = redBox(frame);
      expect(box.x0).toBeGreaterThanOrEqual(32 * x);
      expect(box.x1).toBeLessThan(32 * (x + 1));
      expect(box.y0).toBeGreaterThanOrEqual(32 * y);
      expect(box.y1).toBeLessThan(32 * (y + 1));
      // The triangle's base (the widest edge of its box) faces away from the heading.
      const isRed = (px: number, py: number) =>
        frame.data[3 * (py * frame.width + px) + 1] === 0 && frame.data[3 * (py * frame.width + px)] === 255;
      const count = (edge: "x0" | "x1" | "y0" | "y1") => {
        let n = 0;
        for (let i = 0; i < 32; i++) {
          const vertical = edge[0] === "x";
          if (vertical ? isRed(box[edge], 32 * y + i) : isRed(32 * x + i, box[edge])) n++;
        }
        return n;
      };
      const [base, tip] = ({ 0: ["x0", "x1"], 1: ["y0", "y1"], 3: ["y1", "y0"] } as const)[dir];
      expect(count(base)).toBeGreaterThan(count(tip));
    }
    const plain = make("MineWorld-v0");
    plain.reset({ seed: 0 });
    expect(() => plain.render()).toThrow(RenderModeError);
  });
});
