import * as tf from '@tensorflow/tfjs';
import { sliceAxis } from './kernel-utils';
import { AxisPlan, interleavePhases, planAxis, shiftWindow } from './phases';
import type { ConvPad, RoundingMode } from './conv2d-backprop';

/**
 * Scatter-add per-tap gradients back to the input grid: dx[n, i, j, c] = sum over taps (kh, kw) and output
 * positions (oh, ow) with i = oh*sH + kh - top, j = ow*sW + kw - left of g(kh, kw)[n, oh, ow, c].
 * Done phase by phase (phases.ts) as sums of shifted windows: whole-tensor pad/slice/add ops, no per-element JS.
 */
function scatterTaps(
  tapGrad: (kh: number, kw: number) => tf.Tensor4D,
  inputShape: number[],
  planH: AxisPlan,
  planW: AxisPlan,
): tf.Tensor4D {
  const [n, h, w, c] = inputShape;
  const phases = planH.phases.map((ph) =>
    planW.phases.map((pw) => {
      let sum: tf.Tensor4D | null = null;
      for (const th of ph.taps) {
        for (const tw of pw.taps) {
          const shifted = shiftWindow(tapGrad(th.k, tw.k), th.c, tw.c, planH.rows, planW.rows);
          if (shifted) sum = sum ? tf.add<tf.Tensor4D>(sum, shifted) : shifted;
        }
      }
      return sum;
    }),
  );
  return interleavePhases(phases, n, planH, planW, c, h, w);
}

export function poolInfo(xShape: number[], filterSize: number | [number, number], strides: number | [number, number], pad: ConvPad, dimRoundingMode?: RoundingMode) {
  return tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number], filterSize, strides, 1, pad as 'same', dimRoundingMode,
  );
}

export type PoolInfo = ReturnType<typeof poolInfo>;

/** Windows that tile the input exactly, without overlap or padding (2x2 stride 2 on an even size, the common case). */
function tilesExactly(info: PoolInfo, h: number, w: number): boolean {
  return (
    info.filterHeight === info.strideHeight &&
    info.filterWidth === info.strideWidth &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0 &&
    info.outHeight * info.filterHeight === h &&
    info.outWidth * info.filterWidth === w
  );
}

/**
 * [N, Ho*fh, Wo*fw, C] -> [fw*fh, N*Ho*Wo*C]: row kw*fh + kh holds tap (kh, kw) of every window. Two transposes
 * that move whole rows ([s, R, K] <-> [R, s, K]); strided slices of x were 30x slower on wasm.
 */
function toTapRows(x: tf.Tensor4D, info: PoolInfo): tf.Tensor2D {
  const [n, , , c] = x.shape;
  const [ho, wo, fh, fw] = [info.outHeight, info.outWidth, info.filterHeight, info.filterWidth];
  const a = tf.transpose(tf.reshape(x, [n * ho, fh, wo * fw * c]), [1, 0, 2]); // [fh, N*Ho, Wo*fw*C]
  const b = tf.transpose(tf.reshape(a, [fh * n * ho * wo, fw, c]), [1, 0, 2]); // [fw, fh*N*Ho*Wo, C]
  return tf.reshape(b, [fw * fh, n * ho * wo * c]);
}

/** Inverse of toTapRows: per-tap rows [fw*fh, N*Ho*Wo*C] back to [N, Ho*fh, Wo*fw, C]. */
function fromTapRows(rows: tf.Tensor2D, shape: [number, number, number, number], info: PoolInfo): tf.Tensor4D {
  const [n, h, w, c] = shape;
  const [ho, wo, fh, fw] = [info.outHeight, info.outWidth, info.filterHeight, info.filterWidth];
  const a = tf.transpose(tf.reshape(rows, [fw, fh * n * ho * wo, c]), [1, 0, 2]); // [fh*N*Ho*Wo, fw, C]
  const b = tf.transpose(tf.reshape(a, [fh, n * ho, wo * fw * c]), [1, 0, 2]); // [N*Ho, fh, Wo*fw*C]
  return tf.reshape(b, [n, h, w, c]);
}

/**
 * Gradient of avgPool, matching tfjs's cpu kernel: every window spreads dy / (filterHeight * filterWidth) over its
 * taps (padding cells included in the count, as tfjs does).
 */
export function avgPoolGradImpl(
  dy: tf.Tensor4D,
  inputShape: [number, number, number, number],
  filterSize: number | [number, number],
  strides: number | [number, number],
  pad: ConvPad,
): tf.Tensor4D {
  const info = poolInfo(inputShape, filterSize, strides, pad);
  const [fh, fw] = [info.filterHeight, info.filterWidth];
  const planH = planAxis(inputShape[1], fh, info.strideHeight, 1, info.padInfo.top);
  const planW = planAxis(inputShape[2], fw, info.strideWidth, 1, info.padInfo.left);
  const scaled = tf.mul(dy, 1 / (fh * fw)) as tf.Tensor4D;
  if (tilesExactly(info, inputShape[1], inputShape[2])) {
    const row = tf.reshape(scaled, [1, -1]);
    return fromTapRows(tf.concat(Array.from({ length: fh * fw }, () => row), 0) as tf.Tensor2D, inputShape, info);
  }
  return scatterTaps(() => scaled, inputShape, planH, planW);
}

