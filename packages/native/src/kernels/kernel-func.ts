import type { KernelFunc } from "@tensorflow/tfjs-core";

/**
 * Our kernels take their inputs and attributes with the types they need; tfjs's `KernelFunc` takes
 * untyped maps. This is the one place the two meet: tfjs calls a registered kernel with exactly the
 * inputs and attributes its op passes, which is what the typed signatures describe.
 */
// biome-ignore lint/suspicious/noExplicitAny: any function taking one argument object is a kernel candidate
export function asKernelFunc(f: (args: any) => unknown): KernelFunc {
  return f as unknown as KernelFunc;
}
