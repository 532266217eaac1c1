import { describe, expect, it } from "vitest";
import { expectActionSetEnvConformance } from "../../test/action-set-conformance.js";
import { EnvError, RenderModeError, UnavailableActionError, UnknownSplitError } from "../errors.js";
import { make } from "../registry.js";
import { getActionRepresentation } from "./action-representation.js";
import {
  DIG_LAVA_REPRESENTATIONS,
  type DigLavaConfig,
  DigLavaEnv,
  DL_EMPTY,
  DL_GOAL,
  DL_ORANGE,
  DL_PINK,
  DL_SUBGOAL,
  DIG_LAVA_REWARD as R,
} from "./dig-lava.js";
import "./index.js";

const [RIGHT, DOWN, , UP, TURN_LEFT, , , DIG_ORANGE, DIG_PINK] = [0, 1, 2, 3, 4, 5, 6, 7, 8];

/** A reset env whose episode offers exactly `optional` (two of skills 5–8). */
function envWith(optional: [number, number], config: DigLavaConfig = {}): DigLavaEnv {
  const env = new DigLavaEnv(config);
  for (let seed = 0; seed < 200; seed++) {
    const [obs] = env.reset({ seed });
    if (obs.actionIds[5] === optional[0] && obs.actionIds[6] === optional[1]) return env;
  }
  throw new Error(`no seed below 200 offers skills ${optional}`);
}

function run(env: DigLavaEnv, actions: number[]) {
  return actions.map((a) => {
    const [, reward, terminated, truncated, info] = env.step(a);
    return { reward, terminated, truncated, info };
  });
}