/**
 * Gradient of maxPool, matching tfjs's cpu kernel: each window sends dy to its first maximum in row-major scan
 * order (padding never wins). Exact tilings use a tap-major layout (below); other geometries compare strided
 * views of x with the pooled output y tap by tap and scatter the masked dy back with scatterTaps.
 */
export function maxPoolGradImpl(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  y: tf.Tensor4D,
  filterSize: number | [number, number],
  strides: number | [number, number],
  pad: ConvPad,
  dimRoundingMode?: RoundingMode,
): tf.Tensor4D {
  const info = poolInfo(x.shape, filterSize, strides, pad, dimRoundingMode);
  const [n, h, w, c] = x.shape;
  const [fh, fw] = [info.filterHeight, info.filterWidth];
  const [sH, sW] = [info.strideHeight, info.strideWidth];
  const [ho, wo] = [info.outHeight, info.outWidth];
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  if (tilesExactly(info, h, w)) {
    // Windows tile x: all taps at once as rows of a [T, M] tensor (T = fh*fw taps, M = N*Ho*Wo*C). Tap k of a
    // window scores T - k where it equals the window's max, 0 elsewhere; the highest score is the first
    // maximum in scan order (tfjs cpu, TensorFlow and PyTorch send ties to the first). Whole-tensor ops only:
    // per-tap slices, strided views and logical ops measured 742 ms CPU per step of the plain conv net (batch 256) against 256 ms
    // here. (The backend's MaxPoolWithArgmax would be simpler, but it sends ties to the last maximum.)
    const t = fh * fw;
    const taps = toTapRows(x, info); // [T, M], row kw*fh + kh
    const m = taps.shape[1];
    const priority = tf.tensor2d(
      Array.from({ length: t }, (_, row) => t - ((row % fh) * fw + Math.floor(row / fh))),
      [t, 1],
    ); // scan index of row kw*fh + kh is kh*fw + kw
    // Broadcasting along the leading axis is very slow in wasm's binary kernels: repeat rows instead.
    const rows = (v: tf.Tensor) => tf.concat(Array.from({ length: t }, () => tf.reshape(v, [1, m])), 0) as tf.Tensor2D; // [T, M]
    const score = tf.mul(tf.cast(tf.equal(taps, rows(y)), 'float32'), priority); // [T, M]
    const best = tf.maxPool(tf.reshape(score, [1, t, 1, m]) as tf.Tensor4D, [t, 1], [t, 1], 'valid'); // [1, 1, 1, M]
    // score - best is 0 at the first maximum, a negative integer elsewhere (every window has a maximum):
    // relu(1 + score - best) selects it with float ops, which are faster than wasm's compare/logical kernels.
    const first = tf.relu(tf.add(tf.sub(score, rows(best)), 1)); // [T, M], 1 at the first maximum
    const grads = tf.mul(first, rows(dy)) as tf.Tensor2D; // [T, M]
    return fromTapRows(grads, x.shape, info);
  }
  // Pad with -Infinity to cover every cell a window reads, cutting rows no window reads.
  const bottom = (ho - 1) * sH + fh - top - h;
  const right = (wo - 1) * sW + fw - left - w;
  let xp = sliceAxis(sliceAxis(x, 1, 0, h + Math.min(bottom, 0)), 2, 0, w + Math.min(right, 0)) as tf.Tensor4D;
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    xp = tf.pad(xp, [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]], -Infinity);
  }
  const grads = new Map<number, tf.Tensor4D>();
  let taken: tf.Tensor4D | null = null;
  const zeros = tf.zerosLike(dy);
  for (let kh = 0; kh < fh; kh++) {
    for (let kw = 0; kw < fw; kw++) {
      // [N, Ho, Wo, C]: the tap (kh, kw) of every window
      const view = tf.stridedSlice(xp, [0, kh, kw, 0], [n, kh + (ho - 1) * sH + 1, kw + (wo - 1) * sW + 1, c], [1, sH, sW, 1]);
      const hit = tf.equal(view, y) as tf.Tensor4D;
      const first: tf.Tensor4D = taken ? tf.logicalAnd<tf.Tensor4D>(hit, tf.logicalNot(taken)) : hit;
      taken = taken ? tf.logicalOr<tf.Tensor4D>(taken, hit) : hit;
      grads.set(kh * fw + kw, tf.where(first, dy, zeros));
    }
  }
  const planH = planAxis(h, fh, sH, 1, top);
  const planW = planAxis(w, fw, sW, 1, left);
  return scatterTaps((kh, kw) => grads.get(kh * fw + kw) as tf.Tensor4D, x.shape, planH, planW);
}
