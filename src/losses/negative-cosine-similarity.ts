import * as tf from '@tensorflow/tfjs';
import { checkFloat, checkRank, checkSameShape, l2NormalizeRows, stopGradient } from './common';

/** Options of `negativeCosineSimilarity`. */
export interface NegativeCosineSimilarityOptions {
  /**
   * Block the gradient into `z` (default true): SimSiam's D(p, stopgrad(z)), without which
   * SimSiam collapses. BYOL's target comes from the momentum network, which gets no gradient
   * anyway.
   */
  stopGradient?: boolean;
}

/**
 * Negative cosine similarity, the loss of BYOL and SimSiam.
 *
 *   D(p, z) = -(1/N) * sum_i  p_i · z_i / (||p_i|| ||z_i||)
 *
 * in [-1, 1]; -1 when every prediction points along its target. SimSiam's symmetric loss is
 * 0.5 * D(p1, stopgrad(z2)) + 0.5 * D(p2, stopgrad(z1)); BYOL's 2 - 2 cos equals 2 + 2 * D.
 * Same value as lightly's NegativeCosineSimilarity (lightly/loss/negative_cosine_similarity.py,
 * which leaves the stop-gradient to the caller); zero rows give 0, not NaN.
 *
 * Papers: Chen & He, "Exploring Simple Siamese Representation Learning" (SimSiam), CVPR 2021,
 * eq. (1)-(3); Grill et al., "Bootstrap Your Own Latent" (BYOL), NeurIPS 2020, eq. (2).
 *
 * @param p - [N, D] predictions (online network's prediction head).
 * @param z - [N, D] targets (the other view's projection).
 * @returns a scalar.
 * @throws if p or z is not 2-D or their shapes differ.
 * @example
 * const loss = tf.add(negativeCosineSimilarity(p1, z2), negativeCosineSimilarity(p2, z1)).div(2);
 */
export function negativeCosineSimilarity(
  p: tf.Tensor2D,
  z: tf.Tensor2D,
  options: NegativeCosineSimilarityOptions = {},
): tf.Scalar {
  const fn = 'negativeCosineSimilarity';
  checkRank(fn, 'p', p, 2, '[N, D]');
  checkFloat(fn, 'p', p);
  checkRank(fn, 'z', z, 2, '[N, D]');
  checkFloat(fn, 'z', z);
  checkSameShape(fn, 'p', 'z', p, z);
  const stop = options.stopGradient ?? true;
  return tf.tidy(() => {
    const target = stop ? stopGradient(z) : z;
    const cosine = tf.sum(tf.mul(l2NormalizeRows(p, 1e-8), l2NormalizeRows(target, 1e-8)), 1); // [N]
    return tf.neg(tf.mean(cosine)) as tf.Scalar;
  });
}
