/** Config parsing shared by the learners: zod validation with errors that name the field. */

import { z } from "zod";
import { QscapeError } from "../errors.js";

export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new QscapeError(`${what} config: ${issues}`);
  }
  return parsed.data;
}

export const hiddenSizes = z.array(z.number().int().positive()).min(1);

/**
 * Fields most learners share, defined once; each takes the learner's default (its paper's), so
 * the bounds and messages are the same everywhere.
 */
export const configFields = {
  seed: (byDefault = 0) => z.number().int().default(byDefault),
  /** Discount γ. */
  gamma: (byDefault = 0.99) => z.number().min(0).max(1).default(byDefault),
  /** Target-network rate: Polyak τ, or 1 for a hard copy. */
  tau: (byDefault = 0.005) => z.number().min(0).max(1).default(byDefault),
  batchSize: (byDefault: number) => z.number().int().positive().default(byDefault),
  /** Replay capacity in transitions. */
  bufferSize: (byDefault: number) => z.number().int().positive().default(byDefault),
  learningRate: (byDefault: number) => z.number().positive().default(byDefault),
};

/** Exploration noise added to a deterministic actor's action, in the normalised [−1, 1] box. */
export const ExplorationNoise = z.discriminatedUnion("type", [
  z.object({ type: z.literal("gaussian"), sigma: z.number().nonnegative() }).strict(),
  z
    .object({
      type: z.literal("ou"),
      theta: z.number().nonnegative().default(0.15),
      sigma: z.number().nonnegative().default(0.2),
      // dt = 1 is the discrete form x ← x − θx + σξ that DDPG papers use (Lillicrap et al. 2016).
      dt: z.number().positive().default(1),
    })
    .strict(),
]);
export type ExplorationNoise = z.input<typeof ExplorationNoise>;
