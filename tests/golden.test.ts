/**
 * Moving code must not move numbers: short fixed-seed TD3, SAVO and SAVO-SAC runs give exactly
 * the evaluation returns recorded before the learner kit moved into core (golden-values.json, per
 * backend; regenerate with `tsx --conditions=@qscape/source tests/golden-runs.ts` only for a change
 * that is meant to change the numbers, and say so).
 */
import { readFileSync } from "node:fs";
import { initBackend } from "@qscape/core";
import { expect, it } from "vitest";
import { goldenRuns } from "./golden-runs.js";

const golden = JSON.parse(readFileSync(new URL("./golden-values.json", import.meta.url), "utf8")) as {
  byBackend: Record<string, Record<string, number[][]>>;
};

it("TD3, SAVO and SAVO-SAC give the recorded evaluation returns, number for number", async () => {
  const backend = await initBackend();
  const expected = golden.byBackend[backend.name];
  expect(
    expected,
    `no golden values for backend ${backend.name} (recorded: ${Object.keys(golden.byBackend)})`,
  ).toBeDefined();
  expect(goldenRuns()).toEqual(expected);
}, 300_000);
