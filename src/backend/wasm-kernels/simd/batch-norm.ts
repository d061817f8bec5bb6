import * as tf from '@tensorflow/tfjs';
import { runSplit, type HelperFunction } from './helpers';
import { addPartials, boundSimdKernels, freeOutput, heapOffset, heapView, splitImages, uninitialisedOutput, type BoundSimdKernels } from './index';

/**
 * Training-mode BatchNorm on selfsup's SIMD kernels (batch-norm.c), as four wasm kernels that `BatchNorm2d` calls
 * through `tf.engine().runKernel` inside its custom gradient:
 *
 *   SelfsupBatchNormStats      x [N, H, W, C] -> mean [C], biased variance [C]
 *   SelfsupBatchNormApply      x, scale [C], shift [C] -> y = x * scale + shift
 *   SelfsupBatchNormGradSums   dy, x, mean, invStd -> sum(dy) [C], sum(dy * xhat) [C]   (dbeta, dgamma)
 *   SelfsupBatchNormGradInput  dy, x, gamma, mean, invStd, sumDy, sumDyXhat -> dx
 *
 * Five passes over a tensor the size of x where the same computation as tfjs ops made about seventeen.
 * `fusedBatchNormReady()` says whether they can run now; otherwise BatchNorm2d keeps its tfjs-op route, which is
 * also what every other backend runs.
 */
export const FUSED_BATCH_NORM_KERNELS = ['SelfsupBatchNormStats', 'SelfsupBatchNormApply', 'SelfsupBatchNormGradSums', 'SelfsupBatchNormGradInput'] as const;

let enabled = true;

/**
 * Switch the fused BatchNorm kernels off (or back on): BatchNorm2d then runs its tfjs-op route on wasm too. For
 * same-run comparisons (`npm run bench:recipe -- --compare batchnorm`) and tests; the default is on.
 */
export function setFusedBatchNormEnabled(on: boolean): void {
  enabled = on;
}

/** True when the active backend is wasm with these kernels registered and selfsup's SIMD kernels running. */
export function fusedBatchNormReady(): boolean {
  if (!enabled || tf.getBackend() !== 'wasm' || !tf.getKernel(FUSED_BATCH_NORM_KERNELS[0], 'wasm')) return false;
  return boundSimdKernels(tf.backend()) !== null;
}

function kernelsOf(name: string, backend: tf.KernelBackend): BoundSimdKernels {
  const simd = boundSimdKernels(backend);
  if (!simd) throw new Error(`Error in ${name} (selfsup wasm kernel): selfsup's SIMD kernels are off or cannot run here; check fusedBatchNormReady() first`);
  return simd;
}

/** [M, C] of an NHWC float32 tensor (C the last axis, M the rest). */
function rowsOf(name: string, x: tf.TensorInfo): [number, number] {
  if (x.dtype !== 'float32' || x.shape.length < 2) {
    throw new Error(`Error in ${name} (selfsup wasm kernel): x must be float32 of rank >= 2, but got ${x.dtype} [${x.shape.join(',')}]`);
  }
  const c = x.shape[x.shape.length - 1];
  return [x.shape.reduce((a, b) => a * b, 1) / c, c];
}

function checkSame(name: string, what: string, a: tf.TensorInfo, shape: number[]): void {
  if (a.shape.length !== shape.length || a.shape.some((d, i) => d !== shape[i]) || a.dtype !== 'float32') {
    throw new Error(`Error in ${name} (selfsup wasm kernel): ${what} must be float32 [${shape.join(',')}], but got ${a.dtype} [${a.shape.join(',')}]`);
  }
}

type Inputs = tf.NamedTensorInfoMap;
const input = (inputs: Inputs, key: string): tf.TensorInfo => {
  const t = inputs[key];
  if (!t) throw new Error(`Error in a selfsup BatchNorm kernel: input ${key} is missing`);
  return t;
};

/** Below this many values of x a pass is not worth a helper thread's wake-up. */
const SPLIT_MIN_VALUES = 1 << 18;

/**
 * Run a BatchNorm kernel over the rows of an [M, C] tensor, split into row ranges over the calling thread and the
 * SIMD helper threads (threaded build, large tensors), as the filter gradient is split by images. `args(r0, r1, i)`
 * gives part i's arguments (allocate what it needs there).
 */
function overRows(simd: BoundSimdKernels, fn: HelperFunction, m: number, c: number, args: (r0: number, r1: number, i: number) => number[]): void {
  const local = (simd.kernels as unknown as Record<HelperFunction, (...a: number[]) => void>)[fn];
  // args may allocate: makeOutput can grow the heap, which keeps offsets valid (not views).
  runSplit(m * c >= SPLIT_MIN_VALUES ? simd.helpers : [], fn, local, (parts) => splitImages(m, parts).map(([r0, r1], i) => args(r0, r1, i)));
}

