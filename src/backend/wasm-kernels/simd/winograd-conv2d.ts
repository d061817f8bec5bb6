import * as tf from '@tensorflow/tfjs';
import type { ConvPad, RoundingMode } from '../conv2d-backprop';
import { pair } from '../kernel-utils';
import { runSplit, type SimdHelper } from './helpers';
import { addPartials, boundSimdKernels, freeOutput, heapOffset, splitImages, uninitialisedOutput, zeroedOutput, type SimdKernels } from './index';

/** The exports of winograd.c and winograd-filter-grad.c; byte offsets into the heap. */
interface WinogradKernels {
  winograd_filter_transform(g: number, u: number, c: number, o: number): void;
  winograd_conv3x3(
    x: number, u: number, y: number, v: number, m: number,
    n: number, h: number, w: number, c: number, ho: number, wo: number, o: number, top: number, left: number, tb: number,
  ): void;
  winograd_filter_grad(
    x: number, dy: number, du: number, v: number, m: number,
    n: number, h: number, w: number, c: number, ho: number, wo: number, o: number, top: number, left: number, tb: number,
  ): void;
  winograd_filter_grad_output(du: number, dg: number, c: number, o: number): void;
}

/**
 * Fewest input channels for which the Winograd route runs. With few channels the transforms, not the products,
 * are the work: at 4 input channels (16x16 -> 32 channels, batch 256, 1 thread) Winograd and XNNPACK took the same
 * time (10.2 against 10.6 ms), at 8 Winograd took 0.6x (7.3 against 12.3 ms; filter gradient 4.9 against 7.9).
 */
export const WINOGRAD_MIN_CHANNELS = 8;

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

/** Whether the Winograd route takes a 3x3 convolution of these strides, dilations and channel counts. */
export function winogradTakes(kh: number, kw: number, c: number, o: number, strides: [number, number], dilations: [number, number]): boolean {
  return enabled && kh === 3 && kw === 3 && strides[0] === 1 && strides[1] === 1 && dilations[0] === 1 && dilations[1] === 1 &&
    c >= WINOGRAD_MIN_CHANNELS && c % 4 === 0 && o % 8 === 0;
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
  if (xc !== c || !winogradTakes(kh, kw, c, o, pair(strides), pair(dilations))) return null;
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

/**
 * Conv2DBackpropFilter of a convolution the Winograd route takes (`winogradTakes`), in the transformed domain
 * (winograd-filter-grad.c): the gradient of the 36 products, 4x fewer multiplications than the direct
 * filter gradient. The caller has checked the shapes against the forward convolution's geometry. On the threaded
 * build, large jobs are split by images; each part sums into its own transformed gradient [36, C, O], added
 * before the one transform back to [3, 3, C, O].
 *
 * @param simd - the SIMD kernels bound to this backend's memory.
 * @param x - [N, H, W, C] forward input.
 * @param dy - [N, Ho, Wo, O].
 */
export function winogradFilterGrad(
  backend: tf.KernelBackend,
  simd: SimdKernels,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  [top, left]: [number, number],
  helpers: SimdHelper[],
): tf.TensorInfo {
  const kernels = simd as unknown as WinogradKernels;
  const [n, h, w, c] = x.shape;
  const [, ho, wo, o] = dy.shape;
  runs++;
  const tb = winogradBlockTiles(c, o);
  const dg = uninitialisedOutput(backend, [3, 3, c, o]);
  const scratch: tf.TensorInfo[] = [];
  const sums: tf.TensorInfo[] = [];
  try {
    runSplit(helpers, 'winograd_filter_grad', kernels.winograd_filter_grad, (parts) => {
      const ranges = splitImages(n, parts);
      for (let i = 0; i < ranges.length; i++) {
        sums.push(zeroedOutput(backend, [36, c, o]));
        scratch.push(uninitialisedOutput(backend, [36, tb, c]), uninitialisedOutput(backend, [36, tb, o]));
      }
      const [xAt, dyAt] = [heapOffset(backend, x), heapOffset(backend, dy)];
      return ranges.map(([b0, b1], i) => [
        xAt + 4 * b0 * h * w * c, dyAt + 4 * b0 * ho * wo * o, heapOffset(backend, sums[i]),
        heapOffset(backend, scratch[2 * i]), heapOffset(backend, scratch[2 * i + 1]),
        b1 - b0, h, w, c, ho, wo, o, top, left, tb,
      ]);
    });
    addPartials(backend, sums[0], sums.slice(1));
    kernels.winograd_filter_grad_output(heapOffset(backend, sums[0]), heapOffset(backend, dg), c, o);
  } catch (err) {
    freeOutput(backend, dg);
    throw err;
  } finally {
    for (const s of [...scratch, ...sums]) freeOutput(backend, s);
  }
  return dg;
}
