import * as tf from '@tensorflow/tfjs';
import { gcd, sliceAxis } from './kernel-utils';

/**
 * Sub-pixel ("phase") decomposition of a transposed convolution along one spatial axis.
 *
 * A forward conv (or pool) reads input row i = o*stride + k*dilation - padBefore for output row o and tap k. Its
 * transpose writes dy[o] back to those rows. Split the input rows by i mod stride: rows i = stride*u + v of one
 * phase v receive exactly the taps k with (v + padBefore - k*dilation) divisible by stride, from dy row
 * o = u + c_k where c_k = (v + padBefore - k*dilation) / stride. Within a phase that is an ordinary stride-1
 * correlation of dy (taps evenly spaced by dilation / gcd(dilation, stride)), so no multiplication by the zeros
 * that a "dilate dy by the stride, then convolve" formulation would insert.
 */
export interface AxisTap {
  /** Tap index in the forward filter. */
  k: number;
  /** dy offset: phase row u reads dy row u + c. */
  c: number;
}

export interface AxisPhase {
  /** Taps in ascending c (so descending k). Empty when no tap reaches this phase. */
  taps: AxisTap[];
  /** Spacing of consecutive c: the dilation of the stride-1 correlation. */
  dilation: number;
}

export interface AxisPlan {
  /** Rows per phase: ceil(inSize / stride); the interleaved result is cut back to inSize. */
  rows: number;
  /** One entry per phase v in [0, stride). */
  phases: AxisPhase[];
}

export function planAxis(inSize: number, filterSize: number, stride: number, dilation: number, padBefore: number): AxisPlan {
  const rows = Math.ceil(inSize / stride);
  const phases: AxisPhase[] = [];
  for (let v = 0; v < stride; v++) {
    const taps: AxisTap[] = [];
    for (let k = filterSize - 1; k >= 0; k--) {
      const a = v + padBefore - k * dilation;
      if (((a % stride) + stride) % stride === 0) taps.push({ k, c: a / stride });
    }
    phases.push({ taps, dilation: dilation / gcd(dilation, stride) });
  }
  return { rows, phases };
}

/**
 * The rows of dy one phase reads, as [begin, size] of dy plus the zero padding before/after that a stride-1
 * correlation needs so that its output has exactly `rows` rows. `null` when the phase reads nothing in range.
 */
export interface AxisWindow {
  begin: number;
  size: number;
  padBefore: number;
  padAfter: number;
}

export function phaseWindow(phase: AxisPhase, rows: number, dySize: number): AxisWindow | null {
  const lo = phase.taps[0].c;
  const hi = rows - 1 + phase.taps[phase.taps.length - 1].c;
  const begin = Math.max(lo, 0);
  const end = Math.min(hi, dySize - 1);
  if (begin > end) return null;
  return { begin, size: end - begin + 1, padBefore: Math.max(0, -lo), padAfter: Math.max(0, hi - (dySize - 1)) };
}

/** dy[:, u + ch, w + cw, :] for u < rows, w < cols, zero outside dy: a shifted window of a [N, Ho, Wo, C] tensor. */
export function shiftWindow(g: tf.Tensor4D, ch: number, cw: number, rows: number, cols: number): tf.Tensor4D | null {
  const [, ho, wo] = g.shape;
  const hWin = phaseWindow({ taps: [{ k: 0, c: ch }], dilation: 1 }, rows, ho);
  const wWin = phaseWindow({ taps: [{ k: 0, c: cw }], dilation: 1 }, cols, wo);
  if (!hWin || !wWin) return null;
  let t = sliceAxis(sliceAxis(g, 1, hWin.begin, hWin.size), 2, wWin.begin, wWin.size) as tf.Tensor4D;
  if (hWin.padBefore || hWin.padAfter || wWin.padBefore || wWin.padAfter) {
    t = tf.pad(t, [[0, 0], [hWin.padBefore, hWin.padAfter], [wWin.padBefore, wWin.padAfter], [0, 0]]);
  }
  return t;
}

/**
 * Put the phase results back together: phase (vh, vw) holds rows stride*u + vh, columns stride*w + vw.
 * phases[vh][vw] is [N, rowsH, rowsW, C] (null for all-zero phases); the result is [N, inH, inW, C].
 */
export function interleavePhases(
  phases: (tf.Tensor4D | null)[][],
  batch: number,
  planH: AxisPlan,
  planW: AxisPlan,
  channels: number,
  inH: number,
  inW: number,
): tf.Tensor4D {
  const sh = planH.phases.length;
  const sw = planW.phases.length;
  const [u, v] = [planH.rows, planW.rows];
  let out: tf.Tensor4D;
  if (sh === 1 && sw === 1) {
    out = phases[0][0] ?? (tf.zeros([batch, u, v, channels]) as tf.Tensor4D);
  } else {
    // Interleave with two transposes that keep whole rows contiguous ([s, R, K] -> [R, s, K]): first the sw
    // phases of each row phase along W, then the sh row phases along H. (A single rank-5 transpose took 574 ms
    // CPU where these take 38 ms; tf.stack on an inner axis copies C floats at a time in JavaScript: 51 ms.)
    const zeros = phases.some((row) => row.some((p) => p === null)) ? tf.zeros([batch, u, v, channels]) : null;
    const rows = phases.map((row) => {
      const cols = row.map((p) => p ?? (zeros as tf.Tensor4D));
      if (sw === 1) return tf.reshape(cols[0], [batch * u, v * channels]);
      const grid = tf.reshape(tf.concat(cols, 0), [sw, batch * u * v, channels]); // [sw, N*U*V, C]
      return tf.reshape(tf.transpose(grid, [1, 0, 2]), [batch * u, v * sw * channels]); // [N*U, V*sw*C]
    });
    if (sh === 1) {
      out = tf.reshape(rows[0], [batch, u, v * sw, channels]);
    } else {
      const grid = tf.reshape(tf.concat(rows, 0), [sh, batch * u, v * sw * channels]); // [sh, N*U, V*sw*C]
      out = tf.reshape(tf.transpose(grid, [1, 0, 2]), [batch, u * sh, v * sw, channels]); // [N, U*sh, V*sw, C]
    }
  }
  return sliceAxis(sliceAxis(out, 1, 0, inH), 2, 0, inW) as tf.Tensor4D;
}
