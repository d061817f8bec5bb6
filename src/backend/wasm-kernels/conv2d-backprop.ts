import * as tf from '@tensorflow/tfjs';
import { pair, sliceAxis } from './kernel-utils';
import { interleavePhases, phaseWindow, planAxis } from './phases';

export type ConvPad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
export type RoundingMode = 'floor' | 'round' | 'ceil' | undefined;

/**
 * Gradient of conv2d with respect to its filter, on the backend's forward conv2d. The registered kernel runs
 * selfsup's SIMD kernel (simd/filter-grad.c, 1.5-2x faster) and falls back to this when that cannot start.
 *
 * dW[kh, kw, ci, co] = sum over n, oh, ow of x[n, oh*s + kh*d - pad, ow*s + kw*d - pad, ci] * dy[n, oh, ow, co].
 * Read with ci as the batch, n as the input channel and dy as a (Ho x Wo)-tap filter, that sum is itself a
 * convolution: conv2d(x^T [Ci, H, W, N], dy^T [Ho, Wo, N, Co], strides = d, dilations = s) = [Ci, kh, kw, Co].
 * XNNPACK runs it as one large GEMM (K = N*Ho*Wo), which measured faster than im2col + matMul or one matMul per
 * tap (see docs/backend.md) — except for inputs with very few channels at stride 1 (filterGradFromPatches).
 *
 * @param x - [N, H, W, Ci] forward input.
 * @param dy - [N, Ho, Wo, Co] gradient of the forward output.
 * @param filterShape - [kh, kw, Ci, Co].
 */
export function conv2dBackpropFilterImpl(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: ConvPad,
  dilations: number | [number, number] = 1,
  dimRoundingMode?: RoundingMode,
): tf.Tensor4D {
  const { sH, sW, dH, dW, top, bottom, left, right } = filterGradGeometry(x, dy, filterShape, strides, pad, dilations, dimRoundingMode, false);
  const [kh, kw, ci, co] = filterShape;
  const [, h, w] = x.shape;
  const [, ho, wo] = dy.shape;
  // When the forward conv never read the last rows (valid padding, stride > 1) they are kept: the conv below then
  // yields extra taps, cropped afterwards (cropping the tiny result is cheaper than slicing x).
  if (ho === 0 || wo === 0 || top >= h + (kh - 1) * dH || left >= w + (kw - 1) * dW) return tf.zeros(filterShape);
  if (sH === 1 && sW === 1 && ci <= FEW_CHANNELS) return filterGradFromPatches(x, dy, [kh, kw], [dH, dW], [top, bottom, left, right]);
  const xT = transposeToChannelsFirst(x); // [Ci, H, W, N]
  const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, N, Co]
  // Through the kernel directly: the conv2d op refuses stride > 1 together with dilation > 1, XNNPACK does not.
  const out = tf.engine().runKernel('Conv2D', { x: xT, filter: dyT }, {
    strides: [dH, dW],
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [sH, sW],
  } as unknown as tf.NamedAttrMap) as tf.Tensor4D; // [Ci, >= kh, >= kw, Co]
  const taps = sliceAxis(sliceAxis(out, 1, 0, kh), 2, 0, kw);
  return tf.reshape(tf.transpose(taps, [1, 2, 0, 3]), [kh, kw, ci, co]); // [kh, kw, Ci, Co]
}

/** Strides, dilations and the zero padding of x under which every input row and column a filter tap read exists. */
export interface FilterGradGeometry {
  sH: number;
  sW: number;
  dH: number;
  dW: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
  /** Output size of the forward conv (tfjs's conv info), which dy must have. */
  outHeight: number;
  outWidth: number;
}

/**
 * The forward conv's padding above/left (from tfjs's own conv info) and the padding below/right that makes row
 * (kh - 1)*dH + (Ho - 1)*sH and column (kw - 1)*dW + (Wo - 1)*sW of the padded x exist.
 */
export function filterGradGeometry(
  x: { shape: number[] },
  dy: { shape: number[] },
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: ConvPad,
  dilations: number | [number, number],
  dimRoundingMode: RoundingMode,
  depthwise: boolean,
): FilterGradGeometry {
  const [sH, sW] = pair(strides);
  const [dH, dW] = pair(dilations);
  const [kh, kw] = filterShape;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, [sH, sW], [dH, dW], pad, dimRoundingMode, depthwise,
  );
  const [, h, w] = x.shape;
  const [, ho, wo] = dy.shape;
  const { top, left } = info.padInfo;
  const bottom = Math.max(0, (kh - 1) * dH + (ho - 1) * sH + 1 - top - h);
  const right = Math.max(0, (kw - 1) * dW + (wo - 1) * sW + 1 - left - w);
  return { sH, sW, dH, dW, top, bottom, left, right, outHeight: info.outHeight, outWidth: info.outWidth };
}

