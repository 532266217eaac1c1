import { describe, expect, it } from "vitest";
import { expectActionSetEnvConformance } from "../../test/action-set-conformance.js";
import { ActionSetSizeError, RenderModeError, UnavailableActionError, UnknownSplitError } from "../errors.js";
import { make } from "../registry.js";
import type { ActionSetObservation } from "./action-set.js";
import "./index.js";
import { NearestItemWrapper } from "./nearest-item.js";
import {
  collectSkillPlayObservations,
  NUM_SKILLS,
  SG_AGENT,
  SG_EMPTY,
  SG_GOAL,
  SG_LAVA,
  SG_SUBGOAL,
  SG_WALL,
  type SkillGridWorldConfig,
  SkillGridWorldEnv,
  skillMoves,
} from "./skill-grid-world.js";

/** Skill id of a move list (0 up, 1 down, 2 left, 3 right), first move most significant. */
const skill = (moves: number[]) => moves.reduce((k, m) => 4 * k + m, 0);
const [U, D, L, R] = [0, 1, 2, 3];

/** A reset env with a vertical lava wall at x = `at`, opening at row `opening`, and `skills` available. */
function envWithWall(
  at: number,
  opening: number,
  skills: number[],
  config: SkillGridWorldConfig = {},
): SkillGridWorldEnv {
  const env = new SkillGridWorldEnv(config);
  env.reset({ seed: 0 });
  for (let y = 1; y <= 7; y++) {
    for (let x = 1; x <= 7; x++) env.grid[y * 9 + x] = SG_EMPTY;
    env.grid[y * 9 + at] = y === opening ? SG_SUBGOAL : SG_LAVA;
  }
  env.grid[7 * 9 + 7] = SG_GOAL;
  env.actionSpace.setAvailable(skills);
  return env;
}

