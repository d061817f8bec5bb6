import * as tf from '@tensorflow/tfjs';
import { createRng } from '../backend/seed';
import { checkImageBatch, checkImages01, checkProbability, drawMask, perSample } from './per-sample';
import { rgbToGrayscale } from './rgb-to-grayscale';

/**
 * Turn each image grey with probability `p` (default 0.2, SimCLR's "colour drop"), per sample:
 * all three channels become 0.2989 R + 0.587 G + 0.114 B.
 * @param x - [B, H, W, 3] images.
 * @returns same shape.
 */
export function randomGrayscale(x: tf.Tensor4D, options: { p?: number; seed: number }): tf.Tensor4D {
  checkImageBatch('randomGrayscale', x, 3);
  checkImages01('randomGrayscale', x);
  const { p = 0.2, seed } = options;
  checkProbability('randomGrayscale', 'p', p);
  const mask = drawMask(createRng(seed), x.shape[0], p);
  if (!mask.some((m) => m)) return x.clone();
  return tf.tidy(() => {
    // x (1 - m) + gray m: the [B, H, W, 1] grey broadcasts over the channels (no tile)
    const m = perSample(mask.map((v) => (v ? 1 : 0)));
    return x.mul(tf.scalar(1).sub(m)).add(rgbToGrayscale(x).mul(m)) as tf.Tensor4D;
  });
}
