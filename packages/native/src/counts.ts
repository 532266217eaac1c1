/** How often each overridden kernel ran natively or fell back to the WASM original. */
export interface KernelCounts {
  native: Record<string, number>;
  fallback: Record<string, number>;
}

let counts: KernelCounts = { native: {}, fallback: {} };

export function countCall(path: keyof KernelCounts, kernelName: string): void {
  const table = counts[path];
  table[kernelName] = (table[kernelName] ?? 0) + 1;
}

/** A copy of the counts since the last reset (tests check which path ran; profiles report it). */
export function kernelCounts(): KernelCounts {
  return { native: { ...counts.native }, fallback: { ...counts.fallback } };
}

export function resetKernelCounts(): void {
  counts = { native: {}, fallback: {} };
}
