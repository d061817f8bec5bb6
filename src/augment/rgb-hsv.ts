import * as tf from '@tensorflow/tfjs';

/**
 * RGB <-> HSV with plain tf ops (no custom kernel, so every backend, wasm included, runs it),
 * all values in [0, 1], hue in turns. The channels are first moved to the front
 * ([..., 3] -> [3, P], P pixels) so each one is a contiguous plane: slicing the last axis of
 * an NHWC tensor is slow on wasm.
 */

/** [..., 3] -> planes R, G, B, each [1, P]. */
export function toPlanes(x: tf.Tensor): tf.Tensor2D[] {
  return tf.split(x.reshape([-1, 3]).transpose(), 3, 0) as tf.Tensor2D[]; // [3, P] -> 3 x [1, P]
}

/** Planes [3, P] -> [..., 3] of the given shape. */
function fromPlanes<T extends tf.Tensor>(planes: tf.Tensor, shape: number[]): T {
  return planes.transpose().reshape(shape) as T; // [3, P] -> [P, 3] -> [..., 3]
}

/**
 * Hue (in turns, [0, 1)), max and max - min of every pixel, as [1, P] planes. With
 * max = max(R,G,B), min = min(R,G,B), delta = max - min:
 *   H = ((G - B) / delta mod 6) / 6 if max = R,  ((B - R) / delta + 2) / 6 if max = G,
 *       ((R - G) / delta + 4) / 6 if max = B,  and 0 when delta = 0 (grey).
 */
export function hueMaxDelta(x: tf.Tensor): { h: tf.Tensor2D; max: tf.Tensor2D; delta: tf.Tensor2D } {
  const [r, g, b] = toPlanes(x);
  const max = tf.maximum(tf.maximum(r, g), b);
  const min = tf.minimum(tf.minimum(r, g), b);
  const delta = max.sub(min);
  const hasHue = delta.greater(0);
  const safeDelta = tf.where(hasHue, delta, tf.onesLike(delta));
  const h6 = tf.where(
    r.equal(max),
    g.sub(b).div(safeDelta),
    tf.where(g.equal(max), b.sub(r).div(safeDelta).add(2), r.sub(g).div(safeDelta).add(4)),
  );
  const h = h6.div(6);
  const wrapped = tf.where(hasHue, h.sub(h.floor()), tf.zerosLike(h)); // in [0, 1)
  return { h: wrapped as tf.Tensor2D, max: max as tf.Tensor2D, delta: delta as tf.Tensor2D };
}

/**
 * RGB from hue h, max and delta = max - min (each [1, P]): for n = 5, 3, 1 (R, G, B),
 *   k = (n + 6 h) mod 6,   channel = max - delta clip(min(k, 4 - k), 0, 1).
 * @returns planes [3, P].
 */
export function rgbPlanesFromHue(h: tf.Tensor, max: tf.Tensor, delta: tf.Tensor): tf.Tensor2D {
  const k0 = h.mul(6).add(tf.tensor2d([5, 3, 1], [3, 1])); // [3, P]
  const k = k0.sub(k0.div(6).floor().mul(6));
  const ramp = tf.minimum(k, tf.scalar(4).sub(k)).clipByValue(0, 1);
  return max.sub(delta.mul(ramp)) as tf.Tensor2D;
}

/**
 * RGB -> HSV for a tensor whose last axis is (R, G, B): H as in `hueMaxDelta`, S = delta / max
 * (0 when max = 0), V = max.
 */
export function rgbToHsv<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => {
    const { h, max, delta } = hueMaxDelta(x);
    const s = delta.div(tf.where(max.greater(0), max, tf.onesLike(max)));
    return fromPlanes<T>(tf.concat([h, s, max], 0), x.shape); // [3, P] -> [..., 3]
  });
}

/** HSV -> RGB (inverse of rgbToHsv): channel = V - V S clip(min(k, 4 - k), 0, 1), k = (n + 6 H) mod 6, n = 5, 3, 1. */
export function hsvToRgb<T extends tf.Tensor>(hsv: T): T {
  return tf.tidy(() => {
    const [h, s, v] = toPlanes(hsv);
    return fromPlanes<T>(rgbPlanesFromHue(h, v, v.mul(s)), hsv.shape);
  });
}
