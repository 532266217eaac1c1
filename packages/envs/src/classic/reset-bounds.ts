import { EnvError } from "../errors.js";

/**
 * Gymnasium `utils.maybe_parse_reset_bounds`: reset options may override the uniform reset range
 * with numeric `low` / `high`.
 */
export function resetBounds(
  options: Record<string, unknown> | undefined,
  defaultLow: number,
  defaultHigh: number,
  envId: string,
): [number, number] {
  const read = (key: "low" | "high", fallback: number): number => {
    if (!options || !(key in options)) return fallback;
    const v = options[key];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new EnvError(`${envId}: reset option "${key}" must be a finite number, got ${String(v)}`);
    }
    return v;
  };
  const low = read("low", defaultLow);
  const high = read("high", defaultHigh);
  if (low > high) throw new EnvError(`${envId}: reset option low = ${low} is greater than high = ${high}`);
  return [low, high];
}
