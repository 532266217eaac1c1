import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineAlgorithm } from "./algorithm.js";
import type { EnvSpaces } from "./spaces.js";

/** An entry whose support depends on a setting: `wide` needs an observation of at least 4. */
const entry = defineAlgorithm({
  id: "probe",
  description: "supports depends on the config",
  schema: z.object({ hidden: z.number().int().positive(), wide: z.boolean().default(false) }).strict(),
  supports: (spaces, config) => {
    const size = (spaces.observationSpace as { shape: number[] }).shape[0] as number;
    return config.wide && size < 4 ? `wide needs an observation of at least 4, got ${size}` : null;
  },
  matched: ({ hidden }) => ({ hidden: hidden[0] }),
  create: () => {
    throw new Error("not built in this test");
  },
});
const spaces = (n: number) => ({ observationSpace: { shape: [n] }, actionSpace: { n: 2 } }) as unknown as EnvSpaces;

describe("defineAlgorithm's supports(spaces, config)", () => {
  it("answers for the parsed config: the defaults without overrides, the overrides with them", () => {
    expect(entry.supports(spaces(2))).toBeNull();
    expect(entry.supports(spaces(2), { wide: true })).toBe("wide needs an observation of at least 4, got 2");
    expect(entry.supports(spaces(8), { wide: true })).toBeNull();
  });

  it("leaves overrides that do not parse to checkConfig, which names the field", () => {
    expect(entry.supports(spaces(2), { wide: "yes" })).toBeNull();
    expect(() => entry.checkConfig({ wide: "yes" })).toThrow(/probe config: wide: /);
  });
});