/**
 * Input channels up to which a stride-1 filter gradient takes the patch-matrix route. With few channels (the
 * first layer on images) the conv route's GEMM has only Ci*kh*kw rows and ran at 0.2-3 GFLOP/s; the patch
 * matrix is small there and one matMul is 2-45x faster (measured for 1 and 3 channels, 3x3 and 5x5). Since the
 * tap slices read x in place (slice.ts), 8 channels gain too (3x3 -> 32 at batch 256: 121-136 ms against
 * 187-215 ms) and 16 break even (about 240 ms each). At stride 2 the taps need strided slices and the conv route
 * wins.
 */
const FEW_CHANNELS = 8;

/**
 * Filter gradient as one matMul: the patch matrix P [kh*kw*Ci, N*Ho*Wo] (row = tap and input channel, column =
 * output pixel; built from x^T [Ci, N, H, W] by one shifted slice per tap) times dy [N*Ho*Wo, Co]. Stride 1 only.
 */
function filterGradFromPatches(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  [kh, kw]: [number, number],
  [dH, dW]: [number, number],
  [top, bottom, left, right]: [number, number, number, number],
): tf.Tensor4D {
  const [n, h, w, ci] = x.shape;
  const [, ho, wo, co] = dy.shape;
  const xT = tf.reshape(tf.transpose(tf.reshape(x, [n * h * w, ci])), [ci, n, h, w]); // [Ci, N, H, W]
  const padded = tf.pad(xT, [[0, 0], [0, 0], [top, bottom], [left, right]]);
  const rows: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      rows.push(tf.reshape(tf.slice(padded, [0, 0, i * dH, j * dW], [ci, n, ho, wo]), [ci, n * ho * wo]));
    }
  }
  const patches = tf.concat(rows, 0); // [kh*kw*Ci, N*Ho*Wo]
  return tf.reshape(tf.matMul(patches, tf.reshape(dy, [n * ho * wo, co])), [kh, kw, ci, co]);
}

/**
 * [N, H, W, C] -> [C, H, W, N]. An earlier wasm build ran this 4-D transpose slowly, and a 2-D transpose
 * followed by a row move beat it; with the current kernels the direct transpose is the faster of the two
 * (1 thread, [256, 32, 32, 32]: 91-102 ms CPU against 123-165 ms for the two-step route, measured alternately
 * in one process).
 */
export function transposeToChannelsFirst(x: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(x, [3, 1, 2, 0]); // [C, H, W, N]
}

/**
 * Gradient of conv2d with respect to its input (= conv2dTranspose), on the backend's forward conv2d.
 *
 * dx[n, i, j, ci] = sum over kh, kw, co of dy[n, oh, ow, co] * W[kh, kw, ci, co] where i = oh*s + kh*d - pad.
 * Stride 1: one conv2d of dy with the filter flipped and its channel axes swapped. Stride s > 1: the s x s
 * sub-pixel phases (see phases.ts) are each a stride-1 conv2d with the taps that reach that phase, and the phase
 * outputs are interleaved; no FLOPs are spent on inserted zeros.
 *
 * @param dy - [N, Ho, Wo, Co].
 * @param filter - [kh, kw, Ci, Co].
 * @param inputShape - [N, H, W, Ci] of the forward input.
 */
export function conv2dBackpropInputImpl(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  strides: number | [number, number],
  pad: ConvPad,
  dilations: number | [number, number] = 1,
  dimRoundingMode?: RoundingMode,
): tf.Tensor4D {
  const [kh, kw] = filter.shape;
  const flipped = tf.transpose(filter, [0, 1, 3, 2]); // [kh, kw, Co, Ci]
  return transposedConv(dy, inputShape, [kh, kw], strides, pad, dilations, dimRoundingMode, (window, rows, cols, padding, dil) => {
    const taps = tf.gather(tf.gather(flipped, rows, 0), cols, 1) as tf.Tensor4D; // [Th, Tw, Co, Ci], ascending dy offset
    return tf.conv2d(window, taps, 1, padding, 'NHWC', dil);
  });
}

/** One phase of a transposed convolution: a stride-1 correlation of a dy window with the listed filter taps. */
type PhaseConv = (
  window: tf.Tensor4D,
  rowTaps: number[],
  colTaps: number[],
  padding: tf.backend_util.ExplicitPadding,
  dilations: [number, number],
) => tf.Tensor4D;

