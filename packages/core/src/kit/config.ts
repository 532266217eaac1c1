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

/** Exploration noise added to a deterministic actor's action, in the normalised [−1, 1] box. */
export const ExplorationNoise = z.discriminatedUnion("type", [
  z.object({ type: z.literal("gaussian"), sigma: z.number().nonnegative() }).strict(),
  z
    .object({
      type: z.literal("ou"),
      theta: z.number().nonnegative().default(0.15),
      sigma: z.number().nonnegative().default(0.2),
      // dt = 1 is the discrete form x ← x − θx + σξ that DDPG papers use (baselines spec §1).
      dt: z.number().positive().default(1),
    })
    .strict(),
]);
export type ExplorationNoise = z.input<typeof ExplorationNoise>;
