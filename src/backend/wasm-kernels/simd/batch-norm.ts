import * as tf from '@tensorflow/tfjs';
import { boundSimdKernels, freeOutput, heapOffset } from './index';

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

/** batch-norm.c's exports; byte offsets into the heap, m rows of c channels. */
interface BnKernels {
  bn_stats(x: number, mean: number, variance: number, m: number, c: number): void;
  bn_apply(x: number, scale: number, shift: number, y: number, m: number, c: number): void;
  bn_grad_sums(dy: number, x: number, mean: number, invStd: number, sumDy: number, sumDyXhat: number, m: number, c: number): void;
  bn_grad_input(dy: number, x: number, gamma: number, mean: number, invStd: number, sumDy: number, sumDyXhat: number, coef: number, dx: number, m: number, c: number): void;
}

interface MakesOutputs {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

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

function kernelsOf(name: string, backend: tf.KernelBackend): BnKernels {
  const simd = boundSimdKernels(backend);
  if (!simd) throw new Error(`Error in ${name} (selfsup wasm kernel): selfsup's SIMD kernels are off or cannot run here; check fusedBatchNormReady() first`);
  return simd.kernels as unknown as BnKernels;
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

function stats({ inputs, backend }: { inputs: Inputs; backend: tf.KernelBackend }): tf.TensorInfo[] {
  const name = 'SelfsupBatchNormStats';
  const x = input(inputs, 'x');
  const [m, c] = rowsOf(name, x);
  const k = kernelsOf(name, backend);
  const b = backend as unknown as MakesOutputs;
  const mean = b.makeOutput([c], 'float32');
  const variance = b.makeOutput([c], 'float32');
  k.bn_stats(heapOffset(backend, x), heapOffset(backend, mean), heapOffset(backend, variance), m, c);
  return [mean, variance];
}

function apply({ inputs, backend }: { inputs: Inputs; backend: tf.KernelBackend }): tf.TensorInfo {
  const name = 'SelfsupBatchNormApply';
  const [x, scale, shift] = [input(inputs, 'x'), input(inputs, 'scale'), input(inputs, 'shift')];
  const [m, c] = rowsOf(name, x);
  checkSame(name, 'scale', scale, [c]);
  checkSame(name, 'shift', shift, [c]);
  const k = kernelsOf(name, backend);
  const y = (backend as unknown as MakesOutputs).makeOutput(x.shape, 'float32');
  k.bn_apply(heapOffset(backend, x), heapOffset(backend, scale), heapOffset(backend, shift), heapOffset(backend, y), m, c);
  return y;
}

function gradSums({ inputs, backend }: { inputs: Inputs; backend: tf.KernelBackend }): tf.TensorInfo[] {
  const name = 'SelfsupBatchNormGradSums';
  const [dy, x, mean, invStd] = ['dy', 'x', 'mean', 'invStd'].map((key) => input(inputs, key));
  const [m, c] = rowsOf(name, x);
  checkSame(name, 'dy', dy, x.shape);
  checkSame(name, 'mean', mean, [c]);
  checkSame(name, 'invStd', invStd, [c]);
  const k = kernelsOf(name, backend);
  const b = backend as unknown as MakesOutputs;
  const sumDy = b.makeOutput([c], 'float32');
  const sumDyXhat = b.makeOutput([c], 'float32');
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  k.bn_grad_sums(at(dy), at(x), at(mean), at(invStd), at(sumDy), at(sumDyXhat), m, c);
  return [sumDy, sumDyXhat];
}

function gradInput({ inputs, backend }: { inputs: Inputs; backend: tf.KernelBackend }): tf.TensorInfo {
  const name = 'SelfsupBatchNormGradInput';
  const [dy, x, gamma, mean, invStd, sumDy, sumDyXhat] = ['dy', 'x', 'gamma', 'mean', 'invStd', 'sumDy', 'sumDyXhat'].map((key) => input(inputs, key));
  const [m, c] = rowsOf(name, x);
  checkSame(name, 'dy', dy, x.shape);
  for (const [what, t] of [['gamma', gamma], ['mean', mean], ['invStd', invStd], ['sumDy', sumDy], ['sumDyXhat', sumDyXhat]] as const) checkSame(name, what, t, [c]);
  const k = kernelsOf(name, backend);
  const b = backend as unknown as MakesOutputs;
  const coef = b.makeOutput([3 * c], 'float32'); // scratch: the per-channel coefficients
  const dx = b.makeOutput(x.shape, 'float32');
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  k.bn_grad_input(at(dy), at(x), at(gamma), at(mean), at(invStd), at(sumDy), at(sumDyXhat), at(coef), at(dx), m, c);
  freeOutput(backend, coef);
  return dx;
}

/** The four kernels, for registerWasmTrainingKernels. */
export const fusedBatchNormKernels: tf.KernelConfig[] = [
  { kernelName: 'SelfsupBatchNormStats', backendName: 'wasm', kernelFunc: stats as unknown as tf.KernelFunc },
  { kernelName: 'SelfsupBatchNormApply', backendName: 'wasm', kernelFunc: apply as unknown as tf.KernelFunc },
  { kernelName: 'SelfsupBatchNormGradSums', backendName: 'wasm', kernelFunc: gradSums as unknown as tf.KernelFunc },
  { kernelName: 'SelfsupBatchNormGradInput', backendName: 'wasm', kernelFunc: gradInput as unknown as tf.KernelFunc },
];
