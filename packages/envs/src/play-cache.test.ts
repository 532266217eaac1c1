import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collectCreatePlayObservations } from "./create/play.js";
import { collectSkillPlayObservations } from "./discrete/skill-grid-world.js";
import { UnknownSplitError } from "./errors.js";
import { NoPlayCollectorError, type PlayCacheKey, playCachePath, playObservations } from "./play-cache.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "qscape-play-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const key: PlayCacheKey = { envId: "SkillGridWorld-v0", split: "validation", seed: 3, perAction: 4 };

describe("play observations cached on disk", () => {
  it("collects once (seeded, the split's actions), then reads the same data back from the cache", () => {
    const first = playObservations(key, { dir });
    expect(first.source).toBe("collected");
    expect(first.rebuiltBecause).toBe("no cache file");
    expect(first.data.actions.length).toBe(256);
    const direct = collectSkillPlayObservations({ seed: 3, skills: first.data.actions, trajectoriesPerSkill: 4 });
    expect(first.data.positions).toEqual(direct.positions);
    const second = playObservations(key, { dir });
    expect(second.source).toBe("cache");
    expect(second.data.positions).toEqual(first.data.positions);
    expect(second.data.actions).toEqual(first.data.actions);
    expect([second.data.perAction, second.data.length]).toEqual([4, 6]);
    // Another seed is another key and other data.
    const other = playObservations({ ...key, seed: 4 }, { dir });
    expect(other.source).toBe("collected");
    expect(other.data.positions).not.toEqual(first.data.positions);
  });

  it("rebuilds a corrupt, truncated or mismatched cache instead of trusting it", () => {
    const file = playCachePath(key, dir);
    playObservations(key, { dir });
    const good = readFileSync(file);
    const expected = playObservations(key, { dir }).data.positions;

    const flipped = Buffer.from(good);
    flipped[flipped.length - 3] = (flipped[flipped.length - 3] as number) ^ 0xff;
    writeFileSync(file, flipped);
    const corrupt = playObservations(key, { dir });
    expect([corrupt.source, corrupt.rebuiltBecause]).toEqual(["collected", "checksum mismatch"]);
    expect(corrupt.data.positions).toEqual(expected);
    expect(readFileSync(file)).toEqual(good);

    writeFileSync(file, good.subarray(0, good.length - 8));
    expect(playObservations(key, { dir }).rebuiltBecause).toMatch(/bytes, expected/);
    writeFileSync(file, "not a cache");
    expect(playObservations(key, { dir }).rebuiltBecause).toBe("not a play cache file");

    // A valid file of another key under this key's name.
    copyFileSync(playCachePath({ ...key, seed: 4 }, dir), file);
    const mismatched = playObservations(key, { dir });
    expect(mismatched.rebuiltBecause).toBe("header seed 4 ≠ 3");
    expect(mismatched.data.positions).toEqual(expected);
    expect(playObservations(key, { dir }).source).toBe("cache");
  });

  it("caches CREATE probe-ball trajectories per level and split", () => {
    const createKey: PlayCacheKey = { envId: "CreatePush-v0", split: "test", seed: 0, perAction: 1 };
    const a = playObservations(createKey, { dir });
    expect(a.data.actions.length).toBe(528);
    expect(a.data.length).toBe(7);
    const direct = collectCreatePlayObservations({
      seed: 0,
      tools: a.data.actions.subarray(0, 5),
      trajectoriesPerTool: 1,
    });
    expect(a.data.positions.subarray(0, direct.positions.length)).toEqual(direct.positions);
    expect(playObservations(createKey, { dir }).source).toBe("cache");
  });

  it("names bad input: unknown split, an env without a collector, a bad count", () => {
    expect(() => playObservations({ ...key, split: "dev" as "test" }, { dir })).toThrow(UnknownSplitError);
    expect(() => playObservations({ ...key, envId: "DigLava-v0" }, { dir })).toThrow(NoPlayCollectorError);
    expect(() => playObservations({ ...key, envId: "Nope-v0" }, { dir })).toThrow(NoPlayCollectorError);
    expect(() => playObservations({ ...key, perAction: 0 }, { dir })).toThrow(/perAction must be a positive integer/);
  });
});
