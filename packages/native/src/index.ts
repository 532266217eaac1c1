export {
  ACTIVATION_CODES,
  DEFAULT_ADDON_PATH,
  loadAddon,
  type NativeActivation,
  type NativeAddon,
  pinBlasKernel,
} from "./addon.js";
export { type KernelCounts, kernelCounts, resetKernelCounts } from "./counts.js";
export {
  type AdamStepHyper,
  adamStep,
  denseRelu,
  FUSED_KERNELS,
  fusedKernelsAvailable,
  polyakBlend,
  reluBackward,
  sumOfSquares,
} from "./fused.js";
export { type MatMulPlan, planMatMul } from "./kernels/matmul.js";
export { planSum, type SumPlan } from "./kernels/sum.js";
export { blasThreads, createPlugin, type NativePlugin, type NativePluginOptions, plugin } from "./plugin.js";
export { checkTfjsVersions, currentVersions, inTestedRange, TESTED_TFJS_MINOR, TESTED_TFJS_RANGE } from "./wasm.js";
