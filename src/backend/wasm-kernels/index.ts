import * as tf from '@tensorflow/tfjs';
import { asTensor, outputOf } from './kernel-utils';
import {
  conv2dBackpropFilterImpl,
  conv2dBackpropInputImpl,
  ConvPad,
  depthwiseConv2dBackpropFilterImpl,
  depthwiseConv2dBackpropInputImpl,
  RoundingMode,
} from './conv2d-backprop';
import { avgPoolGradImpl, maxPoolGradImpl } from './pool-grads';
import { unsortedSegmentSumImpl } from './unsorted-segment-sum';
import { untransposingKernel } from './mat-mul';
import { gatherNdGradConfig } from './gather-nd-grad';
import { leadingAxesKernel } from './reductions';
import { sharingIdentity } from './identity';
import { heapSlice, heapSplitV, heapStridedSlice, heapUnpack } from './slice';
import { heapGather } from './gather';
import { enableWasmThreads, threadsFromEnv } from './threads';
import { conv2dBackpropFilterSimd } from './simd/conv2d-filter-grad';
import { maxPoolGradSimd } from './simd/max-pool-grad';
import { fusedBatchNormKernels } from './simd/batch-norm';
import { winogradConv2d } from './simd/winograd-conv2d';

export {
  conv2dBackpropFilterImpl,
  conv2dBackpropInputImpl,
  depthwiseConv2dBackpropFilterImpl,
  depthwiseConv2dBackpropInputImpl,
} from './conv2d-backprop';
export { avgPoolGradImpl, maxPoolGradImpl } from './pool-grads';
export { unsortedSegmentSumImpl } from './unsorted-segment-sum';
export { enableWasmThreads, startThreadedWasm, threadsFromEnv, wasmThreadsReport } from './threads';
export type { WasmThreadsReport } from './threads';
export { relaxedSimdKernels, setSimdKernelsEnabled, simdKernelsFailure, whenSimdHelpersReady } from './simd';
export { sharedSimdJobs } from './simd/helpers';
export { fusedBatchNormReady, setFusedBatchNormEnabled, FUSED_BATCH_NORM_KERNELS } from './simd/batch-norm';
export { setBlockGatherEnabled } from './gather';
export { setWinogradEnabled, winogradConvolutions, WINOGRAD_MIN_CHANNELS } from './simd/winograd-conv2d';

/**
 * Training kernels that the stock tfjs wasm backend lacks or runs slowly.
 *
 * Each is built from the wasm backend's own XNNPACK/C++ kernels (forward conv2d, untransposed matMul, transpose,
 * pad, slice, scatterNd, compare/select) on rearranged tensors; none does arithmetic in JavaScript. Where no
 * composition of those came near matMul speed (the conv2d filter gradient, the maxPool gradient), a wasm SIMD
 * kernel of selfsup's own (simd/) runs on the backend's memory, with the composed route kept as the fallback.
 * How each is computed, and what it measured: docs/backend.md.
 */

type Attrs = Record<string, unknown>;
type Backend = tf.KernelBackend;

function kernel(kernelName: string, compute: (inputs: tf.NamedTensorInfoMap, attrs: Attrs, backend: Backend) => tf.Tensor): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) =>
      outputOf(backend as Backend, () => compute(inputs, (attrs ?? {}) as Attrs, backend as Backend), Object.values(inputs)),
  };
}

function checkNHWC(name: string, dataFormat: unknown): void {
  if (dataFormat != null && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`Error in ${name} (selfsup wasm kernel): only NHWC is supported, but got dataFormat ${String(dataFormat)}`);
  }
}

const t4 = (info: tf.TensorInfo | undefined, backend: Backend) => asTensor<tf.Tensor4D>(info, backend);

/** The attributes every conv backprop kernel takes, in the order the *Impl functions take them. */
function convArgs(
  attrs: Attrs,
  shapeKey: 'filterShape' | 'inputShape',
): [[number, number, number, number], [number, number], ConvPad, number | [number, number], RoundingMode] {
  return [
    attrs[shapeKey] as [number, number, number, number],
    attrs.strides as [number, number],
    attrs.pad as ConvPad,
    (attrs.dilations as [number, number] | undefined) ?? 1,
    attrs.dimRoundingMode as RoundingMode,
  ];
}

/**
 * A conv backprop kernel: `impl(first input, second input, ...attributes)`, with the inputs named as tfjs names
 * them and `shapeKey` the attribute holding the shape of the result.
 */
function convBackprop(
  kernelName: string,
  [first, second]: [string, string],
  shapeKey: 'filterShape' | 'inputShape',
  impl: (a: tf.Tensor4D, b: tf.Tensor4D, ...args: ReturnType<typeof convArgs>) => tf.Tensor4D,
): tf.KernelConfig {
  return kernel(kernelName, (inputs, attrs, backend) => {
    checkNHWC(kernelName, attrs.dataFormat); // depthwise kernels have no dataFormat attribute: always NHWC
    return impl(t4(inputs[first], backend), t4(inputs[second], backend), ...convArgs(attrs, shapeKey));
  });
}

/** A kernel that runs selfsup's SIMD kernel when it can (`simd` returns null when not) and `composed` otherwise. */
function simdFirst(composed: tf.KernelConfig, simd: (inputs: tf.NamedTensorInfoMap, attrs: Attrs, backend: Backend) => tf.TensorInfo | null): tf.KernelConfig {
  return {
    ...composed,
    kernelFunc: (args) => simd(args.inputs, (args.attrs ?? {}) as Attrs, args.backend as Backend) ?? composed.kernelFunc(args),
  };
}

