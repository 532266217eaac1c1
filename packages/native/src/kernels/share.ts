/**
 * Identity, and Cast to the same dtype, without a copy. The WASM kernels copy the whole tensor;
 * tensors are immutable and the backend reference-counts data, so the output can share the
 * input's data exactly as the WASM Reshape kernel (and the CPU backend's Identity) already do.
 * Every custom-gradient call (core's fast dense op) runs Identity on its inputs and outputs.
 */
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs-core";
import { countCall } from "../counts.js";
import { asKernelFunc } from "./kernel-func.js";

interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: BackendWasm;
  attrs?: NamedAttrMap;
}

function share(backend: BackendWasm, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export function identityKernel(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === "string") {
      countCall("fallback", original.kernelName);
      return original.kernelFunc(args as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    countCall("native", original.kernelName);
    return share(args.backend, x);
  };
  return { ...original, kernelFunc: asKernelFunc(kernelFunc) };
}

export function castKernel(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === "string" || args.attrs?.dtype !== x.dtype) {
      countCall("fallback", original.kernelName);
      return original.kernelFunc(args as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    countCall("native", original.kernelName);
    return share(args.backend, x);
  };
  return { ...original, kernelFunc: asKernelFunc(kernelFunc) };
}
