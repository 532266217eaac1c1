/** The few statistics and number formats the commands print. */
export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
export const std = (xs: readonly number[]): number => {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
};
export const num = (v: number): string => v.toFixed(Math.abs(v) >= 100 ? 1 : 3);
/** "mean ± std", both to the mean's precision, so the two read alike. */
export const meanStd = (m: number, s: number): string => {
  const digits = Math.abs(m) >= 100 ? 1 : 3;
  return `${m.toFixed(digits)} ± ${s.toFixed(digits)}`;
};
