import * as tf from '@tensorflow/tfjs';
import { createRng } from '../backend/seed';
import { applyToSome, checkImageBatch, checkImages01, checkProbability, drawMask } from './per-sample';

/**
 * Mirror each image left-right with probability `p` (default 0.5), independently per sample.
 * @param x - [B, H, W, C] images.
 * @returns same shape.
 * @example
 * const y = horizontalFlip(x, { seed: 3 });
 */
export function horizontalFlip(x: tf.Tensor4D, options: { p?: number; seed: number }): tf.Tensor4D {
  checkImageBatch('horizontalFlip', x);
  checkImages01('horizontalFlip', x);
  const { p = 0.5, seed } = options;
  checkProbability('horizontalFlip', 'p', p);
  const mask = drawMask(createRng(seed), x.shape[0], p);
  return applyToSome('horizontalFlip', x, mask, (all) => tf.image.flipLeftRight(all));
}
