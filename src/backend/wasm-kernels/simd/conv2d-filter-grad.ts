import * as tf from '@tensorflow/tfjs';
import { pair } from '../kernel-utils';
import type { ConvPad, RoundingMode } from '../conv2d-backprop';
import { heapOffset, simdKernels, zeroedOutput } from './index';

/**
 * Conv2DBackpropFilter on selfsup's SIMD kernel (filter-grad.c): any stride, dilation and padding, NHWC float32.
 * Returns null when the SIMD kernels are off or cannot run here; the caller then takes the XNNPACK-composed
 * route (conv2dBackpropFilterImpl).
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
  const kernels = simdKernels(backend);
  if (!kernels) return null;
  const [sH, sW] = pair(strides);
  const [dH, dW] = pair(dilations);
  const [kh, kw, c, o] = filterShape;
  const [n, h, w, xc] = x.shape;
  const [dn, ho, wo, dyc] = dy.shape;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, [sH, sW], [dH, dW], pad, dimRoundingMode,
  );
  if (xc !== c || dyc !== o || dn !== n || info.outHeight !== ho || info.outWidth !== wo) {
    throw new Error(
      `Error in Conv2DBackpropFilter (selfsup wasm kernel): x ${JSON.stringify(x.shape)} and dy ${JSON.stringify(dy.shape)} ` +
        `do not fit filter ${JSON.stringify(filterShape)} (the forward conv gives [${n}, ${info.outHeight}, ${info.outWidth}, ${o}])`,
    );
  }
  const out = zeroedOutput(backend, filterShape);
  if (out.shape.some((d) => d === 0) || n * ho * wo === 0) return out;
  // Offsets after allocating the output: makeOutput may grow the heap (offsets stay valid, views do not).
  kernels.conv2d_filter_grad(
    heapOffset(backend, x), heapOffset(backend, dy), heapOffset(backend, out),
    n, h, w, c, ho, wo, o, kh, kw, sH, sW, dH, dW, info.padInfo.top, info.padInfo.left,
  );
  return out;
}
