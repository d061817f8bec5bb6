import * as tf from '@tensorflow/tfjs';
import type { ConvPad, RoundingMode } from '../conv2d-backprop';
import { pair } from '../kernel-utils';
import { runSplit } from './helpers';
import { boundSimdKernels, freeOutput, heapOffset, splitImages, uninitialisedOutput } from './index';

/** winograd.c's exports; byte offsets into the heap. */
interface WinogradKernels {
  winograd_filter_transform(g: number, u: number, c: number, o: number): void;
  winograd_conv3x3(
    x: number, u: number, y: number, v: number, m: number,
    n: number, h: number, w: number, c: number, ho: number, wo: number, o: number, top: number, left: number, tb: number,
  ): void;
}

/**
 * Fewest input channels for which the Winograd route runs. With few channels the transforms, not the products,
 * are the work, and XNNPACK's direct convolution is as fast (measured in docs/backend.md).
 */
export const WINOGRAD_MIN_CHANNELS = 16;

/** Below this many direct-convolution FLOPs a job is not worth a helper thread's wake-up. */
const SPLIT_MIN_FLOPS = 2e7;

/** Bytes of scratch (v and m) per block of tiles: half of this machine's 2 MB L2. */
const BLOCK_BYTES = 1 << 20;

let enabled = true;
let runs = 0;

/** How many convolutions so far took the Winograd route (for tests and diagnostics). */
export function winogradConvolutions(): number {
  return runs;
}

/**
 * Send every Conv2D to the stock wasm kernel (XNNPACK's direct convolution, false) or let 3x3 stride-1 convolutions
 * take the Winograd route (true, the default): for same-run comparisons (`npm run bench:recipe -- --compare
 * winograd`) and tests.
 */
export function setWinogradEnabled(on: boolean): void {
  enabled = on;
}

/** Tiles per block: v [36][tb][C] and m [36][tb][O] together in about BLOCK_BYTES, a multiple of 4 in [4, 256]. */
export function winogradBlockTiles(c: number, o: number): number {
  const tb = Math.floor(BLOCK_BYTES / (4 * 36 * (c + o)));
  return Math.max(4, Math.min(256, tb - (tb % 4)));
}

/**
 * Conv2D that runs 3x3, stride-1, undilated NHWC float32 convolutions with at least WINOGRAD_MIN_CHANNELS input
 * channels (a multiple of 4) and a multiple of 8 output channels by Winograd's F(4x4, 3x3) on selfsup's SIMD
 * kernels (winograd.c): 36 multiplications per 4x4 outputs and channel pair where XNNPACK's direct convolution
 * makes 144. Those are the course ResNet's 3x3 convolutions after the stem, forward, and, through
 * conv2dBackpropInputImpl's stride-1 case, their input gradients. Everything else goes to the stock kernel.
 * On the threaded build, large jobs are split by images over the calling thread and the helper threads.
 */
export function winogradConv2d(stock: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const out = enabled ? winogradConv2dSimd(args.backend as tf.KernelBackend, args.inputs.x as tf.TensorInfo, args.inputs.filter as tf.TensorInfo, args.attrs as tf.NamedAttrMap) : null;
    return out ?? stock.kernelFunc(args);
  };
}

/** The Winograd convolution, or null when this Conv2D is not one it takes (or the SIMD kernels cannot run). */
export function winogradConv2dSimd(backend: tf.KernelBackend, x: tf.TensorInfo, filter: tf.TensorInfo, attrs: tf.NamedAttrMap): tf.TensorInfo | null {
  if (!x || !filter || x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4) return null;
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as {
    strides: number | [number, number];
    pad: ConvPad;
    dataFormat?: string;
    dilations?: number | [number, number];
    dimRoundingMode?: RoundingMode;
  };
  if (dataFormat != null && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') return null;
  const [kh, kw, c, o] = filter.shape;
  const [n, h, w, xc] = x.shape;
  const [sH, sW] = pair(strides);
  const [dH, dW] = pair(dilations);
  if (kh !== 3 || kw !== 3 || sH !== 1 || sW !== 1 || dH !== 1 || dW !== 1) return null;
  if (xc !== c || c < WINOGRAD_MIN_CHANNELS || c % 4 !== 0 || o % 8 !== 0) return null;
  const simd = boundSimdKernels(backend);
  if (!simd) return null;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filter.shape as [number, number, number, number], 1, 1, pad, dimRoundingMode,
  );
  const { outHeight: ho, outWidth: wo } = info;
  const { top, left } = info.padInfo;
  const kernels = simd.kernels as unknown as WinogradKernels;
  const y = uninitialisedOutput(backend, [n, ho, wo, o]);
  runs++;
  if (n * ho * wo * o === 0) return y;
  const tb = winogradBlockTiles(c, o);
  const u = uninitialisedOutput(backend, [36, c, o]);
  const scratch: tf.TensorInfo[] = [];
  try {
    kernels.winograd_filter_transform(heapOffset(backend, filter), heapOffset(backend, u), c, o);
    const helpers = 18 * n * ho * wo * c * o >= SPLIT_MIN_FLOPS ? simd.helpers : [];
    runSplit(helpers, 'winograd_conv3x3', kernels.winograd_conv3x3, (parts) => {
      const ranges = splitImages(n, parts);
      for (let i = 0; i < ranges.length; i++) {
        scratch.push(uninitialisedOutput(backend, [36, tb, c]), uninitialisedOutput(backend, [36, tb, o]));
      }
      // Offsets after every allocation: makeOutput may grow the heap (offsets stay valid, views do not).
      const [xAt, yAt, uAt] = [heapOffset(backend, x), heapOffset(backend, y), heapOffset(backend, u)];
      return ranges.map(([b0, b1], i) => [
        xAt + 4 * b0 * h * w * c, uAt, yAt + 4 * b0 * ho * wo * o,
        heapOffset(backend, scratch[2 * i]), heapOffset(backend, scratch[2 * i + 1]),
        b1 - b0, h, w, c, ho, wo, o, top, left, tb,
      ]);
    });
  } catch (err) {
    freeOutput(backend, y);
    throw err;
  } finally {
    freeOutput(backend, u);
    for (const s of scratch) freeOutput(backend, s);
  }
  return y;
}
