import * as tf from '@tensorflow/tfjs';

/**
 * RGB <-> HSV with plain tf ops (no custom kernel, so every backend, wasm included, runs it),
 * all values in [0, 1], hue in turns. The channels are first moved to the front
 * ([..., 3] -> [3, P], P pixels) so each one is a contiguous plane: slicing the last axis of
 * an NHWC tensor, tiling and broadcasting `where` are slow on wasm.
 */

/** Guards divisions by max or delta where they are 0 (the numerator is then 0 as well). */
const TINY = 1e-12;

/** [..., 3] -> planes R, G, B, each [1, P] (three row slices of the transposed [3, P]: faster than split on wasm). */
export function toPlanes(x: tf.Tensor): tf.Tensor2D[] {
  const planes = x.reshape([-1, 3]).transpose(); // [3, P]
  return [0, 1, 2].map((c) => planes.slice([c, 0], [1, -1]) as tf.Tensor2D);
}

/** Planes [3, P] -> [..., 3] of the given shape. */
function fromPlanes<T extends tf.Tensor>(planes: tf.Tensor, shape: number[]): T {
  return planes.transpose().reshape(shape) as T; // [3, P] -> [P, 3] -> [..., 3]
}

/**
 * Six times the hue (unwrapped, in [-1, 5]), the max and delta = max - min of every pixel, as
 * [1, P] planes:
 *   6 H = (G - B) / delta if max = R,  (B - R) / delta + 2 if max = G,  (R - G) / delta + 4 if max = B,
 * and 0 for grey pixels (delta = 0). Hue in turns is (6 H mod 6) / 6.
 */
export function hueMaxDelta(x: tf.Tensor): { h6: tf.Tensor2D; max: tf.Tensor2D; delta: tf.Tensor2D } {
  const [r, g, b] = toPlanes(x);
  const flat = x.reshape([-1, 3]); // [P, 3]
  const max = flat.max(-1).reshape([1, -1]); // [1, P], exactly one of r, g, b
  const delta = max.sub(flat.min(-1).reshape([1, -1]));
  const d = tf.maximum(delta, TINY);
  const h6 = tf.where(r.equal(max), g.sub(b).div(d), tf.where(g.equal(max), b.sub(r).div(d).add(2), r.sub(g).div(d).add(4)));
  return { h6: h6 as tf.Tensor2D, max: max as tf.Tensor2D, delta: delta as tf.Tensor2D };
}

/**
 * RGB planes from six times the hue (any real: it is taken mod 6), max and delta = max - min
 * (each [1, P]): for n = 5, 3, 1 (R, G, B),
 *   k = (n + 6 H) mod 6,   channel = max - delta clip(min(k, 4 - k), 0, 1).
 * (Computed as k0 - 6 floor(k0 / 6) and clip(k, 0, 1) + clip(4 - k, 0, 1) - 1, which equal
 * the mod and the clipped min but use only ops that are fast on wasm.)
 * @returns planes [3, P].
 */
export function rgbPlanesFromHue(h6: tf.Tensor, max: tf.Tensor, delta: tf.Tensor): tf.Tensor2D {
  const k0 = h6.add(tf.tensor2d([5, 3, 1], [3, 1])); // [3, P]
  const k = k0.sub(k0.mul(1 / 6).floor().mul(6)); // in [0, 6)
  const ramp = k.clipByValue(0, 1).add(tf.scalar(4).sub(k).clipByValue(0, 1)).sub(1);
  return max.sub(delta.mul(ramp)) as tf.Tensor2D;
}

/**
 * RGB -> HSV for a tensor whose last axis is (R, G, B): H = (6 H mod 6) / 6 in turns with 6 H
 * as in `hueMaxDelta` (0 for greys), S = delta / max (0 when max = 0), V = max.
 */
export function rgbToHsv<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => {
    const { h6, max, delta } = hueMaxDelta(x);
    const h = h6.sub(h6.mul(1 / 6).floor().mul(6)).div(6); // (6 H mod 6) / 6
    const s = delta.div(tf.maximum(max, TINY));
    return fromPlanes<T>(tf.concat([h, s, max], 0), x.shape); // [3, P] -> [..., 3]
  });
}

/** HSV -> RGB (inverse of rgbToHsv): channel = V - V S clip(min(k, 4 - k), 0, 1), k = (n + 6 H) mod 6, n = 5, 3, 1. */
export function hsvToRgb<T extends tf.Tensor>(hsv: T): T {
  return tf.tidy(() => {
    const [h, s, v] = toPlanes(hsv);
    return fromPlanes<T>(rgbPlanesFromHue(h.mul(6), v, v.mul(s)), hsv.shape);
  });
}
