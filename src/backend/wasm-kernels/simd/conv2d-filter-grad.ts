import * as tf from '@tensorflow/tfjs';
import { filterGradGeometry } from '../conv2d-backprop';
import type { ConvPad, RoundingMode } from '../conv2d-backprop';
import { runSplit } from './helpers';
import { addPartials, boundSimdKernels, freeOutput, heapOffset, splitImages, zeroedOutput } from './index';
import { winogradFilterGrad, winogradTakes } from './winograd-conv2d';

/** Below this many FLOPs a job is not worth a helper thread's wake-up (tens of microseconds). */
const SPLIT_MIN_FLOPS = 2e7;

/**
 * Conv2DBackpropFilter on selfsup's SIMD kernel (filter-grad.c): any stride, dilation and padding, NHWC float32.
 * The 3x3 stride-1 convolutions the Winograd route takes (winogradTakes) get their filter gradient there.
 * On the threaded build, large jobs are split by images over the calling thread and the helper threads; each
 * part sums into its own buffer and the (small) buffers are added at the end. Returns null when the SIMD kernels
 * are off or cannot run here; the caller then takes the XNNPACK-composed route (conv2dBackpropFilterImpl).
 *
 * @param x - [N, H, W, C] forward input.
 * @param dy - [N, Ho, Wo, O] gradient of the forward output.
 * @param filterShape - [kh, kw, C, O].
 */
export function conv2dBackpropFilterSimd(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: ConvPad,
  dilations: number | [number, number] = 1,
  dimRoundingMode?: RoundingMode,
): tf.TensorInfo | null {
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') return null;
  const simd = boundSimdKernels(backend);
  if (!simd) return null;
  const [kh, kw, c, o] = filterShape;
  const [n, h, w, xc] = x.shape;
  const [dn, ho, wo, dyc] = dy.shape;
  const { sH, sW, dH, dW, top, left, outHeight, outWidth } = filterGradGeometry(x, dy, filterShape, strides, pad, dilations, dimRoundingMode, false);
  // The kernel reads x and dy at offsets computed from these shapes: a mismatch would read the wrong memory.
  if (xc !== c || dyc !== o || dn !== n || outHeight !== ho || outWidth !== wo) {
    throw new Error(
      `Error in Conv2DBackpropFilter (selfsup wasm kernel): x ${JSON.stringify(x.shape)} and dy ${JSON.stringify(dy.shape)} ` +
        `do not fit filter ${JSON.stringify(filterShape)} (the forward conv gives [${n}, ${outHeight}, ${outWidth}, ${o}])`,
    );
  }
  const helpers = 2 * n * ho * wo * kh * kw * c * o >= SPLIT_MIN_FLOPS ? simd.helpers : [];
  if (n * ho * wo > 0 && winogradTakes(kh, kw, c, o, [sH, sW], [dH, dW])) return winogradFilterGrad(backend, simd.kernels, x, dy, [top, left], helpers);
  const out = zeroedOutput(backend, filterShape);
  if (out.shape.some((d) => d === 0) || n * ho * wo === 0) return out;
  const geometry = [h, w, c, ho, wo, o, kh, kw, sH, sW, dH, dW, top, left];
  const partials: tf.TensorInfo[] = [];
  try {
    runSplit(helpers, 'conv2d_filter_grad', simd.kernels.conv2d_filter_grad, (parts) => {
      const ranges = splitImages(n, parts);
      const targets = ranges.map((_, i) => (i === 0 ? out : zeroedOutput(backend, filterShape)));
      partials.push(...targets.slice(1));
      // Offsets after every allocation: makeOutput may grow the heap (offsets stay valid, views do not).
      const [xAt, dyAt] = [heapOffset(backend, x), heapOffset(backend, dy)];
      return ranges.map(([b0, b1], i) => [
        xAt + 4 * b0 * h * w * c, dyAt + 4 * b0 * ho * wo * o, heapOffset(backend, targets[i]), b1 - b0, ...geometry,
      ]);
    });
    addPartials(backend, out, partials);
  } finally {
    for (const p of partials) freeOutput(backend, p);
  }
  return out;
}
