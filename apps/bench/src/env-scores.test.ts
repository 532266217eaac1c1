import { randomPolicyScore } from "@qscape/envs";
import { describe, expect, it } from "vitest";
import { envListLine } from "./env-scores.js";

describe("env lines of `pnpm bench list`", () => {
  it("show the recorded random (and scripted) scores beside the new envs, the bare id elsewhere", () => {
    const line = envListLine("CreatePush-v0");
    expect(line).toMatch(
      /^ {2}CreatePush-v0 +random [\d.]+ ± [\d.]+ \(200 eps\), scripted [\d.]+ ± [\d.]+ \(200 eps\)$/,
    );
    expect(line).toContain(`random ${(randomPolicyScore("CreatePush-v0") as number).toFixed(3)}`);
    expect(envListLine("DigLava-v0")).toContain("random 0.067");
    expect(envListLine("Pendulum-v1")).toBe("  Pendulum-v1");
  });
});
