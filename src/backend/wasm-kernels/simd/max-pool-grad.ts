import * as tf from '@tensorflow/tfjs';
import type { ConvPad, RoundingMode } from '../conv2d-backprop';
import { poolInfo } from '../pool-grads';
import { runSplit } from './helpers';
import { boundSimdKernels, heapOffset, splitImages, zeroedOutput } from './index';

/** Below this many input values a job is not worth a helper thread's wake-up. */
const SPLIT_MIN_VALUES = 1 << 18;

/**
 * MaxPoolGrad on selfsup's SIMD kernel (max-pool-grad.c): any window, stride and padding, NHWC float32. On the
 * threaded build, large jobs are split by images (disjoint parts of dx) over the calling thread and helpers. Returns
 * null when the SIMD kernels are off or cannot run here; the caller then takes the composed route (maxPoolGradImpl).
 *
 * @param dy - [N, Ho, Wo, C].
 * @param x - [N, H, W, C], the forward input.
 */
export function maxPoolGradSimd(
  backend: tf.KernelBackend,
  dy: tf.TensorInfo,
  x: tf.TensorInfo,
  filterSize: number | [number, number],
  strides: number | [number, number],
  pad: ConvPad,
  dimRoundingMode?: RoundingMode,
): tf.TensorInfo | null {
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') return null;
  const simd = boundSimdKernels(backend);
  if (!simd) return null;
  const [n, h, w, c] = x.shape;
  const info = poolInfo(x.shape, filterSize, strides, pad, dimRoundingMode);
  const expected = [n, info.outHeight, info.outWidth, c];
  if (dy.shape.some((d, i) => d !== expected[i])) {
    throw new Error(
      `Error in MaxPoolGrad (selfsup wasm kernel): dy ${JSON.stringify(dy.shape)} does not fit the pooling of x ` +
        `${JSON.stringify(x.shape)} (expected ${JSON.stringify(expected)})`,
    );
  }
  const out = zeroedOutput(backend, x.shape);
  if (n * h * w * c === 0 || info.outHeight * info.outWidth === 0) return out;
  const [ho, wo] = [info.outHeight, info.outWidth];
  const geometry = [h, w, c, ho, wo, info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left];
  const [xAt, dyAt, dxAt] = [heapOffset(backend, x), heapOffset(backend, dy), heapOffset(backend, out)];
  const helpers = n * h * w * c >= SPLIT_MIN_VALUES ? simd.helpers : [];
  runSplit(helpers, 'max_pool_grad', simd.kernels.max_pool_grad, (parts) =>
    splitImages(n, parts).map(([b0, b1]) => [
      xAt + 4 * b0 * h * w * c, dyAt + 4 * b0 * ho * wo * c, dxAt + 4 * b0 * h * w * c, b1 - b0, ...geometry,
    ]),
  );
  return out;
}