describe("DigLava-v0", () => {
  it("passes the env checker, seeded resets, ResetNeeded after the end, the time limit and vector autoreset", () => {
    expectActionSetEnvConformance("DigLava-v0");
  });

  it("lays out two lava rivers with gaps top (orange) and bottom (pink), subgoal columns 4 and 8, a 162-d state", () => {
    const env = new DigLavaEnv();
    const [obs] = env.reset({ seed: 0 });
    expect(obs.state.length).toBe(162);
    for (let y = 1; y <= 9; y++) {
      expect(env.cell(3, y)).toBe(y === 1 ? DL_EMPTY : DL_ORANGE);
      expect(env.cell(7, y)).toBe(y === 9 ? DL_EMPTY : DL_PINK);
      expect(env.cell(4, y)).toBe(DL_SUBGOAL);
      expect(env.cell(8, y)).toBe(DL_SUBGOAL);
    }
    expect(env.cell(9, 5)).toBe(DL_GOAL);
    expect([env.x, env.y, env.dir]).toEqual([1, 5, 0]);
    // Interior cell (x, y) is state[(y − 1)·9 + x − 1]; the agent one-hot follows.
    expect(obs.state[(5 - 1) * 9 + (3 - 1)]).toBe(DL_ORANGE);
    expect(obs.state[81 + (5 - 1) * 9 + (1 - 1)]).toBe(1);
    expect(obs.state.subarray(81).reduce((a, b) => a + b, 0)).toBe(1);
  });

  it("offers the 5 fixed skills plus 2 of the other 4 (all 6 pairs occur), with Table B.1 features", () => {
    const env = new DigLavaEnv();
    const pairs = new Set<string>();
    for (let seed = 0; seed < 100; seed++) {
      const [obs] = env.reset({ seed });
      expect(Array.from(obs.actionIds.subarray(0, 5))).toEqual([0, 1, 2, 3, 4]);
      expect(obs.actionMask.every((m) => m === 1)).toBe(true);
      const [a, b] = [obs.actionIds[5] as number, obs.actionIds[6] as number];
      expect(a).toBeGreaterThanOrEqual(5);
      expect(b).toBeGreaterThan(a);
      expect(b).toBeLessThanOrEqual(8);
      pairs.add(`${a},${b}`);
      expect(Array.from(obs.actionFeatures.subarray(6 * 11, 7 * 11))).toEqual(DIG_LAVA_REPRESENTATIONS[b]);
      expect(Array.from(env.actionMask())).toEqual(
        Array.from({ length: 9 }, (_, i) => (i < 5 || i === a || i === b ? 1 : 0)),
      );
    }
    expect(pairs.size).toBe(6);
    const rep = getActionRepresentation(make("DigLava-v0"));
    expect([rep.numItems, rep.dim]).toEqual([9, 11]);
    expect(Array.from(rep.itemEmbeddings.subarray(8 * 11))).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("says which skills are variable (drawn per episode): 5–8, through make()'s wrappers", () => {
    const variable = make("DigLava-v0").getWrapperAttr("variableActions") as number[];
    expect(variable).toEqual([5, 6, 7, 8]);
    const [obs] = new DigLavaEnv().reset({ seed: 3 });
    expect(Array.from(obs.actionIds).filter((id) => variable.includes(id))).toHaveLength(2);
  });

  it("pays R_E for a new cell and nothing for a revisit", () => {
    const env = envWith([5, 6]);
    const steps = run(env, [RIGHT, 2 /* move-left */, TURN_LEFT]);
    expect(steps.map((s) => s.reward)).toEqual([R.exploration, 0, 0]);
  });

  it("pays the subgoal with its decay and refunds the exploration bonus collected on the way (top gap)", () => {
    const env = envWith([5, 6]);
    // Up 4 to (1, 1), right through the gap (3, 1) into subgoal column 4 at t = 7: 7 new cells.
    const steps = run(env, [UP, UP, UP, UP, RIGHT, RIGHT, RIGHT]);
    expect(steps.slice(0, 6).map((s) => s.reward)).toEqual(new Array(6).fill(R.exploration));
    const subgoal = R.exploration + R.subgoal * (1 - (R.subgoalDecay * 7) / 50) - R.exploration * 7;
    expect(steps[6]?.reward).toBeCloseTo(subgoal, 12);
    expect(steps[6]?.info.subgoal).toBe(0);
    // Return so far = R_S(1 − λ_S·t/N): the exploration bonus is handed back in full.
    expect(steps.reduce((a, s) => a + s.reward, 0)).toBeCloseTo(R.subgoal * (1 - (0.9 * 7) / 50), 12);
    // The reached column is no longer shown as a subgoal, and re-entering it pays nothing.
    expect(env.cell(4, 5)).toBe(DL_EMPTY);
    expect(run(env, [2, RIGHT]).map((s) => s.reward)).toEqual([0, 0]);
  });

  it("without digs: the full return is the subgoal and goal terms only (t = 7, 19, 24)", () => {
    const env = envWith([5, 6]);
    const path = [UP, UP, UP, UP, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT, ...new Array(8).fill(DOWN), RIGHT, RIGHT, RIGHT];
    path.push(UP, UP, UP, UP);
    const steps = run(env, path);
    expect(steps.findIndex((s) => s.info.subgoal === 1)).toBe(18);
    const last = steps[steps.length - 1];
    expect(steps.length).toBe(24);
    expect(last?.terminated).toBe(true);
    expect(last?.info.success).toBe(true);
    const total = steps.reduce((a, s) => a + s.reward, 0);
    const expected =
      R.subgoal * (1 - (0.9 * 7) / 50) + R.subgoal * (1 - (0.9 * 19) / 50) + R.goal * (1 - (0.99 * 24) / 50);
    expect(total).toBeCloseTo(expected, 10);
    expect(() => env.step(RIGHT)).toThrow(/reset\(\) before step/);
  });

  it("digs through both rivers: R_D per dig, shorter path, higher return (hand-computed per step)", () => {
    const env = envWith([DIG_ORANGE, DIG_PINK]);
    const path = [RIGHT, RIGHT, DIG_ORANGE, RIGHT, RIGHT, RIGHT, RIGHT, DIG_PINK, RIGHT, RIGHT];
    const steps = run(env, path);
    const e = R.exploration;
    const expected = [
      e, // (2, 5)
      e, // into orange lava (3, 5): alive for now
      R.dig, // the lava cell becomes empty
      e + R.subgoal * (1 - (0.9 * 4) / 50) - e * 3, // (4, 5): subgoal 1, 3 bonuses since the start
      e,
      e,
      e, // into pink lava (7, 5)
      R.dig,
      e + R.subgoal * (1 - (0.9 * 9) / 50) - e * 4, // (8, 5): subgoal 2, 4 bonuses since subgoal 1
      e + R.goal * (1 - (0.99 * 10) / 50) - e * 1, // goal (9, 5) at t = 10
    ];
    steps.forEach((s, t) => {
      expect(s.reward).toBeCloseTo(expected[t] as number, 12);
    });
    expect(steps.map((s) => s.info.dug)).toEqual([false, false, true, false, false, false, false, true, false, false]);
    expect(steps[9]?.terminated).toBe(true);
    expect(steps.reduce((a, s) => a + s.reward, 0)).toBeCloseTo(
      2 * R.dig + R.subgoal * (2 - (0.9 * 13) / 50) + R.goal * (1 - (0.99 * 10) / 50),
      12,
    );
    expect(env.cell(3, 5)).toBe(DL_EMPTY);
    expect(env.cell(7, 5)).toBe(DL_EMPTY);
  });

  it("dies after a second step in lava without the matching dig; movement is blocked on lava", () => {
    const env = envWith([6, DIG_PINK]);
    const steps = run(env, [RIGHT, RIGHT]);
    expect(steps[1]?.terminated).toBe(false);
    const [, r, terminated, , info] = env.step(DIG_PINK); // wrong colour: no dig, still on orange lava
    expect([r, terminated, info.died, info.success, info.dug]).toEqual([0, true, true, false, false]);
    const moving = envWith([5, 6]);
    run(moving, [RIGHT, RIGHT]);
    const [, , dead] = moving.step(RIGHT);
    expect([moving.x, moving.y, dead]).toEqual([3, 5, true]);
  });

  it("names unavailable skills and rejects reset options", () => {
    const env = make("DigLava-v0");
    const [obs] = env.reset({ seed: 0 });
    const missing = [5, 6, 7, 8].find((s) => !obs.actionIds.includes(s)) as number;
    expect(() => env.step(missing)).toThrow(UnavailableActionError);
    const inner = envWith([5, 6]);
    expect(() => inner.step(DIG_ORANGE)).toThrow(UnavailableActionError);
    expect(() => inner.step(9)).toThrow(/outside/);
    expect(() => env.reset({ options: { split: "test" } })).toThrow(UnknownSplitError);
    expect(() => env.reset({ options: { split: "test" } })).toThrow(/only the train split/);
    expect(() => env.reset({ options: { other: 1 } })).toThrow(EnvError);
    expect(env.reset({ seed: 0, options: { split: "train" } })[0]).toEqual(obs);
    expect(() => new DigLavaEnv({ size: 9 } as never)).toThrow(/invalid config/);
  });

  it("renders an RGB frame that changes when the agent moves", () => {
    expect(() => envWith([5, 6]).render()).toThrow(RenderModeError);
    const env = envWith([5, 6], { renderMode: "rgb_array" });
    const before = env.render();
    expect([before.width, before.height, before.data.length]).toEqual([176, 176, 176 * 176 * 3]);
    // Lava tile (3, 5) is orange in its centre.
    const px = (x: number, y: number) => Array.from(before.data.subarray((y * 176 + x) * 3, (y * 176 + x) * 3 + 3));
    expect(px(3 * 16 + 8, 5 * 16 + 8)).toEqual([255, 140, 0]);
    env.step(RIGHT);
    const after = env.render();
    expect(after.data).not.toEqual(before.data);
    expect(env.metadata.renderModes).toEqual(["rgb_array"]);
  });
});