/** The phase loop shared by the conv2d and depthwise transposed convolutions (see phases.ts). */
function transposedConv(
  dy: tf.Tensor4D,
  inputShape: [number, number, number, number],
  filterSize: [number, number],
  strides: number | [number, number],
  pad: ConvPad,
  dilations: number | [number, number],
  dimRoundingMode: RoundingMode,
  phaseConv: PhaseConv,
): tf.Tensor4D {
  const [sH, sW] = pair(strides);
  const [dH, dW] = pair(dilations);
  const [n, h, w, ci] = inputShape;
  const [kh, kw] = filterSize;
  const info = tf.backend_util.computeConv2DInfo(inputShape, [kh, kw, ci, 1], [sH, sW], [dH, dW], pad, dimRoundingMode);
  const [, ho, wo] = dy.shape;
  const planH = planAxis(h, kh, sH, dH, info.padInfo.top);
  const planW = planAxis(w, kw, sW, dW, info.padInfo.left);
  const phases = planH.phases.map((ph) =>
    planW.phases.map((pw) => {
      if (ph.taps.length === 0 || pw.taps.length === 0) return null;
      const winH = phaseWindow(ph, planH.rows, ho);
      const winW = phaseWindow(pw, planW.rows, wo);
      if (!winH || !winW) return null;
      const window = sliceAxis(sliceAxis(dy, 1, winH.begin, winH.size), 2, winW.begin, winW.size) as tf.Tensor4D;
      return phaseConv(
        window,
        ph.taps.map((t) => t.k),
        pw.taps.map((t) => t.k),
        [[0, 0], [winH.padBefore, winH.padAfter], [winW.padBefore, winW.padAfter], [0, 0]],
        [ph.dilation, pw.dilation],
      );
    }),
  );
  return interleavePhases(phases, n, planH, planW, ci, h, w);
}

/** Channels c*m + q of [N, H, W, C*m], for c < C: [N, H, W, C]. */
function everyMth(t: tf.Tensor4D, m: number, q: number): tf.Tensor4D {
  if (m === 1) return t;
  const c = t.shape[3] / m;
  return tf.gather(t, Array.from({ length: c }, (_, i) => i * m + q), 3) as tf.Tensor4D;
}

/**
 * Gradient of depthwiseConv2d with respect to its input: the transposed convolution of conv2dBackpropInputImpl
 * with depthwise phase convolutions, one per channel multiplier q (dy channels c*m + q, filter [:, :, c, q]),
 * summed.
 *
 * @param dy - [N, Ho, Wo, C*m].
 * @param filter - [kh, kw, C, m].
 */
export function depthwiseConv2dBackpropInputImpl(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  strides: number | [number, number],
  pad: ConvPad,
  dilations: number | [number, number] = 1,
  dimRoundingMode?: RoundingMode,
): tf.Tensor4D {
  const [kh, kw, c, m] = filter.shape;
  let sum: tf.Tensor4D | null = null;
  for (let q = 0; q < m; q++) {
    const f = tf.slice(filter, [0, 0, 0, q], [kh, kw, c, 1]) as tf.Tensor4D; // [kh, kw, C, 1]
    const part = transposedConv(everyMth(dy, m, q), inputShape, [kh, kw], strides, pad, dilations, dimRoundingMode, (window, rows, cols, padding, dil) => {
      const taps = tf.gather(tf.gather(f, rows, 0), cols, 1) as tf.Tensor4D; // [Th, Tw, C, 1]
      return tf.depthwiseConv2d(window, taps, 1, padding, 'NHWC', dil);
    });
    sum = sum ? tf.add<tf.Tensor4D>(sum, part) : part;
  }
  return sum as tf.Tensor4D;
}

/**
 * Gradient of depthwiseConv2d with respect to its filter: per tap (kh, kw), the window of x that tap read times
 * dy, summed over N, Ho, Wo (a leading-axes reduction). Memory-bound, but no course model has a depthwise conv.
 *
 * @param x - [N, H, W, C].
 * @param dy - [N, Ho, Wo, C*m].
 * @param filterShape - [kh, kw, C, m].
 */
export function depthwiseConv2dBackpropFilterImpl(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: ConvPad,
  dilations: number | [number, number] = 1,
  dimRoundingMode?: RoundingMode,
): tf.Tensor4D {
  const { sH, sW, dH, dW, top, bottom, left, right } = filterGradGeometry(x, dy, filterShape, strides, pad, dilations, dimRoundingMode, true);
  const [kh, kw, c, m] = filterShape;
  const [n] = x.shape;
  const [, ho, wo] = dy.shape;
  const xp = top || bottom || left || right ? tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]) : x;
  const dy5 = tf.reshape(dy, [n, ho, wo, c, m]);
  const taps: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const view = sH === 1 && sW === 1
        ? tf.slice(xp, [0, i * dH, j * dW, 0], [n, ho, wo, c])
        : tf.stridedSlice(xp, [0, i * dH, j * dW, 0], [n, i * dH + (ho - 1) * sH + 1, j * dW + (wo - 1) * sW + 1, c], [1, sH, sW, 1]);
      taps.push(tf.sum(tf.mul(tf.reshape(view, [n, ho, wo, c, 1]), dy5), [0, 1, 2])); // [C, m]
    }
  }
  return tf.reshape(tf.stack(taps), filterShape); // [kh, kw, C, m]
}
