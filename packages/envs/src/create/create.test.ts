import type { Rng } from "@qscape/core";
import * as planck from "planck";
import { describe, expect, it } from "vitest";
import { expectActionSetEnvConformance } from "../../test/action-set-conformance.js";
import type { ActionSetObservation } from "../discrete/action-set.js";
import {
  ActionSetSizeError,
  InvalidActionError,
  PositionOutOfRangeError,
  UnavailableActionError,
  UnknownLevelError,
  UnknownSplitError,
} from "../errors.js";
import { make } from "../registry.js";
import { CREATE_IMAGE_SIZE, CREATE_STATE_DIM, type CreateAction, CreateEnv, CREATE_REWARD as R } from "./create.js";
import { GOAL_RADIUS } from "./levels.js";
import { CREATE_FULL_SPLIT_HELD_OUT, CREATE_FULL_SPLIT_TRAIN, CREATE_NUM_TOOLS, generateCreateTools } from "./tools.js";
import { CREATE_COLOURS, CREATE_SCALE, CreateWorld, tagOf } from "./world.js";
import "./index.js";

const randomCreateAction = (obs: ActionSetObservation, rng: Rng): CreateAction => {
  const slots = Array.from(obs.actionMask, (m, i) => (m ? i : -1)).filter((i) => i >= 0);
  return { tool: obs.actionIds[rng.choice(slots)] as number, position: [rng.uniform(-1, 1), rng.uniform(-1, 1)] };
};

/** The body of the level's `role` ball (target or marker). */
function body(env: CreateEnv, role: "target" | "marker"): planck.Body {
  for (let b = env.world.world.getBodyList(); b; b = b.getNext()) {
    const f = b.getFixtureList();
    if (f && tagOf(f).role === role) return b;
  }
  throw new Error(`no ${role} body`);
}

/** A reset env whose action set contains `tool` (makes it available by hand otherwise). */
function resetWith(env: CreateEnv, tool: number, seed = 0): void {
  env.reset({ seed });
  env.toolSpace.setAvailable([tool, env.noOp]);
}

const noOp = (env: CreateEnv): CreateAction => ({ tool: env.noOp, position: [0, 0] });
const toolOf = (env: CreateEnv, cls: string, size: number, angle = 0) =>
  env.tools.findIndex((t) => t.cls === cls && t.size === size && t.angle === angle);

