import * as tf from '@tensorflow/tfjs';
import { checkMinRows, checkPositive, checkFloat, checkRank, checkSameShape } from './common';

/** Options of `alignment`. */
export interface AlignmentOptions {
  /** Exponent of the distance (default 2). */
  alpha?: number;
}

/**
 * Alignment of positive pairs (Wang & Isola): how far apart the two views land.
 *
 *   alignment = (1/N) * sum_i ||z1_i - z2_i||_2 ^ alpha
 *
 * Lower is better; 0 when every pair coincides. The authors' code (SsnL/align_uniform,
 * `align_loss`) expects embeddings already L2-normalised (on the unit sphere) and does not
 * normalise; neither do we — normalise first to compare with the paper's numbers.
 *
 * Paper: Wang & Isola, "Understanding Contrastive Representation Learning through Alignment
 * and Uniformity on the Hypersphere", ICML 2020, Sec. 4.1, eq. (2).
 *
 * @param z1 - [N, D] embeddings of the first views.
 * @param z2 - [N, D] embeddings of the second views.
 * @returns a scalar.
 * @throws if an input is not 2-D, the shapes differ, the batch is empty, or alpha <= 0.
 * @example
 * const a = alignmentLoss(z1, z2);  // with z1, z2 normalised
 */
export function alignmentLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, options: AlignmentOptions = {}): tf.Scalar {
  const fn = 'alignmentLoss';
  const alpha = options.alpha ?? 2;
  checkRank(fn, 'z1', z1, 2, '[N, D]');
  checkFloat(fn, 'z1', z1);
  checkRank(fn, 'z2', z2, 2, '[N, D]');
  checkFloat(fn, 'z2', z2);
  checkSameShape(fn, 'z1', 'z2', z1, z2);
  checkMinRows(fn, 'z1', z1, 1);
  checkPositive(fn, 'alpha', alpha);
  return tf.tidy(() => {
    const sqDist = tf.sum(tf.squaredDifference(z1, z2), 1); // [N]
    // alpha = 2 needs no root; otherwise floor the squared distance so the root's gradient stays finite.
    const powered = alpha === 2 ? sqDist : tf.pow(tf.maximum(sqDist, 1e-30), alpha / 2);
    return tf.mean(powered) as tf.Scalar;
  });
}