function stats({ inputs, backend }: { inputs: Inputs; backend: tf.KernelBackend }): tf.TensorInfo[] {
  const name = 'SelfsupBatchNormStats';
  const x = input(inputs, 'x');
  const [m, c] = rowsOf(name, x);
  const simd = kernelsOf(name, backend);
  const mean = uninitialisedOutput(backend, [c]);
  const variance = uninitialisedOutput(backend, [c]);
  // Two passes (sum, then squared deviations around the mean), each split by rows; part 0 writes the output.
  for (const [out, centred] of [[mean, 0], [variance, 1]] as const) {
    const extra: tf.TensorInfo[] = [];
    try {
      overRows(simd, 'bn_sums', m, c, (r0, r1, i) => {
        if (i > 0) extra.push(uninitialisedOutput(backend, [c]));
        const target = i === 0 ? out : extra[i - 1];
        return [heapOffset(backend, x) + 4 * r0 * c, centred ? heapOffset(backend, mean) : 0, heapOffset(backend, target), r1 - r0, c, centred];
      });
      addPartials(backend, out, extra);
    } finally {
      for (const e of extra) freeOutput(backend, e);
    }
    const v = heapView(backend, out);
    for (let j = 0; j < c; j++) v[j] /= m;
  }
  return [mean, variance];
}

function apply({ inputs, backend }: { inputs: Inputs; backend: tf.KernelBackend }): tf.TensorInfo {
  const name = 'SelfsupBatchNormApply';
  const [x, scale, shift] = [input(inputs, 'x'), input(inputs, 'scale'), input(inputs, 'shift')];
  const [m, c] = rowsOf(name, x);
  checkSame(name, 'scale', scale, [c]);
  checkSame(name, 'shift', shift, [c]);
  const simd = kernelsOf(name, backend);
  const y = uninitialisedOutput(backend, x.shape);
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  overRows(simd, 'bn_apply', m, c, (r0, r1) => [at(x) + 4 * r0 * c, at(scale), at(shift), at(y) + 4 * r0 * c, r1 - r0, c]);
  return y;
}

function gradSums({ inputs, backend }: { inputs: Inputs; backend: tf.KernelBackend }): tf.TensorInfo[] {
  const name = 'SelfsupBatchNormGradSums';
  const [dy, x, mean, invStd] = ['dy', 'x', 'mean', 'invStd'].map((key) => input(inputs, key));
  const [m, c] = rowsOf(name, x);
  checkSame(name, 'dy', dy, x.shape);
  checkSame(name, 'mean', mean, [c]);
  checkSame(name, 'invStd', invStd, [c]);
  const simd = kernelsOf(name, backend);
  const sumDy = uninitialisedOutput(backend, [c]);
  const sumDyXhat = uninitialisedOutput(backend, [c]);
  const extra: tf.TensorInfo[] = []; // parts 1.. sum into their own pairs, added at the end
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  try {
    overRows(simd, 'bn_grad_sums', m, c, (r0, r1, i) => {
      if (i > 0) extra.push(uninitialisedOutput(backend, [c]), uninitialisedOutput(backend, [c]));
      const [s, sx] = i === 0 ? [sumDy, sumDyXhat] : [extra[2 * i - 2], extra[2 * i - 1]];
      return [at(dy) + 4 * r0 * c, at(x) + 4 * r0 * c, at(mean), at(invStd), at(s), at(sx), r1 - r0, c];
    });
    addPartials(backend, sumDy, extra.filter((_, j) => j % 2 === 0));
    addPartials(backend, sumDyXhat, extra.filter((_, j) => j % 2 === 1));
  } finally {
    for (const e of extra) freeOutput(backend, e);
  }
  return [sumDy, sumDyXhat];
}

function gradInput({ inputs, backend }: { inputs: Inputs; backend: tf.KernelBackend }): tf.TensorInfo {
  const name = 'SelfsupBatchNormGradInput';
  const [dy, x, gamma, mean, invStd, sumDy, sumDyXhat] = ['dy', 'x', 'gamma', 'mean', 'invStd', 'sumDy', 'sumDyXhat'].map((key) => input(inputs, key));
  const [m, c] = rowsOf(name, x);
  checkSame(name, 'dy', dy, x.shape);
  for (const [what, t] of [['gamma', gamma], ['mean', mean], ['invStd', invStd], ['sumDy', sumDy], ['sumDyXhat', sumDyXhat]] as const) checkSame(name, what, t, [c]);
  const simd = kernelsOf(name, backend);
  const dx = uninitialisedOutput(backend, x.shape);
  const coefs: tf.TensorInfo[] = []; // scratch per part: the per-channel coefficients
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  try {
    overRows(simd, 'bn_grad_input', m, c, (r0, r1) => {
      coefs.push(uninitialisedOutput(backend, [3 * c]));
      const coef = coefs[coefs.length - 1];
      return [at(dy) + 4 * r0 * c, at(x) + 4 * r0 * c, at(gamma), at(mean), at(invStd), at(sumDy), at(sumDyXhat), at(coef), at(dx) + 4 * r0 * c, r1 - r0, c, m];
    });
  } finally {
    for (const e of coefs) freeOutput(backend, e);
  }
  return dx;
}

/** The four kernels, for registerWasmTrainingKernels. */
export const fusedBatchNormKernels: tf.KernelConfig[] = [
  { kernelName: 'SelfsupBatchNormStats', backendName: 'wasm', kernelFunc: stats as unknown as tf.KernelFunc },
  { kernelName: 'SelfsupBatchNormApply', backendName: 'wasm', kernelFunc: apply as unknown as tf.KernelFunc },
  { kernelName: 'SelfsupBatchNormGradSums', backendName: 'wasm', kernelFunc: gradSums as unknown as tf.KernelFunc },
  { kernelName: 'SelfsupBatchNormGradInput', backendName: 'wasm', kernelFunc: gradInput as unknown as tf.KernelFunc },
];