describe("SkillGridWorld-v0", () => {
  it("passes the env checker, seeded resets, ResetNeeded after the end, the time limit and vector autoreset", () => {
    expectActionSetEnvConformance("SkillGridWorld-v0");
  });

  it("draws one lava wall (either orientation, at 2, 4 or 6) with one opening; start (1, 1), goal (7, 7)", () => {
    const env = new SkillGridWorldEnv();
    const kinds = new Set<string>();
    for (let seed = 0; seed < 60; seed++) {
      const [obs] = env.reset({ seed });
      expect(obs.state.length).toBe(81);
      expect(obs.state[1 * 9 + 1]).toBe(SG_AGENT);
      expect(obs.state[7 * 9 + 7]).toBe(SG_GOAL);
      expect(obs.state[0]).toBe(SG_WALL);
      const lava = [...obs.state.keys()].filter((i) => obs.state[i] === SG_LAVA);
      const opening = [...obs.state.keys()].filter((i) => obs.state[i] === SG_SUBGOAL);
      expect(lava.length).toBe(6);
      expect(opening.length).toBe(1);
      const cells = [...lava, ...opening].map((i) => [i % 9, Math.floor(i / 9)] as const);
      const vertical = cells.every(([x]) => x === cells[0]?.[0]);
      const at = vertical ? cells[0]?.[0] : cells[0]?.[1];
      expect([2, 4, 6]).toContain(at);
      kinds.add(`${vertical ? "v" : "h"}${at}`);
    }
    expect(kinds.size).toBe(6);
  });

  it("numbers the 1,024 skills in base 4, first move most significant", () => {
    expect(skillMoves(0)).toEqual([U, U, U, U, U]);
    expect(skillMoves(1023)).toEqual([R, R, R, R, R]);
    expect(skillMoves(27)).toEqual([U, U, D, L, R]);
    expect(skill([R, D, U, L, D])).toBe(3 * 256 + 1 * 64 + 0 * 16 + 2 * 4 + 1);
    const env = new SkillGridWorldEnv();
    expect(Array.from(env.inventory.representations.subarray(27 * 5, 28 * 5))).toEqual(
      [-1, -1, -1 / 3, 1 / 3, 1].map(Math.fround),
    );
  });

  it("Eq. A.1: 0.1 at the first pass through the opening, 1 − 0.9·N/50 at the goal, N counting every move", () => {
    const path = [skill([R, R, R, R, R]), skill([D, D, D, D, D]), skill([R, D, U, U, U])];
    const env = envWithWall(4, 1, path);
    const [, r1, t1, , i1] = env.step(path[0] as number);
    expect([r1, t1, env.x, env.y, i1.moves]).toEqual([0.1, false, 6, 1, 5]);
    const [o2, r2] = env.step(path[1] as number);
    expect([r2, env.x, env.y]).toEqual([0, 6, 6]);
    // The passed opening shows as empty from then on.
    expect(o2.state[1 * 9 + 4]).toBe(SG_EMPTY);
    // Goal on the 2nd move of the 3rd skill: N = 12; the last 3 moves are dropped.
    const [, r3, t3, , i3] = env.step(path[2] as number);
    expect(r3).toBeCloseTo(1 - (0.9 * 12) / 50, 12);
    expect([t3, i3.success, i3.moves, env.x, env.y]).toEqual([true, true, 12, 7, 7]);
  });

  it("bumping into the wall ring is a no-op move; lava ends the episode; the subgoal pays once", () => {
    const bump = envWithWall(4, 3, [skill([U, U, L, L, U])]);
    const [, r, t, , info] = bump.step(skill([U, U, L, L, U]));
    expect([r, t, bump.x, bump.y, info.moves]).toEqual([0, false, 1, 1, 5]);

    const burn = envWithWall(2, 7, [skill([D, R, R, R, R])]);
    const [, rb, tb, , ib] = burn.step(skill([D, R, R, R, R]));
    expect([rb, tb, ib.lava, ib.success, ib.moves, burn.x, burn.y]).toEqual([0, true, true, false, 2, 2, 2]);

    const twice = envWithWall(2, 1, [skill([R, L, R, L, R])]);
    const [, rt] = twice.step(skill([R, L, R, L, R]));
    expect(rt).toBeCloseTo(0.1, 12);
  });

  it("keeps held-out skills out of train episodes (300 seeds) and serves a split per reset option", () => {
    const env = make("SkillGridWorld-v0");
    const inner = env.unwrapped as SkillGridWorldEnv;
    const heldOut = new Set([...inner.inventory.ids("validation"), ...inner.inventory.ids("test")]);
    for (let seed = 0; seed < 300; seed++) {
      const [obs] = env.reset({ seed });
      expect(obs.actionIds.length).toBe(50);
      for (const id of obs.actionIds) expect(heldOut.has(id)).toBe(false);
    }
    const test = new Set(inner.inventory.ids("test"));
    const [obs, info] = env.reset({ options: { split: "test" } });
    expect(info.split).toBe("test");
    for (const id of obs.actionIds) expect(test.has(id)).toBe(true);
    // The next reset without the option is back on the configured split.
    const [back] = env.reset();
    for (const id of back.actionIds) expect(heldOut.has(id)).toBe(false);
    const testEnv = make("SkillGridWorld-v0", { split: "test" });
    const [t] = testEnv.reset({ seed: 0 });
    for (const id of t.actionIds) expect(test.has(id)).toBe(true);
    const outside = [...heldOut][0] as number;
    expect(() => env.step(outside)).toThrow(UnavailableActionError);
  });

  it("names an unknown split and an action-set size larger than the split", () => {
    expect(() => make("SkillGridWorld-v0", { split: "holdout" })).toThrow(UnknownSplitError);
    expect(() => make("SkillGridWorld-v0", { split: "test", actionsPerEpisode: 257 })).toThrow(ActionSetSizeError);
    const env = make("SkillGridWorld-v0", { actionsPerEpisode: 300 });
    expect(() => env.reset({ options: { split: "validation" } })).toThrow(ActionSetSizeError);
    expect(() => env.reset({ options: { split: "val" } })).toThrow(UnknownSplitError);
    expect(() => make("SkillGridWorld-v0", { representations: new Float32Array(10) })).toThrow(/not 1024 × d/);
  });

  it("takes learned representations, e.g. 16-d, and pads the set to maxActions", () => {
    const reps = Float32Array.from({ length: NUM_SKILLS * 16 }, (_, i) => i / 1000);
    const env = make("SkillGridWorld-v0", { representations: reps, maxActions: 64 });
    const [obs] = env.reset({ seed: 1 }) as [ActionSetObservation, unknown];
    const id = obs.actionIds[3] as number;
    expect(Array.from(obs.actionFeatures.subarray(3 * 16, 4 * 16))).toEqual(
      Array.from(reps.subarray(id * 16, id * 16 + 16)),
    );
    expect(obs.actionMask.reduce((a, b) => a + b, 0)).toBe(50);
    expect(obs.actionIds[50]).toBe(-1);
  });

  it("NearestItemWrapper snaps a proto-action to the nearest skill of this episode's set", () => {
    const env = new SkillGridWorldEnv();
    const wrapped = new NearestItemWrapper(env);
    const [obs] = wrapped.reset({ seed: 4 });
    const offered = new Set(obs.actionIds);
    const absent = [...Array(NUM_SKILLS).keys()].find((k) => !offered.has(k)) as number;
    const proto = env.inventory.representations.slice(absent * 5, absent * 5 + 5);
    const item = wrapped.nearestItem(proto);
    expect(offered.has(item)).toBe(true);
    const [, , , , info] = wrapped.step(proto);
    expect(info.item).toBe(item);
    wrapped.close();
  });

  it("renders an RGB frame that changes when the agent moves", () => {
    expect(() => envWithWall(4, 1, [skill([D, D, D, D, D])]).render()).toThrow(RenderModeError);
    const env = envWithWall(4, 1, [skill([D, D, D, D, D])], { renderMode: "rgb_array" });
    const before = env.render();
    expect([before.width, before.height]).toEqual([144, 144]);
    env.step(skill([D, D, D, D, D]));
    expect(env.render().data).not.toEqual(before.data);
  });
});

