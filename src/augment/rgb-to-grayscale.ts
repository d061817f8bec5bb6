import * as tf from '@tensorflow/tfjs';
import { checkImageBatch } from './per-sample';

/** ITU-R 601 luma weights for R, G, B (as torchvision and tf.image.rgb_to_grayscale use). */
export const LUMA_WEIGHTS: readonly [number, number, number] = [0.2989, 0.587, 0.114];

/**
 * Grey level of each pixel: gray = 0.2989 R + 0.587 G + 0.114 B.
 * @param x - [B, H, W, 3] images.
 * @returns [B, H, W, 1] (or, with `keepChannels`, the grey level repeated into 3 equal channels).
 */
export function rgbToGrayscale(x: tf.Tensor4D, keepChannels = false): tf.Tensor4D {
  checkImageBatch('rgbToGrayscale', x, 3);
  return tf.tidy(() => {
    const gray = x.mul(tf.tensor1d([...LUMA_WEIGHTS])).sum(-1, true) as tf.Tensor4D; // [B, H, W, 1]
    return keepChannels ? (tf.tile(gray, [1, 1, 1, 3]) as tf.Tensor4D) : gray;
  });
}
