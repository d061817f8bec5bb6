import * as tf from '@tensorflow/tfjs';
import { checkImageBatch, checkImages01, perSample } from './per-sample';
import { hueMaxDelta, rgbPlanesFromHue } from './rgb-hsv';
import { rgbToGrayscale } from './rgb-to-grayscale';

/**
 * Deterministic colour adjustments with one factor per sample (a number applies to all
 * samples). They are the building blocks of `colorJitter`, with torchvision's definitions;
 * results are clipped to [0, 1].
 */

function factors(fn: string, x: tf.Tensor4D, f: number | number[]): tf.Tensor4D {
  checkImageBatch(fn, x, 3);
  checkImages01(fn, x);
  const values = typeof f === 'number' ? new Array(x.shape[0]).fill(f) : f;
  if (values.length !== x.shape[0]) {
    throw new Error(`Error in ${fn}: expected ${x.shape[0]} factors (one per sample), but got ${values.length}`);
  }
  return perSample(values);
}

/** Brightness: out = clip(f x). f = 1 is the identity, f = 0 gives black. * @see notebooks/10.3.2-augmentations.ipynb
/** Brightness: out = clip(f x). f = 1 is the identity, f = 0 gives black. */
export function adjustBrightness(x: tf.Tensor4D, f: number | number[]): tf.Tensor4D {
  return tf.tidy(() => x.mul(factors('adjustBrightness', x, f)).clipByValue(0, 1) as tf.Tensor4D);
}

/**
 * Contrast: out = clip(f x + (1 - f) m), m = the image's mean grey level (one per sample).
 * f = 1 is the identity, f = 0 gives a flat grey image.
 * @see notebooks/10.3.2-augmentations.ipynb
 */
export function adjustContrast(x: tf.Tensor4D, f: number | number[]): tf.Tensor4D {
  return tf.tidy(() => {
    const fs = factors('adjustContrast', x, f);
    const mean = rgbToGrayscale(x).mean([1, 2, 3], true); // [B, 1, 1, 1]
    return x.mul(fs).add(tf.scalar(1).sub(fs).mul(mean)).clipByValue(0, 1) as tf.Tensor4D;
  });
}

/** Saturation: out = clip(f x + (1 - f) gray), gray per pixel. f = 1 identity, f = 0 greyscale. * @see notebooks/10.3.2-augmentations.ipynb
/** Saturation: out = clip(f x + (1 - f) gray), gray per pixel. f = 1 identity, f = 0 greyscale. */
export function adjustSaturation(x: tf.Tensor4D, f: number | number[]): tf.Tensor4D {
  return tf.tidy(() => {
    const fs = factors('adjustSaturation', x, f);
    const gray = rgbToGrayscale(x); // [B, H, W, 1]
    return x.mul(fs).add(tf.scalar(1).sub(fs).mul(gray)).clipByValue(0, 1) as tf.Tensor4D;
  });
}

/**
 * Hue: rotate every pixel's hue by `shift` turns in HSV space: H' = (H + shift) mod 1, S and V
 * kept (so max and min of the pixel are kept). shift = 0 and shift = 1 are the identity (up to
 * float rounding); 1/3 maps red to green, green to blue, blue to red.
 * @see notebooks/10.3.2-augmentations.ipynb
 */
export function adjustHue(x: tf.Tensor4D, shift: number | number[]): tf.Tensor4D {
  return tf.tidy(() => {
    const fs = factors('adjustHue', x, shift);
    const [n, height, width] = x.shape;
    const { h6, max, delta } = hueMaxDelta(x); // [1, P] planes, P = B*H*W in sample order
    const rotated = h6.reshape([n, height * width]).add(fs.reshape([n, 1]).mul(6)).reshape([1, -1]); // 6 (H + shift), [1, P]
    const planes = rgbPlanesFromHue(rotated, max, delta); // [3, P], within [min, max] of each pixel
    return planes.transpose().reshape(x.shape) as tf.Tensor4D; // [B, H, W, 3]
  });
}