describe("skill play observations (App. A.1)", () => {
  it("records 5-move (x, y) trajectories from random starts on an 80 × 80 grid, deterministic per seed", () => {
    const a = collectSkillPlayObservations({ seed: 3, trajectoriesPerSkill: 64 });
    const b = collectSkillPlayObservations({ seed: 3, trajectoriesPerSkill: 64 });
    const c = collectSkillPlayObservations({ seed: 4, trajectoriesPerSkill: 64 });
    expect(a.positions.length).toBe(NUM_SKILLS * 64 * 6 * 2);
    const bytes = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
    expect(bytes(a.positions).equals(bytes(b.positions))).toBe(true);
    expect(bytes(a.positions).equals(bytes(c.positions))).toBe(false);
    const deltas = [
      [0, -1],
      [0, 1],
      [-1, 0],
      [1, 0],
    ];
    let bumps = 0;
    let wrong = 0;
    let outside = 0;
    for (let k = 0; k < NUM_SKILLS; k += 37) {
      const moves = skillMoves(k);
      for (let t = 0; t < 64; t++) {
        const p = a.positions.subarray((k * 64 + t) * 12, (k * 64 + t + 1) * 12);
        for (let j = 0; j < 5; j++) {
          const [x0, y0, x1, y1] = Array.from(p.subarray(2 * j, 2 * j + 4));
          const [dx, dy] = deltas[moves[j] as number] as number[];
          if (Math.min(x1 as number, y1 as number) < 0 || Math.max(x1 as number, y1 as number) >= 80) outside++;
          if (x1 === x0 && y1 === y0) bumps++;
          else if ((x1 as number) - (x0 as number) !== dx || (y1 as number) - (y0 as number) !== dy) wrong++;
        }
      }
    }
    expect([wrong, outside]).toEqual([0, 0]);
    // Edges are rare on an 80 × 80 grid.
    expect(bumps).toBeLessThan(0.05 * 28 * 64 * 5);
    const some = collectSkillPlayObservations({ seed: 3, skills: [5, 9], trajectoriesPerSkill: 2, gridSize: 3 });
    expect(some.positions.length).toBe(2 * 2 * 12);
    expect(() => collectSkillPlayObservations({ seed: 0, skills: [1024] })).toThrow(/not a skill/);
  });
});