describe("CREATE", () => {
  it("passes the env checker, seeded resets, ResetNeeded after the end, the time limit and vector autoreset", () => {
    expectActionSetEnvConformance("CreatePush-v0", {}, randomCreateAction);
  });

  it("registers Push, Obstacle and Seesaw with 30-action episodes and a Dict{tool, position} action", () => {
    for (const id of ["CreatePush-v0", "CreateObstacle-v0", "CreateSeesaw-v0"]) {
      const env = make(id);
      expect(env.spec?.maxEpisodeSteps).toBe(30);
      expect(String(env.actionSpace)).toBe(
        "Dict(position: Box(-1, 1, (2,), float32), tool: ActionSubset(2111, maxAvailable=51))",
      );
      const [obs] = env.reset({ seed: 3 });
      expect(env.observationSpace.contains(obs)).toBe(true);
    }
  });

  it("generates 2,110 tools plus the No-Op, same-parameter tools ≥ 15° apart", () => {
    const tools = generateCreateTools();
    expect(tools.length).toBe(2110);
    expect(CREATE_NUM_TOOLS).toBe(2110);
    const groups = new Map<string, number[]>();
    for (const t of tools) {
      const key = `${t.cls}|${t.size}|${t.friction}|${t.elasticity}|${t.strength}`;
      groups.set(key, [...(groups.get(key) ?? []), t.angle]);
    }
    for (const angles of groups.values()) {
      angles.sort((a, b) => a - b);
      for (let i = 1; i < angles.length; i++) expect((angles[i] as number) - (angles[i - 1] as number)).toBe(15);
    }
  });

  it("offers m = 50 tools of the split plus the No-Op; held-out tools never appear in train episodes", () => {
    const env = new CreateEnv();
    expect(env.inventory.ids("train").length).toBe(1055);
    expect(env.inventory.ids("validation").length).toBe(527);
    expect(env.inventory.ids("test").length).toBe(528);
    const train = new Set(env.inventory.ids("train"));
    for (let seed = 0; seed < 100; seed++) {
      const [obs] = env.reset({ seed });
      expect(obs.actionMask.every((m) => m === 1)).toBe(true);
      expect(obs.actionIds[50]).toBe(env.noOp);
      for (const id of obs.actionIds.subarray(0, 50)) expect(train.has(id)).toBe(true);
    }
    const [test, info] = env.reset({ seed: 1, options: { split: "test" } });
    expect(info.split).toBe("test");
    const testIds = new Set(env.inventory.ids("test"));
    for (const id of test.actionIds.subarray(0, 50)) expect(testIds.has(id)).toBe(true);
  });

  it("full split (Table A.1): train classes train, held-out classes split 1:1 into validation and test", () => {
    const env = new CreateEnv({ toolSplit: "full" });
    const cls = (ids: Int32Array) => new Set(Array.from(ids, (i) => env.tools[i]?.cls));
    expect([...cls(env.inventory.ids("train"))].sort()).toEqual([...CREATE_FULL_SPLIT_TRAIN].sort());
    const [validation, test] = [env.inventory.ids("validation"), env.inventory.ids("test")];
    expect(Math.abs(validation.length - test.length)).toBeLessThanOrEqual(1);
    for (const ids of [validation, test]) {
      for (const c of cls(ids)) expect(CREATE_FULL_SPLIT_HELD_OUT).toContain(c);
    }
    expect(env.inventory.ids("train").length + validation.length + test.length).toBe(1968);
  });

  it("names its errors: unknown level, m larger than the split, unavailable tool, position out of range", () => {
    expect(() => new CreateEnv({ level: "Nope" })).toThrow(UnknownLevelError);
    expect(() => make("CreatePush-v0", { level: "Nope" })).toThrow(UnknownLevelError);
    expect(() => make("CreatePush-v0", { level: "Seesaw" })).toThrow(/fixes level Push; got level Seesaw/);
    expect(() => make("CreateActivatorsPush-v0", { level: "Obstacle" })).toThrow(/fixes level Push/);
    expect(() => new CreateEnv().reset({ options: { split: "dev" } })).toThrow(UnknownSplitError);
    expect(() => new CreateEnv({ toolSplit: "full", split: "test", actionsPerEpisode: 500 })).toThrow(
      ActionSetSizeError,
    );
    const env = new CreateEnv();
    const [obs] = env.reset({ seed: 0 });
    const missing = env.inventory.ids("test")[0] as number;
    expect(obs.actionIds).not.toContain(missing);
    expect(() => env.step({ tool: missing, position: [0, 0] })).toThrow(UnavailableActionError);
    expect(() => env.step({ tool: env.noOp, position: [1.5, 0] })).toThrow(PositionOutOfRangeError);
    expect(() => env.step({ tool: env.noOp, position: [Number.NaN, 0] })).toThrow(PositionOutOfRangeError);
    const wrapped = make("CreatePush-v0");
    wrapped.reset({ seed: 0 });
    expect(() => wrapped.step({ tool: missing, position: [0, 0] })).toThrow(UnavailableActionError);
    expect(() => wrapped.step({ tool: 2110, position: [0, -1.2] })).toThrow(InvalidActionError);
  });

  it("pays 0.01 per action alive, No-Op included", () => {
    const env = new CreateEnv({ level: "Push" });
    env.reset({ seed: 0 });
    const [, reward, terminated, , info] = env.step(noOp(env));
    expect(reward).toBeCloseTo(R.alive, 12);
    expect(terminated).toBe(false);
    expect(info.outcome).toBe("noop");
  });

  it("pays −0.01 for a tool that reaches off the screen and for overlaps, and does not place those tools", () => {
    const env = new CreateEnv({ level: "Obstacle" });
    const ramp = toolOf(env, "ramp", 5);
    resetWith(env, ramp);
    // A 5 m ramp centred 0.5 m from the right edge reaches off the screen: invalid.
    let [, reward, , , info] = env.step({ tool: ramp, position: [0.95, 0] });
    expect(info.outcome).toBe("invalid");
    expect(reward).toBeCloseTo(R.alive + R.invalid, 12);
    [, reward, , , info] = env.step({ tool: ramp, position: [0.5, 0.5] });
    expect(info.outcome).toBe("placed");
    expect(reward).toBeCloseTo(R.alive, 12);
    // Within 0.3 of a placed tool's position: blocked.
    [, reward, , , info] = env.step({ tool: ramp, position: [0.7, 0.5] });
    expect(info.outcome).toBe("overlap");
    expect(reward).toBeCloseTo(R.alive + R.overlap, 12);
    // Far from placed tools but through the level's wall: blocked too.
    [, reward, , , info] = env.step({ tool: ramp, position: [0.05, -0.55] });
    expect(info.outcome).toBe("overlap");
    expect(reward).toBeCloseTo(R.alive + R.overlap, 12);
  });

  it("pays +10 when the target reaches the goal and terminates with success", () => {
    const env = new CreateEnv({ level: "Push" });
    env.reset({ seed: 0 });
    const target = body(env, "target");
    target.setPosition(planck.Vec2(-0.7 * CREATE_SCALE, (-0.75 + GOAL_RADIUS / 2) * CREATE_SCALE));
    const [, reward, terminated, , info] = env.step(noOp(env));
    expect(info.success).toBe(true);
    expect(terminated).toBe(true);
    expect(reward).toBeCloseTo(R.alive + R.goal, 12);
  });

  it("on a mid-action success, the image observation repeats the final frame in the channels not yet taken", () => {
    const env = new CreateEnv({ level: "Push", observation: "image" });
    env.reset({ seed: 0 });
    body(env, "target").setPosition(planck.Vec2(-0.7 * CREATE_SCALE, (-0.75 + GOAL_RADIUS / 2) * CREATE_SCALE));
    const [obs, , terminated] = env.step(noOp(env));
    expect(terminated).toBe(true);
    const n = CREATE_IMAGE_SIZE * CREATE_IMAGE_SIZE;
    const channel = (c: number) => Array.from({ length: n }, (_, i) => obs.state[3 * i + c]);
    expect(channel(0)).toEqual(channel(2));
    expect(channel(1)).toEqual(channel(2));
  });

  it("pays +2 once per subgoal; without subgoal rewards (App. C.3) there is no subgoal region", () => {
    for (const subgoalReward of [true, false]) {
      const env = new CreateEnv({ level: "Push", subgoalReward });
      env.reset({ seed: 0 });
      const target = body(env, "target");
      target.setPosition(planck.Vec2(-0.35 * CREATE_SCALE, -0.45 * CREATE_SCALE));
      target.setLinearVelocity(planck.Vec2(0, 0));
      const [obs, reward, , , info] = env.step(noOp(env));
      expect(info.subgoals).toBe(subgoalReward ? 1 : 0);
      expect(obs.state[11]).toBe(subgoalReward ? 1 : 0);
      expect(reward).toBeCloseTo(R.alive + (subgoalReward ? R.subgoal : 0), 12);
      target.setPosition(planck.Vec2(-0.35 * CREATE_SCALE, -0.45 * CREATE_SCALE));
      const [, again] = env.step(noOp(env));
      expect(again).toBeCloseTo(R.alive, 12);
    }
  });

  it("pays +1 the first time the marker ball or a placed tool hits the target", () => {
    const env = new CreateEnv({ level: "Push" });
    env.reset({ seed: 0 });
    const [tx, ty] = [body(env, "target").getPosition().x, body(env, "target").getPosition().y];
    const marker = body(env, "marker");
    marker.setPosition(planck.Vec2(tx + 0.3, ty + 1.5));
    marker.setLinearVelocity(planck.Vec2(0, -5));
    const [, reward, , , info] = env.step(noOp(env));
    expect(info.targetHit).toBe(true);
    expect(reward).toBeCloseTo(R.alive + R.targetHit, 12);
    const [, next, , , nextInfo] = env.step(noOp(env));
    expect(nextInfo.targetHit).toBe(false);
    expect(next).toBeLessThan(R.alive + R.targetHit);
  });

  it("terminates when nothing on the screen moves for two actions, or when the target leaves the screen", () => {
    const env = new CreateEnv({ level: "Push" });
    env.reset({ seed: 0 });
    let info: Record<string, unknown> = {};
    let terminated = false;
    for (let n = 0; !terminated && n < 30; n++) [, , terminated, , info] = env.step(noOp(env));
    expect(terminated).toBe(true);
    expect(info.stopped).toBe(true);
    expect(info.success).toBe(false);
    env.reset({ seed: 0 });
    body(env, "target").setPosition(planck.Vec2(0, -1.5 * CREATE_SCALE));
    const [, , off, , offInfo] = env.step(noOp(env));
    expect(off).toBe(true);
    expect(offInfo.offScreen).toBe(true);
  });

  it("observes a low-dimensional state by default and 3 stacked 84 × 84 grayscale frames with observation: image", () => {
    const env = new CreateEnv({ level: "Obstacle" });
    const [obs] = env.reset({ seed: 2 });
    expect(obs.state.length).toBe(CREATE_STATE_DIM);
    expect(Array.from(obs.state.subarray(4, 6))).toEqual([Math.fround(0.6), Math.fround(-0.82)]);
    const image = new CreateEnv({ level: "Obstacle", observation: "image" });
    const [first] = image.reset({ seed: 2 });
    const n = CREATE_IMAGE_SIZE * CREATE_IMAGE_SIZE;
    expect(first.state.length).toBe(n * 3);
    expect(image.observationSpace.contains(first)).toBe(true);
    const channel = (s: Float32Array, c: number) => Array.from({ length: n }, (_, i) => s[3 * i + c]);
    expect(channel(first.state, 0)).toEqual(channel(first.state, 2));
    // The target falls during the action: the three frames differ.
    const [next] = image.step(noOp(image));
    expect(channel(next.state, 0)).not.toEqual(channel(next.state, 2));
    expect(next.state.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it("conveyor belts, fans and cannons move a ball along the tool's angle", () => {
    const tools = generateCreateTools();
    const probe = {
      role: "marker" as const,
      colour: CREATE_COLOURS.marker as readonly [number, number, number],
      solid: true,
    };
    const push = (cls: string, angle: number, at: [number, number], gravity: number) => {
      const world = new CreateWorld(gravity);
      world.addTool(tools.find((t) => t.cls === cls && t.angle === angle) as (typeof tools)[number], 0, 0);
      const ball = world.addBall(at[0], at[1], 0.3, probe);
      for (let i = 0; i < 40; i++) world.step();
      return [ball.getPosition().x - at[0], ball.getPosition().y - at[1]];
    };
    expect(push("conveyor", 0, [0, 0.6], 10)[0]).toBeGreaterThan(0.1);
    expect(push("conveyor", 180, [0, 0.6], 10)[0]).toBeLessThan(-0.1);
    expect(push("fan", 0, [2, 0], 0)[0]).toBeGreaterThan(1);
    expect(push("fan", 90, [0.5, 2], 0)[1]).toBeGreaterThan(1);
    expect(push("cannon", 90, [0, 0.2], 0)[1]).toBeGreaterThan(3);
  });

  it("renders 84 × 84 RGB frames that change when a tool is placed and when the ball moves", () => {
    const env = new CreateEnv({ level: "Push", renderMode: "rgb_array" });
    const ramp = toolOf(env, "ramp", 3);
    resetWith(env, ramp);
    const before = env.render();
    expect([before.width, before.height, before.data.length]).toEqual([84, 84, 84 * 84 * 3]);
    // Red target, green goal are drawn.
    const has = (f: typeof before, rgb: readonly number[]) =>
      Array.from({ length: 84 * 84 }, (_, i) => i).some((i) => rgb.every((v, c) => f.data[3 * i + c] === v));
    expect(has(before, [230, 40, 40])).toBe(true);
    expect(has(before, [40, 200, 60])).toBe(true);
    expect(has(before, [230, 200, 60])).toBe(false);
    env.step({ tool: ramp, position: [-0.5, 0.5] });
    const placed = env.render();
    expect(has(placed, [230, 200, 60])).toBe(true);
    const target = body(env, "target");
    target.setPosition(planck.Vec2(target.getPosition().x - 2, target.getPosition().y));
    expect(env.render().data).not.toEqual(placed.data);
  });
});

describe("CREATE with activators (AGILE §B4.2)", () => {
  it("passes the conformance checks", () => {
    expectActionSetEnvConformance("CreateActivatorsPush-v0", {}, randomCreateAction);
  });

  it("offers 23 general tools + 2 of the 5 activators, no No-Op, with 6-d type one-hots", () => {
    const env = new CreateEnv({ activators: true, actionsPerEpisode: 23 });
    const kinds = new Set<string>();
    for (let seed = 0; seed < 100; seed++) {
      const [obs] = env.reset({ seed });
      expect(obs.actionIds.length).toBe(25);
      const ids = Array.from(obs.actionIds);
      expect(ids).not.toContain(env.noOp);
      const acts = ids.filter((i) => i >= env.firstActivator);
      expect(acts.length).toBe(2);
      kinds.add(acts.join());
    }
    expect(kinds.size).toBe(10);
    const rep = env.actionRepresentation;
    expect(rep.dim).toBe(23 + 6);
    const row = (i: number) => Array.from(rep.itemEmbeddings.subarray(i * rep.dim, (i + 1) * rep.dim));
    expect(row(env.firstActivator + 4).slice(23)).toEqual([0, 0, 0, 0, 0, 1]);
    expect(
      row(env.firstActivator + 4)
        .slice(0, 23)
        .every((v) => v === 0),
    ).toBe(true);
    expect(row(0).slice(23)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("a tool is pass-through until its activator touches it", () => {
    const env = new CreateEnv({ activators: true, actionsPerEpisode: 23 });
    const ramp = toolOf(env, "ramp", 3);
    const water = env.firstActivator + 1;
    const markerY = (withWater: boolean) => {
      env.reset({ seed: 0 });
      env.toolSpace.setAvailable([ramp, water]);
      const x = body(env, "marker").getPosition().x / CREATE_SCALE;
      env.step({ tool: ramp, position: [x, 0.2] });
      if (withWater) env.step({ tool: water, position: [x, 0.2] });
      env.step({ tool: ramp, position: [-0.8, 0.8] });
      return body(env, "marker").getPosition().y / CREATE_SCALE;
    };
    expect(markerY(false)).toBeLessThan(0);
    expect(markerY(true)).toBeGreaterThan(0.2);
  });

  it("blocks only general-on-general and activator-on-activator overlaps, and pays no subgoal", () => {
    const env = new CreateEnv({ activators: true, actionsPerEpisode: 23 });
    const ramp = toolOf(env, "ramp", 3);
    const [fire, water] = [env.firstActivator, env.firstActivator + 1];
    env.reset({ seed: 0 });
    env.toolSpace.setAvailable([ramp, fire, water]);
    expect(env.step({ tool: ramp, position: [-0.5, 0.5] })[4].outcome).toBe("placed");
    expect(env.step({ tool: fire, position: [-0.5, 0.5] })[4].outcome).toBe("placed");
    const [, reward, , , info] = env.step({ tool: water, position: [-0.45, 0.5] });
    expect(info.outcome).toBe("overlap");
    expect(reward).toBeCloseTo(R.alive + R.overlap, 12);
    expect(env.step({ tool: ramp, position: [-0.5, 0.6] })[4].outcome).toBe("overlap");
    env.reset({ seed: 0 });
    env.toolSpace.setAvailable([ramp, fire, water]);
    const target = body(env, "target");
    target.setPosition(planck.Vec2(-0.35 * CREATE_SCALE, -0.45 * CREATE_SCALE));
    target.setLinearVelocity(planck.Vec2(0, 0));
    const [, plain, , , plainInfo] = env.step({ tool: water, position: [0.9, 0.9] });
    expect(plainInfo.subgoals).toBe(0);
    expect(plain).toBeCloseTo(R.alive, 12);
  });
});
