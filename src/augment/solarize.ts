import * as tf from '@tensorflow/tfjs';
import { createRng } from '../backend/seed';
import { applyToSome, checkImageBatch, checkImages01, checkProbability, drawMask } from './per-sample';

/**
 * Solarize (BYOL's second view): out = x if x < threshold, else 1 - x; applied to each sample
 * with probability `p` (default 1, then no seed is needed).
 * @param x - [B, H, W, C] images in [0, 1].
 * @returns same shape, in [0, 1].
 */
export function solarize(x: tf.Tensor4D, options: { threshold?: number; p?: number; seed?: number } = {}): tf.Tensor4D {
  checkImageBatch('solarize', x);
  checkImages01('solarize', x);
  const { threshold = 0.5, p = 1, seed } = options;
  checkProbability('solarize', 'p', p);
  if (p < 1 && seed === undefined) throw new Error('Error in solarize: p < 1 needs a seed');
  const mask = p < 1 ? drawMask(createRng(seed!), x.shape[0], p) : new Array(x.shape[0]).fill(true);
  return applyToSome('solarize', x, mask, (chosen) =>
    tf.tidy(() => tf.where(chosen.less(threshold), chosen, tf.scalar(1).sub(chosen)) as tf.Tensor4D),
  );
}