const conv2dBackpropFilterKernel = simdFirst(
  convBackprop('Conv2DBackpropFilter', ['x', 'dy'], 'filterShape', conv2dBackpropFilterImpl),
  ({ x, dy }, attrs, backend) => {
    checkNHWC('Conv2DBackpropFilter', attrs.dataFormat);
    return x && dy ? conv2dBackpropFilterSimd(backend, x, dy, ...convArgs(attrs, 'filterShape')) : null;
  },
);

const poolArgs = (attrs: Attrs): [[number, number], [number, number], ConvPad, RoundingMode] => [
  attrs.filterSize as [number, number],
  attrs.strides as [number, number],
  attrs.pad as ConvPad,
  attrs.dimRoundingMode as RoundingMode,
];

const maxPoolGradKernel = simdFirst(
  kernel('MaxPoolGrad', (inputs, attrs, backend) =>
    maxPoolGradImpl(t4(inputs.dy, backend), t4(inputs.input, backend), t4(inputs.output, backend), ...poolArgs(attrs)),
  ),
  ({ dy, input }, attrs, backend) => (dy && input ? maxPoolGradSimd(backend, dy, input, ...poolArgs(attrs)) : null),
);

/** Kernels wasm does not have at all. */
const missingKernels: tf.KernelConfig[] = [
  conv2dBackpropFilterKernel,
  convBackprop('DepthwiseConv2dNativeBackpropInput', ['dy', 'filter'], 'inputShape', depthwiseConv2dBackpropInputImpl),
  convBackprop('DepthwiseConv2dNativeBackpropFilter', ['x', 'dy'], 'filterShape', depthwiseConv2dBackpropFilterImpl),
  kernel('UnsortedSegmentSum', (inputs, attrs, backend) =>
    unsortedSegmentSumImpl(asTensor(inputs.x, backend), asTensor(inputs.segmentIds, backend), attrs.numSegments as number),
  ),
];

/** Kernels wasm has as slow loops: replaced. */
const slowKernels: tf.KernelConfig[] = [
  convBackprop('Conv2DBackpropInput', ['dy', 'filter'], 'inputShape', conv2dBackpropInputImpl),
  maxPoolGradKernel,
  kernel('AvgPoolGrad', (inputs, attrs, backend) =>
    avgPoolGradImpl(
      t4(inputs.dy, backend),
      t4(inputs.input, backend).shape,
      attrs.filterSize as [number, number],
      attrs.strides as [number, number],
      attrs.pad as ConvPad,
    ),
  ),
];

/** Stock kernels wrapped: ours handles the slow cases and hands the rest to the stock kernel. */
const WRAPPERS: Record<string, (stock: tf.KernelConfig) => tf.KernelFunc> = {
  BatchMatMul: untransposingKernel,
  _FusedMatMul: untransposingKernel,
  Sum: (stock) => leadingAxesKernel(stock, false, asTensor, outputOf),
  Mean: (stock) => leadingAxesKernel(stock, true, asTensor, outputOf),
  Identity: sharingIdentity,
  Slice: heapSlice,
  SplitV: heapSplitV,
  Unpack: heapUnpack,
  StridedSlice: heapStridedSlice,
  GatherV2: heapGather,
  Conv2D: winogradConv2d,
};

/** The kernel configs selfsup registered, to recognise them on a second call. */
const ours = new Set<tf.KernelFunc>();
let wrappedStock: Map<string, tf.KernelConfig> | null = null;

function put(config: tf.KernelConfig): void {
  const existing = tf.getKernel(config.kernelName, 'wasm');
  if (existing && ours.has(existing.kernelFunc)) return; // already ours: registering twice is harmless
  if (existing) tf.unregisterKernel(config.kernelName, 'wasm');
  ours.add(config.kernelFunc);
  tf.registerKernel(config);
}

/**
 * Register selfsup's training kernels for tfjs's wasm backend and return their names. Idempotent.
 * Call before or after `tf.setBackend('wasm')` (useBackend does it for you). If the wasm backend has not started
 * yet, it will start multi-threaded on a machine with 2 or more cores (see enableWasmThreads), with the thread
 * count from SELFSUP_WASM_THREADS (threadsFromEnv: unset = every core up to 4; "off" = one thread).
 *
 * @example
 * registerWasmTrainingKernels(); // ['Conv2DBackpropFilter', 'UnsortedSegmentSum', 'Conv2DBackpropInput', ...]
 */
export function registerWasmTrainingKernels(): string[] {
  // The wasm package registers its own kernels when first loaded: load it first so it cannot overwrite ours.
  require('@tensorflow/tfjs-backend-wasm');
  // Threads at the next wasm initialisation: every core up to 4 unless SELFSUP_WASM_THREADS says otherwise.
  const threads = threadsFromEnv();
  if (threads > 1) enableWasmThreads(threads);
  const names: string[] = [];
  for (const config of [...missingKernels, ...slowKernels, ...fusedBatchNormKernels]) {
    put(config);
    names.push(config.kernelName);
  }
  if (!wrappedStock) {
    wrappedStock = new Map();
    for (const name of Object.keys(WRAPPERS)) {
      const stock = tf.getKernel(name, 'wasm');
      if (stock && !ours.has(stock.kernelFunc)) wrappedStock.set(name, stock);
    }
  }
  for (const [name, stock] of wrappedStock) {
    const existing = tf.getKernel(name, 'wasm');
    if (existing && ours.has(existing.kernelFunc)) {
      names.push(name);
      continue;
    }
    put({ ...stock, kernelFunc: WRAPPERS[name](stock) });
    names.push(name);
  }
  if (!tf.getGradient('GatherNd')) {
    tf.registerGradient(gatherNdGradConfig);
  }
  return names;
}
